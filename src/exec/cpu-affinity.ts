import type { AffinityPlan } from '../init/affinity-plan.js';
import { schedGetaffinity, schedSetaffinity } from '../linux/libc.js';

// Applying process.execCPUAffinity (planned in init/affinity-plan.ts) around an exec's fork.

/**
 * Every CPU the kernel could have (it clamps the mask to its own size and the cpuset). A
 * Uint8Array: Buffer.alloc with a fill is Node JavaScript that every create and exec compiled
 * at start-up for this constant alone.
 */
const ALL_CPUS = new Uint8Array(8192 / 8).fill(0xff);

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
