import { childDirs, errorCode, readProcsRecursive, removeDir, sleepMs } from './fs.js';

// Removing a container's cgroup: children first, since rmdir only takes empty cgroups. A cgroup
// whose last process is still exiting answers EBUSY for a moment; that is retried briefly.

const RETRY_MS = 10;

/** Removes each tree (a missing one is fine), retrying EBUSY until `timeoutMs` have passed in all. */
export function removeCgroupTrees(dirs: readonly string[], timeoutMs = 1000): void {
  const deadline = Date.now() + timeoutMs;
  for (const dir of dirs) removeTree(dir, deadline);
}

function removeTree(dir: string, deadline: number): void {
  for (const child of childDirs(dir)) removeTree(child, deadline);
  for (;;) {
    try {
      removeDir(dir);
      return;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() >= deadline) throw busyError(dir, err);
      sleepMs(RETRY_MS);
    }
  }
}

function busyError(dir: string, err: unknown): Error {
  const pids = readProcsRecursive(dir);
  const left = pids.length > 0 ? ` (processes still in it: ${pids.join(' ')})` : '';
  return new Error(`${(err as Error).message}${left}`, { cause: err });
}
