import { planUpdate } from '../cgroups/update.js';
import type { LinuxIntelRdt, LinuxResources } from '../spec/types.js';
import { cgroupOf } from '../state/cgroup-of.js';
import type { StateStore } from '../state/store.js';
import { updateContainerRdt } from './intel-rdt.js';
import { withContainer } from './lookup.js';
import { NotRunningError } from './signal-init.js';

/**
 * runc's `update`: writes the changed limits to the container's cgroup, then records them in
 * state.json. A stopped container cannot be updated ("container not running", as runc).
 */
export async function updateContainer(store: StateStore, id: string, request: LinuxResources, rdt: Pick<LinuxIntelRdt, 'l3CacheSchema' | 'memBwSchema'> = {}): Promise<void> {
  await withContainer(store, id, async (rec, status) => {
    if (status === 'stopped') throw new NotRunningError();
    const cgroup = cgroupOf(rec);
    if (!cgroup) throw new Error(`container ${id} has no cgroup of its own to update`);
    const { apply, saved } = planUpdate(rec.config.linux?.resources, request);
    // The resctrl group first: it is the check that can refuse the whole update.
    const intelRdt = Object.keys(rdt).length > 0 ? updateContainerRdt(rec.config, id, rdt) : undefined;
    await cgroup.update(apply);
    rec.config.linux = { ...rec.config.linux, resources: saved, ...(intelRdt ? { intelRdt } : {}) };
    store.save(rec);
  });
}
