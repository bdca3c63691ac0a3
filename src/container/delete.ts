import { cgroupOf } from '../state/cgroup-of.js';
import type { Logger } from '../log.js';
import type { ContainerRecord } from '../state/record.js';
import { BrokenStateError, ContainerNotFoundError, type StateStore } from '../state/store.js';
import { withContainerLock } from '../state/lock.js';
import { removeContainerRdt } from './intel-rdt.js';
import { withContainer } from './lookup.js';
import { hookState, runHooksWarning } from '../hooks/lifecycle.js';
import { killInitAndWait } from './signal-init.js';

const KILL_WAIT_MS = 10_000;

function destroyCgroup(rec: Pick<ContainerRecord, 'cgroupPath' | 'cgroupPaths'>): void {
  const cgroup = cgroupOf(rec);
  if (!cgroup) return;
  // Without a pid namespace the init's death does not take the other processes with it.
  cgroup.killAll(9);
  cgroup.thaw();
  cgroup.destroy();
}

/**
 * runtime.md "delete": only a stopped container may be deleted; with --force a created,
 * running or paused one is killed first. Removes the cgroup and the state dir; the mounts went
 * with the container's mount namespace.
 */
export function deleteContainer(store: StateStore, id: string, force: boolean, log: Logger): void {
  try {
    withContainer(store, id, (rec, status) => {
      if (status !== 'stopped') {
        if (!force) throw new Error(`cannot delete container ${id} that is not stopped: ${status}`);
        if (status === 'paused') cgroupOf(rec)?.thaw();
        // A record from a create that is still running (or was killed) may have no init yet.
        if (rec.pid > 0 && !killInitAndWait(rec, KILL_WAIT_MS)) log.warn(`container ${id}: init did not exit within ${KILL_WAIT_MS} ms of SIGKILL`);
      }
      destroyCgroup(rec);
      removeContainerRdt(rec.config, rec.id);
      const poststop = rec.config.hooks?.poststop;
      if (poststop?.length) runHooksWarning('poststop', poststop, hookState(rec, 'stopped'), log);
      store.remove(id);
    });
  } catch (err) {
    if (!force) throw err;
    if (err instanceof ContainerNotFoundError) return;
    if (err instanceof BrokenStateError) {
      log.warn(`container ${id}: ${err.message}; removing its state`);
      withContainerLock(store.dir(id), () => {
        // Whatever the damaged file still names is killed and removed, the start time guarding the pid.
        const salvage = err.salvage;
        if (salvage) {
          // killInitAndWait reads only the pid and its start time.
          if (salvage.pid > 0) killInitAndWait({ ...salvage, id } as ContainerRecord, KILL_WAIT_MS);
          destroyCgroup(salvage);
        }
        store.remove(id);
      });
      return;
    }
    throw err;
  }
}
