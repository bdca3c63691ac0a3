import * as K from '../linux/constants.js';
import type { Sys } from '../linux/sys.js';

/**
 * pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the
 * container's tree. Making it a slave first keeps the unmount from propagating to the host.
 */
export function pivotInto(sys: Sys, rootfs: string): void {
  const oldRoot = sys.open('/', K.O_DIRECTORY | K.O_RDONLY | K.O_CLOEXEC);
  const newRoot = sys.open(rootfs, K.O_DIRECTORY | K.O_RDONLY | K.O_CLOEXEC);
  try {
    sys.fchdir(newRoot);
    sys.pivotRoot('.', '.');
    sys.fchdir(oldRoot);
    sys.mount(null, '.', null, K.MS_SLAVE | K.MS_REC, null);
    sys.umount2('.', K.MNT_DETACH);
    sys.chdir('/');
  } finally {
    sys.close(oldRoot);
    sys.close(newRoot);
  }
}

/** --no-pivot: move the rootfs over "/" and chroot, for hosts whose root cannot be pivoted (ramfs). */
export function chrootInto(sys: Sys, rootfs: string): void {
  sys.chdir(rootfs);
  sys.mount(rootfs, '/', null, K.MS_MOVE, null);
  sys.chroot('.');
  sys.chdir('/');
}

/** No mount namespace of the container's own: the runtime's mount table stays as it is (runc and crun chroot too). */
export function chrootOnly(sys: Sys, rootfs: string): void {
  sys.chdir(rootfs);
  sys.chroot('.');
  sys.chdir('/');
}
