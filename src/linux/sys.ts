import { fstatSync, readFileSync } from 'node:fs';
import type * as Caps from './capabilities.js';
import { ambientClearAll, ambientRaise, capbsetDrop, capset, setKeepCaps } from './capabilities.js';
import { resetSignalsForExec } from './exec-signals.js';
import type * as Libc from './libc.js';
import {
  chdir, chroot, close, closeRange, dup3, execve, fchdir, fchownat, fcntl, fstatfs, getcwd, setxattr, mkdirat, mknodat, mount, mountSetattr,
  moveMount, open, openat, openat2, openat2OrErrno, personality, ioprioSet, pivotRoot, prctl, prlimit, schedSetattr, setgroups, setMempolicy,
  setresgid, setresuid, symlinkat, umask, umount2, write,
} from './libc.js';
import type * as Seccomp from './seccomp.js';
import { seccompSetModeFilter } from './seccomp.js';

// The seam between the forked child's effects (rootfs, devices, protected paths, the process's
// user, capabilities, LSM labels, seccomp, execve) and the kernel. The effect code receives a
// Sys; the runtime passes `linuxSys`, which is the libc wrappers themselves, so the real path is
// the same code as without the seam. Unit tests pass a recording fake (test/support/fake-sys.ts)
// to check the order, flags and data of the calls without root.

/** fstat(2)'s answer, as much of it as the effects look at. */
export interface FileMode {
  /** st_mode: the S_IF* type bits and the permissions. */
  mode: number;
  /** st_rdev, for device nodes. */
  rdev: number;
}

export type Sys = Pick<
  typeof Libc,
  | 'mount' | 'umount2' | 'pivotRoot' | 'chdir' | 'fchdir' | 'chroot' | 'getcwd'
  | 'open' | 'openat' | 'openat2' | 'openat2OrErrno' | 'close' | 'dup3' | 'write' | 'fcntl' | 'closeRange' | 'fstatfs'
  | 'mkdirat' | 'mknodat' | 'symlinkat' | 'fchownat' | 'setxattr' | 'mountSetattr' | 'moveMount'
  | 'prctl' | 'prlimit' | 'setgroups' | 'setresgid' | 'setresuid' | 'umask' | 'execve'
  | 'personality' | 'ioprioSet' | 'setMempolicy' | 'schedSetattr'
> &
  Pick<typeof Caps, 'capset' | 'capbsetDrop' | 'ambientClearAll' | 'ambientRaise' | 'setKeepCaps'> &
  Pick<typeof Seccomp, 'seccompSetModeFilter'> & {
    fstat(fd: number): FileMode;
    /** A small kernel file (/proc/self/setgroups), as text. */
    readFile(path: string): string;
    /** Dispositions and mask back to the defaults before execve (linux/exec-signals.ts). */
    resetSignalsForExec(): void;
  };

export const linuxSys: Sys = {
  mount, umount2, pivotRoot, chdir, fchdir, chroot, getcwd,
  open, openat, openat2, openat2OrErrno, close, dup3, write, fcntl, closeRange, fstatfs,
  mkdirat, mknodat, symlinkat, fchownat, setxattr, mountSetattr, moveMount,
  prctl, prlimit, setgroups, setresgid, setresuid, umask, execve,
  personality, ioprioSet, setMempolicy, schedSetattr,
  capset, capbsetDrop, ambientClearAll, ambientRaise, setKeepCaps,
  seccompSetModeFilter,
  fstat(fd) {
    const st = fstatSync(fd);
    return { mode: st.mode, rdev: st.rdev };
  },
  readFile: (path) => readFileSync(path, 'utf8'),
  resetSignalsForExec,
};
