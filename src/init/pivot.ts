import * as K from '../linux/constants.js';
import { chdir, chroot, close, fchdir, mount, open, pivotRoot, umount2 } from '../linux/libc.js';

/**
 * pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the
 * container's tree. Making it a slave first keeps the unmount from propagating to the host.
 */
export function pivotInto(rootfs: string): void {
  const oldRoot = open('/', K.O_DIRECTORY | K.O_RDONLY | K.O_CLOEXEC);
  const newRoot = open(rootfs, K.O_DIRECTORY | K.O_RDONLY | K.O_CLOEXEC);
  try {
    fchdir(newRoot);
    pivotRoot('.', '.');
    fchdir(oldRoot);
    mount(null, '.', null, K.MS_SLAVE | K.MS_REC, null);
    umount2('.', K.MNT_DETACH);
    chdir('/');
  } finally {
    close(oldRoot);
    close(newRoot);
  }
}

/** --no-pivot: move the rootfs over "/" and chroot, for hosts whose root cannot be pivoted (ramfs). */
export function chrootInto(rootfs: string): void {
  chdir(rootfs);
  mount(rootfs, '/', null, K.MS_MOVE, null);
  chroot('.');
  chdir('/');
}

/** No mount namespace of the container's own: the runtime's mount table stays as it is (runc and crun chroot too). */
export function chrootOnly(rootfs: string): void {
  chdir(rootfs);
  chroot('.');
  chdir('/');
}
