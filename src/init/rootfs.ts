import * as K from '../linux/constants.js';
import type { Sys } from '../linux/sys.js';
import type { CgroupMounts } from './cgroup-mount.js';
import { createDevices } from './devices.js';
import { ensureInRoot } from './in-root.js';
import { applyMount } from './mounts.js';
import { chrootInto, chrootOnly, pivotInto } from './pivot.js';
import type { InitPlan } from './plan.js';
import { makeReadonly, maskPaths, remountReadonly } from './protected-paths.js';

// The container's view of the filesystem, in the init's three phases: the mounts, devices and
// cwd inside the rootfs (before the hooks that run before pivot_root), the switch of root, and
// the protected paths (after /proc is the container's own).

type RootfsPlan = Pick<
  InitPlan,
  'rootfs' | 'mountNamespace' | 'mounts' | 'defaultDevices' | 'devices' | 'cwd' | 'noPivot' | 'rootPropagation' | 'maskedPaths' | 'maskData' | 'readonlyPaths' | 'readonlyRoot'
>;

/** `idmapFds`: detached idmapped copies of bind sources, parallel to plan.mounts (-1: a plain mount). */
export function setupRootfs(sys: Sys, p: RootfsPlan, cgroups: CgroupMounts, idmapFds: readonly number[]): void {
  if (p.mountNamespace) {
    // Nothing done in this namespace may propagate to the host; the requested propagation of the
    // root comes after pivot_root (plan.ts rootPropagationSteps).
    sys.mount(null, '/', null, K.MS_SLAVE | K.MS_REC, null);
    sys.mount(p.rootfs, p.rootfs, null, K.MS_BIND | K.MS_REC, null);
  }
  const rootFd = sys.open(p.rootfs, K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
  try {
    p.mounts.forEach((m, i) => applyMount(sys, rootFd, m, cgroups, idmapFds[i] ?? -1));
    createDevices(sys, rootFd, p.defaultDevices, p.devices);
    // runc creates a missing cwd (inside the root, before it may turn read-only).
    try {
      sys.close(ensureInRoot(sys, rootFd, p.cwd, false));
    } catch (err) {
      throw new Error(`process.cwd ${JSON.stringify(p.cwd)} cannot be made inside the container's root: ${(err as Error).message}`);
    }
  } finally {
    sys.close(rootFd);
  }
}

/** pivot_root (or, with --no-pivot, a move and chroot), then the root's requested propagation; only a chroot without a mount namespace. */
export function enterRoot(sys: Sys, p: RootfsPlan): void {
  if (!p.mountNamespace) {
    chrootOnly(sys, p.rootfs);
    return;
  }
  if (p.noPivot) chrootInto(sys, p.rootfs);
  else pivotInto(sys, p.rootfs);
  for (const flags of p.rootPropagation) sys.mount(null, '/', null, flags, null);
}

/** Masked and read-only paths, then the read-only root. */
export function protectPaths(sys: Sys, p: RootfsPlan): void {
  maskPaths(sys, p.maskedPaths, p.maskData);
  makeReadonly(sys, p.readonlyPaths);
  if (p.readonlyRoot) remountReadonly(sys, '/');
}
