import * as K from '../linux/constants.js';
import type { CgroupLayout } from './cgroup-layout.js';
import type { NamespacePlan } from './plan.js';

// What a "cgroup" mount in config.json shows. Pure decisions; mounts.ts
// makes the mounts.

/**
 * Only a joined cgroup namespace is entered before the mounts, so only then is a fresh cgroup
 * mount rooted where the container's is. A new one is made after the mounts (the init joins the
 * container's cgroup late, see init.ts); until then a fresh mount would show the host's whole
 * hierarchy (its limits, other containers).
 */
export function mountsFreshCgroup(ns: NamespacePlan): boolean {
  return ns.joins.some((j) => j.flag === K.CLONE_NEWCGROUP);
}

/** What the init needs for "cgroup" mounts, decided in the parent. */
export interface CgroupMounts {
  layout: CgroupLayout;
  /** Host directories to bind, from cgroupBindSources(); fresh mounts when absent. */
  bindSources?: string[];
}

/**
 * Otherwise the container's own directories are bound, as runc does without a cgroup namespace.
 * Inside a new cgroup namespace they look exactly like fresh mounts: the kernel shows cgroup paths,
 * mountinfo roots included, relative to the reader's namespace root, which is that directory.
 * `dirs` is the container's directory per hierarchy key (CgroupManager.paths); returns one source
 * per layout.hierarchies entry, in order, or the cgroup2 directory on a unified host.
 */
export function cgroupBindSources(layout: CgroupLayout, dirs: Readonly<Record<string, string>>): string[] {
  const keys = layout.version === 2 ? [''] : layout.hierarchies.map((h) => h.options.split(',')[0] ?? '');
  return keys.map((key) => {
    const dir = dirs[key];
    if (dir === undefined) throw new Error(`cgroup mount: the container has no cgroup in the ${key === '' ? 'cgroup2' : key} hierarchy`);
    return dir;
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
