// Finding a container's cgroup the way an outside observer does: from /proc/<pid>/cgroup of its
// init (host paths, since the reader is in the host's cgroup namespace) and the host's mounts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectHierarchies } from '../../src/cgroups/detect.js';
import { parseProcCgroup } from '../../src/cgroups/path.js';

export const hierarchies = detectHierarchies();

/** The host has a v1 hierarchy for `controller`. */
export const hasV1 = (controller: string): boolean => hierarchies.v1.has(controller);

/** The directory of `pid`'s cgroup in the hierarchy of `controller` ("" for cgroup2). */
export function cgroupDirOf(pid: number, controller: string): string {
  const own = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  const path = own.get(controller);
  const mount = controller === '' ? hierarchies.unified : hierarchies.v1.get(controller);
  if (path === undefined || !mount) throw new Error(`pid ${pid} has no ${controller || 'cgroup2'} cgroup on this host`);
  return join(mount.mountpoint, path);
}

/** A cgroup file of `pid`'s cgroup, trimmed. */
export function cgroupValue(pid: number, controller: string, file: string): string {
  return readFileSync(join(cgroupDirOf(pid, controller), file), 'utf8').trim();
}

export function cgroupHas(pid: number, controller: string, file: string): boolean {
  return existsSync(join(cgroupDirOf(pid, controller), file));
}

export const MiB = 1024 * 1024;
