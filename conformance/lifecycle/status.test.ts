// runtime.md "Lifecycle" and "Operations": statuses, state output, and the errors of each
// operation in the wrong state, with runc's words (engines match them).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { GOLDEN_DIR } from '../../test/support/golden.js';

const sb = new Sandbox('lifecycle-status');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function stopped(id: string): Promise<boolean> {
  return waitFor(() => sb.state(id).status === 'stopped', 10_000);
}

/** The error line of a failed call with --log-format json: exactly one per call. */
function failure(args: string[]): { status: number; msg: string; lines: number } {
  const r = sb.run(['--log-format', 'json', ...args]);
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  return { status: r.status, msg: (JSON.parse(lines[0] ?? '{}') as { msg?: string }).msg ?? '', lines: lines.length };
}

describe('state (runtime.md "State")', () => {
  it("created → running → stopped, in runc's shape and key order; pid 0 once stopped", async () => {
    const spec = baseSpec(['sleep', '100']);
    spec.annotations = { 'org.example.key': 'value' };
    const bundle = sb.bundle(spec);
    const id = uniqueId();
    sb.ok(['create', '--bundle', bundle, id]);
    const goldenKeys = Object.keys(JSON.parse(readFileSync(join(GOLDEN_DIR, 'runc-state-created.json'), 'utf8')) as object);

    const raw = sb.ok(['state', id]);
    expect(raw).toMatch(/^\{\n  "ociVersion": /);
    const created = JSON.parse(raw) as Record<string, unknown>;
    expect(Object.keys(created)).toEqual([...goldenKeys, 'annotations']);
    expect(created).toMatchObject({ id, status: 'created', bundle, rootfs: spec.root?.path, annotations: { 'org.example.key': 'value' } });
    expect(created.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const pid = created.pid as number;
    expect(alive(pid)).toBe(true);

    sb.ok(['start', id]);
    expect(sb.state(id)).toMatchObject({ status: 'running', pid });

    sb.ok(['kill', id, 'KILL']);
    expect(await stopped(id)).toBe(true);
    expect(sb.state(id)).toMatchObject({ status: 'stopped', pid: 0, created: created.created });
    sb.ok(['delete', id]);
    expect(sb.run(['state', id])).toMatchObject({ status: 1 });
  });

  it('a process that exits by itself leaves the container stopped, not gone', async () => {
    const id = sb.create(baseSpec(['true']));
    sb.ok(['start', id]);
    expect(await stopped(id)).toBe(true);
    sb.ok(['delete', id]);
  });

  it('state of an unknown id: "container does not exist", exit 1, one json line', () => {
    expect(failure(['state', 'no-such-container'])).toEqual({ status: 1, msg: 'container does not exist', lines: 1 });
  });
});

describe('create (runtime.md "create")', () => {
  it('a duplicate id fails with runc\'s words and leaves the first container unharmed', () => {
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const id = uniqueId();
    sb.ok(['create', '--bundle', bundle, id]);
    const before = sb.state(id);
    const f = failure(['create', '--bundle', bundle, id]);
    expect(f).toMatchObject({ status: 1, lines: 1 });
    expect(f.msg).toMatch(/container with given ID already exists/);
    expect(sb.state(id)).toEqual(before);
    sb.ok(['start', id]);
    expect(sb.state(id).status).toBe('running');
  });

  it('the process does not run before start (the start gate)', async () => {
    const id = sb.create(baseSpec(['sh', '-c', 'echo started > /dev/shm/mark; sleep 100']));
    const mark = `/proc/${sb.state(id).pid}/root/dev/shm/mark`;
    expect(await waitFor(() => existsSync(mark), 300)).toBe(false);
    sb.ok(['start', id]);
    expect(await waitFor(() => existsSync(mark))).toBe(true);
  });
});

describe('start (runtime.md "start")', () => {
  it('twice is an error; the container keeps running', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', id]);
    expect(failure(['start', id])).toEqual({ status: 1, msg: 'cannot start an already running container', lines: 1 });
    expect(sb.state(id).status).toBe('running');
  });

  it('of a stopped container is an error', async () => {
    const id = sb.create(baseSpec(['true']));
    sb.ok(['start', id]);
    expect(await stopped(id)).toBe(true);
    expect(failure(['start', id])).toEqual({ status: 1, msg: 'cannot start a container that has stopped', lines: 1 });
  });

  it('of a created container whose init was killed fails instead of hanging', async () => {
    const id = sb.create(baseSpec(['true']));
    process.kill(sb.state(id).pid, 'SIGKILL');
    expect(await stopped(id)).toBe(true);
    const f = failure(['start', id]);
    expect(f.status).toBe(1);
    expect(f.msg).toMatch(/stopped|exited/);
  });

  it('of an unknown id: "container does not exist"', () => {
    expect(failure(['start', 'no-such-container'])).toEqual({ status: 1, msg: 'container does not exist', lines: 1 });
  });
});

describe('kill (runtime.md "kill")', () => {
  it('TERM, SIGTERM, 15 and the default all deliver SIGTERM; KILL stops it (options may follow the id)', async () => {
    const id = sb.create(baseSpec(['sh', '-c', 'trap "echo t >> /dev/shm/log" TERM; while true; do sleep 0.05; done']));
    sb.ok(['start', id]);
    const log = `/proc/${sb.state(id).pid}/root/dev/shm/log`;
    const count = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0);
    const sends: string[][] = [['TERM'], ['SIGTERM'], ['15'], []];
    for (const [i, sig] of sends.entries()) {
      sb.ok(['kill', id, ...sig]);
      expect(await waitFor(() => count() === i + 1), `kill ${sig.join(' ')}`).toBe(true);
    }
    sb.ok(['kill', id, 'KILL']);
    expect(await stopped(id)).toBe(true);
  });

  it.each([['KILL'], ['TERM'], ['INT']])('%s stops a created container (as it stops runc\'s waiting init)', async (sig) => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['kill', id, sig]);
    expect(await stopped(id)).toBe(true);
  });

  it('a signal runc\'s waiting init ignores leaves a created container created', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['kill', id, 'USR1']);
    expect(await waitFor(() => sb.state(id).status !== 'created', 300)).toBe(false);
  });

  it('--all signals every process in the container, after the id as well', async () => {
    const spec = baseSpec(['sh', '-c', 'sleep 100 & sleep 100 & echo ready > /dev/shm/r; wait']);
    const id = sb.create(spec);
    sb.ok(['start', id]);
    sb.ok(['kill', id, 'KILL', '--all']);
    expect(await stopped(id)).toBe(true);
    const cg = readFileSync('/proc/self/cgroup', 'utf8');
    expect(cg).not.toMatch(id);
  });

  it('of a stopped container: "container not running"', async () => {
    const id = sb.create(baseSpec(['true']));
    sb.ok(['start', id]);
    expect(await stopped(id)).toBe(true);
    expect(failure(['kill', id, 'KILL'])).toEqual({ status: 1, msg: 'container not running', lines: 1 });
  });

  it('an unknown signal is an error that names it, and changes nothing', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const f = failure(['kill', id, 'BOGUS']);
    expect(f.status).toBe(1);
    expect(f.msg).toMatch(/BOGUS/);
    expect(sb.state(id).status).toBe('created');
  });

  it('of an unknown id: "container does not exist"', () => {
    expect(failure(['kill', 'no-such-container', '9'])).toEqual({ status: 1, msg: 'container does not exist', lines: 1 });
  });
});

describe('delete (runtime.md "delete")', () => {
  it('of a running container without --force fails with runc\'s words and leaves it running', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', id]);
    const pid = sb.state(id).pid;
    expect(failure(['delete', id])).toEqual({ status: 1, msg: `cannot delete container ${id} that is not stopped: running`, lines: 1 });
    expect(sb.state(id)).toMatchObject({ status: 'running', pid });
    expect(alive(pid)).toBe(true);
  });

  it('of a created container without --force fails too (the spec, not runc)', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    expect(failure(['delete', id])).toMatchObject({ status: 1, msg: `cannot delete container ${id} that is not stopped: created` });
    expect(sb.state(id).status).toBe('created');
  });

  it('--force (before or after the id) kills a running container and removes every trace', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', id]);
    const pid = sb.state(id).pid;
    sb.ok(['delete', id, '--force']);
    expect(alive(pid)).toBe(false);
    expect(sb.run(['state', id]).status).toBe(1);
    expect(sb.cleanup()).toEqual([]);
  });

  it('-f of a created container', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const pid = sb.state(id).pid;
    sb.ok(['delete', '-f', id]);
    expect(alive(pid)).toBe(false);
  });

  it('of a stopped container without a pid namespace also kills what the init left in its cgroup', async () => {
    const spec = baseSpec(['sh', '-c', 'sleep 100 & echo $! > /dev/shm/child; sleep 1']);
    spec.linux = { ...spec.linux, namespaces: spec.linux?.namespaces?.filter((n) => n.type !== 'pid') ?? [] };
    const id = sb.create(spec);
    const pid = sb.state(id).pid;
    const childFile = `/proc/${pid}/root/dev/shm/child`;
    sb.ok(['start', id]);
    expect(await waitFor(() => existsSync(childFile))).toBe(true);
    const child = Number(readFileSync(childFile, 'utf8'));
    expect(await stopped(id)).toBe(true);
    expect(alive(child)).toBe(true);
    sb.ok(['delete', id]);
    expect(await waitFor(() => !alive(child))).toBe(true);
  });

  it('of an unknown id: error without --force, success with it', () => {
    expect(failure(['delete', 'no-such-container'])).toEqual({ status: 1, msg: 'container does not exist', lines: 1 });
    expect(sb.run(['delete', '--force', 'no-such-container']).status).toBe(0);
  });
});
