import { unlinkSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { close, closeQuietly, open, poll, read } from '../linux/libc.js';
import { openPidfdOf } from '../state/pidfd.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { withContainer } from './lookup.js';
import { hookState, runHooks } from '../hooks/lifecycle.js';
import { cgroupOf } from '../state/cgroup-of.js';
import { killInitAndWait } from './signal-init.js';
import type { Logger } from '../log.js';

/**
 * runtime.md "start": release the init from the start gate. The wait watches the init through
 * a pidfd as well as the fifo, so a dead init fails the call instead of hanging it.
 */
export function releaseInit(store: StateStore, rec: ContainerRecord): void {
  const fifoPath = store.fifoPath(rec.id);
  // Identify the init before opening the fifo: the open itself releases it, and a short-lived
  // process may be gone before a check made afterwards.
  const pidfd = openPidfdOf({ pid: rec.pid, startTime: rec.pidStartTime });
  if (pidfd === undefined) throw new Error('cannot start a container that has stopped');
  let fifo = -1;
  try {
    fifo = open(fifoPath, K.O_RDONLY | K.O_NONBLOCK | K.O_NOFOLLOW | K.O_CLOEXEC);
    const [fifoEvents = 0] = poll([fifo, pidfd], K.POLLIN, -1);
    const verdict = Buffer.alloc(4096);
    const n = (fifoEvents & K.POLLIN) === 0 ? 0 : read(fifo, verdict);
    if (n === 0) throw new Error('container init exited before it could be started');
    unlinkSync(fifoPath);
    // "1" and a message: a startContainer hook failed and the init is exiting.
    if (verdict[0] !== 0x30) throw new Error(verdict.toString('utf8', 1, n));
  } finally {
    closeQuietly(fifo);
    close(pidfd);
  }
}

const STOP_WAIT_MS = 10_000;

export function startContainer(store: StateStore, id: string, log: Logger): ContainerRecord {
  return withContainer(store, id, (rec, status) => {
    if (status === 'stopped') throw new Error('cannot start a container that has stopped');
    if (status !== 'created') throw new Error(`cannot start an already ${status} container`);
    releaseInit(store, rec);
    const poststart = rec.config.hooks?.poststart;
    if (poststart?.length) {
      try {
        runHooks('poststart', poststart, hookState(rec, 'running'));
      } catch (err) {
        // runtime.md (1.3): a failing poststart hook is an error that stops the container; the
        // lifecycle continues at delete (poststop hooks, removal), as runc does.
        if (!killInitAndWait(rec, STOP_WAIT_MS)) log.warn(`container ${id}: init did not exit within ${STOP_WAIT_MS} ms of SIGKILL`);
        cgroupOf(rec)?.killAll(9);
        throw err;
      }
    }
    return rec;
  });
}
