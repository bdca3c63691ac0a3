import { readFileSync } from 'node:fs';

// Which cgroup filesystems this host has mounted, from /proc/self/mountinfo:
// - v2: one cgroup2 hierarchy (at /sys/fs/cgroup) and no v1 controller hierarchy;
// - v1: one cgroup hierarchy per controller (or per co-mounted group such as "cpu,cpuacct");
// - hybrid: v1 controller hierarchies plus a cgroup2 mount (systemd's /sys/fs/cgroup/unified)
//   holding the controllers no v1 hierarchy took.

export type CgroupMode = 'v1' | 'v2' | 'hybrid';

export interface CgroupMount {
  mountpoint: string;
  /** The directory of the hierarchy this mount shows (mountinfo field 4): "/" unless bind-mounted or namespaced. */
  root: string;
  /** What identifies a v1 hierarchy: its controllers, then its "name=", as mounted ("cpu,cpuacct"); "" for cgroup2. */
  options: string;
}

export interface CgroupHierarchies {
  mode: CgroupMode;
  /** v1 mounts keyed by controller ("cpu", "cpuacct", ...) or by "name=<name>" for named hierarchies. */
  v1: ReadonlyMap<string, CgroupMount>;
  unified?: CgroupMount;
}

const V1_CONTROLLERS = new Set([
  'blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'misc',
  'net_cls', 'net_prio', 'perf_event', 'pids', 'rdma',
]);

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

// A host can mount the same hierarchy twice (a bind mount, a test's own mount); the one under
// /sys/fs/cgroup is the one other tools use.
function preferred(current: CgroupMount | undefined, candidate: CgroupMount, best: (m: string) => number): boolean {
  return current === undefined || best(candidate.mountpoint) < best(current.mountpoint);
}

function v1Rank(mountpoint: string): number {
  return mountpoint.startsWith('/sys/fs/cgroup/') ? 0 : 1;
}

function unifiedRank(mountpoint: string): number {
  if (mountpoint === '/sys/fs/cgroup') return 0;
  if (mountpoint === '/sys/fs/cgroup/unified') return 1;
  return 2;
}

export function parseMountinfo(text: string): CgroupHierarchies {
  const v1 = new Map<string, CgroupMount>();
  let unified: CgroupMount | undefined;
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const root = unescapeMountPath(fields[3] ?? '/');
    const mountpoint = unescapeMountPath(fields[4] ?? '');
    if (fstype === 'cgroup2') {
      const mount = { mountpoint, root, options: '' };
      if (preferred(unified, mount, unifiedRank)) unified = mount;
    } else if (fstype === 'cgroup') {
      const opts = superOpts.split(',');
      const keys = [...opts.filter((o) => V1_CONTROLLERS.has(o)), ...opts.filter((o) => o.startsWith('name='))];
      const mount = { mountpoint, root, options: keys.join(',') };
      for (const key of keys) if (preferred(v1.get(key), mount, v1Rank)) v1.set(key, mount);
    }
  }
  const hasV1Controllers = [...v1.keys()].some((k) => !k.startsWith('name='));
  if (hasV1Controllers) return { mode: unified ? 'hybrid' : 'v1', v1, unified };
  if (unified) return { mode: 'v2', v1: new Map(), unified };
  throw new Error('no cgroup filesystem is mounted (neither cgroup v1 controllers nor cgroup2 in /proc/self/mountinfo)');
}

export function detectHierarchies(): CgroupHierarchies {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}
