import * as K from './constants.js';
import { SyscallError } from './errors.js';
import { close, open, read, setns, socket, write } from './libc.js';
import { errorOf, NLMSG_DONE, NLMSG_ERROR, parseReplies, type Reply } from './netlink-message.js';

// An rtnetlink socket: requests built by netlink-message.ts, answers read until the kernel's
// acknowledgement or the end of a dump.

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const NETLINK_ROUTE = 0;

export class RouteSocket {
  private seq = 0;

  private constructor(private readonly fd: number) {}

  /**
   * A socket in the network namespace `netnsFd` (the caller's when absent): a socket stays in the
   * namespace it was made in, so the thread enters the namespace only for the socket() call.
   */
  static open(netnsFd?: number): RouteSocket {
    if (netnsFd === undefined) return new RouteSocket(socket(AF_NETLINK, SOCK_RAW | K.SOCK_CLOEXEC, NETLINK_ROUTE));
    const own = open('/proc/thread-self/ns/net', K.O_RDONLY | K.O_CLOEXEC);
    try {
      setns(netnsFd, K.CLONE_NEWNET);
      try {
        return new RouteSocket(socket(AF_NETLINK, SOCK_RAW | K.SOCK_CLOEXEC, NETLINK_ROUTE));
      } finally {
        setns(own, K.CLONE_NEWNET);
      }
    } finally {
      close(own);
    }
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  private replies(seq: number, until: (r: Reply) => boolean, what: string): Reply[] {
    const out: Reply[] = [];
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = read(this.fd, buf);
      for (const r of parseReplies(buf.subarray(0, n))) {
        if (r.seq !== seq) continue;
        if (r.type === NLMSG_ERROR && errorOf(r) !== 0) throw new SyscallError(what, errorOf(r), []);
        if (until(r)) return out;
        out.push(r);
      }
    }
  }

  /** Sends a request made with NLM_F_ACK and waits for its acknowledgement; `what` names it in errors. */
  request(msg: Uint8Array, seq: number, what: string): void {
    write(this.fd, msg);
    this.replies(seq, (r) => r.type === NLMSG_ERROR, what);
  }

  /** Sends a NLM_F_DUMP request and returns every answer. */
  dump(msg: Uint8Array, seq: number, what: string): Reply[] {
    write(this.fd, msg);
    return this.replies(seq, (r) => r.type === NLMSG_DONE, what);
  }

  close(): void {
    close(this.fd);
  }
}
