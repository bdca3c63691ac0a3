// containerd (through containerd-shim-runc-v2) driving ocirun in runc's place, `ctr run
// --runc-binary <path>`, each scenario side by side with runc: run, exec, kill, tty, pause and
// resume, ps, delete. The daemon is private to this file and stopped in afterAll.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { Containerd, containerdPerSuite, IMAGE } from './support/containerd.js';
import { cgroupFileOf, show, which, type Result } from './support/host.js';
import { runtimes, scenarioRunner, type Runtime } from './support/runtimes.js';

const unavailable = Containerd.unavailable() ?? (which('script') ? undefined : 'script (util-linux) is needed for the tty scenarios');
if (unavailable) console.warn(`containerd end-to-end suite skipped: ${unavailable}`);

const read = (path: string): string => readFileSync(path, 'utf8').trim();

describe.skipIf(unavailable !== undefined)('containerd', () => {
  let cd: Containerd;
  const scenario = scenarioRunner(runtimes());

  containerdPerSuite(120_000, (started) => (cd = started));

  const run = (rt: Runtime, id: string, args: readonly string[], opts?: readonly string[]): Promise<Result> => cd.run(cd.runtimeArgs(rt), id, args, opts);
  const detached = (rt: Runtime, cmd?: readonly string[], opts?: readonly string[]): Promise<string> => cd.detached(() => cd.runtimeArgs(rt), cmd, opts);

  /** Polls at most 30 s for RUNNING: the host is loaded but not emulated. */
  const untilRunning = (id: string, running: Promise<Result>): Promise<void> => cd.untilStatus(id, 'RUNNING', 300, running);

  scenario('run --rm: output and exit code 0', async (rt) => {
    const r = await run(rt, cd.id(), ['echo', 'hello from busybox']);
    expect(r.status, show('ctr run --rm echo', r)).toBe(0);
    expect(r.stdout).toBe('hello from busybox\n');
  });

  scenario('run --rm: the process exit code (42)', async (rt) => {
    const r = await run(rt, cd.id(), ['sh', '-c', 'echo to-stderr >&2; exit 42']);
    expect(r.status, show('ctr run --rm exit 42', r)).toBe(42);
    expect(r.stderr).toContain('to-stderr');
  });

  scenario('run --rm: a missing executable fails the task with the runtime error', async (rt) => {
    const r = await run(rt, cd.id(), ['/no/such/binary']);
    expect(r.status, show('ctr run --rm /no/such/binary', r)).not.toBe(0);
    expect(r.stderr).toMatch(/no such file or directory/);
  });

  scenario('run -d, then task exec: output and exit code', async (rt) => {
    const id = await detached(rt);
    expect(await cd.taskStatus(id)).toBe('RUNNING');
    const r = await cd.ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo pid1=$(cat /proc/1/comm); exit 4']);
    expect(r.status, show('ctr task exec', r)).toBe(4);
    expect(r.stdout).toBe('pid1=sleep\n');
  });

  scenario('run: --env, --cwd and --read-only reach the container', async (rt) => {
    const r = await run(rt, cd.id(), ['sh', '-c', 'echo "$GREETING $(pwd)"; touch /x'], ['--rm', '--env', 'GREETING=hi', '--cwd', '/tmp', '--read-only']);
    expect(r.stdout, show('ctr run --env --cwd --read-only', r)).toBe('hi /tmp\n');
    expect(r.stderr).toContain('Read-only file system');
    expect(r.status).toBe(1);
  });

  scenario('task exec: --user and --cwd of the exec process', async (rt) => {
    const id = await detached(rt);
    const r = await cd.ctr(['task', 'exec', '--exec-id', 'e3', '--user', '65534', '--cwd', '/tmp', id, 'sh', '-c', 'echo "$(id -u) $(pwd)"']);
    expect(r.status, show('ctr task exec --user --cwd', r)).toBe(0);
    expect(r.stdout).toBe('65534 /tmp\n');
  });

  scenario('run --with-ns: joins another task\'s network namespace', async (rt) => {
    const first = await detached(rt);
    const netns = `/proc/${await cd.taskPid(first)}/ns/net`;
    const id = await detached(rt, ['sleep', '1000'], ['--with-ns', `network:${netns}`]);
    expect(readlinkSync(`/proc/${await cd.taskPid(id)}/ns/net`)).toBe(readlinkSync(netns));
  });

  scenario('run -t: the container process gets a terminal', async (rt) => {
    const r = await cd.underTty(['run', ...cd.runtimeArgs(rt), '--rm', '--tty', IMAGE, cd.id(), 'sh', '-c', 'tty; exit 5']);
    expect(r.status, show('ctr run -t', r)).toBe(5);
    expect(r.stdout).toMatch(/\/dev\/pts\/0\r*\n/);
  });

  scenario('task exec -t: the exec process gets a terminal', async (rt) => {
    const id = await detached(rt);
    const r = await cd.underTty(['task', 'exec', '--tty', '--exec-id', 'e2', id, 'sh', '-c', 'tty; exit 6']);
    expect(r.status, show('ctr task exec -t', r)).toBe(6);
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r*\n/);
  });

  scenario('kill: SIGTERM reaches the process, ctr run exits with its code', async (rt) => {
    const id = cd.id();
    const running = run(rt, id, ['sh', '-c', 'trap "exit 9" TERM; while :; do sleep 0.1; done']);
    await untilRunning(id, running);
    const k = await cd.ctr(['task', 'kill', id]);
    expect(k.status, show('ctr task kill', k)).toBe(0);
    const r = await running;
    expect(r.status, show('ctr run (killed)', r)).toBe(9);
  });

  scenario('kill -s SIGKILL: the task stops with 137', async (rt) => {
    const id = cd.id();
    const running = run(rt, id, ['sleep', '1000']);
    await untilRunning(id, running);
    const k = await cd.ctr(['task', 'kill', '--signal', 'SIGKILL', id]);
    expect(k.status, show('ctr task kill -s SIGKILL', k)).toBe(0);
    expect((await running).status).toBe(137);
  });

  scenario('pause / resume: the freezer stops and resumes the task', async (rt) => {
    const id = await detached(rt);
    const freezer = cgroupFileOf(await cd.taskPid(id), 'freezer', 'freezer.state');
    const p = await cd.ctr(['task', 'pause', id]);
    expect(p.status, show('ctr task pause', p)).toBe(0);
    expect(await cd.taskStatus(id)).toBe('PAUSED');
    expect(read(freezer)).toBe('FROZEN');
    const r = await cd.ctr(['task', 'resume', id]);
    expect(r.status, show('ctr task resume', r)).toBe(0);
    expect(await cd.taskStatus(id)).toBe('RUNNING');
    expect(read(freezer)).toBe('THAWED');
  });

  scenario('task ps: lists the container processes', async (rt) => {
    const id = await detached(rt, ['sh', '-c', 'sleep 999 & exec sleep 1000']);
    const pid = await cd.taskPid(id);
    const r = await cd.ctr(['task', 'ps', id]);
    expect(r.status, show('ctr task ps', r)).toBe(0);
    const pids = r.stdout.split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0])).filter((n) => n > 0);
    expect(pids).toContain(pid);
    expect(pids).toHaveLength(2);
  });

  scenario('--memory-limit: the limit is set on the container cgroup', async (rt) => {
    const id = await detached(rt, ['sleep', '1000'], ['--memory-limit', String(64 * 1024 * 1024)]);
    const file = cgroupFileOf(await cd.taskPid(id), 'memory', 'memory.limit_in_bytes');
    expect(file).toContain(`/${cd.namespace}/${id}/`);
    expect(read(file)).toBe(String(64 * 1024 * 1024));
  });

  scenario('delete: the task, the runtime state and the cgroup go', async (rt) => {
    const id = await detached(rt);
    const pid = await cd.taskPid(id);
    const cgroupDir = cgroupFileOf(pid, 'memory', '');
    expect(existsSync(join(cd.runtimeRoot(), id)), 'runtime state dir while running').toBe(true);
    await cd.ok(['task', 'kill', '--signal', 'SIGKILL', id]);
    await cd.untilStatus(id, 'STOPPED', 300);
    const d = await cd.ctr(['task', 'delete', id]);
    expect(d.status, show('ctr task delete', d)).toBe(0);
    expect(await cd.taskStatus(id)).toBe('absent');
    const c = await cd.ctr(['container', 'delete', id]);
    expect(c.status, show('ctr container delete', c)).toBe(0);
    expect(existsSync(join(cd.runtimeRoot(), id)), 'runtime state dir after delete').toBe(false);
    expect(existsSync(cgroupDir), `cgroup ${cgroupDir} after delete`).toBe(false);
    expect(existsSync(`/proc/${pid}`), 'init process after delete').toBe(false);
  });
});
