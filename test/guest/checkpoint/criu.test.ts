// checkpoint and restore through CRIU on a real host (CRIU cannot run on the build machine's
// kernel): a counting container resumes its count, --leave-running keeps it, a pre-dump then a
// dump restores, a TCP listener in the container's own netns survives, a terminal container
// counts on in a new console socket's pty, and hooks run at restore with the restored init's
// pid; runc does the same steps in the same run as the reference, and each step's time is
// printed next to runc's.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId, waitFor } from '../../support/ocirun.js';

const sb = new Sandbox('guest-checkpoint');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

// The shell's own stdio points into the container's /dev/null: CRIU cannot dump files opened
// outside the container. The count lives in the shell's memory; the file in the container's
// /tmp (a tmpfs CRIU dumps with it) only shows it.
const LOOP = 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done';
const COUNTER = ['sh', '-c', `exec </dev/null >/dev/null 2>&1; ${LOOP}`];

/** On a private copy of the rootfs: the shared one is the guest's read-only 9p share. */
function counterSpec(args = COUNTER): Spec {
  const spec = baseSpec(args);
  spec.root = { path: sb.rootfsCopy(), readonly: true };
  return spec;
}

interface Runtime {
  name: string;
  /** The runtime with its --root, stdio off (the container's stdio is its own). */
  cmd(args: string[], cwd?: string): { status: number; stderr: string; ms: number };
}

function runtime(name: string, bin: string, root: string): Runtime {
  return {
    name,
    cmd(args, cwd) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(bin, ['--root', root, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL' });
      return { status: r.status ?? 137, stderr: r.stderr ?? '', ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    },
  };
}

const ocirun = runtime('ocirun', OCIRUN, sb.root);
const runc = runtime('runc', 'runc', join(sb.dir, 'runc-state'));
const times: Record<string, Record<string, number>> = {};

function ok(rt: Runtime, args: string[], step?: string): void {
  const r = rt.cmd(args);
  if (r.status !== 0) throw new Error(`${rt.name} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  if (step) (times[step] ??= {})[rt.name] = r.ms;
}

function pidOf(rt: Runtime, id: string): number {
  const r = spawnSync(rt.name === 'runc' ? 'runc' : OCIRUN, ['--root', rt === runc ? join(sb.dir, 'runc-state') : sb.root, 'state', id], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { pid: number }).pid;
}

function statusOf(rt: Runtime, id: string): string {
  const r = spawnSync(rt.name === 'runc' ? 'runc' : OCIRUN, ['--root', rt === runc ? join(sb.dir, 'runc-state') : sb.root, 'state', id], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
}

function readCount(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/root/tmp/count`, 'utf8').trim() || '0');
  } catch {
    return 0;
  }
}

/** The count, read again while the shell is between truncating and writing the file. */
function count(pid: number): number {
  for (let i = 0; i < 50; i++) {
    const n = readCount(pid);
    if (n > 0) return n;
  }
  return 0;
}

async function started(rt: Runtime, spec: Spec): Promise<{ id: string; bundle: string; pid: number }> {
  const id = uniqueId(rt.name === 'runc' ? 'runc' : 'ck');
  const bundle = sb.bundle(spec);
  ok(rt, ['run', '-d', '--bundle', bundle, id]);
  const pid = pidOf(rt, id);
  expect(await waitFor(() => count(pid) > 10, 120_000, 100)).toBe(true);
  return { id, bundle, pid };
}

/** The console-socket receiver an engine plays (conformance/terminal/recvtty.py). */
const RECVTTY = fileURLToPath(new URL('../../../conformance/terminal/recvtty.py', import.meta.url));

interface Received {
  message: { nfds?: number; fd_target?: string; payload?: string };
  /** Everything the pty printed, until it had no users left. */
  output: string;
}

async function receiver(): Promise<{ socket: string; result: Promise<Received>; printed: () => string }> {
  const socket = join(sb.dir, `${uniqueId('tty')}.sock`);
  const child = spawn('python3', [RECVTTY, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const result = new Promise<Received>((done) => {
    child.on('exit', () => {
      const [, line = '{}', ...rest] = out.split('\n');
      done({ message: JSON.parse(line) as Received['message'], output: rest.join('\n') });
    });
  });
  expect(await waitFor(() => out.startsWith('ready\n'), 60_000)).toBe(true);
  return { socket, result, printed: () => out };
}

/** The counts a terminal counter printed ("n=12" lines). */
function printedCounts(output: string): number[] {
  return [...output.matchAll(/n=(\d+)/g)].map((m) => Number(m[1]));
}

describe.each([['ocirun'], ['runc']])('%s', (name) => {
  const rt = name === 'runc' ? runc : ocirun;
  afterEach(() => {
    if (rt === runc) spawnSync('sh', ['-c', `for c in $(runc --root ${join(sb.dir, 'runc-state')} list -q); do runc --root ${join(sb.dir, 'runc-state')} delete -f $c; done`]);
  });

  it('checkpoint stops the counting container; restore continues the count where it was', async () => {
    const { id, bundle, pid } = await started(rt, counterSpec());
    const images = join(sb.dir, uniqueId('img'));
    const before = count(pid);
    ok(rt, ['checkpoint', '--image-path', images, id], 'checkpoint');
    expect(statusOf(rt, id)).toBe('absent');
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    const at = Number(readFileSync(join(images, 'descriptors.json'), 'utf8').length > 0);
    expect(at).toBe(1);
    ok(rt, ['restore', '-d', '--image-path', images, '--bundle', bundle, id], 'restore');
    expect(statusOf(rt, id)).toBe('running');
    const restored = pidOf(rt, id);
    const first = count(restored);
    // A fresh start would count from 1; the restored shell goes on from its remembered i.
    expect(first).toBeGreaterThanOrEqual(before);
    expect(await waitFor(() => count(restored) > first + 3, 120_000, 100)).toBe(true);
    ok(rt, ['pause', id]);
    expect(statusOf(rt, id)).toBe('paused');
    ok(rt, ['resume', id]);
    ok(rt, ['delete', '-f', id]);
  });

  it('--leave-running keeps it counting, and the images restore a second copy', async () => {
    const { id, bundle, pid } = await started(rt, counterSpec());
    const images = join(sb.dir, uniqueId('img'));
    ok(rt, ['checkpoint', '--leave-running', '--image-path', images, id], 'checkpoint --leave-running');
    expect(statusOf(rt, id)).toBe('running');
    const now = count(pid);
    expect(await waitFor(() => count(pid) > now + 3, 120_000, 100)).toBe(true);
    ok(rt, ['delete', '-f', id]);
    ok(rt, ['restore', '-d', '--image-path', images, '--bundle', bundle, id]);
    expect(count(pidOf(rt, id))).toBeGreaterThan(10);
    ok(rt, ['delete', '-f', id]);
  });

  it('a pre-dump then a dump with --parent-path restores', async () => {
    const { id, bundle } = await started(rt, counterSpec());
    const base = join(sb.dir, uniqueId('iter'));
    ok(rt, ['checkpoint', '--pre-dump', '--image-path', join(base, 'pre'), id], 'pre-dump');
    expect(statusOf(rt, id)).toBe('running');
    ok(rt, ['checkpoint', '--parent-path', '../pre', '--image-path', join(base, 'final'), id], 'dump after pre-dump');
    expect(statusOf(rt, id)).toBe('absent');
    ok(rt, ['restore', '-d', '--image-path', join(base, 'final'), '--bundle', bundle, id]);
    const restored = pidOf(rt, id);
    const first = count(restored);
    expect(first).toBeGreaterThan(10);
    expect(await waitFor(() => count(restored) > first + 3, 120_000, 100)).toBe(true);
    ok(rt, ['delete', '-f', id]);
  });

  /** A terminal container counting on its tty (run -d, receiver one), checkpointed: the count it last printed. */
  async function checkpointedTerminal(step?: string): Promise<{ id: string; bundle: string; images: string; before: number }> {
    const spec = counterSpec(['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; echo "n=$i"; sleep 0.2; done']);
    (spec.process as NonNullable<Spec['process']>).terminal = true;
    const bundle = sb.bundle(spec);
    const id = uniqueId(rt === runc ? 'runc' : 'ck');
    const first = await receiver();
    ok(rt, ['run', '-d', '--console-socket', first.socket, '--bundle', bundle, id]);
    expect(await waitFor(() => Math.max(0, ...printedCounts(first.printed())) > 10, 120_000, 100)).toBe(true);
    const images = join(sb.dir, uniqueId('img'));
    ok(rt, ['checkpoint', '--image-path', images, id], step);
    // The dumped shell is gone: its pty has no users, the first receiver ends.
    return { id, bundle, images, before: Math.max(...printedCounts((await first.result).output)) };
  }

  it('a terminal container restored with a new --console-socket: its receiver gets a pty master and the count goes on there', async () => {
    const { id, bundle, images, before } = await checkpointedTerminal('checkpoint (terminal)');
    const second = await receiver();
    ok(rt, ['restore', '-d', '--console-socket', second.socket, '--image-path', images, '--bundle', bundle, id], 'restore (terminal)');
    expect(statusOf(rt, id)).toBe('running');
    expect(await waitFor(() => Math.max(0, ...printedCounts(second.printed())) > before + 5, 120_000, 100)).toBe(true);
    ok(rt, ['delete', '-f', id]);
    const got = await second.result;
    expect(got.message.nfds).toBe(1);
    expect(got.message.fd_target).toMatch(/ptmx/);
    const after = printedCounts(got.output);
    // A fresh start would print n=1; the restored shell goes on from its remembered i.
    expect(Math.min(...after)).toBeGreaterThan(10);
    expect(Math.max(...after)).toBeGreaterThan(before + 5);
  });

  // runc 1.1.5's foreground restore of a terminal container printed no count on its stdout within
  // 120 s in the guest (its console-socket restore above works): no reference for this step.
  it.skipIf(name === 'runc')('a terminal container restored in the foreground without --console-socket: restore proxies its pty to its own stdout', async () => {
    const { id, bundle, images, before } = await checkpointedTerminal();
    const bin = rt === runc ? 'runc' : OCIRUN;
    const root = rt === runc ? join(sb.dir, 'runc-state') : sb.root;
    const fg = spawn(bin, ['--root', root, 'restore', '--image-path', images, '--bundle', bundle, id], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    fg.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((done) => fg.on('exit', (code) => done(code)));
    expect(await waitFor(() => Math.max(0, ...printedCounts(out)) > before + 5, 120_000, 100)).toBe(true);
    ok(rt, ['kill', id, 'KILL']);
    // The foreground restore waits for its init as `run` does: 128 + SIGKILL, then it deletes the container.
    expect(await exited).toBe(137);
    expect(statusOf(rt, id)).toBe('absent');
    expect(Math.min(...printedCounts(out))).toBeGreaterThan(10);
  });

  it('hooks at restore: prestart and createRuntime get the restored init\'s pid, poststop runs at delete', async () => {
    const spec = counterSpec();
    const out = join(sb.dir, uniqueId('hooks'));
    mkdirSync(out);
    const hook = (kind: string): { path: string; args: string[] } => ({ path: '/bin/sh', args: ['sh', '-c', `cat > ${out}/${kind}.json`] });
    spec.hooks = { prestart: [hook('prestart')], createRuntime: [hook('createRuntime')], poststart: [hook('poststart')], poststop: [hook('poststop')] };
    const { id, bundle } = await started(rt, spec);
    const images = join(sb.dir, uniqueId('img'));
    ok(rt, ['checkpoint', '--image-path', images, id]);
    // What create, start and the checkpoint's delete wrote: only the restore's hooks count.
    for (const f of readdirSync(out)) rmSync(join(out, f));
    ok(rt, ['restore', '-d', '--image-path', images, '--bundle', bundle, id], 'restore with hooks');
    const restored = pidOf(rt, id);
    const states: Record<string, { status?: string; pid?: number; id?: string }> = {};
    const read = (kind: string): { status?: string; pid?: number; id?: string } | undefined =>
      existsSync(join(out, `${kind}.json`)) ? (JSON.parse(readFileSync(join(out, `${kind}.json`), 'utf8')) as { status?: string; pid?: number; id?: string }) : undefined;
    for (const kind of ['prestart', 'createRuntime', 'poststart']) {
      const state = read(kind);
      if (state) states[kind] = state;
    }
    ok(rt, ['delete', '-f', id]);
    const poststop = read('poststop');
    if (poststop) states['poststop'] = poststop;
    console.log(`restore-hooks ${rt.name}: ${JSON.stringify(states)}`);
    expect(states['prestart']).toMatchObject({ id, pid: restored });
    expect(states['createRuntime']).toMatchObject({ id, pid: restored });
    expect(states['poststop']).toMatchObject({ id, status: 'stopped' });
    if (rt === ocirun) {
      // runc gives these hooks the status of its not-yet-restored container ("stopped");
      // ocirun the one runtime.md names for the moment (creating), and runs poststart, as after start.
      expect(states['prestart']?.status).toBe('creating');
      expect(states['poststart']).toMatchObject({ id, status: 'running', pid: restored });
    }
  });

  // runc 1.1.5's restored listener did not answer in two guest runs while ocirun's did; until that
  // is understood runc is no reference for this step, and its run of it would only turn the stage red.
  it.skipIf(name === 'runc')('a TCP listener on the container\'s loopback survives with --tcp-established', async () => {
    // Both runtimes set the new namespace's loopback up.
    const spec = counterSpec(['sh', '-c', `exec </dev/null >/dev/null 2>&1; nc -ll -p 5000 -e echo hello & ${LOOP}`]);
    const { id, bundle } = await started(rt, spec);
    const bin = rt === runc ? 'runc' : OCIRUN;
    const root = rt === runc ? join(sb.dir, 'runc-state') : sb.root;
    // busybox nc reads the answer while its stdin is open: sleep keeps it open.
    const ask = (): boolean => spawnSync(bin, ['--root', root, 'exec', id, 'sh', '-c', 'sleep 3 | nc 127.0.0.1 5000'], { encoding: 'utf8', input: '', timeout: 120_000 }).stdout.trim() === 'hello';
    expect(await waitFor(ask, 120_000, 500)).toBe(true);
    const images = join(sb.dir, uniqueId('img'));
    ok(rt, ['checkpoint', '--tcp-established', '--image-path', images, id], 'checkpoint --tcp-established');
    ok(rt, ['restore', '-d', '--tcp-established', '--image-path', images, '--bundle', bundle, id], 'restore --tcp-established');
    expect(await waitFor(ask, 120_000, 500)).toBe(true);
    ok(rt, ['delete', '-f', id]);
  });
});

afterAll(() => {
  // The report's numbers: each step's wall time under the guest's emulation, ocirun next to runc.
  for (const [step, t] of Object.entries(times)) {
    const o = t['ocirun'];
    const r = t['runc'];
    console.log(`checkpoint-times ${step}: ocirun ${o?.toFixed(0)} ms, runc ${r?.toFixed(0)} ms${o && r ? `, ratio ${(o / r).toFixed(2)}` : ''}`);
  }
});
