// SCM_RIGHTS helpers against real sockets, in this process (no fork involved).
import { closeSync, mkdirSync, mkdtempSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_SEQPACKET, SOCK_STREAM } from '../../../src/linux/constants.js';
import { close, closeQuietly, socketpair } from '../../../src/linux/libc.js';
import { connectUnix, recvFds, sendFds } from '../../../src/linux/scm.js';

const O_CLOEXEC_FLAG = 0o2000000;

function pipe(): [number, number] {
  // A socketpair stands in for a pipe: any fd will do as cargo.
  return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
}

function fdFlags(fd: number): number {
  return parseInt(/^flags:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0', 8);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocirun-scm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sendFds / recvFds', () => {
  it.each([
    ['SOCK_STREAM', SOCK_STREAM],
    ['SOCK_SEQPACKET', SOCK_SEQPACKET],
  ])('pass fds and the payload over a %s pair; received fds are close-on-exec', (_name, type) => {
    const [a, b] = socketpair(AF_UNIX, type | SOCK_CLOEXEC);
    const [x1, x2] = pipe();
    const [y1, y2] = pipe();
    try {
      sendFds(a, [x1, y1], Buffer.from('{"hello":1}'));
      const got = recvFds(b, 4);
      expect(got.payload.toString()).toBe('{"hello":1}');
      expect(got.fds).toHaveLength(2);
      for (const fd of got.fds) expect(fdFlags(fd) & O_CLOEXEC_FLAG).toBe(O_CLOEXEC_FLAG);
      // The first received fd is the same socket as x1: what x2 writes, it reads.
      writeSync(x2, 'ping');
      const buf = Buffer.alloc(8);
      const n = readSync(got.fds[0] as number, buf);
      expect(buf.toString('utf8', 0, n)).toBe('ping');
      got.fds.forEach(close);
    } finally {
      [a, b, x1, x2, y1, y2].forEach(closeQuietly);
    }
  });

  it('refuses more fds than the caller asked for, closing what arrived', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    const [x1, x2] = pipe();
    try {
      sendFds(a, [x1, x2, x1], Buffer.from('x'));
      expect(() => recvFds(b, 1)).toThrow(/control data truncated/);
    } finally {
      [a, b, x1, x2].forEach(closeQuietly);
    }
  });

  it('sends a payload without fds', () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    try {
      sendFds(a, [], Buffer.from('plain'));
      expect(recvFds(b, 1)).toEqual({ fds: [], payload: Buffer.from('plain') });
    } finally {
      [a, b].forEach(closeQuietly);
    }
  });

  it('refuses an empty payload (fds travel with data on a stream)', () => {
    expect(() => sendFds(0, [1], Buffer.alloc(0))).toThrow(/payload must not be empty/);
  });
});

describe('connectUnix', () => {
  function listen(path: string): Promise<{ server: Server; received: Promise<string> }> {
    return new Promise((resolve) => {
      let resolveData: (s: string) => void = () => undefined;
      const received = new Promise<string>((r) => (resolveData = r));
      const server = createServer((conn) => {
        let data = '';
        conn.on('data', (b: Buffer) => (data += b.toString()));
        conn.on('end', () => resolveData(data));
      });
      server.listen(path, () => resolve({ server, received }));
    });
  }

  it('connects and delivers the payload, once per connection', async () => {
    const path = join(dir, 'a.sock');
    const { server, received } = await listen(path);
    const sock = connectUnix(path);
    const [x1, x2] = pipe();
    sendFds(sock, [x1], Buffer.from('state-json'));
    close(sock);
    [x1, x2].forEach(closeSync);
    expect(await received).toBe('state-json');
    server.close();
  });

  it('reaches a socket whose path is longer than sun_path', async () => {
    let deep = dir;
    while (deep.length < 120) deep = join(deep, 'a-rather-long-directory-name');
    mkdirSync(deep, { recursive: true });
    const path = join(deep, 'long.sock');
    expect(Buffer.byteLength(path)).toBeGreaterThan(108);
    // bind(2) cannot take the long name either: bind short, then move the socket inode there.
    const { server, received } = await listen(join(dir, 'short.sock'));
    renameSync(join(dir, 'short.sock'), path);
    const sock = connectUnix(path);
    sendFds(sock, [], Buffer.from('deep'));
    close(sock);
    expect(await received).toBe('deep');
    server.close();
  });

  it('names the path when nothing listens there', () => {
    expect(() => connectUnix(join(dir, 'nobody.sock'))).toThrow(/^connect\(".*nobody\.sock"\): (no such file or directory|connection refused)/);
  });
});
