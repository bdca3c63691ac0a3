// Kernel ABI numbers (include/uapi). Plain data, importable without loading the FFI.

export const CLONE_NEWTIME = 0x00000080;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_I_VERSION = 0x800000;
export const MS_STRICTATIME = 0x1000000;
export const MS_LAZYTIME = 0x2000000;

export const MNT_DETACH = 0x2;

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EMPTY_PATH = 0x1000;

export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

export const CLOSE_RANGE_CLOEXEC = 1 << 2;
/** close_range's last fd for "every fd from the first on". */
export const CLOSE_RANGE_ALL = 0xffffffff;

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFREG = 0o100000;
export const S_IFIFO = 0o010000;
export const S_IFLNK = 0o120000;

export const PR_SET_DUMPABLE = 4;
export const PR_SET_KEEPCAPS = 8;
export const PR_CAPBSET_DROP = 24;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;

export const MADV_DOFORK = 11;

export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_SEQPACKET = 5;
export const SOCK_CLOEXEC = 0o2000000;

export const POLLIN = 0x1;
export const POLLHUP = 0x10;

export const WNOHANG = 1;

// Terminal ioctls (asm-generic/ioctls.h; the same on x86-64 and arm64).
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const TIOCSCTTY = 0x540e;
export const TIOCGPTPEER = 0x5441;
export const TIOCSPTLCK = 0x40045431;

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

export const SIG_SETMASK = 2;

export const RLIMIT_NUMBERS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
};

interface SyscallNumbers {
  pivot_root: number;
  capget: number;
  capset: number;
  seccomp: number;
  bpf: number;
  pidfd_send_signal: number;
  pidfd_open: number;
  close_range: number;
  openat2: number;
  mount_setattr: number;
  open_tree: number;
  move_mount: number;
  keyctl: number;
  ioprio_set: number;
  sched_setattr: number;
  set_mempolicy: number;
}

const SYSCALLS: Readonly<Record<string, SyscallNumbers>> = {
  x64: {
    pivot_root: 155, capget: 125, capset: 126, seccomp: 317, bpf: 321,
    pidfd_send_signal: 424, pidfd_open: 434, close_range: 436, openat2: 437, mount_setattr: 442, keyctl: 250, ioprio_set: 251,
    open_tree: 428, move_mount: 429,
    sched_setattr: 314, set_mempolicy: 238,
  },
  arm64: {
    pivot_root: 41, capget: 90, capset: 91, seccomp: 277, bpf: 280,
    pidfd_send_signal: 424, pidfd_open: 434, close_range: 436, openat2: 437, mount_setattr: 442, keyctl: 219, ioprio_set: 30,
    open_tree: 428, move_mount: 429,
    sched_setattr: 274, set_mempolicy: 237,
  },
};

export function syscallNumbers(arch: string = process.arch): SyscallNumbers {
  const nr = SYSCALLS[arch];
  if (!nr) throw new Error(`unsupported architecture ${arch}: only x64 and arm64 have syscall tables`);
  return nr;
}

/** statfs f_type of procfs. */
export const PROC_SUPER_MAGIC = 0x9fa0;
