import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import { close, mkdirat, openat, openat2 } from '../linux/libc.js';

// Paths from config.json are resolved inside the rootfs by the kernel (openat2 RESOLVE_IN_ROOT):
// a symlink in the rootfs pointing at "/" or ".." stays inside it, so a mount can never land
// on the host (CVE-2021-30465 family). Mounts then target /proc/self/fd/N of the O_PATH handle.

const RESOLVE = K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS;

export function openInRoot(rootFd: number, path: string, flags = K.O_PATH | K.O_CLOEXEC): number {
  return openat2(rootFd, path.replace(/^\/+/, '') || '.', flags, RESOLVE);
}

function isEnoent(err: unknown): boolean {
  return err instanceof SyscallError && err.code === 'ENOENT';
}

/**
 * Opens `path` inside the root, creating missing components (directories, or an empty file
 * for the last one when `lastIsFile`). Returns an O_PATH fd of the final component.
 */
export function ensureInRoot(rootFd: number, path: string, lastIsFile: boolean, mode = 0o755): number {
  try {
    return openInRoot(rootFd, path);
  } catch (err) {
    if (!isEnoent(err)) throw err;
  }
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const prefix = parts.slice(0, i + 1).join('/');
    try {
      close(openInRoot(rootFd, prefix));
      continue;
    } catch (err) {
      if (!isEnoent(err)) throw err;
    }
    const parentFd = openInRoot(rootFd, parts.slice(0, i).join('/'), K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
    try {
      const name = parts[i] as string;
      if (i === parts.length - 1 && lastIsFile) {
        close(openat(parentFd, name, K.O_CREAT | K.O_EXCL | K.O_WRONLY | K.O_NOFOLLOW | K.O_CLOEXEC, 0o644));
      } else {
        mkdirat(parentFd, name, mode);
      }
    } catch (err) {
      if (err instanceof SyscallError && err.code === 'EEXIST') {
        throw new Error(`${path}: component ${JSON.stringify(parts[i])} is a dangling symlink inside the rootfs`);
      }
      throw err;
    } finally {
      close(parentFd);
    }
  }
  return openInRoot(rootFd, path);
}

export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}
