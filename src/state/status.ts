import { existsSync } from 'node:fs';
import { isFrozenV1 } from '../cgroups/v1/freezer.js';
import { isFrozenV2 } from '../cgroups/v2/freezer.js';
import { isAlive } from './process-identity.js';
import type { ContainerRecord, Status } from './record.js';
import type { StateStore } from './store.js';

/**
 * Status is derived from the kernel on every read, never stored: the init's pid and start time
 * say whether it lives, the start gate (exec.fifo) says whether `start` has run, and the
 * freezer says whether it is paused.
 */
export function deriveStatus(store: StateStore, rec: ContainerRecord): Status {
  // A create that died before finishing never released its init, which dies on the socket's EOF
  // (and `delete` kills whatever is left in the cgroup): the container can only be deleted.
  if (rec.creating) return isAlive(rec.creating) ? 'creating' : 'stopped';
  if (!isAlive({ pid: rec.pid, startTime: rec.pidStartTime })) return 'stopped';
  // A created container can be paused too, and runc then says paused.
  if (isFrozen(rec)) return 'paused';
  if (existsSync(store.fifoPath(rec.id))) return 'created';
  return 'running';
}

/**
 * Straight from the freezer directory create saved: opening a cgroup manager would load the FFI
 * (device filters), which `state` and `list` need for nothing else. No saved directory means
 * the container has no cgroup of its own to freeze.
 */
function isFrozen(rec: ContainerRecord): boolean {
  try {
    const v1 = rec.cgroupPaths?.['freezer'];
    if (v1 !== undefined) return isFrozenV1(v1);
    const v2 = rec.cgroupPaths?.[''];
    return v2 !== undefined && isFrozenV2(v2);
  } catch {
    return false;
  }
}
