import { cgroupOf } from '../state/cgroup-of.js';
import { withContainerLock } from '../state/lock.js';
import type { Status } from '../state/record.js';
import { deriveStatus } from '../state/status.js';
import { BrokenStateError, type StateStore } from '../state/store.js';
import type { Tracking } from '../state/tracking.js';
import type { Logger } from '../log.js';
import { NotRunningError, signalInit } from './signal-init.js';

/**
 * Signals that end runc's init while it waits at the start gate (the Go runtime exits on them).
 * Ours waits with every signal at its default action, and as PID 1 of a new pid namespace it
 * ignores all of them but SIGKILL: a created container would survive `kill ID TERM`.
 */
const ENDS_A_CREATED_INIT: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 15, 16, 31]);

/** The signal that has runc's effect on a container in `status`. */
export function effectiveSignal(sig: number, status: Status): number {
  return status === 'created' && ENDS_A_CREATED_INIT.has(sig) ? 9 : sig;
}

/** The container's processes from state.json, or from init.json alone when state.json is damaged. */
function tracked(store: StateStore, id: string): { t: Tracking; broken?: BrokenStateError } {
  try {
    return { t: store.load(id) };
  } catch (err) {
    if (!(err instanceof BrokenStateError) || !err.tracking) throw err;
    return { t: err.tracking, broken: err };
  }
}

/** runtime.md "kill": signal the init, or with --all every process in the container's cgroup. */
export function killContainer(store: StateStore, id: string, requested: number, all: boolean, log: Logger): void {
  withContainerLock(store, id, () => {
    const { t, broken } = tracked(store, id);
    const status = deriveStatus(store, { id, ...t });
    if (status === 'stopped') throw new NotRunningError();
    const sig = effectiveSignal(requested, status);
    const cgroup = all ? cgroupOf(t) : undefined;
    if (cgroup) {
      cgroup.killAll(sig);
      // A frozen process cannot act on a signal; SIGKILL must be able to finish a paused container.
      if (sig === 9 && status === 'paused') cgroup.thaw();
    } else {
      signalInit(t, sig);
    }
    if (broken) log.warn(`container ${id}: ${broken.message}; signalled the processes init.json names`);
  });
}
