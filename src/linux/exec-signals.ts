import { clearSignalMask, resetSignal } from './libc.js';

const SIGKILL = 9;
const SIGSTOP = 19;
// glibc reserves these two for its threads; sigaction refuses them.
const GLIBC_RESERVED = [32, 33];

/**
 * Node ignores SIGPIPE and SIGXFSZ and blocks some signals; ignored dispositions and the mask
 * survive execve, so a forked child resets both before exec'ing anything that is not ocirun.
 */
export function resetSignalsForExec(): void {
  for (let sig = 1; sig <= 64; sig++) {
    if (sig !== SIGKILL && sig !== SIGSTOP && !GLIBC_RESERVED.includes(sig)) resetSignal(sig);
  }
  clearSignalMask();
}
