import * as K from '../linux/constants.js';
import type { Sys } from '../linux/sys.js';
import { fdPath, openInRoot, openInRootIfExists } from './in-root.js';

// config-linux.md "Masked Paths" and "Readonly Paths", applied after pivot_root. Each path is
// resolved by the kernel inside the container's root (RESOLVE_IN_ROOT, no magic links): a
// symlink in the rootfs is followed, but only to what it names inside the container, so the mask
// or the read-only bind lands on the real file the path leads to and nowhere else. Mounts go
// through /proc/self/fd/N of O_PATH handles, /proc is checked to be procfs first (a fake /proc
// would redirect those paths), and /dev/null is checked to be the real null device and opened
// without following symlinks (CVE-2025-31133 family): a container that swapped it for a link to
// a procfs file cannot get that file bind-mounted over a masked path. The /dev/null bind is then
// made read-only.


function openTarget(sys: Sys, rootFd: number, path: string): number | undefined {
  try {
    return openInRootIfExists(sys, rootFd, path);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

function withRoot<T>(sys: Sys, fn: (rootFd: number) => T): T {
  const rootFd = sys.open('/', K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
  try {
    const proc = sys.open('/proc/self/fd', K.O_PATH | K.O_DIRECTORY | K.O_NOFOLLOW | K.O_CLOEXEC);
    try {
      if (sys.fstatfs(proc).type !== K.PROC_SUPER_MAGIC) throw new Error('/proc in the container is not procfs');
    } finally {
      sys.close(proc);
    }
    return fn(rootFd);
  } finally {
    sys.close(rootFd);
  }
}

function openNullDevice(sys: Sys): number {
  const fd = sys.open('/dev/null', K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC);
  const st = sys.fstat(fd);
  if ((st.mode & K.S_IFMT) !== K.S_IFCHR || st.rdev !== 259 /* makedev(1, 3) */) {
    sys.close(fd);
    throw new Error('maskedPaths: /dev/null in the container is not the null device (1:3); refusing to mask with it');
  }
  return fd;
}

/** Remounts the mount now on top of `path` (inside the root) read-only, keeping its locked flags. */
function remountTopReadonly(sys: Sys, rootFd: number, path: string): void {
  remountFdReadonly(sys, openInRoot(sys, rootFd, path));
}

/** Remounts the mount `fd` (closed here) opens read-only, keeping the flags it has (some are locked). */
function remountFdReadonly(sys: Sys, fd: number): void {
  try {
    const keep = sys.fstatfs(fd).flags & (K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC | K.MS_NOATIME | K.MS_NODIRATIME | K.MS_RELATIME);
    sys.mount(null, fdPath(fd), null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC | keep, null);
  } finally {
    sys.close(fd);
  }
}

/** `tmpfsData`: the data of the tmpfs over a masked directory (linux.mountLabel's context). */
export function maskPaths(sys: Sys, paths: readonly string[], tmpfsData: string): void {
  if (paths.length === 0) return;
  withRoot(sys, (rootFd) => {
    let nullFd = -1;
    try {
      for (const path of paths) {
        const fd = openTarget(sys, rootFd, path);
        if (fd === undefined) continue;
        let isFile: boolean;
        try {
          if ((sys.fstat(fd).mode & K.S_IFMT) === K.S_IFDIR) {
            sys.mount('tmpfs', fdPath(fd), 'tmpfs', K.MS_RDONLY, tmpfsData || null);
            continue;
          }
          if (nullFd < 0) nullFd = openNullDevice(sys);
          sys.mount(fdPath(nullFd), fdPath(fd), null, K.MS_BIND, null);
          isFile = true;
        } finally {
          sys.close(fd);
        }
        if (isFile) remountTopReadonly(sys, rootFd, path);
      }
    } finally {
      if (nullFd >= 0) sys.close(nullFd);
    }
  });
}

export function makeReadonly(sys: Sys, paths: readonly string[]): void {
  if (paths.length === 0) return;
  withRoot(sys, (rootFd) => {
    for (const path of paths) {
      const fd = openTarget(sys, rootFd, path);
      if (fd === undefined) continue;
      try {
        sys.mount(fdPath(fd), fdPath(fd), null, K.MS_BIND | K.MS_REC, null);
      } finally {
        sys.close(fd);
      }
      remountTopReadonly(sys, rootFd, path);
    }
  });
}

/** Remounts the mount at `path` read-only, keeping the flags it already has (some are locked). */
export function remountReadonly(sys: Sys, path: string): void {
  remountFdReadonly(sys, sys.open(path, K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC));
}
