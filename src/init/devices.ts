import { basename, dirname } from 'node:path';
import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import type { Sys } from '../linux/sys.js';
import { ensureInRoot, fdPath, openInRoot } from './in-root.js';
import { DEFAULT_DEV_SYMLINKS, DEFAULT_DEVICES, type DeviceStep } from './plan.js';

// config-linux.md "Devices" and "Default Devices": nodes are made with mknod; where that is
// not allowed (inside a user namespace) the host's node is bind-mounted instead, as runc does.

const TYPE_BITS: Readonly<Record<DeviceStep['type'], number>> = { c: K.S_IFCHR, u: K.S_IFCHR, b: K.S_IFBLK, p: K.S_IFIFO };

export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

function createDevice(sys: Sys, rootFd: number, dev: DeviceStep): void {
  const parent = ensureInRoot(sys, rootFd, dirname(dev.path), false);
  const name = basename(dev.path);
  try {
    try {
      sys.mknodat(parent, name, TYPE_BITS[dev.type] | (dev.mode & 0o7777), makedev(dev.major, dev.minor));
    } catch (err) {
      if (!(err instanceof SyscallError)) throw err;
      if (err.code === 'EEXIST') return;
      if (err.code !== 'EPERM' || dev.type === 'p') throw err;
      bindHostDevice(sys, rootFd, dev);
      return;
    }
    sys.fchownat(parent, name, dev.uid, dev.gid, K.AT_SYMLINK_NOFOLLOW);
  } finally {
    sys.close(parent);
  }
}

function bindHostDevice(sys: Sys, rootFd: number, dev: DeviceStep): void {
  const fd = ensureInRoot(sys, rootFd, dev.path, true);
  try {
    sys.mount(dev.path, fdPath(fd), null, K.MS_BIND, null);
  } finally {
    sys.close(fd);
  }
}

function symlinkInRoot(sys: Sys, rootFd: number, target: string, link: string): void {
  const parent = openInRoot(sys, rootFd, dirname(link), K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
  try {
    sys.symlinkat(target, parent, basename(link));
  } catch (err) {
    if (!(err instanceof SyscallError && err.code === 'EEXIST')) throw err;
  } finally {
    sys.close(parent);
  }
}

export function createDevices(sys: Sys, rootFd: number, defaults: boolean, devices: readonly DeviceStep[]): void {
  if (defaults) {
    for (const dev of DEFAULT_DEVICES) {
      if (!devices.some((d) => d.path === dev.path)) createDevice(sys, rootFd, dev);
    }
    for (const [target, link] of DEFAULT_DEV_SYMLINKS) symlinkInRoot(sys, rootFd, target, link);
    symlinkInRoot(sys, rootFd, 'pts/ptmx', '/dev/ptmx');
  }
  for (const dev of devices) createDevice(sys, rootFd, dev);
}
