import { POLLIN } from '../linux/constants.js';
import { closeQuietly, poll, read, write } from '../linux/libc.js';
import { isErrno } from '../linux/errors.js';
import { recvFds, sendFds } from '../linux/scm.js';

// The create process and its forked children talk over a SOCK_SEQPACKET socketpair: one
// message per write, and EOF once every child holding the other end is gone, so a dead
// child is noticed instead of waited for.

const ERROR_LIMIT = 4096;

export type SyncMessage =
  | { kind: 'userns' }
  | { kind: 'go' }
  | { kind: 'pid'; pid: number }
  /** The init asks to be moved into the container's cgroup; "joined" answers once it is. */
  | { kind: 'join' }
  | { kind: 'joined' }
  | { kind: 'ready' }
  /** create saved the final state: the init may now wait at the start gate. */
  | { kind: 'commit' }
  /** The init stopped before pivot_root for the runtime's hooks. */
  | { kind: 'hooks' }
  /** The runtime's answer to "hooks": the state the init's hooks get. */
  | { kind: 'state'; json: string }
  /** Carries the seccomp listener fd (SCM_RIGHTS). */
  | { kind: 'seccomp' }
  | { kind: 'error'; message: string };

export function encode(msg: SyncMessage): string {
  switch (msg.kind) {
    case 'pid':
      return `pid ${msg.pid}`;
    case 'error':
      // One message must fit the runtime's receive buffer, or the reason is lost with it.
      return `error ${msg.message.length > ERROR_LIMIT ? `${msg.message.slice(0, ERROR_LIMIT)}...` : msg.message}`;
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
    case 'go':
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
      return { kind: 'error', message: rest };
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
      if (queued.kind === 'error') throw new Error(queued.message);
    }
  }
}

export class ChildGoneError extends Error {}

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

export function expect<K extends SyncMessage['kind']>(fd: number, kind: K, timeoutMs = -1): Extract<SyncMessage, { kind: K }> {
  return checked(receive(fd, timeoutMs), kind);
}

function checked<K extends SyncMessage['kind']>(msg: SyncMessage, kind: K): Extract<SyncMessage, { kind: K }> {
  if (msg.kind === 'error') throw new Error(msg.message);
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
