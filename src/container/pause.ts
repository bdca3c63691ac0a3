import type { CgroupManager } from '../cgroups/manager.js';
import { cgroupOf } from '../state/cgroup-of.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { withContainer } from './lookup.js';
import { NotRunningError } from './signal-init.js';

export class NotPausedError extends Error {
  constructor() {
    super('container not paused');
  }
}

function cgroupOrFail(rec: ContainerRecord): CgroupManager {
  const cgroup = cgroupOf(rec);
  if (!cgroup) throw new Error(`container ${rec.id} has no cgroup of its own to freeze`);
  return cgroup;
}

/** runc's `pause`: freezes every process of a created or running container. */
export function pauseContainer(store: StateStore, id: string): void {
  withContainer(store, id, (rec, status) => {
    if (status !== 'running' && status !== 'created') throw new NotRunningError();
    cgroupOrFail(rec).freeze();
  });
}

/**
 * runc's `resume`. The freezer is asked directly, not the status: a paused container that was
 * never started still shows "created".
 */
export function resumeContainer(store: StateStore, id: string): void {
  withContainer(store, id, (rec, status) => {
    const cgroup = status === 'stopped' ? undefined : cgroupOf(rec);
    if (!cgroup?.frozen()) throw new NotPausedError();
    cgroup.thaw();
  });
}
