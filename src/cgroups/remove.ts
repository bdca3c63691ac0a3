import { childDirs, errorCode, readProcsRecursive, removeDir, sleepMs } from './fs.js';

// Removing a container's cgroup: children first, since rmdir only takes empty cgroups. A cgroup
// whose last process is still exiting answers EBUSY for a moment; that is retried briefly.

const RETRY_MS = 10;

/** Removes each tree (a missing one is fine), retrying EBUSY until `timeoutMs` have passed in all. */
export function removeCgroupTrees(dirs: readonly string[], timeoutMs = 1000): void {
  const deadline = Date.now() + timeoutMs;
  for (const dir of dirs) removeTree(dir, deadline);
}

/**
 * rmdir first: a container's cgroup seldom has children, and listing each directory before its
 * rmdir was one more system call per hierarchy on every delete. A refusal (EBUSY from cgroupfs,
 * ENOTEMPTY from another filesystem) then means children to remove first, or a process still
 * exiting.
 */
function removeTree(dir: string, deadline: number): void {
  for (;;) {
    try {
      removeDir(dir);
      return;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' && code !== 'ENOTEMPTY') throw busyError(dir, err);
      const children = childDirs(dir);
      for (const child of children) removeTree(child, deadline);
      if (Date.now() >= deadline) throw busyError(dir, err);
      if (children.length === 0) sleepMs(RETRY_MS);
    }
  }
}

function busyError(dir: string, err: unknown): Error {
  const pids = readProcsRecursive(dir);
  const left = pids.length > 0 ? ` (processes still in it: ${pids.join(' ')})` : '';
  return new Error(`${(err as Error).message}${left}`, { cause: err });
}
