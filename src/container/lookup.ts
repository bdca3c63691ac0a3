import { withContainerLock } from '../state/lock.js';
import type { ContainerRecord, Status } from '../state/record.js';
import { deriveStatus } from '../state/status.js';
import type { StateStore } from '../state/store.js';

/** Runs fn on a container under its lock, with its status freshly derived from the kernel. */
export function withContainer<T>(store: StateStore, id: string, fn: (rec: ContainerRecord, status: Status, lockFd: number) => T): T {
  return withContainerLock(store, id, (lockFd) => {
    const rec = store.load(id);
    return fn(rec, deriveStatus(store, rec), lockFd);
  });
}
