// process.terminal (runc's docs/terminals.md): with --console-socket the pty is made inside the
// container and its master sent in one message; without one, foreground run/exec proxy it.
// recvtty.py plays the engine's console-socket listener (containerd's shim, conmon).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { GOLDEN_DIR } from '../../test/support/golden.js';

const sb = new Sandbox('terminal');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const RECVTTY = fileURLToPath(new URL('./recvtty.py', import.meta.url));
const GOLDEN = JSON.parse(readFileSync(join(GOLDEN_DIR, 'console-socket-received.json'), 'utf8')) as Record<string, unknown>;
const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;

interface Receiver {
  socket: string;
  /** The JSON line about the message, then everything the pty printed. */
  result: Promise<{ message: Record<string, unknown>; output: string }>;
  child: ChildProcess;
}

/** Starts recvtty.py on a fresh socket and waits until it listens. */
async function receiver(input = ''): Promise<Receiver> {
  const socket = join(sb.dir, `${uniqueId('tty')}.sock`);
  const child = spawn('python3', [RECVTTY, socket, input], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const result = new Promise<{ message: Record<string, unknown>; output: string }>((done) => {
    child.on('exit', () => {
      const [, line = '{}', ...rest] = out.split('\n');
      done({ message: JSON.parse(line) as Record<string, unknown>, output: rest.join('\n').replace(/\r/g, '') });
    });
  });
  expect(await waitFor(() => out.startsWith('ready\n'))).toBe(true);
  return { socket, result, child };
}

function ttySpec(args: string[], extra: Partial<NonNullable<Spec['process']>> = {}): Spec {
  const spec = baseSpec(args);
  Object.assign(spec.process as object, { terminal: true, ...extra });
  return spec;
}

describe('create --console-socket', () => {
  it('sends the master in one message, as runc does, and the slave is the process\'s terminal', async () => {
    const rx = await receiver();
    const id = sb.create(ttySpec(['sh', '-c', 'tty; stty size; ls -l /dev/console; echo done'], { consoleSize: { height: 40, width: 123 } }), ['--console-socket', rx.socket]);
    sb.ok(['start', id]);
    const { message, output } = await rx.result;
    expect({ payload: message['payload'], nfds: message['nfds'], fd_target: message['fd_target'] }).toEqual(GOLDEN);
    expect(message['trailing_bytes']).toBe(0);
    expect(output).toContain('/dev/pts/0\n40 123\n');
    expect(output).toMatch(/^crw.* 136,\s+0 .* \/dev\/console$/m);
    expect(output).toContain('done');
  });

  it('is interactive: input written to the master reaches the shell', async () => {
    const rx = await receiver('echo $((6*7)) $(tty)\\nexit 3\\n');
    const id = sb.create(ttySpec(['sh']), ['--console-socket', rx.socket]);
    sb.ok(['start', id]);
    const { output } = await rx.result;
    expect(output).toContain('42 /dev/pts/0');
    expect(await waitFor(() => sb.state(id).status === 'stopped')).toBe(true);
  });

  it('a terminal without a socket, or a socket without a terminal, is an error and leaves nothing', () => {
    const noSocket = sb.run(['create', '--bundle', sb.bundle(ttySpec(['true'])), uniqueId()]);
    expect(noSocket.status).toBe(1);
    expect(noSocket.stderr).toContain('cannot allocate tty if ocirun will detach without setting console socket');
    const noTty = sb.run(['create', '--bundle', sb.bundle(baseSpec(['true'])), '--console-socket', join(sb.dir, 'unused.sock'), uniqueId()]);
    expect(noTty.status).toBe(1);
    expect(noTty.stderr).toContain('cannot use console socket if ocirun will not detach or allocate tty');
  });
});

describe('exec --tty', () => {
  it('with --console-socket and --detach: the process gets its own pty in the container', async () => {
    const id = sb.create(baseSpec(['sleep', '1000']));
    sb.ok(['start', id]);
    const rx = await receiver();
    const pidFile = join(sb.dir, `${id}.pid`);
    sb.ok(['exec', '--tty', '--console-socket', rx.socket, '--detach', '--pid-file', pidFile, id, 'sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty']);
    expect(readFileSync(pidFile, 'utf8')).toMatch(/^\d+$/);
    const { message, output } = await rx.result;
    expect(message['payload']).toBe('/dev/ptmx');
    expect(output).toContain('/dev/pts/0\nall-tty');
  });

  it('in the foreground without a socket, proxies the caller\'s stdio and exits with the code', () => {
    const id = sb.create(baseSpec(['sleep', '1000']));
    sb.ok(['start', id]);
    const r = sb.run(['exec', '-t', id, 'sh'], { input: 'echo proxied $(tty)\nexit 5\n' });
    expect(r.status).toBe(5);
    expect(r.stdout.replace(/\r/g, '')).toContain('proxied /dev/pts/0');
  });

  it('--detach without a socket is refused', () => {
    const id = sb.create(baseSpec(['sleep', '1000']));
    sb.ok(['start', id]);
    const r = sb.run(['exec', '-t', '-d', id, 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot allocate tty if ocirun will detach without setting console socket');
  });

  it.runIf(HAVE_SCRIPT)('on a caller\'s terminal: takes its window size and restores its mode', () => {
    const id = sb.create(baseSpec(['sleep', '1000']));
    sb.ok(['start', id]);
    const cmd = `stty rows 22 cols 77; stty -g > before; ${OCIRUN} --root ${sb.root} exec -t ${id} stty size; echo code=$?; stty -g > after`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: sb.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    expect(r.stdout.replace(/\r/g, '')).toContain('22 77\n');
    expect(r.stdout).toContain('code=0');
    expect(readFileSync(join(sb.dir, 'after'), 'utf8')).toBe(readFileSync(join(sb.dir, 'before'), 'utf8'));
  });
});

describe('run with a terminal and no socket', () => {
  it('proxies the pty and exits with the process code', () => {
    const id = uniqueId();
    const r = sb.run(['run', '--bundle', sb.bundle(ttySpec(['sh', '-c', 'read line; echo "got $line on $(tty)"; exit 6'])), id], { input: 'hello\n' });
    expect(r.status).toBe(6);
    expect(r.stdout.replace(/\r/g, '')).toContain('got hello on /dev/pts/0');
    expect(existsSync(join(sb.root, id))).toBe(false);
  });
});
