// runc's cgroup commands on cgroup v2: update rewrites the v2 files (flags and JSON), pause and
// resume go through cgroup.freeze, a paused container can be deleted, ps lists the cgroup's
// processes, events reports stats from the v2 files and the OOM kill from memory.events.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxResources } from '../../../src/spec/types.js';
import { leftoversOf, Sandbox, waitFor } from '../../support/ocirun.js';
import { cgroupDir, cgroupFile, MiB, withResources } from './support.js';

const sb = new Sandbox('guest-v2-commands');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function running(args = ['sleep', '1000'], resources: LinuxResources = {}): { id: string; pid: number } {
  const id = sb.create(withResources(resources, args));
  sb.ok(['start', id]);
  return { id, pid: sb.state(id).pid };
}

async function stopped(id: string): Promise<void> {
  expect(await waitFor(() => sb.state(id).status === 'stopped', 60_000, 100)).toBe(true);
}

describe('update', () => {
  it('rewrites the v2 files from runc flags', () => {
    const { id, pid } = running(['sleep', '1000'], { memory: { limit: 64 * MiB }, pids: { limit: 50 } });
    sb.ok(['update', '--memory', '128m', '--memory-reservation', '32M', '--memory-swap', '192m', '--pids-limit', '20',
      '--cpu-share', '1024', '--cpu-quota', '20000', '--cpu-period', '100000', '--cpuset-cpus', '1', '--blkio-weight', '300', id]);
    expect(cgroupFile(pid, 'memory.max')).toBe(String(128 * MiB));
    expect(cgroupFile(pid, 'memory.low')).toBe(String(32 * MiB));
    expect(cgroupFile(pid, 'memory.swap.max')).toBe(String(64 * MiB));
    expect(cgroupFile(pid, 'pids.max')).toBe('20');
    expect(cgroupFile(pid, 'cpu.weight')).toBe('39');
    expect(cgroupFile(pid, 'cpu.max')).toBe('20000 100000');
    expect(cgroupFile(pid, 'cpuset.cpus')).toBe('1');
    expect(cgroupFile(pid, 'io.bfq.weight') ?? cgroupFile(pid, 'io.weight')).toMatch(/^default (2930|300)$/m);
  });

  it('reads LinuxResources JSON from stdin (containerd), including unified and cpu burst', () => {
    const { id, pid } = running(['sleep', '1000'], { memory: { limit: 64 * MiB }, pids: { limit: 50 } });
    const json = { memory: { limit: 96 * MiB }, cpu: { quota: 30000, period: 60000, burst: 5000 }, unified: { 'memory.high': String(80 * MiB) } };
    sb.ok(['update', '--resources', '-', id], { input: JSON.stringify(json) });
    expect(cgroupFile(pid, 'memory.max')).toBe(String(96 * MiB));
    expect(cgroupFile(pid, 'memory.high')).toBe(String(80 * MiB));
    expect(cgroupFile(pid, 'cpu.max')).toBe('30000 60000');
    expect(cgroupFile(pid, 'cpu.max.burst')).toBe('5000');
    expect(cgroupFile(pid, 'pids.max')).toBe('50');
  });

  it('a memory limit below the usage OOM-kills on v2 (the kernel reclaims, then kills)', async () => {
    const { id } = running(['sh', '-c', 'tail /dev/zero'], { memory: { limit: 512 * MiB } });
    // Let tail grow well above the new limit first.
    expect(await waitFor(() => Number(cgroupFile(sb.state(id).pid, 'memory.current')) > 24 * MiB, 60_000, 100)).toBe(true);
    const dir = cgroupDir(sb.state(id).pid);
    sb.ok(['update', '--memory', '16m', '--memory-swap', '16m', id]);
    await stopped(id);
    expect(readFileSync(`${dir}/memory.events`, 'utf8')).toMatch(/^oom_kill [1-9]/m);
  });
});

describe('pause and resume through cgroup.freeze', () => {
  const counter = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done'];

  it('pause freezes every process (a counter stands still), resume thaws it; state follows', async () => {
    const { id, pid } = running(counter);
    const count = (): number => Number(readFileSync(`/proc/${pid}/root/tmp/count`, 'utf8').trim() || '0');
    expect(await waitFor(() => count() > 2, 60_000, 100)).toBe(true);
    sb.ok(['pause', id]);
    expect(sb.state(id).status).toBe('paused');
    expect(cgroupFile(pid, 'cgroup.freeze')).toBe('1');
    expect(cgroupFile(pid, 'cgroup.events')).toMatch(/^frozen 1$/m);
    const frozenAt = count();
    await new Promise((r) => setTimeout(r, 1000));
    expect(count()).toBe(frozenAt);
    sb.ok(['resume', id]);
    expect(sb.state(id).status).toBe('running');
    expect(cgroupFile(pid, 'cgroup.events')).toMatch(/^frozen 0$/m);
    expect(await waitFor(() => count() > frozenAt, 60_000, 100)).toBe(true);
  });

  it('a paused container refuses delete without --force, and delete --force removes it and its cgroup', () => {
    const { id, pid } = running();
    const dir = cgroupDir(pid);
    sb.ok(['pause', id]);
    expect(sb.run(['delete', id]).stderr).toMatch(/paused|not stopped|running/);
    sb.ok(['delete', '--force', id]);
    expect(leftoversOf(id)).toEqual([]);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('refuses with runc\'s words, and a created container pauses and resumes to created', async () => {
    const { id } = running();
    expect(sb.run(['resume', id]).stderr).toMatch(/container not paused/);
    sb.ok(['pause', id]);
    expect(sb.run(['pause', id]).stderr).toMatch(/container not running/);
    sb.ok(['resume', id]);
    const created = sb.create(withResources({}));
    sb.ok(['pause', created]);
    expect(sb.state(created).status).toBe('paused');
    sb.ok(['resume', created]);
    expect(sb.state(created).status).toBe('created');
  });

  it('SIGKILL ends a paused container (the v2 freezer lets fatal signals through)', async () => {
    const { id } = running();
    sb.ok(['pause', id]);
    sb.ok(['kill', id, 'KILL']);
    await stopped(id);
  });
});

describe('ps', () => {
  it('lists every process of the cgroup, by host pid', async () => {
    const { id, pid } = running(['sh', '-c', 'sleep 1000 & sleep 1000 & wait']);
    expect(await waitFor(() => (JSON.parse(sb.ok(['ps', '--format', 'json', id])) as number[]).length === 3, 60_000, 200)).toBe(true);
    const pids = (JSON.parse(sb.ok(['ps', '--format', 'json', id])) as number[]).sort();
    const procs = readFileSync(`${cgroupDir(pid)}/cgroup.procs`, 'utf8').trim().split('\n').map(Number).sort();
    expect(pids).toEqual(procs);
    const table = sb.ok(['ps', id]).trimEnd().split('\n');
    expect(table[0]).toMatch(/^UID\s+PID\s+PPID/);
    expect(table).toHaveLength(4);
  });
});

/** Collects a spawned command's output and waits for its exit. */
function collect(child: ChildProcess): { out: () => string; exit: Promise<number | null> } {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { out: () => out, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

function watchesFiles(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify';
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe('events', () => {
  it('--stats reports the v2 values: memory usage and limit, pids, cpu, hugetlb', () => {
    const { id, pid } = running(['sh', '-c', 'sleep 1000 & wait'], { memory: { limit: 64 * MiB, swap: 96 * MiB }, pids: { limit: 77 } });
    const ev = JSON.parse(sb.ok(['events', '--stats', id])) as {
      type: string;
      data: { memory: { usage: { usage: number; limit: number }; swap: { limit: number }; raw: Record<string, number> }; pids: { current: number; limit: number }; cpu: { usage: { total: number } }; hugetlb: Record<string, unknown> };
    };
    expect(ev.type).toBe('stats');
    expect(ev.data.memory.usage.limit).toBe(64 * MiB);
    // runc reports memory+swap on v2 too
    expect(ev.data.memory.swap.limit).toBe(96 * MiB);
    expect(ev.data.memory.usage.usage).toBeGreaterThan(0);
    expect(ev.data.memory.raw).toHaveProperty('anon');
    expect(ev.data.pids).toEqual({ current: 2, limit: 77 });
    expect(ev.data.cpu.usage.total).toBeGreaterThan(0);
    expect(Object.keys(ev.data.hugetlb)).toContain('2MB');
    expect(Number(cgroupFile(pid, 'pids.current'))).toBe(2);
  });

  it('the stream reports the OOM kill it sees in memory.events', async () => {
    const id = sb.create(withResources({ memory: { limit: 16 * MiB, swap: 16 * MiB } }, ['tail', '/dev/zero']));
    const child = sb.spawn(['events', '--interval', '1h', id]);
    const ev = collect(child);
    expect(await waitFor(() => watchesFiles(child.pid ?? -1), 60_000, 100)).toBe(true);
    sb.ok(['start', id]);
    await stopped(id);
    expect(await ev.exit).toBe(0);
    expect(ev.out()).toBe(`{"type":"oom","id":"${id}"}\n`);
  });
});

describe('kill --all', () => {
  it('signals every process of the cgroup', async () => {
    const { id, pid } = running(['sh', '-c', 'trap "" TERM; sleep 1000 & sleep 1000 & wait']);
    expect(await waitFor(() => Number(cgroupFile(pid, 'pids.current')) === 3, 60_000, 100)).toBe(true);
    sb.ok(['kill', '--all', id, 'KILL']);
    await stopped(id);
  });
});
