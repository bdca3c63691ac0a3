import { posix } from 'node:path';
import { parseProcCgroup } from '../cgroups/path.js';
import * as K from '../linux/constants.js';
import type { CgroupLayout } from './cgroup-layout.js';
import type { NamespacePlan } from './plan.js';

// What a "cgroup" mount in config.json shows on a cgroup v1 host. Pure decisions; mounts.ts
// makes the mounts.

/** The container has a cgroup namespace of its own (new or joined): a fresh mount is rooted at it. */
export function hasCgroupNamespace(ns: NamespacePlan): boolean {
  return (ns.unshareFlags & K.CLONE_NEWCGROUP) !== 0 || ns.joins.some((j) => j.flag === K.CLONE_NEWCGROUP);
}

/**
 * Without a cgroup namespace a fresh cgroup mount shows the host's whole hierarchy (its limits,
 * other containers), so each hierarchy's directory of the container is bound instead, as runc
 * does: the hierarchy's mount point plus the container's cgroup below that mount's root.
 * Returns one host path per layout.hierarchies entry, in order.
 */
export function v1BindSources(layout: CgroupLayout, procCgroup: string): string[] {
  const own = parseProcCgroup(procCgroup);
  return layout.hierarchies.map((h) => {
    const key = h.options.split(',')[0] ?? '';
    const path = own.get(key);
    if (path === undefined) throw new Error(`cgroup mount: /proc/self/cgroup has no ${key} hierarchy`);
    const below = posix.relative(h.root, path);
    if (below === '..' || below.startsWith('../')) {
      throw new Error(`cgroup mount: the ${key} cgroup ${path} is outside the hierarchy mounted at ${h.mountPoint} (root ${h.root})`);
    }
    return posix.join(h.mountPoint, below);
  });
}

/**
 * Co-mounted controllers ("cpu,cpuacct") also get a link per controller ("cpu" -> "cpu,cpuacct"),
 * the paths programs look for. Names a hierarchy already uses are left alone.
 */
export function coMountLinks(layout: CgroupLayout): Array<{ link: string; target: string }> {
  const taken = new Set(layout.hierarchies.map((h) => h.name));
  const links: Array<{ link: string; target: string }> = [];
  for (const { name } of layout.hierarchies) {
    if (!name.includes(',')) continue;
    for (const part of name.split(',')) {
      if (part === '' || taken.has(part)) continue;
      taken.add(part);
      links.push({ link: part, target: name });
    }
  }
  return links;
}
