import { check, fn, koffi, syscall, tryCall } from './ffi.js';
import { InterruptedError, SyscallError } from './errors.js';
import { O_CLOEXEC, O_NONBLOCK, O_RDONLY, POLLIN, syscallNumbers } from './constants.js';

// Typed wrappers over libc. Each throws SyscallError (call, args, strerror) on -1.
// Every prototype is declared at load time: a forked child must not need to resolve symbols.

const NR = syscallNumbers();
const EINVAL = 22;
/** How many groups a setgroups error quotes. */
const SHOWN_GROUPS = 16;

const OpenHow = koffi.struct('open_how', { flags: 'uint64_t', mode: 'uint64_t', resolve: 'uint64_t' });
koffi.struct('statfs_t', {
  f_type: 'long', f_bsize: 'long', f_blocks: 'uint64_t', f_bfree: 'uint64_t', f_bavail: 'uint64_t',
  f_files: 'uint64_t', f_ffree: 'uint64_t', f_fsid: koffi.array('int', 2), f_namelen: 'long',
  f_frsize: 'long', f_flags: 'long', f_spare: koffi.array('long', 4),
});
const MountAttr = koffi.struct('mount_attr', { attr_set: 'uint64_t', attr_clr: 'uint64_t', propagation: 'uint64_t', userns_fd: 'uint64_t' });
koffi.struct('pollfd', { fd: 'int', events: 'short', revents: 'short' });
koffi.struct('rlimit', { cur: 'uint64_t', max: 'uint64_t' });
const SchedAttr = koffi.struct('sched_attr', {
  size: 'uint32_t', sched_policy: 'uint32_t', sched_flags: 'uint64_t', sched_nice: 'int32_t', sched_priority: 'uint32_t',
  sched_runtime: 'uint64_t', sched_deadline: 'uint64_t', sched_period: 'uint64_t', sched_util_min: 'uint32_t', sched_util_max: 'uint32_t',
});

const c = {
  fork: fn('int fork(void)'),
  _exit: fn('void _exit(int status)'),
  execve: fn('int execve(const char *path, const char **argv, const char **envp)'),
  getpid: fn('int getpid(void)'),
  getuid: fn('uint32_t getuid(void)'),
  setsid: fn('int setsid(void)'),
  unshare: fn('int unshare(int flags)'),
  setns: fn('int setns(int fd, int nstype)'),
  mount: fn('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: fn('int umount2(const char *target, int flags)'),
  chroot: fn('int chroot(const char *path)'),
  chdir: fn('int chdir(const char *path)'),
  fchdir: fn('int fchdir(int fd)'),
  getcwd: fn('char *getcwd(_Out_ char *buf, size_t size)'),
  open: fn('int open(const char *path, int flags, uint32_t mode)'),
  openat: fn('int openat(int dirfd, const char *path, int flags, uint32_t mode)'),
  close: fn('int close(int fd)'),
  read: fn('intptr_t read(int fd, _Out_ uint8_t *buf, size_t count)'),
  write: fn('intptr_t write(int fd, const uint8_t *buf, size_t count)'),
  fcntl: fn('int fcntl(int fd, int cmd, ...)'),
  ioctl: fn('int ioctl(int fd, unsigned long request, ...)'),
  mkdirat: fn('int mkdirat(int dirfd, const char *path, uint32_t mode)'),
  mknodat: fn('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)'),
  mkfifo: fn('int mkfifo(const char *path, uint32_t mode)'),
  symlinkat: fn('int symlinkat(const char *target, int dirfd, const char *linkpath)'),
  fchownat: fn('int fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)'),
  sethostname: fn('int sethostname(const char *name, size_t len)'),
  setdomainname: fn('int setdomainname(const char *name, size_t len)'),
  setresuid: fn('int setresuid(uint32_t r, uint32_t e, uint32_t s)'),
  setresgid: fn('int setresgid(uint32_t r, uint32_t e, uint32_t s)'),
  setgroups: fn('int setgroups(size_t size, const uint32_t *list)'),
  umask: fn('uint32_t umask(uint32_t mask)'),
  prctl: fn('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)'),
  prlimit: fn('int prlimit(int pid, int resource, const rlimit *newlimit, _Out_ rlimit *old)'),
  kill: fn('int kill(int pid, int sig)'),
  waitpid: fn('int waitpid(int pid, _Out_ int *status, int options)'),
  socketpair: fn('int socketpair(int domain, int type, int protocol, _Out_ int *sv)'),
  socket: fn('int socket(int domain, int type, int protocol)'),
  setxattr: fn('int setxattr(const char *path, const char *name, const char *value, size_t size, int flags)'),
  pipe2: fn('int pipe2(_Out_ int *fds, int flags)'),
  personality: fn('int personality(unsigned long persona)'),
  sched_setaffinity: fn('int sched_setaffinity(int pid, size_t size, const uint8_t *mask)'),
  sched_getaffinity: fn('int sched_getaffinity(int pid, size_t size, _Out_ uint8_t *mask)'),
  madvise: fn('int madvise(uintptr_t addr, size_t len, int advice)'),
  signal: fn('void *signal(int sig, void *handler)'),
  sigprocmask: fn('int sigprocmask(int how, const uint8_t *set, _Out_ uint8_t *old)'),
  tee: fn('intptr_t tee(int in, int out, size_t len, unsigned int flags)'),
  poll: fn('int poll(_Inout_ pollfd *fds, unsigned long nfds, int timeout)'),
  flock: fn('int flock(int fd, int op)'),
  dup3: fn('int dup3(int oldfd, int newfd, int flags)'),
  fstatfs: fn('int fstatfs(int fd, _Out_ statfs_t *buf)'),
  eventfd: fn('int eventfd(unsigned int initval, int flags)'),
  inotify_init1: fn('int inotify_init1(int flags)'),
  inotify_add_watch: fn('int inotify_add_watch(int fd, const char *path, uint32_t mask)'),
};

export function fork(): number {
  return check(c.fork(), 'fork', []);
}

/** Leaves a forked child without running any JS teardown (process.exit() segfaults there). */
export function exitNow(status: number): never {
  c._exit(status);
  throw new Error('unreachable: _exit returned');
}

export function execve(path: string, argv: readonly string[], envp: readonly string[]): never {
  check(c.execve(path, [...argv, null], [...envp, null]), 'execve', [path]);
  throw new Error('unreachable: execve returned');
}

export const getpid = (): number => c.getpid() as number;
export const getuid = (): number => c.getuid() as number;
export const setsid = (): number => check(c.setsid(), 'setsid', []);
export const unshare = (flags: number): void => void check(c.unshare(flags), 'unshare', [flags]);
export const setns = (fd: number, nstype: number): void => void check(c.setns(fd, nstype), 'setns', [fd, nstype]);

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
  check(c.mount(source, target, fstype, flags, data), 'mount', [source ?? '', target, fstype ?? '', flags, data ?? '']);
}

export const umount2 = (target: string, flags: number): void => void check(c.umount2(target, flags), 'umount2', [target, flags]);
export const chroot = (path: string): void => void check(c.chroot(path), 'chroot', [path]);
export const chdir = (path: string): void => void check(c.chdir(path), 'chdir', [path]);
export const fchdir = (fd: number): void => void check(c.fchdir(fd), 'fchdir', [fd]);

/**
 * A Uint8Array and, for an ASCII path, String.fromCharCode: V8's own code, where Buffer's
 * methods are Node's JavaScript, which the init (the caller, through enterCwd) would compile first.
 */
export function getcwd(): string {
  const buf = new Uint8Array(4096);
  const r = c.getcwd(buf, buf.length);
  if (r === null) check(-1, 'getcwd', []);
  const path = buf.subarray(0, buf.indexOf(0));
  return path.every((b) => b < 0x80) ? String.fromCharCode(...path) : Buffer.from(path).toString('utf8');
}

export const open = (path: string, flags: number, mode = 0): number => check(c.open(path, flags, mode), 'open', [path, flags]);
export const openat = (dirfd: number, path: string, flags: number, mode = 0): number =>
  check(c.openat(dirfd, path, flags, mode), 'openat', [dirfd, path, flags]);

/** openat2(2): path resolution confined by `resolve` (RESOLVE_IN_ROOT keeps symlinks inside dirfd). */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const fd = openat2OrErrno(dirfd, path, flags, resolve, mode);
  if (fd < 0) throw new SyscallError('openat2', -fd, [dirfd, path, flags, resolve]);
  return fd;
}

/**
 * openat2 returning -errno instead of throwing, for lookups whose failure is an answer: in a
 * forked init every Error built (message, stack trace) is memory charged to the container.
 */
export function openat2OrErrno(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const how = { flags: BigInt(flags), mode: BigInt(mode), resolve: BigInt(resolve) };
  const r = tryCall(syscall(NR.openat2, 'int', dirfd, 'const char *', path, koffi.pointer(OpenHow), how, 'size_t', koffi.sizeof(OpenHow)));
  return r.ok ? r.value : -r.errno;
}

export const close = (fd: number): void => void check(c.close(fd), 'close', [fd]);

export function closeQuietly(fd: number): void {
  if (fd >= 0) c.close(fd);
}

export function read(fd: number, buf: Uint8Array): number {
  return check(c.read(fd, buf, buf.length), 'read', [fd]);
}

export function write(fd: number, data: Uint8Array | string): number {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return check(c.write(fd, buf, buf.length), 'write', [fd]);
}

export const fcntl = (fd: number, cmd: number, arg = 0): number => check(c.fcntl(fd, cmd, 'int', arg), 'fcntl', [fd, cmd, arg]);
export const ioctl = (fd: number, request: number, arg: number | bigint = 0): number =>
  check(c.ioctl(fd, request, 'unsigned long', arg), 'ioctl', [fd, request]);
export function ioctlPtr(fd: number, request: number, buf: Buffer): number {
  return check(c.ioctl(fd, request, 'uint8_t *', buf), 'ioctl', [fd, request]);
}

export const mkdirat = (dirfd: number, path: string, mode: number): void =>
  void check(c.mkdirat(dirfd, path, mode), 'mkdirat', [dirfd, path, mode]);
export const mknodat = (dirfd: number, path: string, mode: number, dev: bigint): void =>
  void check(c.mknodat(dirfd, path, mode, dev), 'mknodat', [dirfd, path, mode, dev]);
export const mkfifo = (path: string, mode: number): void => void check(c.mkfifo(path, mode), 'mkfifo', [path, mode]);
export const symlinkat = (target: string, dirfd: number, linkpath: string): void =>
  void check(c.symlinkat(target, dirfd, linkpath), 'symlinkat', [target, dirfd, linkpath]);
export function fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
  requireRealIds('fchownat', [uid, gid], [dirfd, path, uid, gid]);
  check(c.fchownat(dirfd, path, uid, gid, flags), 'fchownat', [dirfd, path, uid, gid]);
}

export function sethostname(name: string): void {
  check(c.sethostname(name, Buffer.byteLength(name)), 'sethostname', [name]);
}
export function setdomainname(name: string): void {
  check(c.setdomainname(name, Buffer.byteLength(name)), 'setdomainname', [name]);
}

/**
 * (uid_t)-1 means "leave this id unchanged" to setresuid/setresgid/fchownat, and koffi turns a
 * negative number into it: an id that slipped past validation would silently skip a privilege
 * drop. Whatever the caller, only real ids reach these calls (EINVAL otherwise).
 */
function requireRealIds(call: string, ids: readonly number[], shown: readonly unknown[]): void {
  if (ids.every((id) => Number.isInteger(id) && id >= 0 && id < 0xffffffff)) return;
  throw new SyscallError(call, EINVAL, shown);
}

export function setresuid(r: number, e: number, s: number): void {
  requireRealIds('setresuid', [r, e, s], [r, e, s]);
  check(c.setresuid(r, e, s), 'setresuid', [r, e, s]);
}
export function setresgid(r: number, e: number, s: number): void {
  requireRealIds('setresgid', [r, e, s], [r, e, s]);
  check(c.setresgid(r, e, s), 'setresgid', [r, e, s]);
}
/** Errors name the first few groups and the count: 65,536 of them would not fit a line. */
export function setgroups(gids: readonly number[]): void {
  const shown = [gids.length > SHOWN_GROUPS ? `${gids.slice(0, SHOWN_GROUPS).join(',')},... (${gids.length} groups)` : gids.join(',')];
  requireRealIds('setgroups', gids, shown);
  check(c.setgroups(gids.length, gids.length ? Uint32Array.from(gids) : null), 'setgroups', shown);
}
export const umask = (mask: number): number => c.umask(mask) as number;

export function prctl(option: number, a2: number | bigint = 0, a3: number | bigint = 0, a4: number | bigint = 0, a5: number | bigint = 0): number {
  return check(c.prctl(option, a2, a3, a4, a5), 'prctl', [option, a2]);
}

export function prlimit(pid: number, resource: number, soft: bigint, hard: bigint): void {
  check(c.prlimit(pid, resource, { cur: soft, max: hard }, null), 'prlimit', [pid, resource, soft, hard]);
}

export const kill = (pid: number, sig: number): void => void check(c.kill(pid, sig), 'kill', [pid, sig]);
export function killQuietly(pid: number, sig: number): boolean {
  return tryCall(c.kill(pid, sig)).ok;
}

/** waitpid(2); returns [pid, raw status] (pid 0 with WNOHANG when the child still runs). */
export function waitpid(pid: number, options: number): [number, number] {
  const status = [0];
  const r = check(c.waitpid(pid, status, options), 'waitpid', [pid, options]);
  return [r, status[0] ?? 0];
}

/** [read end, write end]. */
export function pipe2(flags: number): [number, number] {
  const fds = [0, 0];
  check(c.pipe2(fds, flags), 'pipe2', [flags]);
  return [fds[0] ?? -1, fds[1] ?? -1];
}

export function socketpair(domain: number, type: number): [number, number] {
  const sv = [0, 0];
  check(c.socketpair(domain, type, 0, sv), 'socketpair', [domain, type]);
  return [sv[0] ?? -1, sv[1] ?? -1];
}

export function setxattr(path: string, name: string, value: string): void {
  check(c.setxattr(path, name, value, Buffer.byteLength(value), 0), 'setxattr', [path, name, value]);
}

export const socket = (domain: number, type: number, protocol: number): number =>
  check(c.socket(domain, type, protocol), 'socket', [domain, type, protocol]);

export function madvise(addr: bigint, len: bigint, advice: number): boolean {
  return tryCall(c.madvise(addr, len, advice)).ok;
}

/** Resets one signal to SIG_DFL; SIG_IGN would otherwise survive execve. */
export function resetSignal(sig: number): void {
  c.signal(sig, null);
}

export function clearSignalMask(): void {
  check(c.sigprocmask(2 /* SIG_SETMASK */, Buffer.alloc(128), null), 'sigprocmask', []);
}

/** tee(2), non-blocking: bytes copied, 0 when `from` is empty. */
export function teeNonBlocking(from: number, to: number, len: number): number {
  const n = teeIfPipe(from, to, len);
  return n ?? check(-1, 'tee', [from, to]);
}

/**
 * tee(2) without blocking, for probing fds: the bytes copied, 0 when `from` is an empty pipe, and
 * undefined when `from` is no pipe's read end (EINVAL, EBADF) or the copy would stay in one pipe.
 */
export function teeIfPipe(from: number, to: number, len: number): number | undefined {
  const r = tryCall(c.tee(from, to, len, 2 /* SPLICE_F_NONBLOCK */));
  if (r.ok) return r.value;
  if (r.errno === 11 /* EAGAIN */) return 0;
  if (r.errno === EINVAL || r.errno === 9 /* EBADF */) return undefined;
  return check(-1, 'tee', [from, to]);
}

/** What linux/interrupt.ts gives poll(): a pipe to watch and what has arrived in it. */
export interface InterruptWatch {
  fd: number;
  /**
   * `signal`: a terminating signal that ends the wait now (0: none); `empty`: nothing is in the
   * pipe; `waitMs`: how long the wait may go on before the next look (-1: no limit).
   */
  scan(): { signal: number; empty: boolean; waitMs: number };
}

let interruptWatch: InterruptWatch | undefined;

/** While set, a terminating signal ends any poll() wait with an InterruptedError (once). */
export function watchForInterrupt(watch: InterruptWatch | undefined): void {
  interruptWatch = watch;
}

/** poll(2) on fds for `events`; returns the revents of each (0 when the timeout ran out). */
export function poll(fds: readonly number[], events: number, timeoutMs: number): number[] {
  const end = timeoutMs >= 0 ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    const watch = interruptWatch;
    let watching = false;
    let round = timeoutMs >= 0 ? Math.max(0, end - Date.now()) : -1;
    let shortened = false;
    if (watch) {
      const { signal, empty, waitMs } = watch.scan();
      if (signal !== 0) {
        // Once: the clean-up that follows must not be cut short by the next signal.
        interruptWatch = undefined;
        throw new InterruptedError(signal);
      }
      // A signal that stops nothing stays in the pipe (Node's handlers read it later): then
      // the pipe cannot be watched, and the EINTR of the next signal is the cue.
      watching = empty;
      if (waitMs >= 0 && (round < 0 || waitMs < round)) {
        round = waitMs;
        shortened = true;
      }
    }
    const set = fds.map((fd) => ({ fd, events, revents: 0 }));
    if (watching && watch) set.push({ fd: watch.fd, events: POLLIN, revents: 0 });
    const r = tryCall(c.poll(set, set.length, round));
    if (r.ok) {
      if (watching && ((set[fds.length]?.revents ?? 0) & POLLIN) !== 0) continue;
      const revents = set.slice(0, fds.length).map((p) => p.revents);
      // A round cut short to look at the signals again is not the caller's timeout.
      if (shortened && revents.every((e) => e === 0)) continue;
      return revents;
    }
    if (r.errno !== 4 /* EINTR */) check(-1, 'poll', [fds.join(',')]);
  }
}

export const flock = (fd: number, op: number): void => void check(c.flock(fd, op), 'flock', [fd, op]);
export const dup3 = (oldfd: number, newfd: number, flags: number): number => check(c.dup3(oldfd, newfd, flags), 'dup3', [oldfd, newfd, flags]);

export function pivotRoot(newRoot: string, putOld: string): void {
  check(syscall(NR.pivot_root, 'const char *', newRoot, 'const char *', putOld), 'pivot_root', [newRoot, putOld]);
}

export function closeRange(first: number, last: number, flags: number): void {
  check(syscall(NR.close_range, 'unsigned int', first, 'unsigned int', last, 'unsigned int', flags), 'close_range', [first, last, flags]);
}

export function pidfdOpen(pid: number): number {
  return check(syscall(NR.pidfd_open, 'int', pid, 'unsigned int', 0), 'pidfd_open', [pid]);
}

export function pidfdSendSignal(pidfd: number, sig: number): void {
  check(syscall(NR.pidfd_send_signal, 'int', pidfd, 'int', sig, 'void *', null, 'unsigned int', 0), 'pidfd_send_signal', [pidfd, sig]);
}


export interface StatfsResult {
  type: number;
  /** ST_* mount flags; their values equal the MS_* flags mount(2) takes. */
  flags: number;
}

function toStatfs(buf: { f_type: number | bigint; f_flags: number | bigint }): StatfsResult {
  return { type: Number(buf.f_type), flags: Number(buf.f_flags) };
}

export function fstatfs(fd: number): StatfsResult {
  const buf = {} as { f_type: number; f_flags: number };
  check(c.fstatfs(fd, buf), 'fstatfs', [fd]);
  return toStatfs(buf);
}

const NSFS_MAGIC = 0x6e736673;

/**
 * A namespace file a config names, for setns: non-blocking, so that a FIFO in its place fails
 * at once rather than hanging open(), and refused unless it is on nsfs.
 */
export function openNamespaceFile(path: string): number {
  const fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fstatfs(fd).type === NSFS_MAGIC) return fd;
  closeQuietly(fd);
  throw new Error('not a namespace file (expected one on nsfs, such as /proc/PID/ns/TYPE)');
}

export const AT_RECURSIVE = 0x8000;

export function mountSetattr(dirfd: number, path: string, flags: number, attrSet: number, attrClr: number, propagation = 0, usernsFd = 0): void {
  const attr = { attr_set: BigInt(attrSet), attr_clr: BigInt(attrClr), propagation: BigInt(propagation), userns_fd: BigInt(usernsFd) };
  check(
    syscall(NR.mount_setattr, 'int', dirfd, 'const char *', path, 'unsigned int', flags, koffi.pointer(MountAttr), attr, 'size_t', koffi.sizeof(MountAttr)),
    'mount_setattr',
    [dirfd, path, flags, attrSet, attrClr],
  );
}

export const OPEN_TREE_CLONE = 1;
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
export const MOVE_MOUNT_T_EMPTY_PATH = 0x40;
export const MOUNT_ATTR_IDMAP = 0x100000;

/** open_tree(2): with OPEN_TREE_CLONE, a detached copy of the mount at `path` (AT_RECURSIVE: with its submounts). */
export function openTree(dirfd: number, path: string, flags: number): number {
  return check(syscall(NR.open_tree, 'int', dirfd, 'const char *', path, 'unsigned int', flags), 'open_tree', [dirfd, path, flags]);
}

/** move_mount(2): attaches a detached mount (an open_tree fd) at the target. */
export function moveMount(fromDfd: number, fromPath: string, toDfd: number, toPath: string, flags: number): void {
  check(
    syscall(NR.move_mount, 'int', fromDfd, 'const char *', fromPath, 'int', toDfd, 'const char *', toPath, 'unsigned int', flags),
    'move_mount',
    [fromDfd, fromPath, toDfd, toPath, flags],
  );
}

const KEYCTL_JOIN_SESSION_KEYRING = 1;

/** A fresh session keyring, so the container cannot read the host session's keys. */
export function joinSessionKeyring(name: string): void {
  check(syscall(NR.keyctl, 'int', KEYCTL_JOIN_SESSION_KEYRING, 'const char *', name), 'keyctl', ['JOIN_SESSION_KEYRING', name]);
}

export const setChildSubreaper = (): void => void check(c.prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0), 'prctl', ['PR_SET_CHILD_SUBREAPER']);

/** eventfd(2) with a zero counter (cgroup v1 memory.oom_control notifications). */
export const eventfd = (flags: number): number => check(c.eventfd(0, flags), 'eventfd', [flags]);
export const inotifyInit1 = (flags: number): number => check(c.inotify_init1(flags), 'inotify_init1', [flags]);
export const inotifyAddWatch = (fd: number, path: string, mask: number): number =>
  check(c.inotify_add_watch(fd, path, mask), 'inotify_add_watch', [fd, path, mask]);

export const personality = (persona: number): void => void check(c.personality(persona), 'personality', [persona]);

const IOPRIO_WHO_PROCESS = 1;
const IOPRIO_CLASS_SHIFT = 13;
/** ioprio_set(2) on the calling process. */
export function ioprioSet(ioClass: number, level: number): void {
  const prio = (ioClass << IOPRIO_CLASS_SHIFT) | level;
  check(syscall(NR.ioprio_set, 'int', IOPRIO_WHO_PROCESS, 'int', 0, 'int', prio), 'ioprio_set', [ioClass, level]);
}

/** sched_setattr(2)'s attributes, as config.md "process.scheduler" names them. */
export interface SchedAttributes {
  policy: number;
  flags: bigint;
  nice: number;
  priority: number;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

/** sched_setattr(2) on the calling thread (the process: ocirun's children are single-threaded). */
export function schedSetattr(a: SchedAttributes): void {
  const attr = {
    size: koffi.sizeof(SchedAttr), sched_policy: a.policy, sched_flags: a.flags, sched_nice: a.nice, sched_priority: a.priority,
    sched_runtime: a.runtime, sched_deadline: a.deadline, sched_period: a.period, sched_util_min: 0, sched_util_max: 0,
  };
  check(syscall(NR.sched_setattr, 'int', 0, koffi.pointer(SchedAttr), attr, 'unsigned int', 0), 'sched_setattr', [a.policy, a.nice, a.priority]);
}

/** set_mempolicy(2): `mode` with its flags or'ed in, `nodemask` one bit per node (may be empty). */
export function setMempolicy(mode: number, nodemask: Buffer): void {
  const maxnode = nodemask.length * 8;
  check(syscall(NR.set_mempolicy, 'int', mode, 'uint8_t *', nodemask.length > 0 ? nodemask : null, 'unsigned long', maxnode), 'set_mempolicy', [mode, maxnode]);
}

/** sched_setaffinity(2); `mask` one bit per CPU (0 is the calling thread). */
export const schedSetaffinity = (pid: number, mask: Uint8Array): void =>
  void check(c.sched_setaffinity(pid, mask.length, mask), 'sched_setaffinity', [pid]);

/** sched_getaffinity(2) of the calling thread, as a mask of `bytes` bytes. */
export function schedGetaffinity(bytes: number): Buffer {
  const mask = Buffer.alloc(bytes);
  check(c.sched_getaffinity(0, bytes, mask), 'sched_getaffinity', [0]);
  return mask;
}
