// ocirun's side of CRIU's RPC on a host where CRIU cannot run: fake-criu-swrk.py plays criu swrk
// (the request, notifications with the restored pid, the pty master over SCM_RIGHTS, the answer)
// and checks what CRIU would: that the image and work directories open through ocirun's fds.
// The real CRIU runs in the guest (test/guest/checkpoint/).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, leftoversOf, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';

const sb = new Sandbox('checkpoint-swrk');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const FAKE = fileURLToPath(new URL('./fake-criu-swrk.py', import.meta.url));
const RECVTTY = fileURLToPath(new URL('../terminal/recvtty.py', import.meta.url));

interface Plan {
  notify?: string[];
  tty_text?: string;
  fail?: string;
}

function images(): string {
  const dir = join(sb.dir, uniqueId('img'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'descriptors.json'), JSON.stringify(['/dev/null', '/dev/null', '/dev/null']));
  return dir;
}

function restore(id: string, spec: Spec, plan: Plan, extra: string[] = []): { status: number; stderr: string; img: string } {
  const img = images();
  const r = sb.run(['--criu', FAKE, 'restore', '-d', ...extra, '--image-path', img, '--bundle', sb.bundle(spec), id], { env: { FAKE_CRIU_PLAN: JSON.stringify(plan) } });
  return { status: r.status, stderr: r.stderr, img };
}

/** Hooks that write the state they get to OUT/KIND.json. */
function withStateHooks(spec: Spec, out: string, kinds: Array<'prestart' | 'createRuntime' | 'poststart' | 'poststop'>): Spec {
  spec.hooks = {};
  for (const kind of kinds) spec.hooks[kind] = [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${out}/${kind}.json`] }];
  return spec;
}

function stateIn(out: string, kind: string): { status?: string; pid?: number } | undefined {
  const file = join(out, `${kind}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { status?: string; pid?: number }) : undefined;
}

describe('restore over criu swrk', () => {
  it('runs prestart and createRuntime at setup-namespaces with the restored pid, poststart after, poststop at delete', () => {
    const out = join(sb.dir, uniqueId('hooks'));
    mkdirSync(out);
    const id = uniqueId();
    const r = restore(id, withStateHooks(baseSpec(['sh']), out, ['prestart', 'createRuntime', 'poststart', 'poststop']), { notify: ['setup-namespaces', 'post-restore'] });
    expect(r.status, r.stderr).toBe(0);
    const state = sb.state(id);
    expect(state.status).toBe('running');
    expect(stateIn(out, 'prestart')).toMatchObject({ status: 'creating', pid: state.pid });
    expect(stateIn(out, 'createRuntime')).toMatchObject({ status: 'creating', pid: state.pid });
    expect(stateIn(out, 'poststart')).toMatchObject({ status: 'running', pid: state.pid });
    expect(readFileSync(join(r.img, 'restore.log'), 'utf8')).toMatch(/stand-in criu: request type 2, orphan_pts_master \[1\]/);
    sb.ok(['delete', '-f', id]);
    expect(stateIn(out, 'poststop')).toMatchObject({ status: 'stopped' });
  });

  it('a failing prestart hook fails the restore: CRIU undoes it, poststop runs, nothing is left', () => {
    const out = join(sb.dir, uniqueId('hooks'));
    mkdirSync(out);
    const spec = withStateHooks(baseSpec(['sh']), out, ['poststop']);
    spec.hooks = { ...spec.hooks, prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo no restore here >&2; exit 3'] }] };
    const id = uniqueId();
    const r = restore(id, spec, { notify: ['setup-namespaces'] });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error running prestart hook #0: hook .*exited with status 3: no restore here/);
    expect(readFileSync(join(r.img, 'restore.log'), 'utf8')).toMatch(/setup-namespaces notification not answered/);
    expect(stateIn(out, 'poststop')).toMatchObject({ status: 'stopped' });
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });

  it('CRIU\'s own failure message reaches the error line with the log', () => {
    const id = uniqueId();
    const r = restore(id, baseSpec(['sh']), { fail: 'cannot restore this image' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/criu restore failed \(log: .*restore\.log\): Error \(criu\/cr-restore\.c:1\): cannot restore this image/);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });

  it('a terminal: the pty master CRIU sends goes to --console-socket, and what the process wrote reads from it', async () => {
    const socket = join(sb.dir, `${uniqueId('tty')}.sock`);
    const rx = spawn('python3', [RECVTTY, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    rx.stdout?.on('data', (d: Buffer) => (got += d.toString()));
    const done = new Promise<void>((resolve) => rx.on('exit', () => resolve()));
    expect(await waitFor(() => got.startsWith('ready\n'), 20_000)).toBe(true);
    const spec = baseSpec(['sh']);
    (spec.process as NonNullable<Spec['process']>).terminal = true;
    const id = uniqueId();
    const r = restore(id, spec, { notify: ['setup-namespaces', 'orphan-pts-master'], tty_text: 'n=41\n' }, ['--console-socket', socket]);
    expect(r.status, r.stderr).toBe(0);
    await done;
    const [, line = '{}', ...rest] = got.split('\n');
    expect(JSON.parse(line)).toMatchObject({ payload: '/dev/ptmx', nfds: 1, fd_target: '/dev/ptmx' });
    expect(rest.join('\n')).toContain('n=41');
    expect(sb.state(id).status).toBe('running');
    sb.ok(['delete', '-f', id]);
  });

  it('process.terminal must match the checkpoint: a pty master without it, or none with it, is an error by field', async () => {
    const id = uniqueId();
    const plain = restore(id, baseSpec(['sh']), { notify: ['orphan-pts-master'] });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/process\.terminal: the checkpoint's process has a terminal, but process\.terminal is false/);
    const socket = join(sb.dir, `${uniqueId('tty')}.sock`);
    const rx = spawn('python3', [RECVTTY, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    rx.stdout?.on('data', (d: Buffer) => (got += d.toString()));
    expect(await waitFor(() => got.startsWith('ready\n'), 20_000)).toBe(true);
    const spec = baseSpec(['sh']);
    (spec.process as NonNullable<Spec['process']>).terminal = true;
    const none = restore(id, spec, { notify: ['setup-namespaces'] }, ['--console-socket', socket]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/process\.terminal: the checkpoint's process has no terminal \(CRIU sent no pty master\)/);
    rx.kill();
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });
});
