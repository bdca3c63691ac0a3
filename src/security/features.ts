import { syscallNumbers } from '../linux/constants.js';
import { fn, lastErrno } from '../linux/ffi.js';
import { seccompArchResolveName, seccompFlagsSupported, seccompVersion } from '../linux/seccomp.js';
import { CAPABILITIES } from './capabilities.js';
import { detectLsm } from './lsm.js';
import {
  SECCOMP_ACTION_NAMES,
  SECCOMP_ARCH_NAMES,
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
  SECCOMP_FLAG_NAMES,
  SECCOMP_OPERATOR_NAMES,
  seccompArchName,
} from './seccomp-plan.js';

// `ocirun features` (features.md, features-linux.md). The spec version this build implements is
// 1.2.0, so only properties that version defines appear (no memoryPolicy, netDevices or
// intelRdt.schemata, which came later). What depends on the host is probed, not assumed: the
// seccomp flags this kernel accepts, the architectures this libseccomp resolves, the LSMs present
// (a label for an absent LSM is an error here, so "supported" means "present"), idmapped mounts.

export const OCI_VERSION_MIN = '1.0.0';
export const OCI_VERSION_MAX = '1.2.0';

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks?: string[];
  mountOptions?: string[];
  annotations?: Record<string, string>;
  linux?: {
    namespaces?: string[];
    capabilities?: string[];
    cgroup?: { v1?: boolean; v2?: boolean; systemd?: boolean; systemdUser?: boolean; rdma?: boolean };
    seccomp?: {
      enabled?: boolean;
      actions?: string[];
      operators?: string[];
      archs?: string[];
      knownFlags?: string[];
      supportedFlags?: string[];
    };
    apparmor?: { enabled?: boolean };
    selinux?: { enabled?: boolean };
    intelRdt?: { enabled?: boolean };
    mountExtensions?: { idmap?: { enabled?: boolean } };
  };
}

/** What features depend on in the host; probed by probeHost(), faked in tests. */
export interface FeatureHost {
  /** null when libseccomp cannot be loaded. */
  libseccomp: { version: string; archs: string[] } | null;
  seccompFlags: string[];
  apparmor: boolean;
  selinux: boolean;
  idmapMounts: boolean;
}

const HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

// config.md, "Linux mount options", plus acl/noacl, which mount(8) knows and runc reports.
const MOUNT_OPTIONS = [
  'acl', 'async', 'atime', 'bind', 'defaults', 'dev', 'diratime', 'dirsync', 'exec', 'idmap',
  'iversion', 'lazytime', 'loud', 'mand', 'noacl', 'noatime', 'nodev', 'nodiratime', 'noexec',
  'noiversion', 'nolazytime', 'nomand', 'norelatime', 'nostrictatime', 'nosuid', 'nosymfollow',
  'private', 'ratime', 'rbind', 'rdev', 'rdiratime', 'relatime', 'remount', 'rexec', 'ridmap',
  'rnoatime', 'rnodev', 'rnodiratime', 'rnoexec', 'rnorelatime', 'rnostrictatime', 'rnosuid',
  'rnosymfollow', 'ro', 'rprivate', 'rrelatime', 'rro', 'rrw', 'rshared', 'rslave', 'rstrictatime',
  'rsuid', 'rsymfollow', 'runbindable', 'rw', 'shared', 'silent', 'slave', 'strictatime', 'suid',
  'symfollow', 'sync', 'tmpcopyup', 'unbindable',
];

const NAMESPACES = ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'];

// Each spec flag with the bits that test it: WAIT_KILLABLE_RECV is only valid with a listener.
const FLAG_PROBES: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG: SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER,
};

const ENOSYS = 38;

/** mount_setattr(2) (Linux 5.12) with an invalid size: EINVAL where the call exists, ENOSYS where not. */
function hasMountSetattr(): boolean {
  const syscall = fn('long syscall(long number, ...)');
  syscall(syscallNumbers().mount_setattr, 'int', -1, 'const char *', '', 'unsigned int', 0, 'void *', null, 'size_t', 0);
  return lastErrno() !== ENOSYS;
}

export function probeHost(): FeatureHost {
  let libseccomp: FeatureHost['libseccomp'] = null;
  try {
    const version = seccompVersion();
    const archs = SECCOMP_ARCH_NAMES.filter((a) => seccompArchResolveName(seccompArchName(a) ?? '') !== 0);
    libseccomp = { version, archs };
  } catch {
    // No libseccomp: seccomp is reported as not enabled.
  }
  const lsm = detectLsm();
  return {
    libseccomp,
    seccompFlags: SECCOMP_FLAG_NAMES.filter((f) => seccompFlagsSupported(FLAG_PROBES[f] ?? -1)),
    apparmor: lsm.apparmor,
    selinux: lsm.selinux,
    idmapMounts: hasMountSetattr(),
  };
}

export function buildFeatures(host: FeatureHost = probeHost()): Features {
  const features: Features = {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: [...HOOKS],
    mountOptions: [...MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACES],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: host.libseccomp
        ? {
            enabled: true,
            actions: [...SECCOMP_ACTION_NAMES],
            operators: [...SECCOMP_OPERATOR_NAMES],
            archs: [...host.libseccomp.archs],
            knownFlags: [...SECCOMP_FLAG_NAMES],
            supportedFlags: [...host.seccompFlags],
          }
        : { enabled: false },
      apparmor: { enabled: host.apparmor },
      selinux: { enabled: host.selinux },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: host.idmapMounts } },
    },
  };
  if (host.libseccomp) features.annotations = { 'io.github.seccomp.libseccomp.version': host.libseccomp.version };
  return features;
}
