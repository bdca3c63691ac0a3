import { close, constants, openSync, readFileSync, write } from 'node:fs';
import { posix } from 'node:path';
import { detectHierarchies, type CgroupHierarchies } from './detect.js';
import { parseProcCgroup } from './path.js';

/**
 * Our own cgroup directory in one hierarchy (cgroup2 on a unified host, else the first v1 one),
 * or undefined when our cgroup lies outside what is mounted.
 */
export function ownCgroupDir(h: CgroupHierarchies, procSelfCgroup: string): string | undefined {
  const own = parseProcCgroup(procSelfCgroup);
  const [key, mount] = h.mode === 'v2' && h.unified ? ['', h.unified] : ([...h.v1.entries()][0] ?? []);
  if (key === undefined || mount === undefined) return undefined;
  const rel = posix.relative(mount.root, own.get(key) ?? '/');
  return rel.startsWith('..') ? undefined : posix.join(mount.mountpoint, rel);
}

/**
 * The first move of a process between cgroups after a quiet spell waits for an RCU grace period
 * (the kernel's cgroup_threadgroup_rwsem; bench/RESULTS.md, "Measurements behind the code");
 * moves shortly after another do not wait. Moving ourselves into our own cgroup changes nothing but pays that wait,
 * here on libuv's thread pool while the caller goes on validating and planning: the container's
 * move a few milliseconds later is then quick. Best effort: a failure only means the wait comes
 * later. (Forked children never use the thread pool, so its threads cannot hold anything they need;
 * the fd is close-on-exec.) Returns the hierarchies it read (unless it was given them), or
 * undefined when it could not read them: the caller's later work then finds the error itself.
 */
export function primeCgroupMigration(h?: CgroupHierarchies): CgroupHierarchies | undefined {
  let hierarchies: CgroupHierarchies;
  let fd: number;
  try {
    hierarchies = h ?? detectHierarchies();
  } catch {
    return undefined;
  }
  try {
    const dir = ownCgroupDir(hierarchies, readFileSync('/proc/self/cgroup', 'utf8'));
    if (dir === undefined) return hierarchies;
    // Opened here: the pool runs one job per loop turn, and the caller keeps the loop busy.
    fd = openSync(`${dir}/cgroup.procs`, constants.O_WRONLY);
  } catch {
    return hierarchies;
  }
  onOnePoolThread(() => write(fd, '0', () => close(fd, () => undefined)));
  return hierarchies;
}

/**
 * Runs `submit`, the process's first job for libuv's thread pool, with the pool started at one
 * thread instead of four: that write is the runtime's only use of the pool, and three thread
 * starts cost ~0.5 ms of CPU (bench/RESULTS.md). libuv reads UV_THREADPOOL_SIZE when the first
 * job starts the pool, inside `submit`; the caller's value is back before anything else runs,
 * for hooks that inherit the runtime's environment.
 */
function onOnePoolThread(submit: () => void): void {
  const caller = process.env.UV_THREADPOOL_SIZE;
  process.env.UV_THREADPOOL_SIZE = '1';
  try {
    submit();
  } finally {
    if (caller === undefined) delete process.env.UV_THREADPOOL_SIZE;
    else process.env.UV_THREADPOOL_SIZE = caller;
  }
}
