import { idMask, parseIdList } from '../init/id-list.js';
import { schedGetaffinity, schedSetaffinity } from '../linux/libc.js';
import type { CPUAffinity } from '../spec/types.js';

// process.execCPUAffinity, with runc 1.2's semantics: `initial` is the runtime's own affinity
// while it forks the process (the child inherits it), `final` is set on the process once it is in
// the container's cgroup. Without either, the process's affinity is reset to every CPU so that it
// never inherits the runtime's (the kernel then limits it to the cgroup's cpuset).

export interface AffinityPlan {
  initial?: Buffer;
  final?: Buffer;
  /** Neither was given: reset to every CPU after the cgroup move. */
  reset: boolean;
}

/** Every CPU the kernel could have (it clamps the mask to its own size and the cpuset). */
const ALL_CPUS = Buffer.alloc(8192 / 8, 0xff);

function mask(text: string | undefined, field: string): Buffer | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const ids = parseIdList(text, field);
  return idMask(ids);
}

export function planAffinity(aff: CPUAffinity | undefined): AffinityPlan {
  const initial = mask(aff?.initial, 'process.execCPUAffinity.initial');
  const final = mask(aff?.final, 'process.execCPUAffinity.final');
  const plan: AffinityPlan = { reset: initial === undefined && final === undefined };
  if (initial) plan.initial = initial;
  if (final) plan.final = final;
  return plan;
}

/** Runs `fork` with the runtime's affinity set to `initial`; the parent gets its own back after. */
export function forkWithAffinity(plan: AffinityPlan, fork: () => number): number {
  if (!plan.initial) return fork();
  const own = schedGetaffinity(ALL_CPUS.length);
  try {
    schedSetaffinity(0, plan.initial);
  } catch (err) {
    throw new Error(`process.execCPUAffinity.initial: ${(err as Error).message}`);
  }
  let pid: number;
  try {
    pid = fork();
  } catch (err) {
    schedSetaffinity(0, own);
    throw err;
  }
  // The child keeps `initial` until its move into the container's cgroup.
  if (pid !== 0) schedSetaffinity(0, own);
  return pid;
}

/** After the cgroup move: `final`, or every CPU when neither list was given. */
export function applyFinalAffinity(plan: AffinityPlan, pid: number): void {
  if (plan.final) {
    try {
      schedSetaffinity(pid, plan.final);
    } catch (err) {
      throw new Error(`process.execCPUAffinity.final: ${(err as Error).message}`);
    }
  } else if (plan.reset) {
    resetAffinity(pid);
  }
}

export const resetAffinity = (pid: number): void => schedSetaffinity(pid, ALL_CPUS);
