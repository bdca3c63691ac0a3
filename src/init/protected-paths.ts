import { fstatSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import { close, fstatfs, mount, open } from '../linux/libc.js';
import { fdPath } from './in-root.js';

// config-linux.md "Masked Paths" and "Readonly Paths", applied after pivot_root. Each target is
// opened O_PATH|O_NOFOLLOW and mounted over through its fd, and /dev/null is checked to be the
// real null device first: a container that swapped either for a symlink cannot redirect the
// mount onto something else (CVE-2025-31133 family).

function openTarget(path: string): number | undefined {
  try {
    return open(path, K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC);
  } catch (err) {
    if (err instanceof SyscallError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

function openNullDevice(): number {
  const fd = open('/dev/null', K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC);
  const st = fstatSync(fd);
  if (!st.isCharacterDevice() || st.rdev !== 259 /* makedev(1, 3) */) {
    close(fd);
    throw new Error('maskedPaths: /dev/null in the container is not the null device (1:3); refusing to mask with it');
  }
  return fd;
}

export function maskPaths(paths: readonly string[]): void {
  if (paths.length === 0) return;
  let nullFd = -1;
  try {
    for (const path of paths) {
      const fd = openTarget(path);
      if (fd === undefined) continue;
      try {
        const st = fstatSync(fd);
        if (st.isSymbolicLink()) continue;
        if (st.isDirectory()) {
          mount('tmpfs', fdPath(fd), 'tmpfs', K.MS_RDONLY, null);
        } else {
          if (nullFd < 0) nullFd = openNullDevice();
          mount(fdPath(nullFd), fdPath(fd), null, K.MS_BIND, null);
        }
      } finally {
        close(fd);
      }
    }
  } finally {
    if (nullFd >= 0) close(nullFd);
  }
}

export function makeReadonly(paths: readonly string[]): void {
  for (const path of paths) {
    const fd = openTarget(path);
    if (fd === undefined) continue;
    try {
      if (fstatSync(fd).isSymbolicLink()) continue;
      mount(fdPath(fd), fdPath(fd), null, K.MS_BIND | K.MS_REC, null);
    } finally {
      close(fd);
    }
    remountReadonly(path);
  }
}

/** Remounts the mount at `path` read-only, keeping the flags it already has (some are locked). */
export function remountReadonly(path: string): void {
  const fd = open(path, K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC);
  try {
    const keep = fstatfs(fd).flags & (K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC | K.MS_NOATIME | K.MS_NODIRATIME | K.MS_RELATIME);
    mount(null, fdPath(fd), null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC | keep, null);
  } finally {
    close(fd);
  }
}
