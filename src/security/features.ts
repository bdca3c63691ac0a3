import { existsSync } from 'node:fs';
import { idmappedMountsSupported } from '../init/idmapped-mounts.js';
import { KNOWN_MOUNT_OPTIONS } from '../init/mount-options.js';
import { seccompActionAvailable, seccompArchResolveName, seccompFlagsSupported, seccompVersion } from '../linux/seccomp.js';
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
  seccompActionBase,
  seccompArchName,
} from './seccomp-plan.js';

// `ocirun features` (features.md, features-linux.md). The spec version this build implements is
// 1.2.0, so only properties that version defines appear (no memoryPolicy, netDevices or
// intelRdt.schemata, which came later). Everything listed is something this build applies, and
// what depends on the host is probed, not assumed: the time namespace, the seccomp actions this
// kernel and libseccomp both know, the flags this kernel accepts, the architectures this
// libseccomp resolves, the LSMs present (a label for an absent LSM is an error here, so
// "supported" means "present"). Mount options are exactly the words the mount-option parser
// gives a meaning to (idmap and ridmap included); mountExtensions.idmap says whether this kernel
// can make idmapped mounts, probed.

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
    netDevices?: { enabled?: boolean };
  };
}

/** What features depend on in the host; probed by probeHost(), faked in tests. */
export interface FeatureHost {
  /** null when libseccomp cannot be loaded. */
  libseccomp: { version: string; archs: string[]; actions: string[] } | null;
  seccompFlags: string[];
  apparmor: boolean;
  selinux: boolean;
  timeNamespace: boolean;
  idmappedMounts: boolean;
}

const HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

const NAMESPACES = ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'];

// Each spec flag with the bits that test it: WAIT_KILLABLE_RECV is only valid with a listener.
const FLAG_PROBES: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG: SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER,
};

// The libseccomp release that first knew each newer action (older ones date from 2.0).
const ACTION_SINCE: Readonly<Record<string, readonly [number, number]>> = {
  SCMP_ACT_KILL_PROCESS: [2, 4],
  SCMP_ACT_LOG: [2, 4],
  SCMP_ACT_NOTIFY: [2, 5],
};

function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [ma = 0, mi = 0] = version.split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}

/** Actions a profile can use here: libseccomp can encode them and the kernel can run them. */
function seccompActions(version: string): string[] {
  return SECCOMP_ACTION_NAMES.filter((name) => {
    const since = ACTION_SINCE[name];
    const base = seccompActionBase(name);
    return (!since || versionAtLeast(version, since)) && base !== undefined && seccompActionAvailable(base);
  });
}

export function probeHost(): FeatureHost {
  let libseccomp: FeatureHost['libseccomp'] = null;
  try {
    const version = seccompVersion();
    const archs = SECCOMP_ARCH_NAMES.filter((a) => seccompArchResolveName(seccompArchName(a) ?? '') !== 0);
    libseccomp = { version, archs, actions: seccompActions(version) };
  } catch {
    // No libseccomp: seccomp is reported as not enabled.
  }
  const lsm = detectLsm();
  return {
    libseccomp,
    seccompFlags: SECCOMP_FLAG_NAMES.filter((f) => seccompFlagsSupported(FLAG_PROBES[f] ?? -1)),
    apparmor: lsm.apparmor,
    selinux: lsm.selinux,
    timeNamespace: existsSync('/proc/self/ns/time'),
    idmappedMounts: idmappedMountsSupported(),
  };
}

export function buildFeatures(host: FeatureHost = probeHost()): Features {
  const features: Features = {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: [...HOOKS],
    mountOptions: [...KNOWN_MOUNT_OPTIONS],
    linux: {
      namespaces: host.timeNamespace ? [...NAMESPACES, 'time'] : [...NAMESPACES],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: host.libseccomp
        ? {
            enabled: true,
            actions: [...host.libseccomp.actions],
            operators: [...SECCOMP_OPERATOR_NAMES],
            archs: [...host.libseccomp.archs],
            knownFlags: [...SECCOMP_FLAG_NAMES],
            supportedFlags: [...host.seccompFlags],
          }
        : { enabled: false },
      apparmor: { enabled: host.apparmor },
      selinux: { enabled: host.selinux },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: host.idmappedMounts } },
      // Moved through rtnetlink, which every kernel with network namespaces has.
      netDevices: { enabled: true },
    },
  };
  if (host.libseccomp) features.annotations = { 'io.github.seccomp.libseccomp.version': host.libseccomp.version };
  return features;
}
