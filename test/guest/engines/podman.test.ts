// podman with cgroup_manager = "systemd" (its default on a systemd host) driving ocirun, each
// scenario side by side with runc in the same guest: podman calls the runtime with
// --systemd-cgroup and a "<parent slice>:libpod:<id>" cgroupsPath, so every container is a
// libpod-<id>.scope with its limits in the scope's cgroup v2 files. Under emulation each
// container costs seconds, so a scenario checks as much as one container can show.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { cgroupFileOf, show } from '../../e2e/support/host.js';
import { IMAGE, Podman } from '../../e2e/support/podman.js';
import { runRmScenarios } from '../../e2e/support/engine-scenarios.js';
import { runtimes, scenarioRunner, type Runtime } from '../../e2e/support/runtimes.js';
import { unitProps } from '../systemd/support.js';

const unavailable = Podman.unavailable();
if (unavailable) console.warn(`podman (systemd cgroup manager) suite skipped: ${unavailable}`);

const read = (path: string): string => readFileSync(path, 'utf8').trim();
const MiB = 1024 * 1024;

describe.skipIf(unavailable !== undefined)('podman, cgroup_manager = "systemd"', () => {
  let pm: Podman;
  const scenario = scenarioRunner(runtimes(), 600_000);

  beforeAll(async () => {
    pm = await Podman.create('systemd');
  }, 600_000);
  afterEach(async () => {
    await pm?.removeContainers();
  }, 600_000);
  afterAll(async () => {
    if (pm) expect(await pm.destroy()).toEqual([]);
  }, 600_000);

  const runRm = (rt: Runtime, args: readonly string[], opts: readonly string[] = []) => pm.run(rt, ['--rm', ...opts, IMAGE, ...args]);
  const podman = (args: readonly string[]) => pm.podman(args);

  runRmScenarios(scenario, runRm);

  scenario('run -d --memory --pids-limit: a delegated scope with its limits; exec, pause/unpause, update, kill', async (rt) => {
    const name = pm.name();
    await pm.ok(pm.runArgs(rt, ['-d', '--name', name, '--memory', '64m', '--pids-limit', '50', IMAGE, 'sleep', '1000']));
    const unit = `libpod-${await pm.inspect(name, '{{.Id}}')}.scope`;
    const pid = await pm.pid(name);
    expect(unitProps(unit, ['Delegate', 'Slice', 'MemoryMax', 'TasksMax'])).toEqual({ Delegate: 'yes', Slice: pm.cgroupParent, MemoryMax: String(64 * MiB), TasksMax: '50' });
    expect(read(`/proc/${pid}/cgroup`)).toBe(`0::/${pm.cgroupParent}/${unit}`);
    expect(read(cgroupFileOf(pid, '', 'memory.max'))).toBe(String(64 * MiB));
    expect(read(cgroupFileOf(pid, '', 'pids.max'))).toBe('50');
    const e = await podman(['exec', name, 'sh', '-c', 'echo pid1=$(cat /proc/1/comm) $(cat /sys/fs/cgroup/memory.max); exit 3']);
    expect(e.status, show('exec', e)).toBe(3);
    expect(e.stdout).toBe(`pid1=sleep ${64 * MiB}\n`);
    const freeze = cgroupFileOf(pid, '', 'cgroup.freeze');
    expect((await podman(['pause', name])).status).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}}')).toBe('paused');
    expect(read(freeze)).toBe('1');
    expect((await podman(['unpause', name])).status).toBe(0);
    expect(read(freeze)).toBe('0');
    const u = await podman(['update', '--memory', '128m', '--cpu-shares', '512', name]);
    expect(u.status, show('update', u)).toBe(0);
    expect(read(cgroupFileOf(pid, '', 'memory.max'))).toBe(String(128 * MiB));
    expect(read(cgroupFileOf(pid, '', 'cpu.weight'))).toBe('20');
    expect(unitProps(unit, ['MemoryMax']).MemoryMax).toBe(String(128 * MiB));
    expect((await podman(['kill', name])).status).toBe(0);
    expect((await pm.ok(['wait', name])).trim()).toBe('137');
  });

  scenario('stop: a trapped SIGTERM keeps its exit code; rm -f removes a running container and its scope', async (rt) => {
    const name = await pm.detached(rt, [], ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
    const s = await podman(['stop', '--time', '60', name]);
    expect(s.status, show('stop', s)).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 7');
    const running = await pm.detached(rt);
    const unit = `libpod-${await pm.inspect(running, '{{.Id}}')}.scope`;
    const r = await podman(['rm', '--force', '--time', '0', running]);
    expect(r.status, show('rm -f', r)).toBe(0);
    expect(unitProps(unit, ['ActiveState']).ActiveState).toBe('inactive');
  });
});
