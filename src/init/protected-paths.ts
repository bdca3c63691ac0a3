import { fstatSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import { close, fstatfs, mount, open } from '../linux/libc.js';
import { fdPath, openInRoot } from './in-root.js';

// config-linux.md "Masked Paths" and "Readonly Paths", applied after pivot_root. Each path is
// resolved by the kernel inside the container's root (RESOLVE_IN_ROOT, no magic links): a
// symlink in the rootfs is followed, but only to what it names inside the container, so the mask
// or the read-only bind lands on the real file the path leads to and nowhere else. Mounts go
// through /proc/self/fd/N of O_PATH handles, /proc is checked to be procfs first (a fake /proc
// would redirect those paths), and /dev/null is checked to be the real null device and opened
// without following symlinks (CVE-2025-31133 family): a container that swapped it for a link to
// a procfs file cannot get that file bind-mounted over a masked path. The /dev/null bind is then
// made read-only.

const PROC_SUPER_MAGIC = 0x9fa0;

function openTarget(rootFd: number, path: string): number | undefined {
  try {
    return openInRoot(rootFd, path);
  } catch (err) {
    if (err instanceof SyscallError && err.code === 'ENOENT') return undefined;
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

function withRoot<T>(fn: (rootFd: number) => T): T {
  const rootFd = open('/', K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
  try {
    const proc = open('/proc/self/fd', K.O_PATH | K.O_DIRECTORY | K.O_NOFOLLOW | K.O_CLOEXEC);
    try {
      if (fstatfs(proc).type !== PROC_SUPER_MAGIC) throw new Error('/proc in the container is not procfs');
    } finally {
      close(proc);
    }
    return fn(rootFd);
  } finally {
    close(rootFd);
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

/** Remounts the mount now on top of `path` (inside the root) read-only, keeping its locked flags. */
function remountTopReadonly(rootFd: number, path: string): void {
  remountFdReadonly(openInRoot(rootFd, path));
}

/** Remounts the mount `fd` (closed here) opens read-only, keeping the flags it has (some are locked). */
function remountFdReadonly(fd: number): void {
  try {
    const keep = fstatfs(fd).flags & (K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC | K.MS_NOATIME | K.MS_NODIRATIME | K.MS_RELATIME);
    mount(null, fdPath(fd), null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC | keep, null);
  } finally {
    close(fd);
  }
}

/** `tmpfsData`: the data of the tmpfs over a masked directory (linux.mountLabel's context). */
export function maskPaths(paths: readonly string[], tmpfsData: string): void {
  if (paths.length === 0) return;
  withRoot((rootFd) => {
    let nullFd = -1;
    try {
      for (const path of paths) {
        const fd = openTarget(rootFd, path);
        if (fd === undefined) continue;
        let isFile: boolean;
        try {
          if (fstatSync(fd).isDirectory()) {
            mount('tmpfs', fdPath(fd), 'tmpfs', K.MS_RDONLY, tmpfsData || null);
            continue;
          }
          if (nullFd < 0) nullFd = openNullDevice();
          mount(fdPath(nullFd), fdPath(fd), null, K.MS_BIND, null);
          isFile = true;
        } finally {
          close(fd);
        }
        if (isFile) remountTopReadonly(rootFd, path);
      }
    } finally {
      if (nullFd >= 0) close(nullFd);
    }
  });
}

export function makeReadonly(paths: readonly string[]): void {
  if (paths.length === 0) return;
  withRoot((rootFd) => {
    for (const path of paths) {
      const fd = openTarget(rootFd, path);
      if (fd === undefined) continue;
      try {
        mount(fdPath(fd), fdPath(fd), null, K.MS_BIND | K.MS_REC, null);
      } finally {
        close(fd);
      }
      remountTopReadonly(rootFd, path);
    }
  });
}

/** Remounts the mount at `path` read-only, keeping the flags it already has (some are locked). */
export function remountReadonly(path: string): void {
  remountFdReadonly(open(path, K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC));
}
