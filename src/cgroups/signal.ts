// Signalling every process of a cgroup. Processes can fork between listing and signalling;
// callers freeze the cgroup around this so the list stays complete.

/** Sends `signal` to each pid; one that has exited in the meantime is not an error. */
export function signalPids(pids: readonly number[], signal: number): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ESRCH') throw err;
    }
  }
}
