import { basename, dirname } from 'node:path';
import { check, fn, koffi, tryCall } from './ffi.js';
import { AF_UNIX, O_CLOEXEC, O_DIRECTORY, O_NONBLOCK, O_PATH, SOCK_CLOEXEC, SOCK_STREAM } from './constants.js';
import { closeQuietly, fcntl, open } from './libc.js';

// AF_UNIX stream sockets that carry file descriptors (SCM_RIGHTS): the seccomp listener to an
// agent, the pty master to a console socket. The kernel reads and writes the message buffers
// directly, so they live in native memory (koffi.alloc), viewed from JS through a Buffer.

koffi.struct('sockaddr_un', { sun_family: 'uint16_t', sun_path: 'char[108]' });
const Iovec = koffi.struct('iovec', { iov_base: 'void *', iov_len: 'size_t' });
koffi.struct('msghdr', {
  msg_name: 'void *',
  msg_namelen: 'uint32_t',
  msg_iov: 'void *',
  msg_iovlen: 'size_t',
  msg_control: 'void *',
  msg_controllen: 'size_t',
  msg_flags: 'int',
});

const c = {
  socket: fn('int socket(int domain, int type, int protocol)'),
  connect: fn('int connect(int fd, const sockaddr_un *addr, uint32_t len)'),
  sendmsg: fn('intptr_t sendmsg(int fd, const msghdr *msg, int flags)'),
  recvmsg: fn('intptr_t recvmsg(int fd, _Inout_ msghdr *msg, int flags)'),
};

const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CTRUNC = 0x8;
const MSG_NOSIGNAL = 0x4000;
const MSG_CMSG_CLOEXEC = 0x40000000;
const EINTR = 4;
const EAGAIN = 11;
const F_GETFL = 3;
const F_SETFL = 4;
const SUN_PATH_MAX = 107;
const CMSG_HEADER = 16; // cmsghdr: size_t len, int level, int type
const SOCKADDR_FAMILY = 2;

const align8 = (n: number): number => (n + 7) & ~7;

/** Native memory with a Buffer view onto it. */
interface NativeBuf {
  ptr: unknown;
  buf: Buffer;
}

function nativeBuf(size: number): NativeBuf {
  const ptr = koffi.alloc('uint8_t', size);
  return { ptr, buf: Buffer.from(koffi.view(ptr, size)) };
}

function msghdr(data: NativeBuf, len: number, control: NativeBuf | null, controlLen: number): { msg: Record<string, unknown>; iov: unknown } {
  const iov = koffi.alloc(Iovec, 1);
  koffi.encode(iov, Iovec, { iov_base: data.ptr, iov_len: len });
  const msg = {
    msg_name: null,
    msg_namelen: 0,
    msg_iov: iov,
    msg_iovlen: 1,
    msg_control: control?.ptr ?? null,
    msg_controllen: controlLen,
    msg_flags: 0,
  };
  return { msg, iov };
}

/**
 * Connects a SOCK_STREAM socket (close-on-exec) to a Unix socket path. A path longer than
 * sun_path holds is reached through /proc/self/fd of its directory.
 */
export function connectUnix(path: string): number {
  // Non-blocking while connecting: connect() to a listener whose backlog is full would wait for
  // it to accept, without end and deaf to signal handlers; the socket blocks again once connected.
  const sock = check(c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | O_NONBLOCK, 0), 'socket', [AF_UNIX, SOCK_STREAM]);
  let dirfd = -1;
  try {
    let target = path;
    if (Buffer.byteLength(path) > SUN_PATH_MAX) {
      dirfd = open(dirname(path), O_PATH | O_DIRECTORY | O_CLOEXEC);
      target = `/proc/self/fd/${dirfd}/${basename(path)}`;
      if (Buffer.byteLength(target) > SUN_PATH_MAX) throw new Error(`connect ${path}: socket name too long`);
    }
    const addr = { sun_family: AF_UNIX, sun_path: target };
    const r = tryCall(c.connect(sock, addr, SOCKADDR_FAMILY + Buffer.byteLength(target) + 1));
    if (!r.ok && r.errno === EAGAIN) throw new Error(`connect ${path}: the listener is not accepting connections (its backlog is full)`);
    if (!r.ok) check(-1, 'connect', [path]);
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) & ~O_NONBLOCK);
    return sock;
  } catch (err) {
    closeQuietly(sock);
    throw err;
  } finally {
    closeQuietly(dirfd);
  }
}

function sendmsgRetry(sock: number, msg: Record<string, unknown>): number {
  for (;;) {
    const r = tryCall(c.sendmsg(sock, msg, MSG_NOSIGNAL));
    if (r.ok) return r.value;
    if (r.errno !== EINTR) return check(-1, 'sendmsg', [sock]);
  }
}

/**
 * Sends `payload` with `fds` attached (SCM_RIGHTS) in the first sendmsg; what a short write leaves
 * follows without fds. The payload must not be empty: on a stream socket the fds travel with data.
 */
export function sendFds(sock: number, fds: readonly number[], payload: Buffer): void {
  if (payload.length === 0) throw new Error('sendFds: the payload must not be empty');
  const controlLen = fds.length ? CMSG_HEADER + align8(4 * fds.length) : 0;
  const control = controlLen ? nativeBuf(controlLen) : null;
  const allocs: unknown[] = [control?.ptr];
  try {
    if (control) {
      control.buf.fill(0);
      control.buf.writeBigUInt64LE(BigInt(CMSG_HEADER + 4 * fds.length), 0);
      control.buf.writeInt32LE(SOL_SOCKET, 8);
      control.buf.writeInt32LE(SCM_RIGHTS, 12);
      fds.forEach((fd, i) => control.buf.writeInt32LE(fd, CMSG_HEADER + 4 * i));
    }
    let sent = 0;
    while (sent < payload.length) {
      const rest = nativeBuf(payload.length - sent);
      allocs.push(rest.ptr);
      payload.copy(rest.buf, 0, sent);
      const first = sent === 0;
      const { msg, iov } = msghdr(rest, rest.buf.length, first ? control : null, first ? controlLen : 0);
      allocs.push(iov);
      sent += sendmsgRetry(sock, msg);
    }
  } finally {
    for (const p of allocs) if (p) koffi.free(p);
  }
}

/**
 * One recvmsg: up to `maxPayload` bytes and up to `maxFds` descriptors (received close-on-exec).
 * A stream peer may split its payload; read the rest with read() if the format needs it.
 */
export function recvFds(sock: number, maxFds: number, maxPayload = 65536): { fds: number[]; payload: Buffer } {
  const data = nativeBuf(maxPayload);
  const controlLen = CMSG_HEADER + align8(4 * Math.max(maxFds, 1));
  const control = nativeBuf(controlLen);
  const { msg, iov } = msghdr(data, maxPayload, control, controlLen);
  try {
    let n: number;
    for (;;) {
      const r = tryCall(c.recvmsg(sock, msg, MSG_CMSG_CLOEXEC));
      if (r.ok) {
        n = r.value;
        break;
      }
      if (r.errno !== EINTR) check(-1, 'recvmsg', [sock]);
    }
    const fds: number[] = [];
    const used = Number(msg.msg_controllen);
    for (let off = 0; off + CMSG_HEADER <= used; ) {
      const len = Number(control.buf.readBigUInt64LE(off));
      if (len < CMSG_HEADER) break;
      if (control.buf.readInt32LE(off + 8) === SOL_SOCKET && control.buf.readInt32LE(off + 12) === SCM_RIGHTS) {
        for (let p = off + CMSG_HEADER; p + 4 <= off + len; p += 4) fds.push(control.buf.readInt32LE(p));
      }
      off += align8(len);
    }
    if ((msg.msg_flags as number) & MSG_CTRUNC) {
      for (const fd of fds) closeQuietly(fd);
      throw new Error(`recvmsg(${sock}): more than ${maxFds} file descriptors sent; control data truncated`);
    }
    return { fds, payload: Buffer.from(data.buf.subarray(0, n)) };
  } finally {
    koffi.free(iov);
    koffi.free(control.ptr);
    koffi.free(data.ptr);
  }
}

/** One connection to the AF_UNIX socket at `path`, one message carrying `fds`, then close. */
export function sendFdsTo(path: string, fds: readonly number[], payload: Buffer): void {
  const sock = connectUnix(path);
  try {
    sendFds(sock, fds, payload);
  } finally {
    closeQuietly(sock);
  }
}
