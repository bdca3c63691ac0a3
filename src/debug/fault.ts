// Fault injection for the reliability tests (test/stress, conformance/reliability): with
// OCIRUN_FAULT=<stage> in its environment, the process SIGKILLs itself when it reaches
// faultPoint(<stage>), so a test can prove a create killed at that exact point leaves nothing
// behind that `delete --force` cannot remove. The variable is read once at load; without it a
// fault point is one string comparison. It grants nothing: anyone who can set the variable can
// kill the process anyway.

const armed = process.env['OCIRUN_FAULT'];

/** Stages of `create` where a test can kill it, in the order create reaches them. */
export const CREATE_FAULT_STAGES = [
  'after-claim',
  'after-cgroup',
  'before-fork',
  'during-mounts',
  'waiting-ready',
  'after-ready',
  'after-pid-file',
] as const;

export type FaultStage = (typeof CREATE_FAULT_STAGES)[number];

/** Only in the process that loaded this module: process.pid is stale in a forked child. */
export function faultPoint(stage: FaultStage): void {
  if (armed === stage) process.kill(process.pid, 'SIGKILL');
}
