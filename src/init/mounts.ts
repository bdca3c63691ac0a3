import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import { AT_RECURSIVE, MOVE_MOUNT_F_EMPTY_PATH, MOVE_MOUNT_T_EMPTY_PATH } from '../linux/libc.js';
import type { Sys } from '../linux/sys.js';
import { ensureInRoot, fdPath, openInRoot } from './in-root.js';
import { coMountLinks, type CgroupMounts } from './cgroup-mount.js';
import type { MountStep } from './plan.js';
import { copyUp } from './tmpcopyup.js';

// Executes config.json "mounts" in order inside the rootfs (before pivot_root).

const PROPAGATION_MASK = K.MS_SHARED | K.MS_PRIVATE | K.MS_SLAVE | K.MS_UNBINDABLE;
/** Flags a bind remount must keep when the source mount has them locked (user namespaces). */
const LOCKED_FLAGS = K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC | K.MS_RDONLY | K.MS_NOATIME | K.MS_NODIRATIME | K.MS_RELATIME;

function remountBind(sys: Sys, fd: number, flags: number): void {
  const want = K.MS_BIND | K.MS_REMOUNT | (flags & ~(K.MS_BIND | K.MS_REC | K.MS_REMOUNT | PROPAGATION_MASK));
  try {
    sys.mount(null, fdPath(fd), null, want, null);
  } catch (err) {
    if (!(err instanceof SyscallError && err.code === 'EPERM')) throw err;
    // A mount inherited from a more privileged namespace keeps its locked flags: ask again with them.
    sys.mount(null, fdPath(fd), null, want | (sys.fstatfs(fd).flags & LOCKED_FLAGS), null);
  }
}

function applyAttributes(sys: Sys, rootFd: number, step: MountStep): void {
  const { options } = step;
  const bindExtra = step.kind === 'bind' && (options.flags & ~(K.MS_BIND | K.MS_REC)) !== 0;
  if (!bindExtra && options.propagation.length === 0 && options.recursiveSet === 0 && options.recursiveClear === 0) return;
  // Re-open: the handle taken before mounting refers to the covered directory, not the new mount.
  const fd = openInRoot(sys, rootFd, step.destination);
  try {
    if (bindExtra) remountBind(sys, fd, options.flags);
    for (const p of options.propagation) sys.mount(null, fdPath(fd), null, p, null);
    if (options.recursiveSet !== 0 || options.recursiveClear !== 0) {
      sys.mountSetattr(fd, '', K.AT_EMPTY_PATH | AT_RECURSIVE, options.recursiveSet, options.recursiveClear);
    }
  } finally {
    sys.close(fd);
  }
}

/** Makes `destination` a directory inside the root if it is missing, and mounts on it. */
function mountOnDir(sys: Sys, rootFd: number, destination: string, source: string, type: string | null, flags: number, data: string | null): void {
  const fd = ensureInRoot(sys, rootFd, destination, false);
  try {
    sys.mount(source, fdPath(fd), type, flags, data);
  } finally {
    sys.close(fd);
  }
}

/** Binds a cgroup directory of the host at `destination`, with the mount's flags. */
function bindCgroupDir(sys: Sys, rootFd: number, source: string, destination: string, flags: number): void {
  mountOnDir(sys, rootFd, destination, source, null, K.MS_BIND | K.MS_REC, null);
  if (flags === 0) return;
  const bfd = openInRoot(sys, rootFd, destination);
  try {
    remountBind(sys, bfd, flags);
  } finally {
    sys.close(bfd);
  }
}

/**
 * A "cgroup" mount: fresh cgroup filesystems when the init is already in the container's cgroup
 * namespace, else binds of the container's own directories (cgroup-mount.ts says why).
 */
function mountCgroup(sys: Sys, rootFd: number, step: MountStep, cgroups: CgroupMounts): void {
  const flags = step.options.flags & ~(K.MS_BIND | K.MS_REC | PROPAGATION_MASK);
  const { layout, bindSources } = cgroups;
  if (layout.version === 2) {
    if (bindSources) bindCgroupDir(sys, rootFd, bindSources[0] as string, step.destination, flags);
    else mountOnDir(sys, rootFd, step.destination, 'cgroup2', 'cgroup2', flags, null);
    return;
  }
  // v1: a tmpfs holding one directory per hierarchy.
  mountOnDir(sys, rootFd, step.destination, 'tmpfs', 'tmpfs', K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC, 'mode=755');
  layout.hierarchies.forEach((h, i) => {
    const dir = `${step.destination}/${h.name}`;
    if (bindSources) bindCgroupDir(sys, rootFd, bindSources[i] as string, dir, flags);
    else mountOnDir(sys, rootFd, dir, 'cgroup', 'cgroup', flags, h.options);
  });
  const links = coMountLinks(layout);
  if (links.length > 0) {
    const dfd = openInRoot(sys, rootFd, step.destination, K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
    try {
      for (const { link, target } of links) sys.symlinkat(target, dfd, link);
    } finally {
      sys.close(dfd);
    }
  }
  if (flags & K.MS_RDONLY) {
    const tfd = openInRoot(sys, rootFd, step.destination);
    try {
      sys.mount(null, fdPath(tfd), null, K.MS_REMOUNT | K.MS_BIND | K.MS_RDONLY | K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC, null);
    } finally {
      sys.close(tfd);
    }
  }
}

/**
 * Only the owner of the network namespace may mount sysfs: a rootless container sharing the
 * host's gets the host's /sys instead, bound read-only, as crun does (and runc's rootless spec).
 */
function bindHostSysfs(sys: Sys, rootFd: number, destination: string, flags: number): void {
  mountOnDir(sys, rootFd, destination, '/sys', null, K.MS_BIND | K.MS_REC, null);
  const fd = openInRoot(sys, rootFd, destination);
  try {
    remountBind(sys, fd, flags | K.MS_RDONLY | K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC);
  } finally {
    sys.close(fd);
  }
}

/** tmpcopyup: mounted writable, filled from the covered directory (`coveredFd`), then made read-only if asked. */
function mountCopyingUp(sys: Sys, rootFd: number, coveredFd: number, step: MountStep): void {
  const flags = step.options.flags & ~(K.MS_BIND | PROPAGATION_MASK);
  sys.mount(step.source, fdPath(coveredFd), step.type, flags & ~K.MS_RDONLY, step.options.data || null);
  const fresh = openInRoot(sys, rootFd, step.destination);
  try {
    copyUp(fdPath(coveredFd), fdPath(fresh));
    if (flags & K.MS_RDONLY) sys.mount(null, fdPath(fresh), null, flags | K.MS_REMOUNT, step.options.data || null);
  } finally {
    sys.close(fresh);
  }
}

/** linux.mountLabel on a mount whose filesystem refused the context option (mount-label.ts). */
function labelMountPoint(sys: Sys, rootFd: number, destination: string, label: string): void {
  const fd = openInRoot(sys, rootFd, destination);
  try {
    // setxattr, not lsetxattr: the path is the fd's magic link, which lsetxattr would label
    // itself (procfs refuses, EOPNOTSUPP); following it reaches the mount's root. An O_PATH fd
    // rules out fsetxattr.
    sys.setxattr(fdPath(fd), 'security.selinux', label);
  } finally {
    sys.close(fd);
  }
}

/** `idmapped`: the detached idmapped copy of a bind mount's source, or -1. */
export function applyMount(sys: Sys, rootFd: number, step: MountStep, cgroups: CgroupMounts, idmapped: number): void {
  if (step.kind === 'cgroup') {
    mountCgroup(sys, rootFd, step, cgroups);
    return;
  }
  const fd = ensureInRoot(sys, rootFd, step.destination, step.fileDestination);
  try {
    if (idmapped >= 0) {
      sys.moveMount(idmapped, '', fd, '', MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
      sys.close(idmapped);
    } else if (step.kind === 'bind') {
      sys.mount(step.source, fdPath(fd), null, step.options.flags & (K.MS_BIND | K.MS_REC), null);
    } else if (step.options.tmpcopyup) {
      mountCopyingUp(sys, rootFd, fd, step);
    } else {
      const flags = step.options.flags & ~(K.MS_BIND | PROPAGATION_MASK);
      try {
        sys.mount(step.source, fdPath(fd), step.type, flags, step.options.data || null);
      } catch (err) {
        if (step.labelFallback && err instanceof SyscallError) {
          sys.mount(step.source, fdPath(fd), step.type, flags, step.labelFallback.data || null);
          labelMountPoint(sys, rootFd, step.destination, step.labelFallback.label);
        } else if (step.type === 'sysfs' && err instanceof SyscallError && err.code === 'EPERM') {
          bindHostSysfs(sys, rootFd, step.destination, flags);
        } else {
          throw err;
        }
      }
    }
  } catch (err) {
    throw new Error(`mounting ${JSON.stringify(step.source)} to rootfs at ${JSON.stringify(step.destination)}: ${(err as Error).message}`);
  } finally {
    sys.close(fd);
  }
  applyAttributes(sys, rootFd, step);
}
