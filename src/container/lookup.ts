import { existsSync } from 'node:fs';
import { isErrno } from '../linux/errors.js';
import { withContainerLock } from '../state/lock.js';
import type { ContainerRecord, Status } from '../state/record.js';
import { deriveStatus } from '../state/status.js';
import { ContainerNotFoundError, StateStore } from '../state/store.js';

/** Runs fn on a container under its lock, with its status freshly derived from the kernel. */
export function withContainer<T>(store: StateStore, id: string, fn: (rec: ContainerRecord, status: Status, lockFd: number) => T): T {
  const dir = store.dir(id);
  let entered = false;
  try {
    return withContainerLock(dir, (lockFd) => {
      // The previous holder may have deleted it while we waited for the lock.
      if (!existsSync(dir)) throw new ContainerNotFoundError(id);
      entered = true;
      const rec = store.load(id);
      return fn(rec, deriveStatus(store, rec), lockFd);
    });
  } catch (err) {
    if (!entered && isErrno(err, 'ENOENT')) throw new ContainerNotFoundError(id);
    throw err;
  }
}
