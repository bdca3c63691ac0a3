// `run` (create + start; in the foreground: wait, forward signals, delete, exit with the
// process's status), `--pid-file`, and `list`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { GOLDEN_DIR } from '../../test/support/golden.js';

const sb = new Sandbox('lifecycle-run');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function run(args: string[], spec = baseSpec(args)): { status: number; stdout: string; stderr: string; id: string } {
  const id = uniqueId();
  return { ...sb.run(['run', '--bundle', sb.bundle(spec), id]), id };
}

/** Without a pid namespace the process is not a pid 1, which ignores signals it has no handler for. */
function noPidns(args: string[]): Spec {
  const spec = baseSpec(args);
  spec.linux = { ...spec.linux, namespaces: spec.linux?.namespaces?.filter((n) => n.type !== 'pid') ?? [] };
  return spec;
}

function exited(child: ReturnType<Sandbox['spawn']>): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
}

describe('run in the foreground', () => {
  it.each([
    [['true'], 0],
    [['sh', '-c', 'exit 42'], 42],
    [['sh', '-c', 'kill -KILL $$'], 137],
    [['sh', '-c', 'kill -TERM $$; sleep 5'], 143],
  ])('%j exits %d and leaves nothing behind', (args, code) => {
    const r = run(args, noPidns(args));
    expect(r.status, r.stderr).toBe(code);
    expect(sb.run(['state', r.id]).status).toBe(1);
  });

  it("passes the process's stdout and stderr through", () => {
    const r = run(['sh', '-c', 'echo out; echo err >&2']);
    expect(r).toMatchObject({ status: 0, stdout: 'out\n' });
    expect(r.stderr).toBe('err\n');
  });

  it('reads the caller\'s stdin', () => {
    const id = uniqueId();
    const r = sb.run(['run', '--bundle', sb.bundle(baseSpec(['cat'])), id], { input: 'from stdin\n' });
    expect(r).toMatchObject({ status: 0, stdout: 'from stdin\n' });
  });

  it('forwards SIGTERM and SIGUSR1 to the process', async () => {
    const id = uniqueId();
    const script = 'trap "echo usr1" USR1; trap "echo term; exit 7" TERM; echo ready; while true; do sleep 0.05; done';
    const child = sb.spawn(['run', '--bundle', sb.bundle(baseSpec(['sh', '-c', script])), id]);
    const done = exited(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    expect(await waitFor(() => out.includes('ready'), 10_000)).toBe(true);
    child.kill('SIGUSR1');
    expect(await waitFor(() => out.includes('usr1'), 5000)).toBe(true);
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    expect(code).toBe(7);
    expect(stdout).toBe('ready\nusr1\nterm\n');
    expect(sb.run(['state', id]).status).toBe(1);
  });

  it('a SIGTERM that arrives while the container is being created reaches the process once it runs', async () => {
    const id = uniqueId();
    const spec = noPidns(['sleep', '100']);
    // A slow prestart hook holds create open long enough to signal it.
    spec.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', '1'] }] };
    const child = sb.spawn(['run', '--bundle', sb.bundle(spec), id]);
    const done = exited(child);
    expect(await waitFor(() => existsSync(join(sb.root, id)), 10_000)).toBe(true);
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
    expect(sb.run(['state', id]).status).toBe(1);
  });

  it('a process killed from outside: 128 + signal', async () => {
    const id = uniqueId();
    const child = sb.spawn(['run', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), id]);
    const done = exited(child);
    expect(await waitFor(() => sb.run(['state', id]).stdout.includes('"running"'), 10_000)).toBe(true);
    sb.ok(['kill', id, 'KILL']);
    expect((await done).code).toBe(137);
  });

  it('a process that cannot start: exit 1, runc\'s words, nothing left', () => {
    const id = uniqueId();
    const r = sb.run(['--log-format', 'json', 'run', '--bundle', sb.bundle(baseSpec(['/nonexistent-binary'])), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((JSON.parse(r.stderr) as { msg: string }).msg).toMatch(/ocirun run failed: unable to start container process: exec: "\/nonexistent-binary": stat \/nonexistent-binary: no such file or directory/);
    expect(sb.run(['state', id]).status).toBe(1);
  });
});

describe('run --detach', () => {
  it('returns at once with the container running; its exit leaves it stopped', async () => {
    const id = uniqueId();
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    expect(sb.run(['run', '-d', '--bundle', bundle, id]).status).toBe(0);
    expect(sb.state(id).status).toBe('running');
    sb.ok(['kill', id, 'KILL']);
    expect(await waitFor(() => sb.state(id).status === 'stopped', 10_000)).toBe(true);
  });
});

describe('--pid-file', () => {
  it('create writes the init pid: digits only, no newline, what state reports', () => {
    const pidFile = join(sb.dir, `${uniqueId('pid')}.pid`);
    const id = sb.create(baseSpec(['sleep', '100']), ['--pid-file', pidFile]);
    const text = readFileSync(pidFile, 'utf8');
    expect(text).toMatch(/^\d+$/);
    expect(readFileSync(join(GOLDEN_DIR, 'runc.pid'), 'utf8')).toMatch(/^\d+$/);
    expect(Number(text)).toBe(sb.state(id).pid);
  });

  it('run --detach --pid-file=P, relative to the caller\'s directory', () => {
    const id = uniqueId();
    const name = `${uniqueId('rel')}.pid`;
    sb.ok(['run', '--detach', `--pid-file=${name}`, '--bundle', sb.bundle(baseSpec(['sleep', '100'])), id], { cwd: sb.dir });
    expect(Number(readFileSync(join(sb.dir, name), 'utf8'))).toBe(sb.state(id).pid);
  });
});

describe('list', () => {
  it('table, json and -q show every container with its status', async () => {
    const running = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', running]);
    const created = sb.create(baseSpec(['sleep', '100']));
    const table = sb.ok(['list']).split('\n');
    expect(table[0]).toMatch(/^ID +PID +STATUS +BUNDLE +CREATED +OWNER$/);
    const rowOf = (id: string) => table.find((l) => l.startsWith(`${id} `))?.split(/ +/);
    expect(rowOf(running)?.slice(0, 3)).toEqual([running, String(sb.state(running).pid), 'running']);
    expect(rowOf(created)?.[2]).toBe('created');
    expect(rowOf(created)?.[5]).toBe('root');

    const goldenKeys = Object.keys((JSON.parse(readFileSync(join(GOLDEN_DIR, 'runc-list.json'), 'utf8')) as object[])[0] as object);
    const json = JSON.parse(sb.ok(['list', '--format', 'json'])) as Array<Record<string, unknown>>;
    expect(json.map((e) => e.id)).toEqual([created, running].sort());
    for (const e of json) expect(Object.keys(e)).toEqual(goldenKeys);
    expect(json.find((e) => e.id === running)).toMatchObject({ status: 'running', owner: 'root' });

    expect(sb.ok(['list', '-q']).split('\n').filter(Boolean).sort()).toEqual([created, running].sort());
    expect(sb.ok(['list', '--format=json', '-q'])).toBe(sb.ok(['list', '-q']));
  });

  it('an empty root: the header only, and json null as runc prints it', () => {
    const empty = join(sb.dir, 'empty-root');
    const r = sb.run(['--root', empty, 'list']);
    expect(r.stdout).toBe('ID          PID         STATUS      BUNDLE      CREATED     OWNER\n');
    expect(sb.run(['--root', empty, 'list', '-f', 'json']).stdout).toBe('null\n');
    expect(sb.run(['--root', empty, 'list', '-q']).stdout).toBe('');
  });

  it('an invalid format is an error', () => {
    const r = sb.run(['list', '--format', 'yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/yaml/);
  });

  it('state dir permissions: root 0711, not world-readable state', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    expect(statSync(join(sb.root, id, 'state.json')).mode & 0o077).toBe(0);
  });
});
