// A recording stand-in for src/linux/sys.ts's Sys: every call is kept, in order, with its
// arguments, and answered from a small model of the filesystem (which paths exist, which are
// files, what an fd names) or with an error the test asked for. No kernel is touched.
//
// Fds are shown by what they name: an fd argument, or a /proc/self/fd/N path (how the init
// mounts on handles), is recorded as "fd:" and the path it was opened at, so a recorded mount
// reads ['mount', 'proc', 'fd:/rootfs/proc', 'proc', flags, null].
import { constants } from 'node:os';
import { posix } from 'node:path';
import * as K from '../../src/linux/constants.js';
import { SyscallError } from '../../src/linux/errors.js';
import type { CapSets } from '../../src/linux/capabilities.js';
import type { SchedAttributes, StatfsResult } from '../../src/linux/libc.js';
import type { NativeProgram } from '../../src/linux/seccomp.js';
import type { FileMode, Sys } from '../../src/linux/sys.js';

export type Call = [name: string, ...args: unknown[]];

/** What execve does in the fake: it ends the calling code, as the real one would. */
export class ExecReached extends Error {
  constructor(readonly path: string) {
    super(`execve ${path}`);
  }
}

const TMPFS_MAGIC = 0x01021994;
const NULL_RDEV = 259;
const FIRST_FD = 100;

interface Failure {
  call: string;
  errno: number;
  when: (args: readonly unknown[]) => boolean;
}

export class FakeSys implements Sys {
  /** Every call so far, in order, fds shown by their paths. */
  readonly calls: Call[] = [];
  /** Paths that do not exist, with everything under them, until the code creates them. */
  readonly missing = new Set<string>();
  /** Paths that are regular files (everything else is a directory, /dev/null the null device). */
  readonly files = new Set<string>();
  /** fstat answers by path, over the defaults above. */
  readonly modes = new Map<string, FileMode>();
  /** fstatfs flags (ST_*) of the mount a path is on. */
  readonly mountFlags = new Map<string, number>();
  /** What readFile returns, by path (a missing entry: ENOENT). */
  readonly contents = new Map<string, string>();
  /** What getcwd returns once chdir has run (a cwd outside the root reads as "(unreachable)/..."). */
  cwd = '/';

  private readonly created = new Set<string>();
  private readonly fds = new Map<number, string>();
  private readonly failures: Failure[] = [];
  private nextFd = FIRST_FD;

  /** Makes `call` fail with `code` (an errno name) whenever `when` holds for its raw arguments. */
  fail(call: string, code: keyof typeof constants.errno, when: (args: readonly unknown[]) => boolean = () => true): this {
    this.failures.push({ call, errno: constants.errno[code], when });
    return this;
  }

  /** An fd the process already has (stdio), naming `path`. */
  given(fd: number, path: string): this {
    this.fds.set(fd, path);
    return this;
  }

  /** The recorded calls of these names only. */
  only(...names: string[]): Call[] {
    return this.calls.filter(([name]) => names.includes(name));
  }

  /** The fds opened and not closed yet, by path. */
  openFds(): string[] {
    return [...this.fds.values()];
  }

  // --- the model ---

  private exists(path: string): boolean {
    if (this.created.has(path)) return true;
    for (const m of this.missing) if (path === m || path.startsWith(`${m}/`)) return false;
    return true;
  }

  private pathOf(fd: number): string {
    const path = this.fds.get(fd);
    if (path === undefined) throw new Error(`fake sys: fd ${fd} is not open`);
    return path;
  }

  private resolve(dirfd: number, path: string): string {
    if (path.startsWith('/proc/self/fd/')) return this.pathOf(Number(path.slice('/proc/self/fd/'.length)));
    return posix.resolve(dirfd === K.AT_FDCWD ? this.cwd : this.pathOf(dirfd), path);
  }

  private newFd(path: string): number {
    const fd = this.nextFd++;
    this.fds.set(fd, path);
    return fd;
  }

  private show(a: unknown): unknown {
    if (typeof a === 'string' && a.startsWith('/proc/self/fd/')) {
      const path = this.fds.get(Number(a.slice('/proc/self/fd/'.length)));
      if (path !== undefined) return `fd:${path}`;
    }
    return a;
  }

  private fdArg(fd: number): string {
    return `fd:${this.fds.get(fd) ?? fd}`;
  }

  /** Records the call (fd positions shown by path); returns the errno of a failure asked for, or 0. */
  private recordErrno(call: string, raw: readonly unknown[], fdPositions: readonly number[] = []): number {
    this.calls.push([call, ...raw.map((a, i) => (fdPositions.includes(i) ? this.fdArg(a as number) : this.show(a)))]);
    return this.failures.find((x) => x.call === call && x.when(raw))?.errno ?? 0;
  }

  /** Records the call and throws the failure asked for, as the libc wrappers do. */
  private record(call: string, raw: readonly unknown[], fdPositions: readonly number[] = []): void {
    const errno = this.recordErrno(call, raw, fdPositions);
    if (errno !== 0) throw new SyscallError(call, errno, raw);
  }

  private enoent(call: string, raw: readonly unknown[]): never {
    throw new SyscallError(call, constants.errno.ENOENT, raw);
  }

  // --- Sys ---

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.record('mount', [source, target, fstype, flags, data]);
  }
  umount2(target: string, flags: number): void {
    this.record('umount2', [target, flags]);
  }
  pivotRoot(newRoot: string, putOld: string): void {
    this.record('pivot_root', [newRoot, putOld]);
  }
  chdir(path: string): void {
    this.record('chdir', [path]);
    this.cwd = posix.resolve(this.cwd, path);
  }
  fchdir(fd: number): void {
    this.record('fchdir', [fd], [0]);
    this.cwd = this.pathOf(fd);
  }
  chroot(path: string): void {
    this.record('chroot', [path]);
  }
  getcwd(): string {
    this.record('getcwd', []);
    return this.cwd;
  }

  open(path: string, flags: number, mode = 0): number {
    this.record('open', [path, flags, mode]);
    const abs = this.resolve(K.AT_FDCWD, path);
    if (!this.exists(abs)) this.enoent('open', [path, flags]);
    return this.newFd(abs);
  }
  openat(dirfd: number, path: string, flags: number, mode = 0): number {
    this.record('openat', [dirfd, path, flags, mode], [0]);
    const abs = this.resolve(dirfd, path);
    if (flags & K.O_CREAT) {
      this.created.add(abs);
      this.files.add(abs);
    } else if (!this.exists(abs)) {
      this.enoent('openat', [dirfd, path, flags]);
    }
    return this.newFd(abs);
  }
  openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
    const fd = this.openat2OrErrno(dirfd, path, flags, resolve, mode);
    if (fd < 0) throw new SyscallError('openat2', -fd, [dirfd, path, flags, resolve]);
    return fd;
  }
  openat2OrErrno(dirfd: number, path: string, flags: number, resolve: number, _mode = 0): number {
    // As the real one: a failure is returned as -errno, never thrown.
    const errno = this.recordErrno('openat2', [dirfd, path, flags, resolve], [0]);
    if (errno !== 0) return -errno;
    const abs = this.resolve(dirfd, path);
    return this.exists(abs) ? this.newFd(abs) : -constants.errno.ENOENT;
  }
  close(fd: number): void {
    this.record('close', [fd], [0]);
    this.fds.delete(fd);
  }
  dup3(oldfd: number, newfd: number, flags: number): number {
    this.record('dup3', [oldfd, newfd, flags], [0]);
    return newfd;
  }
  write(fd: number, data: Buffer | string): number {
    this.record('write', [fd, String(data)], [0]);
    return Buffer.byteLength(data);
  }
  fcntl(fd: number, cmd: number, arg = 0): number {
    this.record('fcntl', [fd, cmd, arg]);
    return 0;
  }
  closeRange(first: number, last: number, flags: number): void {
    this.record('close_range', [first, last, flags]);
  }
  fstatfs(fd: number): StatfsResult {
    this.record('fstatfs', [fd], [0]);
    const path = this.pathOf(fd);
    const proc = path === '/proc' || path.startsWith('/proc/');
    return { type: proc ? K.PROC_SUPER_MAGIC : TMPFS_MAGIC, flags: this.mountFlags.get(path) ?? 0 };
  }
  fstat(fd: number): FileMode {
    this.record('fstat', [fd], [0]);
    const path = this.pathOf(fd);
    const mode = this.modes.get(path);
    if (mode) return mode;
    if (path.endsWith('/dev/null')) return { mode: K.S_IFCHR | 0o666, rdev: NULL_RDEV };
    return this.files.has(path) ? { mode: K.S_IFREG | 0o644, rdev: 0 } : { mode: K.S_IFDIR | 0o755, rdev: 0 };
  }

  mkdirat(dirfd: number, path: string, mode: number): void {
    this.record('mkdirat', [dirfd, path, mode], [0]);
    this.created.add(this.resolve(dirfd, path));
  }
  mknodat(dirfd: number, path: string, mode: number, dev: bigint): void {
    this.record('mknodat', [dirfd, path, mode, dev], [0]);
    this.created.add(this.resolve(dirfd, path));
  }
  symlinkat(target: string, dirfd: number, linkpath: string): void {
    this.record('symlinkat', [target, dirfd, linkpath], [1]);
    this.created.add(this.resolve(dirfd, linkpath));
  }
  fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
    this.record('fchownat', [dirfd, path, uid, gid, flags], [0]);
  }
  setxattr(path: string, name: string, value: string): void {
    this.record('setxattr', [path, name, value]);
  }
  mountSetattr(dirfd: number, path: string, flags: number, attrSet: number, attrClr: number, propagation = 0, usernsFd = 0): void {
    this.record('mount_setattr', [dirfd, path, flags, attrSet, attrClr, propagation, usernsFd], [0]);
  }
  moveMount(fromDfd: number, fromPath: string, toDfd: number, toPath: string, flags: number): void {
    this.record('move_mount', [fromDfd, fromPath, toDfd, toPath, flags], [0, 2]);
  }

  prctl(option: number, a2: number | bigint = 0, a3: number | bigint = 0, a4: number | bigint = 0, a5: number | bigint = 0): number {
    this.record('prctl', [option, a2, a3, a4, a5]);
    return 0;
  }
  prlimit(pid: number, resource: number, soft: bigint, hard: bigint): void {
    this.record('prlimit', [pid, resource, soft, hard]);
  }
  setgroups(gids: readonly number[]): void {
    this.record('setgroups', [[...gids]]);
  }
  setresgid(r: number, e: number, s: number): void {
    this.record('setresgid', [r, e, s]);
  }
  setresuid(r: number, e: number, s: number): void {
    this.record('setresuid', [r, e, s]);
  }
  umask(mask: number): number {
    this.record('umask', [mask]);
    return 0o022;
  }
  execve(path: string, argv: readonly string[], envp: readonly string[]): never {
    this.record('execve', [path, [...argv], [...envp]]);
    throw new ExecReached(path);
  }
  personality(persona: number): void {
    this.record('personality', [persona]);
  }
  ioprioSet(ioClass: number, level: number): void {
    this.record('ioprio_set', [ioClass, level]);
  }
  setMempolicy(mode: number, nodemask: Buffer): void {
    this.record('set_mempolicy', [mode, [...nodemask]]);
  }
  schedSetattr(a: SchedAttributes): void {
    this.record('sched_setattr', [a]);
  }

  capset(sets: CapSets): void {
    this.record('capset', [sets]);
  }
  capbsetDrop(cap: number): void {
    this.record('capbset_drop', [cap]);
  }
  ambientClearAll(): void {
    this.record('ambient_clear_all', []);
  }
  ambientRaise(cap: number): void {
    this.record('ambient_raise', [cap]);
  }
  setKeepCaps(keep: boolean): void {
    this.record('keepcaps', [keep]);
  }
  seccompSetModeFilter(flags: number, _p: NativeProgram): number {
    this.record('seccomp', [flags]);
    return 0;
  }

  readFile(path: string): string {
    this.record('readFile', [path]);
    const text = this.contents.get(path);
    if (text === undefined) this.enoent('open', [path]);
    return text;
  }
  resetSignalsForExec(): void {
    this.record('resetSignalsForExec', []);
  }
}
