import { posix } from 'node:path';
import type { CgroupHierarchies } from './detect.js';

// config-linux.md "Cgroups Path": where the container's cgroup is, in every hierarchy.
//
// As runc 1.1 does (libcontainer/cgroups/fs and fs2):
// - absolute: relative to each hierarchy's mount point;
// - relative: below the runtime's own cgroup of that hierarchy (/proc/self/cgroup); on a pure v2
//   host below the *parent* of it, because the runtime's own cgroup holds processes and a v2
//   cgroup with processes cannot enable controllers for its children;
// - empty: the container id, taken as a relative path.

/** The container's cgroup: one path name, and the directory in each hierarchy (runc's "cgroup_paths"). */
export interface ResolvedCgroup {
  /** Path inside the hierarchies, e.g. "/ocirun/abc"; the one most hierarchies share. */
  path: string;
  /** Hierarchy key ("memory", "cpu", "name=systemd", "" for cgroup2) to absolute directory. */
  dirs: Record<string, string>;
}

/**
 * Normalises a path the way runc's CleanPath does: "..", "." and repeated slashes go, and a
 * relative path cannot climb above its base ("../../x" is "x").
 */
export function cleanPath(p: string): string {
  if (p === '') return '';
  if (p.startsWith('/')) return posix.normalize(p).replace(/(.)\/+$/, '$1');
  const rel = posix.relative('/', posix.normalize(`/${p}`));
  return rel === '' ? '.' : rel;
}

/** /proc/<pid>/cgroup: controller (or "name=x", or "" for cgroup2) to the process's cgroup path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const path = line.slice(second + 1);
    const controllers = line.slice(first + 1, second);
    if (controllers === '') own.set('', path);
    for (const c of controllers.split(',')) if (c !== '') own.set(c, path);
  }
  return own;
}

/** Where the container's cgroup goes, per hierarchy, for a config's cgroupsPath. */
export function resolveCgroup(
  cgroupsPath: string | undefined,
  id: string,
  hierarchies: CgroupHierarchies,
  own: ReadonlyMap<string, string>,
): ResolvedCgroup {
  const inner = cleanPath(cgroupsPath === undefined || cgroupsPath === '' ? id : cgroupsPath);
  if (inner === '/' || inner === '.' || inner === '') {
    throw new Error(
      `linux.cgroupsPath ${JSON.stringify(cgroupsPath ?? '')} names the parent or root cgroup itself: ` +
        'a container needs a cgroup of its own',
    );
  }
  const absolute = inner.startsWith('/');
  const subpaths = new Map<string, string>();
  const below = (mountRoot: string, ownPath: string): string => {
    if (absolute) return inner;
    const rel = posix.relative(mountRoot, ownPath);
    // A process whose cgroup is outside the mounted subtree (a bind-mounted or namespaced
    // cgroupfs) has no usable base: fall back to the mount's top.
    const base = rel.startsWith('..') ? '/' : `/${rel}`;
    return posix.join(base, inner);
  };
  for (const [key, mount] of hierarchies.v1) subpaths.set(key, below(mount.root, own.get(key) ?? '/'));
  if (hierarchies.unified) {
    const ownUnified = own.get('') ?? '/';
    const base = hierarchies.mode === 'v2' ? posix.dirname(ownUnified) : ownUnified;
    subpaths.set('', below(hierarchies.unified.root, base));
  }
  const dirs: Record<string, string> = {};
  for (const [key, sub] of subpaths) dirs[key] = posix.join(mountpointOf(hierarchies, key), sub);
  return { path: commonPath(hierarchies, subpaths), dirs };
}

/**
 * The directories of a cgroup saved as `path` alone (without its per-hierarchy directories):
 * `path` below each mount point. On v1, where a relative cgroupsPath was resolved below the
 * runtime's own cgroup of each hierarchy, `path` is only the majority's placement: a hierarchy
 * whose directory is not there is looked for below this process's own cgroup of that hierarchy,
 * which is where a runtime started from the same place put it.
 */
export function cgroupDirs(
  path: string,
  hierarchies: CgroupHierarchies,
  own: ReadonlyMap<string, string>,
  exists: (dir: string) => boolean,
): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const [key, mount] of hierarchies.v1) {
    const direct = posix.join(mount.mountpoint, path);
    const rel = posix.relative(mount.root, own.get(key) ?? '/');
    const belowOwn = rel.startsWith('..') ? direct : posix.join(mount.mountpoint, rel, path);
    dirs[key] = exists(direct) || !exists(belowOwn) ? direct : belowOwn;
  }
  if (hierarchies.unified) dirs[''] = posix.join(hierarchies.unified.mountpoint, path);
  return dirs;
}

/**
 * Where an exec'd process goes when the container's own v2 cgroup refuses it with EBUSY (the
 * container enabled controllers for cgroups of its own, so its top cgroup may hold no process):
 * the init's cgroup, as runc does, provided it lies below the container's. Undefined otherwise,
 * and the refusal stands.
 */
export function initCgroupDirV2(containerDir: string, mountpoint: string, initProcCgroup: string): string | undefined {
  const path = parseProcCgroup(initProcCgroup).get('');
  if (path === undefined) return undefined;
  const dir = posix.join(mountpoint, path);
  return dir.startsWith(`${containerDir}/`) ? dir : undefined;
}

/**
 * This process's own cgroup directory in each hierarchy, where a mount's subtree shows it: what a
 * rootless container whose cgroup was left out stays in.
 */
export function ownCgroupDirs(hierarchies: CgroupHierarchies, own: ReadonlyMap<string, string>): Record<string, string> {
  const dirs: Record<string, string> = {};
  const mounts: Array<[string, { mountpoint: string; root: string }]> = [...hierarchies.v1];
  if (hierarchies.unified) mounts.push(['', hierarchies.unified]);
  for (const [key, mount] of mounts) {
    const rel = posix.relative(mount.root, own.get(key) ?? '/');
    if (!rel.startsWith('..')) dirs[key] = posix.join(mount.mountpoint, rel);
  }
  return dirs;
}

function mountpointOf(h: CgroupHierarchies, key: string): string {
  const mount = key === '' ? h.unified : h.v1.get(key);
  if (!mount) throw new Error(`internal: no cgroup mount for ${JSON.stringify(key)}`);
  return mount.mountpoint;
}

// v2 has one path; on v1 the runtime's own cgroup can differ per controller (a memory cgroup
// set up by a supervisor), and the path most hierarchies agree on is the one to show.
function commonPath(h: CgroupHierarchies, subpaths: ReadonlyMap<string, string>): string {
  if (h.mode === 'v2') return subpaths.get('') ?? '/';
  const counts = new Map<string, number>();
  for (const [key, sub] of subpaths) if (key !== '') counts.set(sub, (counts.get(sub) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const [sub, n] of counts) {
    if (n > bestCount) {
      best = sub;
      bestCount = n;
    }
  }
  return best;
}
