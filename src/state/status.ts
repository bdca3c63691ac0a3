import { freezerDir, isFrozenDir } from '../cgroups/freezer.js';
import { isAlive } from './process-identity.js';
import type { ContainerRecord, Status } from './record.js';
import type { BrokenStateError, StateStore } from './store.js';
import type { Tracking } from './tracking.js';

/**
 * Status is derived from the kernel on every read, never stored: the init's pid and start time
 * say whether it lives, the start gate (exec.fifo) says whether `start` has run, and the
 * freezer says whether it is paused. All of it is in init.json as well: a container whose
 * state.json is damaged still has a status.
 */
export function deriveStatus(store: StateStore, rec: Pick<ContainerRecord, 'id'> & Tracking): Status {
  // A create that died before finishing never released its init, which dies on the socket's EOF
  // (and `delete` kills whatever is left in the cgroup): the container can only be deleted.
  if (rec.creating) return isAlive(rec.creating) ? 'creating' : 'stopped';
  if (!isAlive({ pid: rec.pid, startTime: rec.pidStartTime })) return 'stopped';
  // A created container can be paused too, and runc then says paused.
  if (isFrozen(rec)) return 'paused';
  if (store.hasFifo(rec.id)) return 'created';
  return 'running';
}

/**
 * From the freezer directory create saved, without opening a cgroup manager: that would load
 * the FFI (device filters), which `state` and `list` need for nothing else. No saved directory
 * means the container has no cgroup of its own to freeze.
 */
function isFrozen(rec: Pick<Tracking, 'cgroupPaths'>): boolean {
  try {
    return isFrozenDir(freezerDir((key) => rec.cgroupPaths?.[key]));
  } catch {
    return false;
  }
}

/**
 * A damaged record's error, with the verdict init.json still allows: whether the container's
 * processes live, so nobody takes a broken container for a stopped one.
 */
export function brokenReason(store: StateStore, id: string, err: BrokenStateError): string {
  if (!err.tracking) return err.message;
  const status = deriveStatus(store, { id, ...err.tracking });
  if (status === 'stopped') return `${err.message}; the container has stopped`;
  return `${err.message}; the container is ${status} (init pid ${err.tracking.pid}): delete --force removes it`;
}
