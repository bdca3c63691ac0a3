import * as K from '../linux/constants.js';
import { isErrno } from '../linux/errors.js';
import { close, pidfdSendSignal, poll } from '../linux/libc.js';
import { openPidfdOf } from '../state/pidfd.js';
import type { ContainerRecord } from '../state/record.js';

type InitIdentity = Pick<ContainerRecord, 'pid' | 'pidStartTime'>;

export class NotRunningError extends Error {
  constructor() {
    super('container not running');
  }
}

/**
 * Opens a pidfd for the init and only then checks the start time: if it still matches, the
 * pidfd is the container's init, and a later pid reuse cannot redirect the signal.
 */
function openInit(rec: InitIdentity): number {
  const pidfd = openPidfdOf({ pid: rec.pid, startTime: rec.pidStartTime });
  if (pidfd === undefined) throw new NotRunningError();
  return pidfd;
}

export function signalInit(rec: InitIdentity, sig: number): void {
  const pidfd = openInit(rec);
  try {
    pidfdSendSignal(pidfd, sig);
  } catch (err) {
    if (isErrno(err, 'ESRCH')) throw new NotRunningError();
    throw err;
  } finally {
    close(pidfd);
  }
}

/** SIGKILL the init and wait (bounded) until it has exited. */
export function killInitAndWait(rec: InitIdentity, timeoutMs: number): boolean {
  let pidfd: number;
  try {
    pidfd = openInit(rec);
  } catch (err) {
    if (err instanceof NotRunningError) return true;
    throw err;
  }
  try {
    try {
      pidfdSendSignal(pidfd, 9);
    } catch (err) {
      if (!isErrno(err, 'ESRCH')) throw err;
    }
    return ((poll([pidfd], K.POLLIN, timeoutMs)[0] ?? 0) & K.POLLIN) !== 0;
  } finally {
    close(pidfd);
  }
}
