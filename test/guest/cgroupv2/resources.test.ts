// config-linux.md "Control groups" on a real cgroup v2 host: every resource is written to the
// container's cgroup and read back from its files, with runc 1.1 as the reference for the values
// both write; the effects where they can be seen (an OOM kill at the limit, memory.oom.group,
// a fork loop stopped by pids.max, the CPUs a process may run on); and v1-only fields refused
// with an error naming the field, leaving nothing behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxResources } from '../../../src/spec/types.js';
import { leftoversOf, Sandbox, uniqueId } from '../../support/ocirun.js';
import { cgroupFile, MiB, rootDisk, Runc, withResources } from './support.js';

const sb = new Sandbox('guest-v2-resources');
const runc = new Runc(sb.dir);
afterEach(() => {
  runc.cleanup();
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => sb.destroy());

/** Creates an ocirun container with `resources`; returns its init's pid. */
function created(resources: LinuxResources): number {
  return sb.state(sb.create(withResources(resources))).pid;
}

/** A create that must fail: its stderr, and proof that nothing of it is left. */
function failedCreate(resources: LinuxResources): string {
  const id = uniqueId();
  const r = sb.run(['create', '--bundle', sb.bundle(withResources(resources)), id]);
  expect(r.status).toBe(1);
  expect(leftoversOf(id)).toEqual([]);
  // No state dir: read directly, since every command costs seconds under emulation.
  expect(existsSync(join(sb.root, id))).toBe(false);
  return r.stderr;
}

describe('every resource, read back from the cgroup files and compared with runc', () => {
  const disk = rootDisk();
  const dev = `${disk.major}:${disk.minor}`;
  const resources: LinuxResources = {
    memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB },
    cpu: { shares: 512, quota: 25000, period: 50000, cpus: '0', mems: '0' },
    pids: { limit: 42 },
    blockIO: {
      weight: 500,
      throttleReadBpsDevice: [{ ...disk, rate: 1048576 }],
      throttleWriteBpsDevice: [{ ...disk, rate: 2097152 }],
      throttleReadIOPSDevice: [{ ...disk, rate: 300 }],
      throttleWriteIOPSDevice: [{ ...disk, rate: 400 }],
    },
    hugepageLimits: [{ pageSize: '2MB', limit: 4 * 2 * MiB }],
    unified: { 'memory.high': String(48 * MiB), 'pids.max': '40' },
  };
  const expected: Record<string, string> = {
    'memory.max': String(64 * MiB),
    'memory.low': String(32 * MiB),
    'memory.swap.max': String(32 * MiB),
    'memory.high': String(48 * MiB),
    // runc's mapping: 1 + (512 - 2) * 9999 / 262142
    'cpu.weight': '20',
    'cpu.max': '25000 50000',
    'cpuset.cpus': '0',
    'cpuset.mems': '0',
    // unified comes last and wins over pids.limit
    'pids.max': '40',
    'io.max': `${dev} rbps=1048576 wbps=2097152 riops=300 wiops=400`,
    'hugetlb.2MB.max': String(8 * MiB),
  };

  it('ocirun writes each value to its v2 file', () => {
    const pid = created(resources);
    for (const [file, value] of Object.entries(expected)) expect([file, cgroupFile(pid, file)]).toEqual([file, value]);
    // 1 + (500 - 10) * 9999 / 990 on io.weight, or the weight itself where BFQ is the scheduler
    const weight = cgroupFile(pid, 'io.bfq.weight') ?? cgroupFile(pid, 'io.weight');
    expect(weight).toMatch(/^default (4950|500)$/m);
    expect(cgroupFile(pid, 'hugetlb.2MB.rsvd.max')).toBe(String(8 * MiB));
  });

  it('runc, given the same bundle, writes the same values', () => {
    const bundle = sb.bundle(withResources(resources));
    const ours = sb.state(sb.create(withResources(resources))).pid;
    const theirs = runc.create(bundle);
    for (const file of [...Object.keys(expected), 'io.weight', 'io.bfq.weight']) {
      expect([file, cgroupFile(ours, file)]).toEqual([file, cgroupFile(theirs, file)]);
    }
  });

  it('cpu burst and idle go to cpu.max.burst and cpu.idle', () => {
    const pid = created({ cpu: { quota: 20000, period: 100000, burst: 10000 } });
    expect(cgroupFile(pid, 'cpu.max.burst')).toBe('10000');
    const idle = created({ cpu: { idle: 1 } });
    expect(cgroupFile(idle, 'cpu.idle')).toBe('1');
  });

  it('a limit of -1 is "max", and memory -1 with no swap makes swap unlimited too', () => {
    const pid = created({ memory: { limit: -1 }, pids: { limit: -1 }, cpu: { quota: -1, period: 100000 } });
    expect(cgroupFile(pid, 'memory.max')).toBe('max');
    expect(cgroupFile(pid, 'memory.swap.max')).toBe('max');
    expect(cgroupFile(pid, 'pids.max')).toBe('max');
    expect(cgroupFile(pid, 'cpu.max')).toBe('max 100000');
  });
});

describe('effects', () => {
  it('a process over memory.max is OOM-killed (137) and memory.events counts it', () => {
    const id = uniqueId();
    const spec = withResources({ memory: { limit: 16 * MiB, swap: 16 * MiB } }, ['sh', '-c', 'tail /dev/zero; echo survived $?']);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), id], { timeoutMs: 120_000 });
    // The shell survives its child's kill and reports it: SIGKILL, 128 + 9.
    expect(r.stdout).toBe('survived 137\n');
    expect(r.status).toBe(0);
  });

  it('unified memory.oom.group=1 makes the OOM killer take the whole container', () => {
    const spec = withResources(
      { memory: { limit: 16 * MiB, swap: 16 * MiB }, unified: { 'memory.oom.group': '1' } },
      ['sh', '-c', 'tail /dev/zero; echo survived $?'],
    );
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()], { timeoutMs: 120_000 });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(137);
  });

  it('pids.max stops a fork loop that runs to its end without it', () => {
    const loop = ['sh', '-c', 'i=0; while [ $i -lt 30 ]; do sleep 100 & i=$((i+1)); done; echo started-all'];
    const limited = sb.run(['run', '--bundle', sb.bundle(withResources({ pids: { limit: 10 } }, loop)), uniqueId()], { timeoutMs: 120_000 });
    expect(limited.stdout).not.toContain('started-all');
    expect(limited.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    const free = sb.run(['run', '--bundle', sb.bundle(withResources({}, loop)), uniqueId()], { timeoutMs: 120_000 });
    expect(free.stdout).toContain('started-all');
  });

  it('cpuset.cpus confines the container to its CPUs', () => {
    const probe = ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status'];
    const one = sb.run(['run', '--bundle', sb.bundle(withResources({ cpu: { cpus: '1' } }, probe)), uniqueId()]);
    expect(one.stdout).toMatch(/^Cpus_allowed_list:\s+1$/m);
  });
});

describe('rdma', () => {
  // The guest has no RDMA device (soft-RoCE on a veth oopses its 6.1 kernel), so only the refusal
  // can be shown: the kernel rejects a limit for a device it does not know.
  it('a limit for a device the host does not have fails create, naming the device', () => {
    const err = failedCreate({ rdma: { 'no-such-hca': { hcaHandles: 1, hcaObjects: 10 } } });
    expect(err).toMatch(/linux\.resources\.rdma\.no-such-hca: .*rdma\.max/);
  });
});

describe('what cgroup v2 cannot apply fails create, naming the field, and leaves nothing', () => {
  it.each([
    ['memory.swappiness', { memory: { limit: 64 * MiB, swappiness: 10 } }, /memory\.swappiness: .*v1 only/],
    ['memory.kernel', { memory: { kernel: 64 * MiB } }, /memory\.kernel: cgroup v2 has no kernel memory limit/],
    ['memory.kernelTCP', { memory: { kernelTCP: 64 * MiB } }, /memory\.kernelTCP: /],
    ['memory.disableOOMKiller', { memory: { limit: 64 * MiB, disableOOMKiller: true } }, /disableOOMKiller: cgroup v2 cannot disable the OOM killer/],
    ['cpu.realtimeRuntime', { cpu: { realtimeRuntime: 1000 } }, /cpu\.realtimeRuntime: cgroup v2 has no real-time/],
    ['blockIO.leafWeight', { blockIO: { leafWeight: 500 } }, /blockIO\.leafWeight: cgroup v2 has no leaf weights/],
    ['network.classID', { network: { classID: 0x100001 } }, /network\.classID: cgroup v2 has no net_cls/],
    ['swap below the limit', { memory: { limit: 64 * MiB, swap: 32 * MiB } }, /memory\.swap: .*below the memory limit/],
    ['a unified file that does not exist', { unified: { 'memory.no_such_file': '1' } }, /unified\.memory\.no_such_file/],
    ['a unified value the kernel refuses', { unified: { 'pids.max': 'lots' } }, /unified\.pids\.max/],
    ['huge pages of a size the host lacks', { hugepageLimits: [{ pageSize: '4MB', limit: 4 * MiB }] }, /hugepageLimits\[0\].*4MB/],
  ] as [string, LinuxResources, RegExp][])('%s', (_name, resources, message) => {
    expect(failedCreate(resources)).toMatch(message);
  });
});
