import type { LinuxCPU } from '../../spec/types.js';
import type { CgroupProbe, CgroupWrite } from '../plan.js';
import { parseFlatKeyed, type CgroupStats } from '../stats.js';
import { int } from '../values.js';

// cgroup v1 cpu controller: CFS shares and bandwidth (kernel Documentation/scheduler/
// sched-bwc.rst), real-time group scheduling (sched-rt-group.rst) and SCHED_IDLE groups.
// 0 means "not set" for shares, quota and period, as in runc.

const F = 'linux.resources.cpu';
const RT_LACKS = 'kernel built without CONFIG_RT_GROUP_SCHED';
const CFS_LACKS = 'kernel built without CONFIG_CFS_BANDWIDTH';

// The real-time budget comes first: apply() runs before the first process joins, and a
// SCHED_RR/SCHED_FIFO process cannot join a group whose rt_runtime is 0.
function rtWrites(cpu: LinuxCPU): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  const hint = 'the parent cgroup must have at least this much cpu.rt_runtime_us left for its children';
  if (cpu.realtimePeriod) {
    writes.push({ field: `${F}.realtimePeriod`, file: 'cpu.rt_period_us', value: int(cpu.realtimePeriod), lacks: RT_LACKS, hint });
  }
  if (cpu.realtimeRuntime) {
    writes.push({ field: `${F}.realtimeRuntime`, file: 'cpu.rt_runtime_us', value: int(cpu.realtimeRuntime), lacks: RT_LACKS, hint });
  }
  return writes;
}

export function planCpuV1(cpu: LinuxCPU | undefined): CgroupWrite[] {
  if (!cpu) return [];
  const writes: CgroupWrite[] = [...rtWrites(cpu)];
  if (cpu.shares) {
    const wanted = cpu.shares;
    writes.push({
      field: `${F}.shares`,
      file: 'cpu.shares',
      value: int(wanted),
      // The kernel clamps to [2, 262144] without an error.
      verify: (kept) => (kept === int(wanted) ? undefined : `the kernel clamped ${int(wanted)} to ${kept} (range 2-262144)`),
    });
  }
  // Period, burst and quota are checked against each other on every write; a new period or
  // burst that only fits with the new quota is retried after it.
  const retryAfterOthers = cpu.quota !== undefined && cpu.quota !== 0;
  if (cpu.period) {
    writes.push({ field: `${F}.period`, file: 'cpu.cfs_period_us', value: int(cpu.period), retryAfterOthers, lacks: CFS_LACKS });
  }
  if (cpu.burst !== undefined) {
    writes.push({
      field: `${F}.burst`,
      file: 'cpu.cfs_burst_us',
      value: int(cpu.burst),
      retryAfterOthers,
      lacks: 'CFS burst needs Linux 5.14 or later',
    });
  }
  if (cpu.quota) {
    writes.push({ field: `${F}.quota`, file: 'cpu.cfs_quota_us', value: int(cpu.quota), lacks: CFS_LACKS });
  }
  if (cpu.idle !== undefined) {
    writes.push({ field: `${F}.idle`, file: 'cpu.idle', value: int(cpu.idle), lacks: 'SCHED_IDLE groups need Linux 5.15 or later' });
  }
  return writes;
}

/** cpu.stat: CFS bandwidth throttling counters (throttled_time in nanoseconds). */
export function cpuThrottlingV1(p: CgroupProbe): CgroupStats['cpu']['throttling'] {
  const stat = parseFlatKeyed(p.read('cpu.stat') ?? '');
  return {
    periods: stat.get('nr_periods') ?? 0n,
    throttledPeriods: stat.get('nr_throttled') ?? 0n,
    throttledTime: stat.get('throttled_time') ?? 0n,
  };
}
