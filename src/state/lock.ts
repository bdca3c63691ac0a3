import { LOCK_EX, O_CLOEXEC, O_DIRECTORY, O_RDONLY } from '../linux/constants.js';
import { close, flock, open } from '../linux/libc.js';

/**
 * Serializes commands on one container: an exclusive flock on its state dir. The lock dies
 * with the process, so a killed command never leaves it held. A holder that removed the dir
 * leaves the next holder on a deleted dir: callers re-check existence after locking.
 *
 * A flock belongs to the open file description, which fork shares: a child that outlives the
 * command (the container's init) must close `lockFd`, or the lock outlives the command too.
 * When fn returns a promise (a step waits for systemd), the lock is held until it settles.
 */
export function withContainerLock<T>(dir: string, fn: (lockFd: number) => T): T {
  const fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  let pending = false;
  try {
    flock(fd, LOCK_EX);
    const result = fn(fd);
    if (result instanceof Promise) {
      pending = true;
      return result.finally(() => close(fd)) as T;
    }
    return result;
  } finally {
    if (!pending) close(fd);
  }
}
