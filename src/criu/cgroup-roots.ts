import { posix } from 'node:path';
import type { CgroupHierarchies } from '../cgroups/detect.js';

/**
 * CRIU's cgroup roots for a restore, one per hierarchy as runc passes them (read from CRIU's
 * /proc/PID/cgroup once it has joined the container's cgroup): the container's directory as a
 * path inside its hierarchy. On cgroup v2 that is one root for everything (key ""); on v1 the
 * container's directories may lie at different paths per hierarchy (a cgroupsPath relative to
 * the runtime's own cgroup), so one root for all would restore tasks into the wrong cgroups.
 */
export function criuCgroupRoots(dirs: Readonly<Record<string, string>>, hierarchies: CgroupHierarchies): Record<string, string> {
  const roots: Record<string, string> = {};
  for (const [key, dir] of Object.entries(dirs)) {
    const mount = key === '' ? hierarchies.unified : hierarchies.v1.get(key);
    if (mount) roots[key] = posix.join(mount.root, posix.relative(mount.mountpoint, dir));
  }
  return roots;
}
