// `ocirun spec`: runc's example config, valid for our own loader, and its rootless variant.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/spec/generated/validators.js';
import { defaultSpec } from '../../../src/spec/default-config.js';
import { loadConfig } from '../../../src/spec/validate.js';
import { SPEC_VERSION } from '../../../src/spec/version.js';
import { tempBundle } from './temp-bundle.js';

describe.each([false, true])('defaultSpec({ rootless: %s })', (rootless) => {
  const spec = defaultSpec({ rootless, uid: 1000, gid: 100 });

  it('passes the schema', () => {
    expect(validateConfig(spec), JSON.stringify(validateConfig.errors)).toBe(true);
  });

  it('round-trips through loadConfig in a bundle with a rootfs', async () => {
    const bundle = tempBundle(spec);
    expect(await loadConfig(bundle)).toEqual(spec);
  });

  it('keeps runc\'s key order', () => {
    expect(Object.keys(spec)).toEqual(['ociVersion', 'process', 'root', 'hostname', 'mounts', 'linux']);
    expect(Object.keys(spec.process ?? {})).toEqual([
      'terminal',
      'user',
      'args',
      'env',
      'cwd',
      'capabilities',
      'rlimits',
      'noNewPrivileges',
    ]);
  });

  it('runs sh on a terminal with runc\'s defaults', () => {
    expect(spec.ociVersion).toBe(SPEC_VERSION);
    expect(spec.process).toMatchObject({
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    });
    const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
    expect(spec.process?.capabilities).toEqual({ bounding: caps, effective: caps, permitted: caps });
    expect(spec.root).toEqual({ path: 'rootfs', readonly: true });
    expect(spec.hostname).toBe('ocirun');
    expect(spec.linux?.maskedPaths).toContain('/proc/kcore');
    expect(spec.linux?.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('mounts the standard file systems', () => {
    expect(spec.mounts?.map((m) => m.destination)).toEqual([
      '/proc',
      '/dev',
      '/dev/pts',
      '/dev/shm',
      '/dev/mqueue',
      '/sys',
      '/sys/fs/cgroup',
    ]);
  });
});

describe('defaultSpec namespaces', () => {
  it('are pid, network, ipc, uts, mount, plus cgroup on a cgroup v2 host', () => {
    const types = (cgroupV2: boolean): string[] =>
      (defaultSpec({ rootless: false, cgroupV2 }).linux?.namespaces ?? []).map((ns) => ns.type);
    expect(types(false)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(types(true)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
  });

  it('deny all devices in the device cgroup', () => {
    expect(defaultSpec({ rootless: false }).linux?.resources).toEqual({ devices: [{ allow: false, access: 'rwm' }] });
  });
});

describe('defaultSpec({ rootless: true })', () => {
  const spec = defaultSpec({ rootless: true, cgroupV2: true, uid: 1000, gid: 100 });

  it('maps the given user to root in a new user namespace, without a network namespace', () => {
    expect(spec.linux?.namespaces?.map((ns) => ns.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user']);
    expect(spec.linux?.uidMappings).toEqual([{ containerID: 0, hostID: 1000, size: 1 }]);
    expect(spec.linux?.gidMappings).toEqual([{ containerID: 0, hostID: 100, size: 1 }]);
  });

  it('defaults to the current effective ids', () => {
    const current = defaultSpec({ rootless: true });
    expect(current.linux?.uidMappings?.[0]?.hostID).toBe(process.geteuid?.());
    expect(current.linux?.gidMappings?.[0]?.hostID).toBe(process.getegid?.());
  });

  it('bind-mounts /sys and drops uid=/gid= mount options', () => {
    expect(spec.mounts?.find((m) => m.destination === '/sys')).toEqual({
      destination: '/sys',
      type: 'none',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    });
    expect(spec.mounts?.find((m) => m.destination === '/dev/pts')?.options).toEqual([
      'nosuid',
      'noexec',
      'newinstance',
      'ptmxmode=0666',
      'mode=0620',
    ]);
  });

  it('sets no cgroup resources', () => {
    expect(spec.linux?.resources).toBeUndefined();
    expect(Object.keys(spec.linux ?? {})).toEqual(['uidMappings', 'gidMappings', 'namespaces', 'maskedPaths', 'readonlyPaths']);
  });

  it('leaves the rootful spec unchanged', () => {
    expect(defaultSpec({ rootless: false, cgroupV2: true }).linux?.namespaces?.map((ns) => ns.type)).toContain('network');
  });
});
