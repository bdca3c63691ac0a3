import * as K from '../linux/constants.js';
import { processIdProblem } from '../spec/ids.js';
import { processArgsProblem, processCwdProblem, processRlimitsProblem, processWindowsFieldsProblem } from '../spec/rules.js';
import type { Linux, Process } from '../spec/types.js';
import { planAffinity, type AffinityPlan } from './affinity-plan.js';
import { asPlanError, enforce, PlanError } from './plan-error.js';
import { planProcessExtras, type ProcessExtras } from './process-extras.js';

// The process part of a plan, built here once for the container's init (init/plan.ts) and for
// every exec (exec/plan.ts); the forked child applies it (process-setup.ts).

export interface RlimitStep {
  resource: number;
  soft: bigint;
  hard: bigint;
}

/** What a container process is, as the child applies it (InitPlan and ExecPlan both carry it). */
export interface ProcessPlan {
  uid: number;
  gid: number;
  additionalGids: number[];
  umask?: number;
  cwd: string;
  args: string[];
  env: string[];
  noNewPrivileges: boolean;
  rlimits: RlimitStep[];
  oomScoreAdj?: number;
  /** Extra fds (3, 4, ...) the process inherits. */
  preserveFds: number;
  /** Personality, I/O priority, scheduler and memory policy. */
  extras: ProcessExtras;
}

/** JSON numbers are doubles: RLIM_INFINITY (2^64-1) arrives rounded up to 2^64. */
function toRlim(value: number): bigint {
  return value >= 2 ** 64 - 1 ? (1n << 64n) - 1n : BigInt(value);
}

export function planRlimits(proc: Pick<Process, 'rlimits'>): RlimitStep[] {
  return (proc.rlimits ?? []).map((r, i) => {
    const resource = K.RLIMIT_NUMBERS[r.type];
    if (resource === undefined) throw new PlanError(`process.rlimits[${i}].type: unknown rlimit ${JSON.stringify(r.type)}`);
    return { resource, soft: toRlim(r.soft), hard: toRlim(r.hard) };
  });
}

/**
 * `proc` as the child applies it, after the process rules create's checker applies too (so an
 * exec'd process is held to the same ones), with the container's linux section (its personality and memory
 * policy apply to exec'd processes too: runc's rule). The process's execCPUAffinity is planned as
 * well: exec applies it around its fork; for the init it is not applicable (config.md) but a typo
 * fails create rather than every later exec.
 */
export function planProcess(proc: Process, linux: Linux | undefined, preserveFds: number): { process: ProcessPlan; affinity: AffinityPlan } {
  enforce(processArgsProblem(proc));
  enforce(processCwdProblem(proc));
  enforce(processIdProblem(proc));
  enforce(processRlimitsProblem(proc));
  enforce(processWindowsFieldsProblem(proc));
  const process: ProcessPlan = {
    uid: proc.user?.uid ?? 0,
    gid: proc.user?.gid ?? 0,
    additionalGids: proc.user?.additionalGids ?? [],
    cwd: proc.cwd,
    args: proc.args ?? [],
    env: proc.env ?? [],
    noNewPrivileges: proc.noNewPrivileges === true,
    rlimits: planRlimits(proc),
    preserveFds,
    extras: planProcessExtras(proc, linux),
  };
  if (proc.user?.umask !== undefined) process.umask = proc.user.umask;
  if (proc.oomScoreAdj !== undefined) process.oomScoreAdj = proc.oomScoreAdj;
  return { process, affinity: asPlanError(() => planAffinity(proc.execCPUAffinity)) };
}
