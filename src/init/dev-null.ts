import * as K from '../linux/constants.js';
import type { Sys } from '../linux/sys.js';

/**
 * As runc: stdio that is the host's /dev/null (an engine's usual stdin) is reopened as the
 * container's own. The host's file would tie the container to a mount outside it, which CRIU
 * cannot dump ("Can't lookup mount"), so a container started by podman could not be checkpointed.
 */
export function reopenDevNull(sys: Sys): void {
  let nullFd: number;
  try {
    nullFd = sys.open('/dev/null', K.O_RDWR | K.O_CLOEXEC);
  } catch {
    // The container has no /dev/null: there is nothing of its own to reopen onto.
    return;
  }
  try {
    const rdev = sys.fstat(nullFd).rdev;
    for (let fd = 0; fd <= 2; fd++) {
      let st;
      try {
        st = sys.fstat(fd);
      } catch {
        continue;
      }
      if ((st.mode & K.S_IFMT) === K.S_IFCHR && st.rdev === rdev) sys.dup3(nullFd, fd, 0);
    }
  } finally {
    sys.close(nullFd);
  }
}
