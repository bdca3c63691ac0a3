import { closeQuietly, pidfdOpen } from '../linux/libc.js';
import { sendFdsTo } from '../linux/scm.js';

/** The payload that names the fd, as runc sends it. */
export const PIDFD_PAYLOAD = 'pidfd';

/**
 * --pidfd-socket (runc 1.2): the caller gets a pidfd of the container's process over an
 * AF_UNIX socket (one sendmsg, SCM_RIGHTS), so it can signal and wait for exactly that process
 * even after the pid is reused.
 */
export function sendPidfd(socketPath: string, pid: number): void {
  let pidfd = -1;
  try {
    pidfd = pidfdOpen(pid);
    sendFdsTo(socketPath, [pidfd], Buffer.from(PIDFD_PAYLOAD));
  } catch (err) {
    throw new Error(`--pidfd-socket ${JSON.stringify(socketPath)}: ${(err as Error).message}`);
  } finally {
    closeQuietly(pidfd);
  }
}
