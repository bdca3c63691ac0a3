import type { Logger } from '../log.js';
import type { Hook, Hooks, State } from '../spec/types.js';
import { runHook } from './run-hook.js';

export type HookKind = keyof Hooks;

/**
 * runtime.md "State" with the status of the moment: what hooks and the seccomp agent get. A
 * container record serves as `base`; a stopped container has no pid.
 */
export function stateAt(base: Omit<State, 'status'>, status: State['status']): State {
  const { ociVersion, id, pid, bundle, annotations } = base;
  const state: State = { ociVersion, id, status, bundle };
  if (status !== 'stopped' && pid !== undefined) state.pid = pid;
  if (annotations && Object.keys(annotations).length > 0) state.annotations = annotations;
  return state;
}

/** The state a hook gets on stdin. */
export function hookState(base: Omit<State, 'status'>, status: State['status']): string {
  return JSON.stringify(stateAt(base, status));
}

/** A prestart, create* or startContainer hook failed: what runtime.md's lifecycle continues at delete. */
export class HookFailedError extends Error {}

/** Runs hooks in order and stops at the first failure (prestart, create*, startContainer). */
export function runHooks(kind: HookKind, hooks: readonly Hook[] | undefined, stateJson: string): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(hook, stateJson);
    } catch (err) {
      throw new HookFailedError(`error running ${kind} hook #${i}: ${(err as Error).message}`);
    }
  });
}

/** poststart and poststop: a failure is a warning and the remaining hooks still run. */
export function runHooksWarning(kind: HookKind, hooks: readonly Hook[] | undefined, stateJson: string, log: Logger): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(hook, stateJson);
    } catch (err) {
      log.warn(`error running ${kind} hook #${i}: ${(err as Error).message}`);
    }
  });
}
