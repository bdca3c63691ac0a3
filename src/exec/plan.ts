import { planRlimits } from '../init/plan.js';
import { planProcessExtras } from '../init/process-extras.js';
import type { ProcessPlan } from '../init/process-setup.js';
import { SPEC_VERSION } from '../spec/version.js';
import type { Process, Spec } from '../spec/types.js';
import { checkExecProcess } from './process.js';

/**
 * The exec'd process as plain data, decided in the runtime before it forks. `container` is the
 * container's config: its personality and memory policy apply to exec'd processes too (runc's rule).
 */
export function buildExecPlan(proc: Process, preserveFds: number, container: Pick<Spec, 'linux'> = {}): ProcessPlan {
  checkExecProcess(proc);
  const plan: ProcessPlan = {
    uid: proc.user?.uid ?? 0,
    gid: proc.user?.gid ?? 0,
    additionalGids: proc.user?.additionalGids ?? [],
    cwd: proc.cwd,
    args: proc.args ?? [],
    env: proc.env ?? [],
    noNewPrivileges: proc.noNewPrivileges === true,
    rlimits: planRlimits({ ociVersion: SPEC_VERSION, process: proc }),
    preserveFds,
    extras: planProcessExtras({ ociVersion: SPEC_VERSION, process: proc, ...(container.linux ? { linux: container.linux } : {}) }),
  };
  if (proc.user?.umask !== undefined) plan.umask = proc.user.umask;
  if (proc.oomScoreAdj !== undefined) plan.oomScoreAdj = proc.oomScoreAdj;
  return plan;
}
