// dockerd with native.cgroupdriver=systemd (its default on a cgroup v2 host) and ocirun as a
// registered runtime, each scenario side by side with runc (docker's default runtime) in the same
// guest: every container is a docker-<id>.scope in system.slice, its limits in the scope's files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { OCIRUN, ROOTFS } from '../../support/ocirun.js';
import { cgroupFileOf, exec, show, which, type Result } from '../../e2e/support/host.js';
import { runRmScenarios } from '../../e2e/support/engine-scenarios.js';
import { scenarioRunner, type Runtime } from '../../e2e/support/runtimes.js';
import { unitKnown, unitProps } from '../systemd/support.js';

const unavailable = which('dockerd') && which('docker') ? (process.getuid?.() === 0 ? undefined : 'runs as root') : 'docker is not installed (apt-get install docker.io)';
if (unavailable) console.warn(`docker (systemd cgroup driver) suite skipped: ${unavailable}`);

const IMAGE = 'ocirun-busybox';
const MiB = 1024 * 1024;
const read = (path: string): string => readFileSync(path, 'utf8').trim();
/** Runtimes by docker's names for them: runc is docker's default runtime. */
const RUNTIMES: Runtime[] = [...(which('runc') ? [{ name: 'runc' as const, path: 'runc' }] : []), { name: 'ocirun', path: 'ocirun' }];

const docker = (args: readonly string[]): Promise<Result> => exec('docker', args);
async function ok(args: readonly string[]): Promise<string> {
  const r = await docker(args);
  if (r.status !== 0) throw new Error(show(`docker ${args.join(' ')}`, r));
  return r.stdout.trim();
}

describe.skipIf(unavailable !== undefined)('docker, native.cgroupdriver=systemd', () => {
  const scenario = scenarioRunner(RUNTIMES, 600_000);
  let names = 0;

  beforeAll(async () => {
    mkdirSync('/etc/docker', { recursive: true });
    writeFileSync(
      '/etc/docker/daemon.json',
      JSON.stringify({ 'exec-opts': ['native.cgroupdriver=systemd'], runtimes: { ocirun: { path: OCIRUN } }, bridge: 'none', iptables: false }),
    );
    const start = await exec('systemctl', ['restart', 'docker']);
    if (start.status !== 0) throw new Error(show('systemctl restart docker', start) + (await exec('journalctl', ['-u', 'docker', '--no-pager', '-n', '30'])).stdout);
    const imp = await exec('bash', ['-o', 'pipefail', '-c', 'tar -C "$1" --exclude=./.built-from -c . | docker import - "$2"', '_', ROOTFS, IMAGE]);
    if (imp.status !== 0) throw new Error(show('docker import', imp));
  }, 600_000);
  afterEach(async () => {
    const ids = (await ok(['ps', '-aq'])).split('\n').filter(Boolean);
    if (ids.length > 0) await docker(['rm', '--force', ...ids]);
  }, 600_000);
  afterAll(async () => {
    await docker(['rmi', '--force', IMAGE]);
    await exec('systemctl', ['stop', 'docker', 'docker.socket']);
  }, 600_000);

  const runArgs = (rt: Runtime, args: readonly string[]): string[] => ['run', '--runtime', rt.path, '--network', 'none', ...args];
  const runRm = (rt: Runtime, args: readonly string[], opts: readonly string[] = []) => docker(runArgs(rt, ['--rm', ...opts, IMAGE, ...args]));
  const detached = async (rt: Runtime, opts: readonly string[] = [], cmd: readonly string[] = ['sleep', '1000']): Promise<string> => {
    names += 1;
    const name = `e2e-${process.pid}-${names}`;
    await ok(runArgs(rt, ['-d', '--name', name, ...opts, IMAGE, ...cmd]));
    return name;
  };
  const pid = async (name: string): Promise<number> => Number(await ok(['inspect', '--format', '{{.State.Pid}}', name]));
  const scopeOf = async (name: string): Promise<string> => `docker-${await ok(['inspect', '--format', '{{.Id}}', name])}.scope`;

  runRmScenarios(scenario, runRm);

  scenario('run -d --memory: a delegated docker-<id>.scope; exec, exec -t, pause/unpause, update, kill', async (rt) => {
    const name = await detached(rt, ['--memory', '64m', '--memory-swap', '64m']);
    const unit = await scopeOf(name);
    const p = await pid(name);
    expect(unitProps(unit, ['Delegate', 'Slice', 'MemoryMax'])).toEqual({ Delegate: 'yes', Slice: 'system.slice', MemoryMax: String(64 * MiB) });
    expect(read(`/proc/${p}/cgroup`)).toBe(`0::/system.slice/${unit}`);
    expect(read(cgroupFileOf(p, '', 'memory.max'))).toBe(String(64 * MiB));
    const e = await docker(['exec', name, 'sh', '-c', 'echo pid1=$(cat /proc/1/comm); exit 3']);
    expect(e.status, show('exec', e)).toBe(3);
    expect(e.stdout).toBe('pid1=sleep\n');
    const t = await docker(['exec', '-t', name, 'tty']);
    expect(t.stdout, show('exec -t tty', t)).toMatch(/^\/dev\/pts\/\d+\r?\n$/);
    const freeze = cgroupFileOf(p, '', 'cgroup.freeze');
    expect((await docker(['pause', name])).status).toBe(0);
    expect(await ok(['inspect', '--format', '{{.State.Status}}', name])).toBe('paused');
    expect(read(freeze)).toBe('1');
    expect((await docker(['unpause', name])).status).toBe(0);
    expect(read(freeze)).toBe('0');
    const u = await docker(['update', '--memory', '128m', '--memory-swap', '128m', '--pids-limit', '30', name]);
    expect(u.status, show('update', u)).toBe(0);
    expect(read(cgroupFileOf(p, '', 'memory.max'))).toBe(String(128 * MiB));
    expect(read(cgroupFileOf(p, '', 'pids.max'))).toBe('30');
    expect(unitProps(unit, ['MemoryMax', 'TasksMax'])).toEqual({ MemoryMax: String(128 * MiB), TasksMax: '30' });
    expect((await docker(['kill', name])).status).toBe(0);
    expect(await ok(['wait', name])).toBe('137');
  });

  scenario('stop: a trapped SIGTERM keeps its exit code; rm -f removes a running container and its scope', async (rt) => {
    const trapping = await detached(rt, [], ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
    const s = await docker(['stop', '--time', '60', trapping]);
    expect(s.status, show('stop', s)).toBe(0);
    expect(await ok(['inspect', '--format', '{{.State.ExitCode}}', trapping])).toBe('7');
    const running = await detached(rt);
    const unit = await scopeOf(running);
    const r = await docker(['rm', '--force', running]);
    expect(r.status, show('rm -f', r)).toBe(0);
    expect(unitKnown(unit)).toBe(false);
  });
});
