// cgroup v1: which file gets which value, in which order, for each LinuxResources field.
import { describe, expect, it } from 'vitest';
import type { CgroupProbe, CgroupWrite } from '../../../src/cgroups/plan.js';
import { planPids } from '../../../src/cgroups/pids.js';
import { planRdma } from '../../../src/cgroups/rdma.js';
import { planBlkioV1 } from '../../../src/cgroups/v1/blkio.js';
import { planCpuV1 } from '../../../src/cgroups/v1/cpu.js';
import { planCpuset } from '../../../src/cgroups/cpuset.js';
import { planHugetlbV1 } from '../../../src/cgroups/v1/hugetlb.js';
import { planMemoryV1 } from '../../../src/cgroups/v1/memory.js';
import { planNetClsV1, planNetPrioV1 } from '../../../src/cgroups/v1/net.js';

/** A cgroup directory made of the given files. */
function probe(files: Record<string, string>): CgroupProbe {
  return { has: (f) => f in files, read: (f) => files[f]?.trim() };
}

const lines = (writes: CgroupWrite[]): string[] => writes.map((w) => `${w.file}=${w.value}`);

const MEMORY_FILES = {
  'memory.limit_in_bytes': '9223372036854771712\n',
  'memory.memsw.limit_in_bytes': '9223372036854771712\n',
  'memory.usage_in_bytes': '1048576\n',
};

describe('memory', () => {
  it('writes nothing when not set', () => {
    expect(planMemoryV1(undefined, probe(MEMORY_FILES))).toEqual([]);
    expect(planMemoryV1({}, probe(MEMORY_FILES))).toEqual([]);
  });

  it('raises memsw before memory, lowers memory before memsw', () => {
    const small = { ...MEMORY_FILES, 'memory.limit_in_bytes': String(32 << 20), 'memory.memsw.limit_in_bytes': String(32 << 20) };
    const up = planMemoryV1({ limit: 64 << 20, swap: 128 << 20 }, probe(small));
    expect(lines(up)).toEqual([`memory.memsw.limit_in_bytes=${128 << 20}`, `memory.limit_in_bytes=${64 << 20}`]);
    const current = { ...MEMORY_FILES, 'memory.limit_in_bytes': String(512 << 20) };
    const down = planMemoryV1({ limit: 64 << 20, swap: 128 << 20 }, probe(current));
    expect(lines(down)).toEqual([`memory.limit_in_bytes=${64 << 20}`, `memory.memsw.limit_in_bytes=${128 << 20}`]);
  });

  it('lifts memsw with memory when memory becomes unlimited and swap is unset', () => {
    expect(lines(planMemoryV1({ limit: -1 }, probe(MEMORY_FILES)))).toEqual(['memory.memsw.limit_in_bytes=-1', 'memory.limit_in_bytes=-1']);
    const noSwapAccounting = { 'memory.limit_in_bytes': '1' };
    expect(lines(planMemoryV1({ limit: -1 }, probe(noSwapAccounting)))).toEqual(['memory.limit_in_bytes=-1']);
  });

  it('maps the other fields to their files, naming each config field', () => {
    const w = planMemoryV1(
      { reservation: 32 << 20, kernel: 16 << 20, kernelTCP: 8 << 20, swappiness: 0, disableOOMKiller: true, useHierarchy: true },
      probe(MEMORY_FILES),
    );
    expect(lines(w)).toEqual([
      `memory.soft_limit_in_bytes=${32 << 20}`,
      `memory.kmem.limit_in_bytes=${16 << 20}`,
      `memory.kmem.tcp.limit_in_bytes=${8 << 20}`,
      'memory.swappiness=0',
      'memory.oom_control=1',
      'memory.use_hierarchy=1',
    ]);
    expect(w.map((x) => x.field)).toEqual([
      'linux.resources.memory.reservation',
      'linux.resources.memory.kernel',
      'linux.resources.memory.kernelTCP',
      'linux.resources.memory.swappiness',
      'linux.resources.memory.disableOOMKiller',
      'linux.resources.memory.useHierarchy',
    ]);
  });

  it('detects a kernel that ignores kernel memory limits (Linux 6.1+)', () => {
    const [kmem] = planMemoryV1({ kernel: 16 << 20 }, probe(MEMORY_FILES));
    expect(kmem?.verify?.('9223372036854771712')).toMatch(/ignores kernel memory limits/);
    expect(kmem?.verify?.(String(16 << 20))).toBeUndefined();
  });

  it('refuses swappiness outside 0-100 and ignores -1', () => {
    expect(() => planMemoryV1({ swappiness: 101 }, probe(MEMORY_FILES))).toThrow(/swappiness: invalid value 101/);
    expect(planMemoryV1({ swappiness: -1 }, probe(MEMORY_FILES))).toEqual([]);
  });

  it('checkBeforeUpdate rejects a limit not above the usage', () => {
    expect(() => planMemoryV1({ limit: 1048576, checkBeforeUpdate: true }, probe(MEMORY_FILES))).toThrow(
      /memory.limit: rejecting memory limit 1048576: not above the current usage 1048576/,
    );
    expect(planMemoryV1({ limit: 2097152, checkBeforeUpdate: true }, probe(MEMORY_FILES))).toHaveLength(1);
  });
});

describe('cpu', () => {
  it('writes real-time first, then shares, period, burst, quota, idle', () => {
    const w = planCpuV1({ shares: 512, quota: 50000, period: 100000, burst: 1000, realtimePeriod: 1000000, realtimeRuntime: 950000, idle: 0 });
    expect(lines(w)).toEqual([
      'cpu.rt_period_us=1000000',
      'cpu.rt_runtime_us=950000',
      'cpu.shares=512',
      'cpu.cfs_period_us=100000',
      'cpu.cfs_burst_us=1000',
      'cpu.cfs_quota_us=50000',
      'cpu.idle=0',
    ]);
  });

  it('retries period and burst after the quota only when a quota is set', () => {
    const withQuota = planCpuV1({ quota: 50000, period: 10000, burst: 0 });
    expect(withQuota.filter((x) => x.retryAfterOthers).map((x) => x.file)).toEqual(['cpu.cfs_period_us', 'cpu.cfs_burst_us']);
    expect(planCpuV1({ period: 10000 }).some((x) => x.retryAfterOthers)).toBe(false);
  });

  it('checks the kernel kept the shares', () => {
    const [shares] = planCpuV1({ shares: 1 });
    expect(shares?.verify?.('2')).toMatch(/clamped 1 to 2/);
  });

  it('treats 0 as unset and -1 quota as unlimited', () => {
    expect(planCpuV1({ shares: 0, quota: 0, period: 0 })).toEqual([]);
    expect(lines(planCpuV1({ quota: -1 }))).toEqual(['cpu.cfs_quota_us=-1']);
  });

  it('sets cpus and mems in the cpuset hierarchy', () => {
    expect(lines(planCpuset({ cpus: '0-1', mems: '0' }))).toEqual(['cpuset.cpus=0-1', 'cpuset.mems=0']);
  });
});

describe('pids', () => {
  it('maps -1 to max and keeps 0 as a limit (config-linux.md)', () => {
    expect(lines(planPids({ limit: -1 }))).toEqual(['pids.max=max']);
    expect(lines(planPids({ limit: 0 }))).toEqual(['pids.max=0']);
    expect(lines(planPids({ limit: 32771 }))).toEqual(['pids.max=32771']);
    expect(planPids(undefined)).toEqual([]);
  });
});

describe('blkio', () => {
  const io = {
    weight: 500,
    leafWeight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 600, leafWeight: 200 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 2048 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 50 }],
  };

  it('uses the CFQ files when the host has them', () => {
    const w = planBlkioV1(io, probe({ 'blkio.weight': '500' }));
    expect(lines(w)).toEqual([
      'blkio.weight=500',
      'blkio.leaf_weight=300',
      'blkio.weight_device=8:0 600',
      'blkio.leaf_weight_device=8:0 200',
      'blkio.throttle.read_bps_device=8:0 1048576',
      'blkio.throttle.write_bps_device=8:16 2048',
      'blkio.throttle.read_iops_device=8:0 100',
      'blkio.throttle.write_iops_device=8:0 50',
    ]);
    expect(w[4]?.field).toBe('linux.resources.blockIO.throttleReadBpsDevice[0]');
  });

  it('falls back to the BFQ files, as runc 1.1 does', () => {
    const w = planBlkioV1({ weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 600 }] }, probe({ 'blkio.bfq.weight': '100' }));
    expect(lines(w)).toEqual(['blkio.bfq.weight=500', 'blkio.bfq.weight_device=8:0 600']);
  });

  it('says why the weight file is missing when neither scheduler is there', () => {
    const [w] = planBlkioV1({ weight: 500 }, probe({}));
    expect(w?.file).toBe('blkio.weight');
    expect(w?.lacks).toBe('cgroup v1 blkio without CFQ/BFQ');
  });
});

describe('hugetlb', () => {
  it('limits faults and, where the kernel has them, reservations', () => {
    const limits = [{ pageSize: '2MB', limit: 209715200 }];
    expect(lines(planHugetlbV1(limits, probe({}), ['2MB', '1GB']))).toEqual(['hugetlb.2MB.limit_in_bytes=209715200']);
    const rsvd = probe({ 'hugetlb.2MB.rsvd.limit_in_bytes': '0' });
    expect(lines(planHugetlbV1(limits, rsvd, ['2MB']))).toEqual(['hugetlb.2MB.limit_in_bytes=209715200', 'hugetlb.2MB.rsvd.limit_in_bytes=209715200']);
  });

  it('names the page sizes the host has when one is missing', () => {
    const [w] = planHugetlbV1([{ pageSize: '64KB', limit: 1 }], probe({}), ['2MB', '1GB']);
    expect(w?.lacks).toBe('no 64KB huge pages here; this kernel has 2MB, 1GB');
  });
});

describe('network', () => {
  it('sets the class id and one ifpriomap line per interface', () => {
    const net = { classID: 1048577, priorities: [{ name: 'eth0', priority: 500 }, { name: 'lo', priority: 1000 }] };
    expect(lines(planNetClsV1(net))).toEqual(['net_cls.classid=1048577']);
    expect(lines(planNetPrioV1(net))).toEqual(['net_prio.ifpriomap=eth0 500', 'net_prio.ifpriomap=lo 1000']);
  });
});

describe('rdma', () => {
  it('writes one rdma.max line per device with the limits given', () => {
    const w = planRdma({ mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 1000 } });
    expect(lines(w)).toEqual(['rdma.max=mlx5_1 hca_handle=3 hca_object=10000', 'rdma.max=mlx4_0 hca_object=1000']);
    expect(w[1]?.field).toBe('linux.resources.rdma.mlx4_0');
  });
});
