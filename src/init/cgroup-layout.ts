import type { CgroupHierarchies } from '../cgroups/detect.js';

// Which cgroup filesystems a "cgroup" mount in config.json must reproduce inside the container:
// cgroup2 on a unified host; on a v1 or hybrid host, one cgroup mount per v1 hierarchy
// (named as the host names them: "cpu,cpuacct", "memory", ...) on a tmpfs.

export interface CgroupLayout {
  version: 1 | 2;
  hierarchies: CgroupHierarchy[];
}

export interface CgroupHierarchy {
  /** The directory under the container's cgroup mount, as the host names it. */
  name: string;
  /** Mount data: the controllers (and "name=") of the hierarchy. */
  options: string;
  /** Where the host mounts the hierarchy, and which of its cgroups that mount shows as its root. */
  mountPoint: string;
  root: string;
}

/** The layout of the hierarchies the cgroup code detected (cgroups/detect.ts), one entry per v1 hierarchy. */
export function cgroupLayout(h: CgroupHierarchies): CgroupLayout {
  if (h.mode === 'v2' || h.unified?.mountpoint === '/sys/fs/cgroup') return { version: 2, hierarchies: [] };
  const hierarchies: CgroupHierarchy[] = [];
  const seen = new Set<string>();
  // Co-mounted controllers share one mount: listed once, under the first of their keys.
  for (const m of h.v1.values()) {
    if (seen.has(m.options)) continue;
    seen.add(m.options);
    const keys = m.options.split(',');
    const controllers = keys.filter((k) => !k.startsWith('name='));
    const name = controllers.length > 0 ? controllers.join(',') : (keys[0] ?? '').slice('name='.length);
    hierarchies.push({ name, options: m.options, mountPoint: m.mountpoint, root: m.root });
  }
  return { version: 1, hierarchies };
}
