import { unlinkSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { close, closeQuietly, open, pidfdOpen, poll, read } from '../linux/libc.js';
import { isAlive } from '../state/process-identity.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { withContainer } from './lookup.js';

/**
 * runtime.md "start": release the init from the start gate. The wait watches the init through
 * a pidfd as well as the fifo, so a dead init fails the call instead of hanging it.
 */
export function releaseInit(store: StateStore, rec: ContainerRecord): void {
  const fifoPath = store.fifoPath(rec.id);
  const fifo = open(fifoPath, K.O_RDONLY | K.O_NONBLOCK | K.O_CLOEXEC);
  let pidfd = -1;
  try {
    pidfd = pidfdOpen(rec.pid);
    if (!isAlive({ pid: rec.pid, startTime: rec.pidStartTime })) throw new Error('cannot start a container that has stopped');
    const [fifoEvents = 0] = poll([fifo, pidfd], K.POLLIN, -1);
    if ((fifoEvents & K.POLLIN) === 0 || read(fifo, Buffer.alloc(1)) !== 1) {
      throw new Error('container init exited before it could be started');
    }
    unlinkSync(fifoPath);
  } finally {
    close(fifo);
    closeQuietly(pidfd);
  }
}

export function startContainer(store: StateStore, id: string): ContainerRecord {
  return withContainer(store, id, (rec, status) => {
    if (status === 'stopped') throw new Error('cannot start a container that has stopped');
    if (status !== 'created') throw new Error(`cannot start an already ${status} container`);
    releaseInit(store, rec);
    return rec;
  });
}
