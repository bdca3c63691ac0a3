import type { AffinityPlan } from '../init/affinity-plan.js';
import { planProcess, type ProcessPlan } from '../init/process-plan.js';
import type { Process, Spec } from '../spec/types.js';

/** An exec'd process as plain data, decided in the runtime before it forks. */
export interface ExecPlan extends ProcessPlan {
  /** Applied by the runtime around the fork and after the cgroup move (cpu-affinity.ts). */
  affinity: AffinityPlan;
}

/**
 * The process's plan is the init's (init/process-plan.ts, runc's validateProcessSpec included).
 * `container` is the container's config: its personality and memory policy apply to exec'd
 * processes too (runc's rule).
 */
export function buildExecPlan(proc: Process, preserveFds: number, container: Pick<Spec, 'linux'> = {}): ExecPlan {
  const { process, affinity } = planProcess(proc, container.linux, preserveFds);
  return { ...process, affinity };
}
