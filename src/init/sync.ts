import { POLLIN } from '../linux/constants.js';
import { closeQuietly, poll, read, write } from '../linux/libc.js';
import { isErrno } from '../linux/errors.js';
import { recvFds, sendFds } from '../linux/scm.js';
import { HookFailedError } from '../hooks/lifecycle.js';

// The create process and its forked children talk over a SOCK_SEQPACKET socketpair: one
// message per write, and EOF once every child holding the other end is gone, so a dead
// child is noticed instead of waited for. Every message names one step; none is reused.
//
// create (container/create-*.ts)   intermediate (init/stage1.ts)   init (init/init.ts)
//   |  only for a new user or time namespace:
//   |<------------------ userns --|  unshared CLONE_NEWUSER
//   |  writes uid_map/gid_map      |
//   |-- enter ------------------->|  enters the namespaces, forks the init
//   |<------------------ pid N ---|  exits
//   |  saves the record naming the init (its pid, start time)
//   |-- recorded ---------------------------------------------->|  (rootfs work meanwhile)
//   |<------------------------------------------------- join ---|
//   |  writes N into cgroup.procs, resets its CPU affinity      |
//   |-- joined ------------------------------------------------>|  unshares CLONE_NEWCGROUP
//   |  only with prestart/createRuntime/createContainer hooks:  |
//   |<------------------------------------------------ hooks ---|  stopped before pivot_root
//   |  runs prestart, createRuntime                             |
//   |-- state JSON -------------------------------------------->|  runs createContainer
//   |  only with a seccomp listener:                            |
//   |<--------------------------------------- seccomp + fd ----|  (SCM_RIGHTS)
//   |<------------------------------------------------ ready ---|  process set up
//   |  saves the final state, writes the pid file               |
//   |-- commit ------------------------------------------------>|  waits at the start gate
//
// Without an intermediate process the init is create's own child and "recorded" is the first
// message. Any child may send "error" (the init "hook-error" for its createContainer hooks) instead of its next message, and EOF in its place means
// it died. `exec` (container/exec.ts, exec/child.ts) uses the same socket kind and format: it
// moves the forked process into the cgroup and sends "moved"; the process answers only with
// "error" or "seccomp" and is done when the socket reaches EOF at its execve.

const ERROR_LIMIT = 4096;

export type SyncMessage =
  /** The intermediate process made a new user namespace: its id maps are wanted. */
  | { kind: 'userns' }
  /** To the intermediate process: id maps written (if any); enter the namespaces and fork the init. */
  | { kind: 'enter' }
  | { kind: 'pid'; pid: number }
  /** To the init: the record names its pid, so the init may ask for its cgroup. */
  | { kind: 'recorded' }
  /** The init asks to be moved into the container's cgroup; "joined" answers once it is. */
  | { kind: 'join' }
  | { kind: 'joined' }
  /** To an exec'd process: it is in the container's cgroups and may go on to execve. */
  | { kind: 'moved' }
  | { kind: 'ready' }
  /** create saved the final state: the init may now wait at the start gate. */
  | { kind: 'commit' }
  /** The init stopped before pivot_root for the runtime's hooks. */
  | { kind: 'hooks' }
  /** The runtime's answer to "hooks": the state the init's hooks get. */
  | { kind: 'state'; json: string }
  /** Carries the seccomp listener fd (SCM_RIGHTS). */
  | { kind: 'seccomp' }
  | { kind: 'error'; message: string }
  /** An error from a hook the init ran (createContainer): create then runs the poststop hooks. */
  | { kind: 'hook-error'; message: string };

export function encode(msg: SyncMessage): string {
  switch (msg.kind) {
    case 'pid':
      return `pid ${msg.pid}`;
    case 'error':
    case 'hook-error':
      // One message must fit the runtime's receive buffer, or the reason is lost with it.
      return `${msg.kind} ${msg.message.length > ERROR_LIMIT ? `${msg.message.slice(0, ERROR_LIMIT)}...` : msg.message}`;
    case 'state':
      return `state ${msg.json}`;
    default:
      return msg.kind;
  }
}

export function decode(text: string): SyncMessage {
  const space = text.indexOf(' ');
  const head = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? '' : text.slice(space + 1);
  switch (head) {
    case 'userns':
    case 'enter':
    case 'recorded':
    case 'moved':
    case 'join':
    case 'joined':
    case 'ready':
    case 'commit':
    case 'seccomp':
    case 'hooks':
      return { kind: head };
    case 'state':
      return { kind: 'state', json: rest };
    case 'pid':
      return { kind: 'pid', pid: Number(rest) };
    case 'error':
    case 'hook-error':
      return { kind: head, message: rest };
    default:
      return { kind: 'error', message: `unexpected message from init: ${JSON.stringify(text)}` };
  }
}

/**
 * A peer that failed exits right after its error message: a write racing its exit meets EPIPE,
 * and the message still queued on our end is the reason to report, not the EPIPE.
 */
export function send(fd: number, msg: SyncMessage): void {
  try {
    write(fd, encode(msg));
  } catch (err) {
    if (!isErrno(err, 'EPIPE')) throw err;
    for (;;) {
      let queued: SyncMessage;
      try {
        queued = receive(fd, 0);
      } catch {
        throw err;
      }
      throwIfError(queued);
    }
  }
}

export class ChildGoneError extends Error {}

/** What a forked child reports when it fails before its program runs, in runc's words. */
export function startFailure(err: unknown): Extract<SyncMessage, { kind: 'error' | 'hook-error' }> {
  const message = `unable to start container process: ${(err as Error).message}`;
  return err instanceof HookFailedError ? { kind: 'hook-error', message } : { kind: 'error', message };
}

/** A forked child's last word; if even that fails, the runtime sees its exit as EOF. */
export function reportStartFailure(sock: number, err: unknown): void {
  try {
    send(sock, startFailure(err));
  } catch {
    // EOF tells the rest.
  }
}

/** Waits for the next message; a negative timeout waits forever. EOF means every child died. */
export function receive(fd: number, timeoutMs = -1): SyncMessage {
  // poll() even without a timeout: it is where a termination signal ends a wait (linux/interrupt.ts).
  if ((poll([fd], POLLIN, timeoutMs)[0] ?? 0) === 0) {
    throw new ChildGoneError(`container init did not answer within ${timeoutMs} ms`);
  }
  const buf = Buffer.alloc(65536);
  let n: number;
  try {
    n = read(fd, buf);
  } catch (err) {
    // A peer that exited with a message of ours unread: the kernel reports ECONNRESET once,
    // before the messages the peer left queued (its error) and the EOF.
    if (!isErrno(err, 'ECONNRESET')) throw err;
    n = read(fd, buf);
  }
  if (n === 0) throw new ChildGoneError('container init exited before it was ready');
  return decode(buf.toString('utf8', 0, n));
}

export function expect<K extends SyncMessage['kind']>(fd: number, kind: K): Extract<SyncMessage, { kind: K }> {
  return checked(receive(fd), kind);
}

/** A child's error message as the error it reports, of the type the child threw. */
function throwIfError(msg: SyncMessage): void {
  if (msg.kind === 'error') throw new Error(msg.message);
  if (msg.kind === 'hook-error') throw new HookFailedError(msg.message);
}

function checked<K extends SyncMessage['kind']>(msg: SyncMessage, kind: K): Extract<SyncMessage, { kind: K }> {
  throwIfError(msg);
  if (msg.kind !== kind) throw new Error(`container init sent ${JSON.stringify(msg.kind)} where ${JSON.stringify(kind)} was expected`);
  return msg as Extract<SyncMessage, { kind: K }>;
}

export function sendWithFd(sock: number, msg: SyncMessage, fd: number): void {
  sendFds(sock, [fd], Buffer.from(encode(msg)));
}

/** Like expect, for a message that carries one fd; returns the fd (close-on-exec). */
export function expectFd(sock: number, kind: SyncMessage['kind']): number {
  poll([sock], POLLIN, -1);
  const { fds, payload } = recvFds(sock, 1);
  try {
    if (payload.length === 0) throw new ChildGoneError('container init exited before it was ready');
    checked(decode(payload.toString('utf8')), kind);
    const fd = fds[0];
    if (fd === undefined) throw new Error(`container init sent ${JSON.stringify(kind)} without a file descriptor`);
    return fd;
  } catch (err) {
    fds.forEach(closeQuietly);
    throw err;
  }
}
