import type { CPUAffinity } from '../spec/types.js';
import { idMask, parseIdList } from './id-list.js';

// process.execCPUAffinity as masks, with runc 1.2's semantics: `initial` is the runtime's own
// affinity while it forks the process (the child inherits it), `final` is set on the process once
// it is in the container's cgroup. Without either, the process's affinity is reset to every CPU so
// that it never inherits the runtime's (the kernel then limits it to the cgroup's cpuset).
// exec/cpu-affinity.ts applies them.

export interface AffinityPlan {
  initial?: Buffer;
  final?: Buffer;
  /** Neither was given: reset to every CPU after the cgroup move. */
  reset: boolean;
}

function mask(text: string | undefined, field: string): Buffer | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return idMask(parseIdList(text, field));
}

export function planAffinity(aff: CPUAffinity | undefined): AffinityPlan {
  const initial = mask(aff?.initial, 'process.execCPUAffinity.initial');
  const final = mask(aff?.final, 'process.execCPUAffinity.final');
  const plan: AffinityPlan = { reset: initial === undefined && final === undefined };
  if (initial) plan.initial = initial;
  if (final) plan.final = final;
  return plan;
}
