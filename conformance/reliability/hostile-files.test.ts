// Issue 17 items 3, 4 and 7: files a caller (or a process in the container) puts where the
// runtime reads or opens one. /dev/zero was read without bound (OOM), a FIFO without a writer
// blocked open() where no signal handler could run (`run` ignored SIGTERM), a deeply nested
// config overflowed the stack. Each must now fail at once with one line saying what is wrong,
// leave nothing behind, and a real config of 50 MB must keep working.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, leftoversOf, OCIRUN, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { oneErrorLine, processesOf } from './leaks.js';

const sb = new Sandbox('reliability-files');
const listeners: ChildProcess[] = [];
afterEach(() => {
  for (const l of listeners.splice(0)) l.kill('SIGKILL');
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => sb.destroy());

function mkfifo(path: string): string {
  const r = spawnSync('mkfifo', [path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr}`);
  return path;
}

/** A bundle dir whose config.json is made by `place`, or written from `spec`. */
function bundleWith(place: (configPath: string) => void): string {
  const bundle = join(sb.dir, uniqueId('bundle'));
  mkdirSync(bundle);
  place(join(bundle, 'config.json'));
  return bundle;
}

/** `cmd` (create or run) fails with exit 1 and one line; nothing of `id` is left. */
function fails(cmd: 'create' | 'run', bundle: string): string {
  const id = uniqueId('files');
  // Well under the harness's default: these must fail at once, not after a read of gigabytes.
  const r = sb.run([cmd, '--bundle', bundle, id], { timeoutMs: 30_000 });
  expect(r.status, r.stderr).toBe(1);
  expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  expect(leftoversOf(id)).toEqual([]);
  expect(processesOf(id)).toEqual([]);
  return oneErrorLine(r.stderr);
}

describe('config.json that is not a regular file', () => {
  it.each(['create', 'run'] as const)('/dev/zero (through a symlink): %s fails at once, naming the file type', (cmd) => {
    const bundle = bundleWith((config) => symlinkSync('/dev/zero', config));
    expect(fails(cmd, bundle)).toContain(`${bundle}/config.json: not a regular file (a character device)`);
  });

  it.each(['create', 'run'] as const)('a FIFO with no writer: %s fails at once instead of blocking in open()', (cmd) => {
    const bundle = bundleWith((config) => mkfifo(config));
    expect(fails(cmd, bundle)).toContain(`${bundle}/config.json: not a regular file (a FIFO)`);
  });

  it('a socket', async () => {
    const bundle = bundleWith(() => undefined);
    const listener = spawn('python3', ['-c', 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(600)', join(bundle, 'config.json')]);
    listeners.push(listener);
    expect(await waitFor(() => existsSync(join(bundle, 'config.json')), 20_000)).toBe(true);
    expect(fails('create', bundle)).toContain(`${bundle}/config.json: not a regular file (a socket)`);
  });

  it('a file over the 128 MiB cap is refused by its size, without reading it', () => {
    const bundle = bundleWith((config) => {
      writeFileSync(config, '');
      truncateSync(config, 128 * 1024 * 1024 + 1);
    });
    expect(fails('create', bundle)).toContain(`${bundle}/config.json: larger than 128 MiB (134217729 bytes)`);
  });
});

describe('sizes and shapes that real configs have still work', () => {
  it('a 50 MB config creates a container', { timeout: 180_000 }, () => {
    const spec = baseSpec(['true']);
    spec.annotations = { 'org.example.big': 'x'.repeat(50 * 1000 * 1000) };
    const bundle = sb.bundle(spec);
    expect(readFileSync(join(bundle, 'config.json')).length).toBeGreaterThan(50 * 1000 * 1000);
    const id = uniqueId('big');
    const r = sb.run(['create', '--bundle', bundle, id], { timeoutMs: 150_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(sb.state(id).status).toBe('created');
  });
});

describe('nesting', () => {
  it('a config nested 100,000 levels deep: one line naming the file and the depth', () => {
    const spec = JSON.stringify(baseSpec(['true']));
    const deep = `${spec.slice(0, -1)},"x-deep":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const bundle = bundleWith((config) => writeFileSync(config, deep));
    const line = fails('create', bundle);
    expect(line).toMatch(new RegExp(`${bundle}/config\\.json: line 1, column \\d+: nested deeper than 1000 levels`));
    expect(line).not.toMatch(/call stack/);
  });

  it('a config of 70,000 additionalGids: refused in a short line', () => {
    const spec = baseSpec(['true']);
    spec.process!.user = { uid: 0, gid: 0, additionalGids: Array.from({ length: 70_000 }, (_, i) => i + 1) };
    const line = fails('create', sb.bundle(spec));
    expect(line).toContain('process.user.additionalGids: has 70000 entries: the kernel takes at most 65536 groups');
    expect(line.length).toBeLessThan(400);
  });
});

describe('other paths a caller names', () => {
  function running(spec: Spec = baseSpec(['sleep', '1000'])): string {
    const id = sb.create(spec);
    sb.ok(['start', id]);
    return id;
  }

  it('exec --process naming a FIFO or /dev/zero fails at once', () => {
    const id = running();
    const fifo = mkfifo(join(sb.dir, uniqueId('process.fifo')));
    for (const [file, kind] of [[fifo, 'a FIFO'], ['/dev/zero', 'a character device']] as const) {
      const r = sb.run(['exec', '--process', file, id], { timeoutMs: 30_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(oneErrorLine(r.stderr)).toContain(`--process ${file}: not a regular file (${kind})`);
    }
    expect(processesOf(id)).toEqual([sb.state(id).pid]);
  });

  it('update --resources naming a FIFO fails at once', () => {
    const id = running();
    const fifo = mkfifo(join(sb.dir, uniqueId('resources.fifo')));
    const r = sb.run(['update', '--resources', fifo, id], { timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(oneErrorLine(r.stderr)).toContain(`--resources ${fifo}: not a regular file (a FIFO)`);
  });

  it('a namespace path that is a FIFO: refused as not a namespace file', () => {
    const spec = baseSpec(['true']);
    const fifo = mkfifo(join(sb.dir, uniqueId('ns.fifo')));
    spec.linux!.namespaces = spec.linux!.namespaces!.map((ns) => (ns.type === 'network' ? { type: 'network', path: fifo } : ns));
    expect(fails('create', sb.bundle(spec))).toMatch(/network namespace .*: not a namespace file/);
  });

  it('--log naming a FIFO without a reader: the command still finishes, the error on stderr', () => {
    const fifo = mkfifo(join(sb.dir, uniqueId('log.fifo')));
    const id = uniqueId('files');
    const r = sb.run(['--log', fifo, 'create', '--bundle', join(sb.dir, 'no-such-bundle'), id], { timeoutMs: 30_000 });
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/no-such-bundle\/config\.json: cannot read: no such file or directory/);
  });

  it('--pid-file: a FIFO under its temporary name is not opened', () => {
    const dir = join(sb.dir, uniqueId('pid'));
    mkdirSync(dir);
    const id = uniqueId('files');
    // The name create gives its temporary file holds its pid: the shell's, which exec keeps
    // (bin/ocirun is read by /bin/sh first, which execs node).
    const r = spawnSync('sh', ['-c', `mkfifo "${dir}/.pid.$$.tmp" && exec "${OCIRUN}" --root "${sb.root}" create --bundle "${sb.bundle(baseSpec(['true']))}" --pid-file "${dir}/pid" ${id}`], {
      // Not pipes: the created container inherits them and holds them open (see Sandbox.run).
      stdio: 'ignore',
      timeout: 20_000,
    });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'pid'), 'utf8')).toMatch(/^\d+$/);
    sb.ok(['delete', '--force', id]);
  });

  it('--console-socket whose listener accepts nothing (backlog full): create fails at once', async () => {
    const sock = join(sb.dir, uniqueId('console.sock'));
    // listen(0) admits one pending connection; the listener makes it itself and never accepts.
    const listener = spawn('python3', ['-c', 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(0); c=socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); print("ready", flush=True); time.sleep(600)', sock]);
    listeners.push(listener);
    let ready = '';
    listener.stdout?.on('data', (d: Buffer) => (ready += d.toString()));
    expect(await waitFor(() => ready.includes('ready'), 20_000)).toBe(true);
    const spec = baseSpec(['true']);
    spec.process!.terminal = true;
    const id = uniqueId('files');
    const r = sb.run(['create', '--console-socket', sock, '--bundle', sb.bundle(spec), id], { timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/--console-socket .*not accepting connections/);
    expect(leftoversOf(id)).toEqual([]);
  });
});

describe('a process in the container replaces /etc/passwd', () => {
  it('with a FIFO: exec (which reads it for HOME) still runs', async () => {
    const spec = baseSpec(['sh', '-c', 'rm -f /etc/passwd && mkfifo /etc/passwd && touch /tmp/ready && exec sleep 1000']);
    spec.root = { path: sb.rootfsCopy(), readonly: false };
    const id = sb.create(spec);
    sb.ok(['start', id]);
    expect(await waitFor(() => sb.run(['exec', id, 'test', '-e', '/tmp/ready']).status === 0, 20_000)).toBe(true);
    const r = sb.run(['exec', id, 'sh', '-c', 'test -p /etc/passwd && echo HOME=$HOME'], { timeoutMs: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('HOME=/');
  });
});

describe('SIGTERM and SIGINT while a foreground run waits on something legitimately long', () => {
  let hooks = 0;
  /** A duration for the host's sleep(1) that no other test uses: the hook's fingerprint. */
  const uniqueSleep = (): string => `1000.${process.pid}${++hooks}`;

  /**
   * Foreground `run` of `spec`; once `sleep marker` runs (the hook), sends `signals` (a second
   * one half a second after the first). A single signal is held for the set-up's grace period
   * (runc holds it until the process runs), then the wait ends.
   */
  async function interruptedRun(spec: Spec, marker: string, signals: NodeJS.Signals[]): Promise<{ code: number | null; stderr: string; id: string }> {
    const id = uniqueId('sig');
    const child = sb.spawn(['run', '--bundle', sb.bundle(spec), id]);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const hookRuns = (): boolean => spawnSync('pgrep', ['-f', `^sleep ${marker.replace('.', '\\.')}$`]).status === 0;
    expect(await waitFor(hookRuns, 30_000)).toBe(true);
    for (const [i, signal] of signals.entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill(signal);
    }
    // Bounded: the wait ends after the grace period (or at the second signal), not when the
    // hook would (1,000 s).
    const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000))]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).not.toBe('hung');
    expect(hookRuns()).toBe(false);
    return { code: code as number | null, stderr, id };
  }

  it.each([[['SIGTERM']], [['SIGINT', 'SIGINT']]] as const)('a prestart hook without a timeout (run by the runtime): %j stops run and undoes the set-up', { timeout: 120_000 }, async (signals) => {
    const marker = uniqueSleep();
    const spec = baseSpec(['true']);
    spec.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', marker] }] };
    const { code, stderr, id } = await interruptedRun(spec, marker, [...signals]);
    expect(code).toBe(1);
    expect(oneErrorLine(stderr)).toMatch(new RegExp(`prestart hook #0: interrupted by ${signals[0]}`));
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
    expect(leftoversOf(id)).toEqual([]);
    expect(processesOf(id)).toEqual([]);
  });

  it('a createContainer hook without a timeout (run by the init): SIGTERM stops run', { timeout: 120_000 }, async () => {
    const marker = uniqueSleep();
    const spec = baseSpec(['true']);
    spec.hooks = { createContainer: [{ path: '/bin/sleep', args: ['sleep', marker] }] };
    const { code, stderr, id } = await interruptedRun(spec, marker, ['SIGTERM']);
    expect(code).toBe(1);
    expect(oneErrorLine(stderr)).toMatch(/interrupted by SIGTERM/);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
    expect(leftoversOf(id)).toEqual([]);
    expect(processesOf(id)).toEqual([]);
  });
});
