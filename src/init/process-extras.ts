import { readFileSync } from 'node:fs';
import { isErrno, reasonOf } from '../linux/errors.js';
import type { SchedAttributes } from '../linux/libc.js';
import type { Sys } from '../linux/sys.js';
import type { Linux, LinuxMemoryPolicy, Process, Scheduler } from '../spec/types.js';
import { idMask, parseIdList } from './id-list.js';
import { asPlanError, PlanError } from './plan-error.js';

/** config-linux.md "Personality": the execution domains the kernel's personality(2) knows by these names. */
const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

/** config.md "IO Priority": ioprio_set(2) classes. */
const IO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

/** sched_setattr(2) policies (SCHED_ISO is in the schema but was never merged into Linux). */
const SCHED_POLICIES: Readonly<Record<string, number>> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
};

const SCHED_FLAGS: Readonly<Record<string, number>> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01, SCHED_FLAG_RECLAIM: 0x02, SCHED_FLAG_DL_OVERRUN: 0x04, SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10, SCHED_FLAG_UTIL_CLAMP_MIN: 0x20, SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

/** set_mempolicy(2) modes, and whether each takes nodes: none, at least one, or either. */
const MPOL_MODES: Readonly<Record<string, { mode: number; nodes: 'none' | 'some' | 'any' }>> = {
  MPOL_DEFAULT: { mode: 0, nodes: 'none' },
  MPOL_PREFERRED: { mode: 1, nodes: 'any' },
  MPOL_BIND: { mode: 2, nodes: 'some' },
  MPOL_INTERLEAVE: { mode: 3, nodes: 'some' },
  MPOL_LOCAL: { mode: 4, nodes: 'none' },
  MPOL_PREFERRED_MANY: { mode: 5, nodes: 'some' },
  MPOL_WEIGHTED_INTERLEAVE: { mode: 6, nodes: 'some' },
};

const MPOL_FLAGS: Readonly<Record<string, number>> = {
  MPOL_F_NUMA_BALANCING: 1 << 13, MPOL_F_RELATIVE_NODES: 1 << 14, MPOL_F_STATIC_NODES: 1 << 15,
};

/** The set_mempolicy modes and flags ocirun applies (features.md "memoryPolicy"). */
export const MEMORY_POLICY_MODES: readonly string[] = Object.keys(MPOL_MODES);
export const MEMORY_POLICY_FLAGS: readonly string[] = Object.keys(MPOL_FLAGS);

/** The scheduler, memory policy, modes and masks as the forked child applies them. */
export interface ProcessExtras {
  personality?: number;
  ioPriority?: { ioClass: number; level: number };
  scheduler?: SchedAttributes & { label: string };
  memoryPolicy?: { mode: number; mask: Buffer; label: string };
}

/** The memory nodes this host has online (set_mempolicy refuses the others). */
export function onlineMemoryNodes(): number[] {
  try {
    return parseIdList(readFileSync('/sys/devices/system/node/online', 'utf8'), '/sys/devices/system/node/online');
  } catch {
    return [];
  }
}

function u64(value: number | undefined): bigint {
  return BigInt(Math.trunc(value ?? 0));
}

/** The bits of a list of flag names; a name the table lacks fails the plan, naming `field`. */
function flagBits(names: readonly string[] | undefined, table: Readonly<Record<string, number>>, field: string): number {
  let bits = 0;
  for (const name of names ?? []) {
    const bit = table[name];
    if (bit === undefined) throw new PlanError(`${field}: unknown flag ${JSON.stringify(name)}`);
    bits |= bit;
  }
  return bits;
}

/** runc's rules for process.scheduler, and the kernel's own ones it would only answer with EINVAL. */
export function planScheduler(s: Scheduler): SchedAttributes & { label: string } {
  const policy = SCHED_POLICIES[s.policy];
  if (policy === undefined) throw new PlanError(`process.scheduler.policy: ${JSON.stringify(s.policy)} does not exist in Linux (expected SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE or SCHED_DEADLINE)`);
  const nice = s.nice ?? 0;
  const priority = s.priority ?? 0;
  if (nice < -20 || nice > 19) throw new PlanError(`process.scheduler.nice: ${nice} is out of range (-20 to 19)`);
  const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR';
  if (realtime && (priority < 1 || priority > 99)) throw new PlanError(`process.scheduler.priority: ${s.policy} needs a priority from 1 to 99, got ${priority}`);
  if (!realtime && priority !== 0) throw new PlanError(`process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not ${s.policy}`);
  const deadline = s.policy === 'SCHED_DEADLINE';
  if (!deadline && (s.runtime || s.deadline || s.period)) {
    throw new PlanError(`process.scheduler: runtime, deadline and period apply to SCHED_DEADLINE only, not ${s.policy}`);
  }
  if (deadline && !(s.runtime && s.deadline)) throw new PlanError('process.scheduler: SCHED_DEADLINE needs runtime and deadline (nanoseconds)');
  const flags = flagBits(s.flags, SCHED_FLAGS, 'process.scheduler.flags');
  const label = `${s.policy}${realtime ? ` priority ${priority}` : ''}${nice !== 0 ? ` nice ${nice}` : ''}`;
  return { policy, flags: BigInt(flags), nice, priority, runtime: u64(s.runtime), deadline: u64(s.deadline), period: u64(s.period), label };
}

/** linux.memoryPolicy: mode and nodes as set_mempolicy(2) takes them; a node the host lacks is an error now. */
export function planMemoryPolicy(p: LinuxMemoryPolicy, hostNodes: () => readonly number[]): { mode: number; mask: Buffer; label: string } {
  const mode = MPOL_MODES[p.mode ?? ''];
  if (mode === undefined) throw new PlanError(`linux.memoryPolicy.mode: ${p.mode === undefined ? 'required' : `unknown mode ${JSON.stringify(p.mode)}`}`);
  const nodes = asPlanError(() => parseIdList(p.nodes ?? '', 'linux.memoryPolicy.nodes'));
  if (mode.nodes === 'none' && nodes.length > 0) throw new PlanError(`linux.memoryPolicy.nodes: ${p.mode} takes no nodes, got ${JSON.stringify(p.nodes)}`);
  if (mode.nodes === 'some' && nodes.length === 0) throw new PlanError(`linux.memoryPolicy.nodes: ${p.mode} needs at least one node`);
  const flags = flagBits(p.flags, MPOL_FLAGS, 'linux.memoryPolicy.flags');
  if (flags & MPOL_FLAGS['MPOL_F_STATIC_NODES']! && flags & MPOL_FLAGS['MPOL_F_RELATIVE_NODES']!) {
    throw new PlanError('linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other');
  }
  // Relative nodes are positions within the allowed set, not node numbers.
  if (nodes.length > 0 && !(flags & MPOL_FLAGS['MPOL_F_RELATIVE_NODES']!)) {
    const online = hostNodes();
    const missing = nodes.filter((n) => !online.includes(n));
    if (missing.length > 0) {
      throw new PlanError(`linux.memoryPolicy.nodes: this host has no memory node ${missing.join(', ')} (online nodes: ${online.length > 0 ? online.join(',') : 'none'})`);
    }
  }
  return { mode: mode.mode | flags, mask: idMask(nodes), label: `${p.mode}${nodes.length > 0 ? ` nodes ${nodes.join(',')}` : ''}` };
}

/**
 * Settings beyond the basics, for the init and for exec (the memory policy is the container's,
 * so exec applies it too, as runc does). A config that asks for something the runtime would
 * silently skip fails instead, naming the field.
 */
export function planProcessExtras(proc: Process, linux: Linux | undefined, hostNodes: () => readonly number[] = onlineMemoryNodes): ProcessExtras {
  const out: ProcessExtras = {};
  if (linux?.personality) {
    const domain = PERSONALITY_DOMAINS[linux.personality.domain ?? ''];
    if (domain === undefined) throw new PlanError(`linux.personality.domain: unknown domain ${JSON.stringify(linux.personality.domain)} (expected LINUX or LINUX32)`);
    // config-linux.md: "Currently no flag values are supported."
    if (linux.personality.flags?.length) throw new PlanError('linux.personality.flags: the runtime spec defines no personality flags yet, so none can be applied');
    out.personality = domain;
  }
  if (proc.ioPriority) {
    const ioClass = IO_CLASSES[proc.ioPriority.class];
    if (ioClass === undefined) throw new PlanError(`process.ioPriority.class: unknown class ${JSON.stringify(proc.ioPriority.class)}`);
    const level = proc.ioPriority.priority ?? 0;
    if (!Number.isInteger(level) || level < 0 || level > 7) throw new PlanError(`process.ioPriority.priority: ${level} is out of range (0-7)`);
    out.ioPriority = { ioClass, level };
  }
  if (proc.scheduler) out.scheduler = planScheduler(proc.scheduler);
  if (linux?.memoryPolicy) out.memoryPolicy = planMemoryPolicy(linux.memoryPolicy, hostNodes);
  return out;
}

/** Child side, with the limits: personality, I/O priority, memory policy and scheduler. */
export function applyProcessExtras(sys: Sys, x: ProcessExtras): void {
  if (x.personality !== undefined) sys.personality(x.personality);
  if (x.ioPriority) sys.ioprioSet(x.ioPriority.ioClass, x.ioPriority.level);
  if (x.memoryPolicy) {
    try {
      sys.setMempolicy(x.memoryPolicy.mode, x.memoryPolicy.mask);
    } catch (err) {
      throw new Error(`linux.memoryPolicy (${x.memoryPolicy.label}): ${reasonOf(err)}`);
    }
  }
  if (x.scheduler) {
    try {
      sys.schedSetattr(x.scheduler);
    } catch (err) {
      // Real-time policies need the cgroup v1 cpu controller's rt budget as well as CAP_SYS_NICE.
      const hint = isErrno(err, 'EPERM') && (x.scheduler.policy === 1 || x.scheduler.policy === 2)
        ? ' (a real-time policy needs linux.resources.cpu.realtimeRuntime where the cpu cgroup has an rt budget)'
        : '';
      throw new Error(`process.scheduler (${x.scheduler.label}): ${reasonOf(err)}${hint}`);
    }
  }
}
