import { createCgroupManager, type CgroupManager } from '../cgroups/manager.js';
import { cgroupOf } from '../state/cgroup-of.js';
import type { Logger } from '../log.js';
import type { ContainerRecord } from '../state/record.js';
import { deriveStatus } from '../state/status.js';
import { BrokenStateError, ContainerNotFoundError, type StateStore } from '../state/store.js';
import { withContainerLock } from '../state/lock.js';
import type { Tracking } from '../state/tracking.js';
import { hookState, runHooksWarning } from '../hooks/lifecycle.js';
import { removeContainerRdt } from './intel-rdt.js';
import { killInitAndWait } from './signal-init.js';

const KILL_WAIT_MS = 10_000;

async function destroyCgroup(rec: Pick<ContainerRecord, 'cgroupPath' | 'cgroupPaths' | 'systemdUnit'>): Promise<void> {
  const cgroup = cgroupOf(rec);
  if (cgroup) await destroy(cgroup);
}

/** Under systemd, stopping the unit (a D-Bus round trip) removes the scope. */
async function destroy(cgroup: CgroupManager): Promise<void> {
  // Without a pid namespace the init's death does not take the other processes with it.
  cgroup.killAll(9);
  cgroup.thaw();
  await cgroup.remove();
}

/**
 * Kills what `t` names and removes its cgroup. The state dir is the only way back to a living
 * init: an init that survives SIGKILL is an error, and the caller keeps the dir.
 */
async function stopAndClean(store: StateStore, id: string, t: Tracking, force: boolean): Promise<void> {
  const status = deriveStatus(store, { id, ...t });
  if (status !== 'stopped') {
    if (!force) throw new Error(`cannot delete container ${id} that is not stopped: ${status}`);
    if (status === 'paused') cgroupOf(t)?.thaw();
    // A record from a create that is still running (or was killed) may have no init yet.
    if (t.pid > 0 && !killInitAndWait(t, KILL_WAIT_MS)) {
      throw new Error(`container ${id}: init (pid ${t.pid}) did not exit within ${KILL_WAIT_MS} ms of SIGKILL; its state is kept for another delete --force`);
    }
  }
  await destroyCgroup(t);
}

/**
 * Neither state.json nor init.json can be read: the cgroup create would have made for this id
 * by default is all that can still be found. A cgroupsPath of the config is lost with them.
 */
async function destroyDefaultCgroup(id: string): Promise<void> {
  const cgroup = createCgroupManager({ id });
  if (cgroup.exists()) await destroy(cgroup);
}

/**
 * runtime.md "delete": only a stopped container may be deleted; with --force a created,
 * running or paused one is killed first. Removes the cgroup and the state dir; the mounts went
 * with the container's mount namespace. With --force a damaged state.json is no obstacle: its
 * processes are found through init.json (see tracking.ts), failing that its default cgroup.
 */
export async function deleteContainer(store: StateStore, id: string, force: boolean, log: Logger): Promise<void> {
  try {
    await withContainerLock(store, id, async () => {
      let rec: ContainerRecord;
      try {
        rec = store.load(id);
      } catch (err) {
        if (!force || !(err instanceof BrokenStateError)) throw err;
        log.warn(`container ${id}: ${err.message}; removing it`);
        if (err.tracking) await stopAndClean(store, id, err.tracking, true);
        else await destroyDefaultCgroup(id);
        store.remove(id);
        return;
      }
      await stopAndClean(store, id, rec, force);
      removeContainerRdt(rec.config, rec.id);
      const poststop = rec.config.hooks?.poststop;
      if (poststop?.length) runHooksWarning('poststop', poststop, hookState(rec, 'stopped'), log);
      store.remove(id);
    });
  } catch (err) {
    if (!force) throw err;
    if (err instanceof ContainerNotFoundError) return;
    if (err instanceof BrokenStateError) {
      // No state dir to lock or read (a symlink or a file in its place): nothing in it is
      // trusted or followed, only the name is removed, and the id's own cgroup.
      log.warn(`container ${id}: ${err.message}; removing it`);
      await destroyDefaultCgroup(id);
      store.remove(id);
      return;
    }
    throw err;
  }
}
