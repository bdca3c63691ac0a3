import { writeFileSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import { forkProcess } from '../linux/fork.js';
import {
  AT_RECURSIVE, close, closeQuietly, exitNow, MOUNT_ATTR_IDMAP, mountSetattr, open, OPEN_TREE_CLONE, openTree, pipe2, read, unshare, waitpid, write,
} from '../linux/libc.js';
import type { IdmapStep, MountStep } from './plan.js';

// Idmapped bind mounts (config.md "idmap"/"ridmap"): made by create, in the runtime, because
// mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN over the filesystem's user namespace (the
// host's), which the init in a user namespace lacks. Each is a detached copy of the source
// (open_tree OPEN_TREE_CLONE) given the mapping of a user namespace; the init inherits the fd
// across its fork and moves the copy into place (init/mounts.ts).

/**
 * A user namespace carrying `uidMap`/`gidMap`, as an fd: a child unshares one and waits while we
 * write its maps and open it, then exits. The namespace lives on through the fd.
 */
export function userNamespaceWithMapping(uidMap: string, gidMap: string): number {
  const [ready, readyW] = pipe2(K.O_CLOEXEC);
  const [hold, holdW] = pipe2(K.O_CLOEXEC);
  const pid = forkProcess();
  if (pid === 0) {
    try {
      close(ready);
      close(holdW);
      unshare(K.CLONE_NEWUSER);
      write(readyW, 'u');
      read(hold, Buffer.alloc(1));
    } finally {
      exitNow(0);
    }
  }
  close(readyW);
  close(hold);
  try {
    if (read(ready, Buffer.alloc(1)) !== 1) throw new Error('the helper process for an idmapped mount exited before making its user namespace');
    writeFileSync(`/proc/${pid}/uid_map`, uidMap);
    writeFileSync(`/proc/${pid}/gid_map`, gidMap);
    return open(`/proc/${pid}/ns/user`, K.O_RDONLY | K.O_CLOEXEC);
  } finally {
    close(ready);
    close(holdW);
    waitpid(pid, 0);
  }
}

function usernsFor(idmap: IdmapStep, cache: Map<string, number>): number {
  const key = idmap.usernsPath ?? `${idmap.uidMappings}|${idmap.gidMappings}`;
  let fd = cache.get(key);
  if (fd === undefined) {
    fd = idmap.usernsPath !== undefined ? open(idmap.usernsPath, K.O_RDONLY | K.O_CLOEXEC) : userNamespaceWithMapping(idmap.uidMappings, idmap.gidMappings);
    cache.set(key, fd);
  }
  return fd;
}

/** The detached, idmapped copy of one bind mount's source; `index` names the mount in errors. */
function idmappedCopy(step: MountStep, idmap: IdmapStep, usernsFd: number, index: number): number {
  const rec = (step.options.flags & K.MS_REC) !== 0;
  let tree: number;
  try {
    tree = openTree(K.AT_FDCWD, step.source, OPEN_TREE_CLONE | K.O_CLOEXEC | (rec ? AT_RECURSIVE : 0));
  } catch (err) {
    throw new Error(`mounts[${index}].source: cannot open ${JSON.stringify(step.source)} for an idmapped mount: ${(err as Error).message}`);
  }
  try {
    mountSetattr(tree, '', K.AT_EMPTY_PATH | (idmap.recursive ? AT_RECURSIVE : 0), MOUNT_ATTR_IDMAP, 0, 0, usernsFd);
    return tree;
  } catch (err) {
    closeQuietly(tree);
    const why = err instanceof SyscallError && err.code === 'EINVAL'
      ? `the filesystem of ${JSON.stringify(step.source)}${rec ? ' (or one mounted under it)' : ''} does not support idmapped mounts`
      : `cannot idmap ${JSON.stringify(step.source)}`;
    throw new Error(`mounts[${index}]: ${why} (${(err as Error).message})`);
  }
}

/**
 * The detached idmapped copies, parallel to `mounts` (-1 where a mount has no mapping). On
 * error, nothing made so far is left open.
 */
export function prepareIdmappedMounts(mounts: readonly MountStep[]): number[] {
  const fds = mounts.map(() => -1);
  if (!mounts.some((m) => m.idmap)) return fds;
  const userns = new Map<string, number>();
  try {
    mounts.forEach((m, i) => {
      if (m.idmap) fds[i] = idmappedCopy(m, m.idmap, usernsFor(m.idmap, userns), i);
    });
    return fds;
  } catch (err) {
    fds.forEach(closeQuietly);
    throw err;
  } finally {
    userns.forEach(closeQuietly);
  }
}
