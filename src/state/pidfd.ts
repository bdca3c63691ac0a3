import { isErrno } from '../linux/errors.js';
import { close, pidfdOpen } from '../linux/libc.js';
import { isAlive, type ProcessIdentity } from './process-identity.js';

/**
 * A pidfd of the process `id` names, or undefined when that process is gone. Opened first and
 * checked after: if the start time still matches, the pidfd is that process, and a later reuse
 * of the pid cannot redirect what goes through it.
 */
export function openPidfdOf(id: ProcessIdentity): number | undefined {
  let pidfd: number;
  try {
    pidfd = pidfdOpen(id.pid);
  } catch (err) {
    if (isErrno(err, 'ESRCH')) return undefined;
    throw err;
  }
  if (isAlive(id)) return pidfd;
  close(pidfd);
  return undefined;
}
