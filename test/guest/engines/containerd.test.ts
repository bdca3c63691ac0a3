// containerd (through containerd-shim-runc-v2) with the runc shim's SystemdCgroup option, as
// kubeadm configures it: `ctr run --runc-systemd-cgroup --cgroup slice:prefix:name`, each
// scenario side by side with runc in the same guest. Every task is a transient scope; its limits
// are in the scope's cgroup v2 files. The daemon is the e2e suite's private one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { Containerd, containerdPerSuite, IMAGE } from '../../e2e/support/containerd.js';
import { cgroupFileOf, show, which, type Result } from '../../e2e/support/host.js';
import { runtimes, scenarioRunner, type Runtime } from '../../e2e/support/runtimes.js';
import { unitKnown, unitProps } from '../systemd/support.js';

const unavailable = Containerd.unavailable() ?? (which('script') ? undefined : 'script (util-linux) is needed for the tty scenarios');
if (unavailable) console.warn(`containerd (SystemdCgroup) suite skipped: ${unavailable}`);

const read = (path: string): string => readFileSync(path, 'utf8').trim();
const MiB = 1024 * 1024;
/** The scope prefix: unit names are host-global. */
const PREFIX = `ctr${process.pid}`;

describe.skipIf(unavailable !== undefined)('containerd, SystemdCgroup = true', () => {
  let cd: Containerd;
  const scenario = scenarioRunner(runtimes(), 600_000);

  containerdPerSuite(600_000, (started) => (cd = started));

  const unitOf = (id: string): string => `${PREFIX}-${id}.scope`;
  const systemdArgs = (rt: Runtime, id: string): string[] => [...cd.runtimeArgs(rt), '--runc-systemd-cgroup', '--cgroup', `system.slice:${PREFIX}:${id}`];

  const run = (rt: Runtime, id: string, args: readonly string[], opts?: readonly string[]): Promise<Result> => cd.run(systemdArgs(rt, id), id, args, opts);
  const detached = (rt: Runtime, cmd?: readonly string[], opts?: readonly string[]): Promise<string> => cd.detached((id) => systemdArgs(rt, id), cmd, opts);

  /** Polls at most 120 s for RUNNING: under emulation a task takes seconds to start. */
  const untilRunning = (id: string, running: Promise<Result>): Promise<void> => cd.untilStatus(id, 'RUNNING', 1200, running);

  scenario('run --rm: output, exit code 42, a missing executable fails the task', async (rt) => {
    const r = await run(rt, cd.id(), ['echo', 'hello from busybox']);
    expect(r.status, show('ctr run --rm echo', r)).toBe(0);
    expect(r.stdout).toBe('hello from busybox\n');
    expect((await run(rt, cd.id(), ['sh', '-c', 'exit 42'])).status).toBe(42);
    const missing = await run(rt, cd.id(), ['/no/such/binary']);
    expect(missing.status, show('ctr run --rm /no/such/binary', missing)).not.toBe(0);
    expect(missing.stderr).toMatch(/no such file or directory/);
  });

  scenario('run -d --memory-limit: a delegated scope with its limit; task exec, pause/resume, delete', async (rt) => {
    const id = await detached(rt, ['sleep', '1000'], ['--memory-limit', String(64 * MiB)]);
    const unit = unitOf(id);
    const pid = await cd.taskPid(id);
    expect(unitProps(unit, ['Delegate', 'Slice', 'MemoryMax'])).toEqual({ Delegate: 'yes', Slice: 'system.slice', MemoryMax: String(64 * MiB) });
    expect(read(`/proc/${pid}/cgroup`)).toBe(`0::/system.slice/${unit}`);
    expect(read(cgroupFileOf(pid, '', 'memory.max'))).toBe(String(64 * MiB));
    const e = await cd.ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo pid1=$(cat /proc/1/comm); exit 4']);
    expect(e.status, show('ctr task exec', e)).toBe(4);
    expect(e.stdout).toBe('pid1=sleep\n');
    const freeze = cgroupFileOf(pid, '', 'cgroup.freeze');
    expect((await cd.ctr(['task', 'pause', id])).status).toBe(0);
    expect(await cd.taskStatus(id)).toBe('PAUSED');
    expect(read(freeze)).toBe('1');
    expect((await cd.ctr(['task', 'resume', id])).status).toBe(0);
    expect(await cd.taskStatus(id)).toBe('RUNNING');
    expect(read(freeze)).toBe('0');
    await cd.ok(['task', 'kill', '--signal', 'SIGKILL', id]);
    await cd.untilStatus(id, 'STOPPED', 1200);
    const d = await cd.ctr(['task', 'delete', id]);
    expect(d.status, show('ctr task delete', d)).toBe(0);
    await cd.ok(['container', 'delete', id]);
    expect(existsSync(join(cd.runtimeRoot(), id)), 'runtime state dir after delete').toBe(false);
    expect(unitKnown(unit)).toBe(false);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  scenario('kill: SIGTERM reaches the process, ctr run exits with its code', async (rt) => {
    const id = cd.id();
    const running = run(rt, id, ['sh', '-c', 'trap "exit 9" TERM; while :; do sleep 0.1; done']);
    await untilRunning(id, running);
    const k = await cd.ctr(['task', 'kill', id]);
    expect(k.status, show('ctr task kill', k)).toBe(0);
    expect((await running).status).toBe(9);
  });

  scenario('run -t: the container process gets a terminal', async (rt) => {
    const id = cd.id();
    const r = await cd.underTty(['run', ...systemdArgs(rt, id), '--rm', '--tty', IMAGE, id, 'sh', '-c', 'tty; exit 5']);
    expect(r.status, show('ctr run -t', r)).toBe(5);
    expect(r.stdout).toMatch(/\/dev\/pts\/0\r*\n/);
  });
});
