import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import type { Sys } from '../linux/sys.js';

// Paths from config.json are resolved inside the rootfs by the kernel (openat2 RESOLVE_IN_ROOT):
// a symlink in the rootfs pointing at "/" or ".." stays inside it, so a mount can never land
// on the host (CVE-2021-30465 family). Mounts then target /proc/self/fd/N of the O_PATH handle.

const RESOLVE = K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS;

export function openInRoot(sys: Sys, rootFd: number, path: string, flags = K.O_PATH | K.O_CLOEXEC): number {
  return sys.openat2(rootFd, inRoot(path), flags, RESOLVE);
}

function inRoot(path: string): string {
  return path.replace(/^\/+/, '') || '.';
}

const ENOENT = 2;

/**
 * openInRoot, or undefined when the path does not exist, without making an Error for it: missing
 * paths are expected here (most masked paths on most hosts), and each Error costs the init a
 * strerror call, a stack trace and memory. Other errors throw as openInRoot's do.
 */
export function openInRootIfExists(sys: Sys, rootFd: number, path: string, flags = K.O_PATH | K.O_CLOEXEC): number | undefined {
  const fd = sys.openat2OrErrno(rootFd, inRoot(path), flags, RESOLVE);
  if (fd >= 0) return fd;
  if (fd === -ENOENT) return undefined;
  throw new SyscallError('openat2', -fd, [rootFd, path]);
}

/**
 * Opens `path` inside the root, creating missing components (directories, or an empty file
 * for the last one when `lastIsFile`). Returns an O_PATH fd of the final component.
 */
export function ensureInRoot(sys: Sys, rootFd: number, path: string, lastIsFile: boolean, mode = 0o755): number {
  const found = openInRootIfExists(sys, rootFd, path);
  if (found !== undefined) return found;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const prefixFd = openInRootIfExists(sys, rootFd, parts.slice(0, i + 1).join('/'));
    if (prefixFd !== undefined) {
      sys.close(prefixFd);
      continue;
    }
    const parentFd = openInRoot(sys, rootFd, parts.slice(0, i).join('/'), K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
    try {
      const name = parts[i] as string;
      if (i === parts.length - 1 && lastIsFile) {
        sys.close(sys.openat(parentFd, name, K.O_CREAT | K.O_EXCL | K.O_WRONLY | K.O_NOFOLLOW | K.O_CLOEXEC, 0o644));
      } else {
        sys.mkdirat(parentFd, name, mode);
      }
    } catch (err) {
      if (err instanceof SyscallError && err.code === 'EEXIST') {
        throw new Error(`${path}: component ${JSON.stringify(parts[i])} is a dangling symlink inside the rootfs`);
      }
      throw err;
    } finally {
      sys.close(parentFd);
    }
  }
  return openInRoot(sys, rootFd, path);
}

export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}
