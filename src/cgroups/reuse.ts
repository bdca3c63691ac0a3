import { existsSync } from 'node:fs';
import type { CgroupManager } from './manager.js';
import { readProcsRecursive } from './fs.js';

/**
 * runc 1.2's rule for a cgroupsPath that exists already: the container may take it over only
 * while nothing runs in it and it is not frozen. A container joining another's processes would
 * have `pause`, `kill --all` and `delete --force` hit them; containers of one pod share a
 * parent cgroup, each with a leaf of its own, so no engine needs more. Every hierarchy is
 * checked (runc looks at one): on v1 a cgroup can hold a process in one and not the others.
 */
export function refuseOccupiedCgroup(cgroup: CgroupManager, field: string): void {
  // Usually none exists yet; asked first, since each read that fails throws a Node error
  // (~35 us of CPU apiece, two per hierarchy, 13 hierarchies on a v1 host).
  const dirs = [...new Set(Object.values(cgroup.paths))].filter((dir) => existsSync(dir));
  if (dirs.length === 0) return;
  const pids = new Set<number>();
  for (const dir of dirs) for (const pid of readProcsRecursive(dir)) pids.add(pid);
  const what = `${field}: the cgroup ${cgroup.path} exists already`;
  if (pids.size > 0) {
    const some = [...pids].slice(0, 5).join(' ') + (pids.size > 5 ? ' ...' : '');
    throw new Error(`${what} and holds ${pids.size} process(es) of something else (pid ${some}); a container needs a cgroup of its own`);
  }
  if (cgroup.frozen()) throw new Error(`${what} and is frozen; thaw or remove it first`);
}
