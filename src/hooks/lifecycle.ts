import type { Logger } from '../log.js';
import type { Hook, Hooks, State } from '../spec/types.js';
import { runHook } from './run-hook.js';

export type HookKind = keyof Hooks;

/** The state a hook gets on stdin: runtime.md "State", with the status of the moment it runs. */
export function hookState(base: Omit<State, 'status'>, status: State['status']): string {
  const { ociVersion, id, pid, bundle, annotations } = base;
  const state: State = { ociVersion, id, status, pid, bundle };
  if (annotations && Object.keys(annotations).length > 0) state.annotations = annotations;
  return JSON.stringify(state);
}

/** Runs hooks in order and stops at the first failure (prestart, create*, startContainer). */
export function runHooks(kind: HookKind, hooks: readonly Hook[] | undefined, stateJson: string): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(hook, stateJson);
    } catch (err) {
      throw new Error(`error running ${kind} hook #${i}: ${(err as Error).message}`);
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
