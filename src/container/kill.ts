import { cgroupOf } from '../state/cgroup-of.js';
import type { StateStore } from '../state/store.js';
import { withContainer } from './lookup.js';
import { NotRunningError, signalInit } from './signal-init.js';

/** runtime.md "kill": signal the init, or with --all every process in the container's cgroup. */
export function killContainer(store: StateStore, id: string, sig: number, all: boolean): void {
  withContainer(store, id, (rec, status) => {
    if (status === 'stopped') throw new NotRunningError();
    const cgroup = all ? cgroupOf(rec) : undefined;
    if (cgroup) {
      cgroup.killAll(sig);
      // A frozen process cannot act on a signal; SIGKILL must be able to finish a paused container.
      if (sig === 9 && status === 'paused') cgroup.thaw();
      return;
    }
    signalInit(rec, sig);
  });
}
