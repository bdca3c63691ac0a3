import { MEMORY_POLICY_FLAGS, MEMORY_POLICY_MODES } from '../init/process-extras.js';
import { KNOWN_MOUNT_OPTIONS } from '../init/mount-options.js';
import { seccompFlagsSupported, seccompVersion } from '../linux/seccomp.js';
import { SPEC_VERSION } from '../spec/version.js';
import { CAPABILITIES } from '../security/capabilities.js';
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
} from '../security/seccomp-plan.js';

// `ocirun features` (features.md, features-linux.md, runtime-spec 1.3). The spec asks what the
// runtime recognizes and implements, "irrelevant to" what the host offers: every hook, mount
// option, namespace, capability, seccomp action, operator and architecture ocirun's parsers know
// (a config naming one the host lacks fails create with an error naming it), and the LSMs,
// Intel RDT and memory policies it can apply. Two things are the host's: supportedFlags (the
// seccomp flags this kernel and libseccomp accept, which the spec defines that way) and the
// libseccomp version annotation. Idmapped mounts (a kernel without them fails create with the
// mount's index) and netDevices are implemented.

export const OCI_VERSION_MIN = '1.0.0';
export const OCI_VERSION_MAX = SPEC_VERSION;

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
    intelRdt?: { enabled?: boolean; schemata?: boolean; monitoring?: boolean };
    memoryPolicy?: { modes?: string[]; flags?: string[] };
    mountExtensions?: { idmap?: { enabled?: boolean } };
    netDevices?: { enabled?: boolean };
  };
  potentiallyUnsafeConfigAnnotations?: string[];
}

/** What features depend on in the host; probed by probeHost(), faked in tests. */
export interface FeatureHost {
  /** null when libseccomp cannot be loaded (seccomp is then not enabled). */
  libseccomp: { version: string } | null;
  seccompFlags: string[];
}

const HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

const NAMESPACES = ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts'];

// Each spec flag with the bits that test it: WAIT_KILLABLE_RECV is only valid with a listener.
const FLAG_PROBES: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG: SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER,
};

export function probeHost(): FeatureHost {
  let libseccomp: FeatureHost['libseccomp'] = null;
  try {
    libseccomp = { version: seccompVersion() };
  } catch {
    // No libseccomp: seccomp is reported as not enabled.
  }
  return { libseccomp, seccompFlags: libseccomp ? SECCOMP_FLAG_NAMES.filter((f) => seccompFlagsSupported(FLAG_PROBES[f] ?? -1)) : [] };
}

export function buildFeatures(host: FeatureHost = probeHost()): Features {
  const features: Features = {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: [...HOOKS],
    mountOptions: [...KNOWN_MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACES],
      capabilities: [...CAPABILITIES],
      // systemd: the --systemd-cgroup driver (cgroup v2 hosts); systemdUser: with a user's own manager (rootless).
      cgroup: { v1: true, v2: true, systemd: true, systemdUser: true, rdma: true },
      seccomp: host.libseccomp
        ? {
            enabled: true,
            actions: [...SECCOMP_ACTION_NAMES],
            operators: [...SECCOMP_OPERATOR_NAMES],
            archs: [...SECCOMP_ARCH_NAMES],
            knownFlags: [...SECCOMP_FLAG_NAMES],
            supportedFlags: [...host.seccompFlags],
          }
        : { enabled: false },
      // Labels are applied where the host has the LSM, and refused by name where it has not.
      apparmor: { enabled: true },
      selinux: { enabled: true },
      intelRdt: { enabled: true, schemata: true, monitoring: true },
      memoryPolicy: { modes: [...MEMORY_POLICY_MODES], flags: [...MEMORY_POLICY_FLAGS] },
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: true },
    },
    // ocirun acts on two kinds of annotation, both listed as runc lists them: org.criu.config hands
    // CRIU a configuration file; org.systemd.property.* reach systemd as unit properties under
    // --systemd-cgroup.
    potentiallyUnsafeConfigAnnotations: ['org.criu.config', 'org.systemd.property.'],
    // runc's key, which engines read to know that checkpoint and restore exist.
    annotations: { 'org.opencontainers.runc.checkpoint.enabled': 'true' },
  };
  if (host.libseccomp) features.annotations = { ...features.annotations, 'io.github.seccomp.libseccomp.version': host.libseccomp.version };
  return features;
}
