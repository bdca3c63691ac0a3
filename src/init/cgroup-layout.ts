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

/** mountinfo writes space, tab, newline and backslash as \\ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

const V1_CONTROLLERS = new Set([
  'blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'net_cls', 'net_prio',
  'perf_event', 'pids', 'rdma', 'misc',
]);

export function cgroupLayoutFromMountinfo(mountinfo: string): CgroupLayout {
  const hierarchies: CgroupLayout['hierarchies'] = [];
  let unifiedAtRoot = false;
  const seen = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    const [fstype, , superOpts] = line.slice(sep + 3).split(' ');
    const mountPoint = unescape(fields[4] ?? '');
    if (fstype === 'cgroup2' && mountPoint === '/sys/fs/cgroup') unifiedAtRoot = true;
    if (fstype !== 'cgroup') continue;
    const opts = (superOpts ?? '').split(',');
    const controllers = opts.filter((o) => V1_CONTROLLERS.has(o));
    const named = opts.find((o) => o.startsWith('name='));
    const options = [...controllers, ...(named ? [named] : [])].join(',');
    if (options === '' || seen.has(options)) continue;
    seen.add(options);
    const name = named && controllers.length === 0 ? named.slice('name='.length) : controllers.join(',');
    hierarchies.push({ name, options, mountPoint, root: unescape(fields[3] ?? '/') });
  }
  if (unifiedAtRoot || hierarchies.length === 0) return { version: 2, hierarchies: [] };
  return { version: 1, hierarchies };
}
