import { fstatSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { close, dup3, open } from '../linux/libc.js';

/**
 * As runc: stdio that is the host's /dev/null (an engine's usual stdin) is reopened as the
 * container's own. The host's file would tie the container to a mount outside it, which CRIU
 * cannot dump ("Can't lookup mount"), so a container started by podman could not be checkpointed.
 */
export function reopenDevNull(): void {
  let nullFd: number;
  try {
    nullFd = open('/dev/null', K.O_RDWR | K.O_CLOEXEC);
  } catch {
    // The container has no /dev/null: there is nothing of its own to reopen onto.
    return;
  }
  try {
    const rdev = fstatSync(nullFd).rdev;
    for (let fd = 0; fd <= 2; fd++) {
      let st;
      try {
        st = fstatSync(fd);
      } catch {
        continue;
      }
      if (st.isCharacterDevice() && st.rdev === rdev) dup3(nullFd, fd, 0);
    }
  } finally {
    close(nullFd);
  }
}
