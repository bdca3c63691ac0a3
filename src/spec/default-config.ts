// The starter config.json written by `ocirun spec`: runc's (1.1.x) example spec, field for
// field and in the same key order, so tools and tutorials written against `runc spec` work.
import { existsSync } from 'node:fs';
import type { LinuxNamespace, Mount, Spec } from './types.js';
import { SPEC_VERSION } from './version.js';

export interface DefaultSpecOptions {
  /** `spec --rootless`: a user namespace mapping the caller to root, no network namespace. */
  rootless: boolean;
  /** Adds a cgroup namespace, as runc does on a cgroup v2 host. Default: detected. */
  cgroupV2?: boolean;
  /** Host ids mapped to root for `rootless`. Default: the effective uid/gid of this process. */
  uid?: number;
  gid?: number;
}

const DEFAULT_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function defaultSpec(opts: DefaultSpecOptions): Spec {
  const spec = baseSpec(opts.cgroupV2 ?? isCgroupV2Host());
  return opts.rootless ? toRootless(spec, opts.uid ?? process.geteuid?.() ?? 0, opts.gid ?? process.getegid?.() ?? 0) : spec;
}

function baseSpec(cgroupV2: boolean): Spec {
  const namespaces: LinuxNamespace[] = [
    { type: 'pid' },
    { type: 'network' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
  ];
  if (cgroupV2) namespaces.push({ type: 'cgroup' });
  return {
    ociVersion: SPEC_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      // runc 1.1 also listed these as ambient. Ambient capabilities need the same ones in the
      // inheritable set, which runc 1.1.2 emptied (CVE-2022-29162), so they could never be
      // raised; runc 1.2 dropped them from the example too.
      capabilities: {
        bounding: [...DEFAULT_CAPABILITIES],
        effective: [...DEFAULT_CAPABILITIES],
        permitted: [...DEFAULT_CAPABILITIES],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'ocirun',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces,
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/**
 * runc's `spec --rootless` conversion: an unprivileged user cannot create a network namespace
 * with working networking, mount a fresh sysfs, chown devpts to gid 5, or write cgroup limits.
 */
function toRootless(spec: Spec, uid: number, gid: number): Spec {
  const linux = spec.linux ?? {};
  const namespaces = (linux.namespaces ?? []).filter((ns) => ns.type !== 'network' && ns.type !== 'user');
  namespaces.push({ type: 'user' });
  const { resources: _dropped, ...rest } = linux;
  return {
    ...spec,
    mounts: (spec.mounts ?? []).map(rootlessMount),
    linux: {
      uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
      ...rest,
      namespaces,
    },
  };
}

function rootlessMount(mount: Mount): Mount {
  if (mount.destination === '/sys') {
    return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
  }
  if (mount.options === undefined) return mount;
  return { ...mount, options: mount.options.filter((o) => !o.startsWith('uid=') && !o.startsWith('gid=')) };
}

/** The unified hierarchy has cgroup.controllers at its root; v1 and hybrid hosts do not. */
function isCgroupV2Host(): boolean {
  return existsSync('/sys/fs/cgroup/cgroup.controllers');
}
