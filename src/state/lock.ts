import { closeSync } from 'node:fs';
import { LOCK_EX } from '../linux/constants.js';
import { flock } from '../linux/libc.js';
import { ContainerNotFoundError, type StateStore } from './store.js';

/**
 * Serializes commands on one container: an exclusive flock on its state dir, opened through the
 * store (never through a symlink in its place). The lock dies with the process, so a killed
 * command never leaves it held. A holder may have removed the dir while we waited: then the
 * container does not exist any more.
 *
 * A flock belongs to the open file description, which fork shares: a child that outlives the
 * command (the container's init) must close `lockFd`, or the lock outlives the command too.
 * When fn returns a promise (a step waits for systemd), the lock is held until it settles.
 */
export function withContainerLock<T>(store: StateStore, id: string, fn: (lockFd: number) => T): T {
  const fd = store.openDir(id);
  let pending = false;
  try {
    flock(fd, LOCK_EX);
    if (!store.isCurrent(id, fd)) throw new ContainerNotFoundError(id);
    const result = fn(fd);
    if (result instanceof Promise) {
      pending = true;
      return result.finally(() => closeSync(fd)) as T;
    }
    return result;
  } finally {
    if (!pending) closeSync(fd);
  }
}
