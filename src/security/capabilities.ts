import { readFileSync } from 'node:fs';
import type { Sys } from '../linux/sys.js';
import type { LinuxCapabilities } from '../spec/types.js';

/** Capability names by number (include/uapi/linux/capability.h), CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40. */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

const CAP_NUMBER: ReadonlyMap<string, number> = new Map(CAPABILITIES.map((name, n) => [name, n]));

const CAP_SYS_ADMIN = 21;

type CapSetName = keyof LinuxCapabilities;
const SET_NAMES: readonly CapSetName[] = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];

/** What the init applies, as masks (bit n = capability n), plus the lists the child loops over. */
export interface CapPlan {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
  /**
   * Capabilities the init keeps in its own effective and permitted sets until execve, beyond
   * what the config asks for. execve computes the new permitted and effective sets from the file,
   * the bounding, inheritable and ambient sets only, so these never reach the container process.
   */
  held: bigint;
  /** Bounding-set entries to drop (the host has them, the config does not keep them). */
  drop: readonly number[];
  /** Ambient capabilities to raise, in order. */
  raise: readonly number[];
}

export interface PlanOptions {
  /**
   * A seccomp filter will be loaded without no_new_privs: the kernel then requires CAP_SYS_ADMIN,
   * so the init holds it until execve (see CapPlan.held).
   */
  holdForSeccomp?: boolean;
  /**
   * The kernel's highest capability (/proc/sys/kernel/cap_last_cap). A new user namespace starts
   * with a full bounding set, not the host's, so the drop list covers every capability up to it.
   */
  lastCap?: number;
}

export function capabilityNumber(name: string): number | undefined {
  return CAP_NUMBER.get(name);
}

function bits(mask: bigint): number[] {
  const out: number[] = [];
  for (let n = 0; mask >> BigInt(n) !== 0n; n++) if ((mask >> BigInt(n)) & 1n) out.push(n);
  return out;
}

const bit = (n: number): bigint => 1n << BigInt(n);
const allUpTo = (last: number | undefined): bigint => (last === undefined ? 0n : bit(last + 1) - 1n);

/**
 * Turns the config's capability names into masks. Unknown names are an error (a typo must not
 * silently weaken or widen a container); capabilities that cannot be granted are left out with a
 * warning, as config.md asks: ones missing from the host's bounding set, and the ones the kernel
 * would refuse in the order the init applies them (inheritable outside bounding, effective outside
 * permitted, ambient outside permitted ∩ inheritable).
 */
export function planCapabilities(
  caps: LinuxCapabilities | undefined,
  hostBounding: bigint,
  options: PlanOptions = {},
): { plan: CapPlan; warnings: string[] } {
  const masks: Record<CapSetName, bigint> = { bounding: 0n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 0n };
  for (const set of SET_NAMES) {
    (caps?.[set] ?? []).forEach((name, i) => {
      const n = CAP_NUMBER.get(name);
      if (n === undefined) throw new Error(`process.capabilities.${set}[${i}]: unknown capability ${JSON.stringify(name)}`);
      masks[set] |= bit(n);
    });
  }

  const warnings: string[] = [];
  const requested = SET_NAMES.reduce((all, set) => all | masks[set], 0n);
  for (const n of bits(requested & ~hostBounding)) {
    const sets = SET_NAMES.filter((set) => masks[set] & bit(n));
    warnings.push(`process.capabilities: ${CAPABILITIES[n]} is not in this host's bounding set; left out of ${sets.join(', ')}`);
  }
  for (const set of SET_NAMES) masks[set] &= hostBounding;

  const leaveOut = (set: CapSetName, allowed: bigint, why: string): void => {
    for (const n of bits(masks[set] & ~allowed)) warnings.push(`process.capabilities.${set}: ${CAPABILITIES[n]} ${why}; left out`);
    masks[set] &= allowed;
  };
  leaveOut('inheritable', masks.bounding, 'is not in the bounding set');
  leaveOut('effective', masks.permitted, 'is not in the permitted set');
  leaveOut('ambient', masks.permitted & masks.inheritable, 'must be in both the permitted and inheritable sets');

  const plan: CapPlan = {
    ...masks,
    held: options.holdForSeccomp ? bit(CAP_SYS_ADMIN) & hostBounding : 0n,
    drop: bits((allUpTo(options.lastCap) | hostBounding) & ~masks.bounding),
    raise: bits(masks.ambient),
  };
  return { plan, warnings };
}

/** The runtime's own bounding set: what any container it starts can have at most. */
export function readHostBounding(status: string = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m?.[1]) throw new Error('cannot read CapBnd from /proc/self/status');
  return BigInt(`0x${m[1]}`);
}

/** Child side, before the user change: needs CAP_SETPCAP, which the init still has. */
export function dropBoundingSet(sys: Sys, plan: CapPlan): void {
  for (const n of plan.drop) sys.capbsetDrop(n);
}

/**
 * Child side, after setresuid with PR_SET_KEEPCAPS set: the permitted set survived the user change,
 * so capset can still narrow it to the plan. Ambient capabilities are raised afterwards because the
 * kernel only allows ones already in both permitted and inheritable.
 */
export function applyCapabilities(sys: Sys, plan: CapPlan): void {
  sys.capset({
    effective: plan.effective | plan.held,
    permitted: plan.permitted | plan.held,
    inheritable: plan.inheritable,
  });
  sys.ambientClearAll();
  for (const n of plan.raise) sys.ambientRaise(n);
  sys.setKeepCaps(false);
}

export function readLastCap(): number {
  return Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
}
