// cgroup v2: the conversions from the (v1-shaped) config fields to v2 files, as runc does them,
// and the errors for settings v2 has no file for.
import { describe, expect, it } from 'vitest';
import type { CgroupProbe, CgroupWrite } from '../../../src/cgroups/plan.js';
import { cpuMax, planCpuV2 } from '../../../src/cgroups/v2/cpu.js';
import { planCpuset } from '../../../src/cgroups/cpuset.js';
import { planHugetlbV2 } from '../../../src/cgroups/v2/hugetlb.js';
import { planIoV2 } from '../../../src/cgroups/v2/io.js';
import { planMemoryV2 } from '../../../src/cgroups/v2/memory.js';
import { planUnified, unifiedKeyController } from '../../../src/cgroups/v2/unified.js';

function probe(files: Record<string, string>): CgroupProbe {
  return { has: (f) => f in files, read: (f) => files[f]?.trim() };
}

const lines = (writes: CgroupWrite[]): string[] => writes.map((w) => `${w.file}=${w.value}`);
const none = probe({});

describe('memory', () => {
  it('converts limit, memory+swap and reservation', () => {
    const w = planMemoryV2({ limit: 100 << 20, swap: 300 << 20, reservation: 50 << 20 }, none);
    expect(lines(w)).toEqual([`memory.swap.max=${200 << 20}`, `memory.max=${100 << 20}`, `memory.low=${50 << 20}`]);
  });

  it('disables swap when swap equals the limit, lifts both for -1', () => {
    expect(lines(planMemoryV2({ limit: 100, swap: 100 }, none))).toEqual(['memory.swap.max=0', 'memory.max=100']);
    expect(lines(planMemoryV2({ limit: -1 }, none))).toEqual(['memory.swap.max=max', 'memory.max=max']);
  });

  it('refuses a swap below the limit, naming the field', () => {
    expect(() => planMemoryV2({ limit: 200, swap: 100 }, none)).toThrow(/^linux.resources.memory.swap: memory\+swap limit 100 is below/);
  });

  it('refuses the v1-only knobs and accepts their no-op values', () => {
    expect(() => planMemoryV2({ kernel: 1 << 20 }, none)).toThrow(/memory.kernel: cgroup v2 has no kernel memory limit/);
    expect(() => planMemoryV2({ kernelTCP: 1 << 20 }, none)).toThrow(/memory.kernelTCP: cgroup v2 has no TCP buffer limit/);
    expect(() => planMemoryV2({ swappiness: 10 }, none)).toThrow(/memory.swappiness: cgroup v2 has no per-cgroup swappiness/);
    expect(() => planMemoryV2({ disableOOMKiller: true }, none)).toThrow(/disableOOMKiller: cgroup v2 cannot disable/);
    expect(() => planMemoryV2({ useHierarchy: false }, none)).toThrow(/useHierarchy: cgroup v2 accounting is always hierarchical/);
    expect(planMemoryV2({ disableOOMKiller: false, useHierarchy: true, swappiness: -1, kernel: 0 }, none)).toEqual([]);
  });

  it('checkBeforeUpdate rejects limits not above the usage (v2 would OOM-kill instead)', () => {
    const busy = probe({ 'memory.current': '4096', 'memory.swap.current': '4096' });
    expect(() => planMemoryV2({ limit: 4096, checkBeforeUpdate: true }, busy)).toThrow(/not above the current usage 4096/);
    expect(() => planMemoryV2({ limit: 8192, swap: 8192, checkBeforeUpdate: true }, busy)).toThrow(/memory\+swap limit 8192: not above the current usage 8192/);
    expect(planMemoryV2({ limit: 8192, checkBeforeUpdate: true }, busy)).toHaveLength(1);
  });
});

describe('cpu', () => {
  it('converts shares to weight and quota/period to cpu.max', () => {
    const w = planCpuV2({ shares: 1024, quota: 50000, period: 100000, burst: 1000, idle: 0 }, none);
    expect(lines(w)).toEqual(['cpu.weight=39', 'cpu.max=50000 100000', 'cpu.max.burst=1000', 'cpu.idle=0']);
  });

  it('builds cpu.max for every combination', () => {
    expect(cpuMax(0, 0, '100 1000')).toBeUndefined();
    expect(cpuMax(50000, 0, 'max 100000')).toBe('50000');
    expect(cpuMax(-1, 0, '50000 100000')).toBe('max');
    expect(cpuMax(-1, 200000, undefined)).toBe('max 200000');
    // A period alone keeps the quota in force.
    expect(cpuMax(0, 200000, '50000 100000')).toBe('50000 200000');
    expect(cpuMax(0, 200000, undefined)).toBe('max 200000');
  });

  it('refuses real-time settings', () => {
    expect(() => planCpuV2({ realtimeRuntime: 1000 }, none)).toThrow(/cpu.realtimeRuntime: cgroup v2 has no real-time group scheduling/);
    expect(() => planCpuV2({ realtimePeriod: 1000 }, none)).toThrow(/cpu.realtimePeriod/);
  });

  it('sets cpus and mems in cpuset files', () => {
    expect(lines(planCpuset({ cpus: '2-3', mems: '0' }))).toEqual(['cpuset.cpus=2-3', 'cpuset.mems=0']);
  });
});

describe('io', () => {
  const io = {
    weight: 500,
    weightDevice: [{ major: 8, minor: 0, weight: 1000 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 0 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 120 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 30 }],
  };

  it('converts the weight to io.weight without BFQ', () => {
    expect(lines(planIoV2(io, none))).toEqual([
      'io.weight=4950',
      'io.weight=8:0 10000',
      'io.max=8:0 rbps=2097152',
      'io.max=8:0 wbps=max',
      'io.max=8:0 riops=120',
      'io.max=8:16 wiops=30',
    ]);
  });

  it('keeps the v1 range in io.bfq.weight when BFQ is loaded', () => {
    expect(lines(planIoV2({ weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 1000 }] }, probe({ 'io.bfq.weight': 'default 100' })))).toEqual([
      'io.bfq.weight=500',
      'io.bfq.weight=8:0 1000',
    ]);
  });

  it('refuses leaf weights', () => {
    expect(() => planIoV2({ leafWeight: 10 }, none)).toThrow(/blockIO.leafWeight: cgroup v2 has no leaf weights/);
    expect(() => planIoV2({ weightDevice: [{ major: 8, minor: 0, leafWeight: 10 }] }, none)).toThrow(/weightDevice\[0\].leafWeight/);
  });
});

describe('hugetlb', () => {
  it('limits faults and reservations', () => {
    const w = planHugetlbV2([{ pageSize: '2MB', limit: 4194304 }], probe({ 'hugetlb.2MB.rsvd.max': 'max' }), ['2MB']);
    expect(lines(w)).toEqual(['hugetlb.2MB.max=4194304', 'hugetlb.2MB.rsvd.max=4194304']);
  });
});

describe('unified', () => {
  it('writes each key, one line per write, in config order', () => {
    const w = planUnified({ 'io.max': '259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120', 'hugetlb.1GB.max': '1073741824' });
    expect(lines(w)).toEqual(['io.max=259:0 rbps=2097152 wiops=120', 'io.max=253:0 rbps=2097152 wiops=120', 'hugetlb.1GB.max=1073741824']);
    expect(w[0]?.field).toBe('linux.resources.unified.io.max');
  });

  it('refuses keys that are not a controller file of the cgroup', () => {
    expect(() => planUnified({ '../memory.max': '1' })).toThrow(/no slashes/);
    expect(() => planUnified({ memory: '1' })).toThrow(/<controller>.<file>/);
  });

  it('names the controller of a key', () => {
    expect(unifiedKeyController('memory.high')).toBe('memory');
    expect(unifiedKeyController('cgroup.max.depth')).toBe('cgroup');
  });
});
