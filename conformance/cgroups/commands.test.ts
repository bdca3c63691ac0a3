// runc's cgroup commands on real containers: update (flags, JSON on stdin as containerd sends
// it, a file as podman does), pause/resume, ps, events (--stats, stream, oom), and the refusal
// of --systemd-cgroup where systemd is not running.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxResources, Spec } from '../../src/spec/types.js';
import { baseSpec, leftoversOf, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { cgroupValue, hasV1, MiB } from './support.js';
import { GOLDEN_DIR } from '../../test/support/golden.js';

const sb = new Sandbox('cgroups-commands');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function spec(args: string[], resources: LinuxResources = {}): Spec {
  const s = baseSpec(args);
  s.linux = { ...s.linux, resources: { ...s.linux?.resources, ...resources } };
  return s;
}

/** A started container and its init's pid. */
function running(args = ['sleep', '100'], resources: LinuxResources = {}): { id: string; pid: number } {
  const id = sb.create(spec(args, resources));
  sb.ok(['start', id]);
  return { id, pid: sb.state(id).pid };
}

function savedResources(id: string): LinuxResources | undefined {
  const rec = JSON.parse(readFileSync(join(sb.root, id, 'state.json'), 'utf8')) as { config: Spec };
  return rec.config.linux?.resources;
}

async function stopped(id: string): Promise<void> {
  expect(await waitFor(() => sb.state(id).status === 'stopped')).toBe(true);
}

describe.skipIf(!hasV1('memory') || !hasV1('cpu') || !hasV1('pids'))('update', () => {
  it('sets limits from runc flags (memory sizes with units) and records them in state.json', () => {
    const { id, pid } = running(['sleep', '100'], { memory: { limit: 64 * MiB }, pids: { limit: 50 } });
    sb.ok(['update', '--memory', '128m', '--memory-reservation', '32M', '--pids-limit', '20', '--cpu-share', '256', '--cpu-quota', '20000', '--cpu-period', '100000', '--cpuset-cpus', '0', id]);
    expect(cgroupValue(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(128 * MiB));
    expect(cgroupValue(pid, 'memory', 'memory.soft_limit_in_bytes')).toBe(String(32 * MiB));
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('20');
    expect(cgroupValue(pid, 'cpu', 'cpu.shares')).toBe('256');
    expect(cgroupValue(pid, 'cpu', 'cpu.cfs_quota_us')).toBe('20000');
    expect(cgroupValue(pid, 'cpu', 'cpu.cfs_period_us')).toBe('100000');
    if (hasV1('cpuset')) expect(cgroupValue(pid, 'cpuset', 'cpuset.cpus')).toBe('0');
    expect(savedResources(id)).toMatchObject({
      memory: { limit: 128 * MiB, reservation: 32 * MiB },
      pids: { limit: 20 },
      cpu: { shares: 256, quota: 20000, period: 100000, cpus: '0' },
    });
  });

  it('reads LinuxResources JSON from stdin (containerd), zeros leaving values as they are', () => {
    const { id, pid } = running(['sleep', '100'], { memory: { limit: 64 * MiB }, pids: { limit: 50 } });
    const json = {
      memory: { limit: 96 * MiB, reservation: 0, swap: 0, kernel: 0, kernelTCP: 0 },
      cpu: { shares: 0, quota: 0, period: 0, realtimeRuntime: 0, realtimePeriod: 0, cpus: '', mems: '' },
      blockIO: { weight: 0 },
      pids: {},
    };
    sb.ok(['update', '--resources', '-', id], { input: JSON.stringify(json) });
    expect(cgroupValue(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(96 * MiB));
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('50');
    expect(savedResources(id)).toMatchObject({ memory: { limit: 96 * MiB }, pids: { limit: 50 } });
  });

  it('reads LinuxResources JSON from a file (podman: --resources=FILE)', () => {
    const { id, pid } = running();
    const file = join(sb.dir, `${id}-resources.json`);
    writeFileSync(file, JSON.stringify({ pids: { limit: 33 } }));
    sb.ok(['update', `--resources=${file}`, id]);
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('33');
  });

  it('--pids-limit 0 and {"pids":{"limit":0}} set pids.max to 0 (runtime-spec 1.3: 0 is a limit)', () => {
    const { id, pid } = running(['sleep', '100'], { pids: { limit: 50 } });
    sb.ok(['update', '--pids-limit', '0', id]);
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('0');
    expect(savedResources(id)?.pids).toEqual({ limit: 0 });
    sb.ok(['update', '--resources', '-', id], { input: '{"pids":{"limit":7}}' });
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('7');
    sb.ok(['update', '--resources', '-', id], { input: '{"pids":{"limit":0}}' });
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('0');
  });

  it.skipIf(!existsSync('/sys/fs/cgroup/cpu/cpu.idle') || !existsSync('/sys/fs/cgroup/cpu/cpu.cfs_burst_us'))('--cpu-burst and --cpu-idle reach cpu.cfs_burst_us and cpu.idle', () => {
    const { id, pid } = running(['sleep', '100'], { cpu: { quota: 50000, period: 100000 } });
    sb.ok(['update', '--cpu-burst', '20000', '--cpu-idle', '1', id]);
    expect(cgroupValue(pid, 'cpu', 'cpu.cfs_burst_us')).toBe('20000');
    expect(cgroupValue(pid, 'cpu', 'cpu.idle')).toBe('1');
    sb.ok(['update', '--cpu-burst', '0', '--cpu-idle', '0', id]);
    expect(cgroupValue(pid, 'cpu', 'cpu.cfs_burst_us')).toBe('0');
    expect(cgroupValue(pid, 'cpu', 'cpu.idle')).toBe('0');
    expect(savedResources(id)?.cpu).toMatchObject({ burst: 0, idle: 0 });
  });

  it.skipIf(!hasV1('blkio'))('per-device throttles and weights from --resources reach blkio, replacing the entry of the same device', () => {
    const dev = readFileSync('/sys/block/vda/dev', 'utf8').trim();
    const [major, minor] = dev.split(':').map(Number) as [number, number];
    const { id, pid } = running(['sleep', '100'], { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 1048576 }] } });
    const json = { blockIO: { throttleReadBpsDevice: [{ major, minor, rate: 2097152 }], throttleWriteIOPSDevice: [{ major, minor, rate: 40 }] } };
    sb.ok(['update', '--resources', '-', id], { input: JSON.stringify(json) });
    expect(cgroupValue(pid, 'blkio', 'blkio.throttle.read_bps_device')).toBe(`${dev} 2097152`);
    expect(cgroupValue(pid, 'blkio', 'blkio.throttle.write_iops_device')).toBe(`${dev} 40`);
    expect(savedResources(id)?.blockIO).toEqual({ throttleReadBpsDevice: [{ major, minor, rate: 2097152 }], throttleWriteIOPSDevice: [{ major, minor, rate: 40 }] });
    // A device whose scheduler has no weights: named, as at create.
    const r = sb.run(['update', '--resources', '-', id], { input: JSON.stringify({ blockIO: { weightDevice: [{ major, minor, weight: 300 }] } }) });
    if (r.status !== 0) expect(r.stderr).toMatch(/linux\.resources\.blockIO\.weightDevice\[0\]/);
  });

  it('fails as runc does, naming what is wrong, and changes nothing', async () => {
    const { id, pid } = running(['sleep', '100'], { pids: { limit: 50 } });
    expect(sb.run(['update', '--memory', '12x', id]).stderr).toMatch(/invalid value for memory: invalid size: '12x'/);
    expect(sb.run(['update', '--l3-cache-schema', 'L3:0=f', id]).stderr).toMatch(/--l3-cache-schema: the container was created without linux\.intelRdt/);
    expect(sb.run(['update', '--mem-bw-schema', 'MB:0=50', id]).stderr).toMatch(/--mem-bw-schema: the container was created without linux\.intelRdt/);
    expect(sb.run(['update', '--resources', '-', id], { input: '{"pids":{"limit":"7"}}' }).stderr).toMatch(/standard input: pids\.limit must be an integer/);
    expect(sb.run(['update', '--cpu-burst', '-5', id]).stderr).toMatch(/invalid value for cpu-burst: .*-5.* is not a non-negative integer/);
    expect(sb.run(['update', '--cpu-idle', 'yes', id]).stderr).toMatch(/invalid value for cpu-idle: .*yes.* is not an integer/);
    const badDevice = '{"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0}]}}';
    expect(sb.run(['update', '--resources', '-', id], { input: badDevice }).stderr).toMatch(/standard input: blockIO\.throttleReadBpsDevice\[0\]\.rate must be a non-negative integer/);
    expect(sb.run(['update', '--pids-limit', '5', 'no-such-container']).stderr).toMatch(/container does not exist/);
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('50');
    expect(savedResources(id)?.pids).toEqual({ limit: 50 });
    sb.ok(['kill', id, 'KILL']);
    await stopped(id);
    expect(sb.run(['update', '--pids-limit', '5', id]).stderr).toMatch(/container not running/);
  });
});

describe.skipIf(!hasV1('freezer'))('pause and resume', () => {
  const counter = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done'];

  it('pause stops every process (a counter stands still), resume lets it go on; state shows paused', async () => {
    const { id, pid } = running(counter);
    const count = (): number => Number(readFileSync(`/proc/${pid}/root/tmp/count`, 'utf8').trim() || '0');
    expect(await waitFor(() => count() > 2)).toBe(true);
    sb.ok(['pause', id]);
    expect(sb.state(id).status).toBe('paused');
    expect(cgroupValue(pid, 'freezer', 'freezer.state')).toBe('FROZEN');
    const frozenAt = count();
    await new Promise((r) => setTimeout(r, 300));
    expect(count()).toBe(frozenAt);
    sb.ok(['resume', id]);
    expect(sb.state(id).status).toBe('running');
    expect(await waitFor(() => count() > frozenAt)).toBe(true);
  });

  it('refuses with runc\'s words: pause twice, resume of a running or stopped container', async () => {
    const { id } = running();
    expect(sb.run(['resume', id]).stderr).toMatch(/container not paused/);
    sb.ok(['pause', id]);
    expect(sb.run(['pause', id]).stderr).toMatch(/container not running/);
    sb.ok(['resume', id]);
    sb.ok(['kill', id, 'KILL']);
    await stopped(id);
    expect(sb.run(['pause', id]).stderr).toMatch(/container not running/);
    expect(sb.run(['resume', id]).stderr).toMatch(/container not paused/);
  });

  it('a created container can be paused: state says paused, as runc, and resume brings back created', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['pause', id]);
    expect(sb.state(id).status).toBe('paused');
    sb.ok(['resume', id]);
    expect(sb.state(id).status).toBe('created');
  });

  it('delete --force removes a paused container', () => {
    const { id } = running();
    sb.ok(['pause', id]);
    sb.ok(['delete', '--force', id]);
    expect(leftoversOf(id)).toEqual([]);
  });
});

describe('ps', () => {
  it('--format json prints the host pids of every process, as runc', async () => {
    const { id, pid } = running(['sh', '-c', 'sleep 100 & sleep 100 & wait']);
    expect(await waitFor(() => (JSON.parse(sb.ok(['ps', '--format', 'json', id])) as number[]).length === 3)).toBe(true);
    const pids = JSON.parse(sb.ok(['ps', '-f', 'json', id])) as number[];
    expect(pids).toContain(pid);
    for (const p of pids) expect(readFileSync(`/proc/${p}/cmdline`, 'utf8')).toMatch(/^(sh|sleep)\0/);
  });

  it('table: the host ps -ef lines of the container processes, or the given ps options', () => {
    const { id, pid } = running();
    const table = sb.ok(['ps', id]).trimEnd().split('\n');
    expect(table[0]).toMatch(/^UID\s+PID\s+PPID/);
    expect(table).toHaveLength(2);
    expect(table[1]).toMatch(new RegExp(`^\\S+\\s+${pid}\\s.*sleep 100$`));
    const custom = sb.ok(['ps', id, '-o', 'pid,comm']).trimEnd().split('\n');
    expect(custom[0]).toMatch(/^\s*PID\s+COMMAND$/);
    expect(custom.slice(1)).toEqual([expect.stringMatching(new RegExp(`^\\s*${pid}\\s+sleep$`))]);
  });

  it('errors as runc does: bad format, missing PID column, unknown container', () => {
    const { id } = running();
    expect(sb.run(['ps', '--format', 'yaml', id]).stderr).toMatch(/invalid format option/);
    expect(sb.run(['ps', id, '-o', 'comm']).stderr).toMatch(/couldn't find PID field in ps output/);
    expect(sb.run(['ps', 'no-such-container']).stderr).toMatch(/container does not exist/);
  });
});

/** Collects a spawned command's output and waits for its exit. */
function collect(child: ChildProcess): { out: () => string; exit: Promise<number | null> } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { out: () => out, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** The process holds an eventfd (v1 OOM notification) or an inotify fd (v2). */
function hasNotificationFd(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => /^anon_inode:(\[eventfd\]|inotify)$/.test(readlinkSafe(`/proc/${pid}/fd/${fd}`)));
  } catch {
    return false;
  }
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

describe('events', () => {
  it('--stats prints one stats event in runc\'s shape (../shared/golden/runc-1.1.5/runc-events-stats.json)', () => {
    const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'runc-events-stats.json'), 'utf8')) as {
      data: Record<string, Record<string, unknown>>;
    };
    const { id } = running(['sleep', '100'], { memory: { limit: 64 * MiB }, pids: { limit: 77 } });
    const out = sb.ok(['events', '--stats', id]);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.trim().split('\n')).toHaveLength(1);
    const ev = JSON.parse(out) as { type: string; id: string; data: Record<string, Record<string, unknown>> };
    expect(Object.keys(ev)).toEqual(['type', 'id', 'data']);
    expect(ev).toMatchObject({ type: 'stats', id });
    expect(Object.keys(ev.data)).toEqual(Object.keys(golden.data));
    expect(Object.keys(ev.data.memory ?? {})).toEqual(Object.keys(golden.data.memory ?? {}));
    expect(Object.keys(ev.data.cpuset ?? {})).toEqual(Object.keys(golden.data.cpuset ?? {}));
    if (hasV1('memory')) expect(ev.data.memory).toMatchObject({ usage: { limit: 64 * MiB } });
    if (hasV1('pids')) expect(ev.data.pids).toEqual({ current: 1, limit: 77 });
    // Large counters are printed exactly, not as doubles.
    expect(out).toMatch(/"swap":\{"limit":\d{19},/);
  });

  it('streams stats every interval until the container stops', async () => {
    const { id } = running();
    const ev = collect(sb.spawn(['events', '--interval', '100ms', id]));
    expect(await waitFor(() => ev.out().split('\n').length > 3, 10_000)).toBe(true);
    sb.ok(['kill', id, 'KILL']);
    expect(await ev.exit).toBe(0);
    const lines = ev.out().trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string });
    for (const l of lines) expect(l).toMatchObject({ type: 'stats', id });
  });

  it.skipIf(!hasV1('memory'))('reports the OOM kill of `tail /dev/zero` under a memory limit', async () => {
    const id = sb.create(spec(['tail', '/dev/zero'], { memory: { limit: 16 * MiB, swap: 16 * MiB } }));
    const child = sb.spawn(['events', '--interval', '1h', id]);
    const ev = collect(child);
    // The OOM must come after the stream has registered its notification fd.
    expect(await waitFor(() => hasNotificationFd(child.pid ?? -1), 10_000)).toBe(true);
    sb.ok(['start', id]);
    await stopped(id);
    expect(await ev.exit).toBe(0);
    expect(ev.out()).toBe(`{"type":"oom","id":"${id}"}\n`);
  });

  it('refuses a stopped container, and an interval that is not a positive Go duration', async () => {
    const { id } = running();
    expect(sb.run(['events', '--interval', '5', id]).stderr).toMatch(/time: invalid duration \\?"5\\?"/);
    expect(sb.run(['events', '--interval', '0s', id]).stderr).toMatch(/duration interval must be greater than 0/);
    sb.ok(['kill', id, 'KILL']);
    await stopped(id);
    expect(sb.run(['events', '--stats', id]).stderr).toMatch(new RegExp(`container with id ${id} is not running`));
  });
});

// This host has no systemd as PID 1: the driver itself is proven in the guest (test/guest/systemd).
describe.skipIf(existsSync('/run/systemd/system'))('--systemd-cgroup without systemd', () => {
  it.each(['create', 'run'])('%s is refused in one line naming the flag, before anything is created', (cmd) => {
    const id = uniqueId();
    const r = sb.run(['--systemd-cgroup', cmd, '--bundle', sb.bundle(spec(['true'])), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--systemd-cgroup: systemd is not running on this host \(no \/run\/systemd\/system\)/);
    expect(leftoversOf(id)).toEqual([]);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });

  it('is ignored by commands on a container created without it, as runc does', () => {
    const { id } = running();
    expect(sb.run(['--systemd-cgroup', 'state', id]).status).toBe(0);
    sb.ok(['--systemd-cgroup', 'delete', '--force', id]);
    expect(leftoversOf(id)).toEqual([]);
  });
});
