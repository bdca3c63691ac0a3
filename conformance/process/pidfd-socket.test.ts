// --pidfd-socket (runc 1.2): the caller receives a pidfd of the container's process and can
// signal exactly that process with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';

const sb = new Sandbox('pidfd-socket');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

// Accepts one connection, prints the payload, and kills the process behind the received pidfd.
const RECEIVER = `
import os, signal, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 64, 1)
print(msg.decode(), len(fds), flush=True)
signal.pidfd_send_signal(fds[0], signal.SIGKILL)
`;

function receiver(path: string): { child: ChildProcess; output: Promise<string> } {
  const child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: new Promise((done) => child.on('exit', () => done(out))) };
}

describe('--pidfd-socket', () => {
  it('create sends a pidfd of the init, payload "pidfd", that can kill exactly it', async () => {
    const path = join(sb.dir, `pidfd-${uniqueId()}.sock`);
    const r = receiver(path);
    expect(await waitFor(() => existsSync(path))).toBe(true);
    const id = uniqueId();
    sb.ok(['create', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), '--pidfd-socket', path, id]);
    expect((await r.output).trim()).toBe('pidfd 1');
    expect(await waitFor(() => sb.state(id).status === 'stopped')).toBe(true);
  });

  it('exec sends a pidfd of the exec\'d process', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', id]);
    const path = join(sb.dir, `pidfd-${uniqueId()}.sock`);
    const r = receiver(path);
    expect(await waitFor(() => existsSync(path))).toBe(true);
    const exec = sb.run(['exec', '--pidfd-socket', path, id, 'sleep', '100']);
    expect((await r.output).trim()).toBe('pidfd 1');
    expect(exec.status).toBe(128 + 9);
    expect(sb.state(id).status).toBe('running');
  });

  it('a socket nobody listens on fails create by the flag\'s name and leaves nothing', () => {
    const id = uniqueId();
    const r = sb.run(['create', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), '--pidfd-socket', join(sb.dir, 'nobody.sock'), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--pidfd-socket');
    expect(sb.run(['state', id]).status).toBe(1);
  });
});
