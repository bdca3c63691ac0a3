import type { LinuxCPU } from '../../spec/types.js';
import { CgroupResourceError, type CgroupProbe, type CgroupWrite } from '../plan.js';
import { emptyStats, parseFlatKeyed, type CgroupStats } from '../stats.js';
import { int, sharesToWeight } from '../values.js';

// cgroup v2 cpu controller (cgroup-v2.rst "CPU"): shares → cpu.weight with runc's mapping,
// quota and period → cpu.max "$QUOTA $PERIOD", burst → cpu.max.burst.

const F = 'linux.resources.cpu';

export function planCpuV2(cpu: LinuxCPU | undefined, probe: CgroupProbe): CgroupWrite[] {
  if (!cpu) return [];
  if (cpu.realtimePeriod || cpu.realtimeRuntime) {
    const field = cpu.realtimePeriod ? `${F}.realtimePeriod` : `${F}.realtimeRuntime`;
    throw new CgroupResourceError(field, 'cgroup v2 has no real-time group scheduling (cpu.rt_* are v1 only)');
  }
  const writes: CgroupWrite[] = [];
  if (cpu.shares) {
    writes.push({ field: `${F}.shares`, file: 'cpu.weight', value: String(sharesToWeight(cpu.shares)) });
  }
  const max = cpuMax(cpu.quota ?? 0, cpu.period ?? 0, probe.read('cpu.max'));
  if (max !== undefined) writes.push({ field: cpu.quota ? `${F}.quota` : `${F}.period`, file: 'cpu.max', value: max });
  if (cpu.burst !== undefined) {
    writes.push({ field: `${F}.burst`, file: 'cpu.max.burst', value: int(cpu.burst), lacks: 'CFS burst needs Linux 5.14 or later' });
  }
  // After the weight: the kernel refuses a new weight for a group that is already idle.
  if (cpu.idle !== undefined) {
    writes.push({ field: `${F}.idle`, file: 'cpu.idle', value: int(cpu.idle), lacks: 'SCHED_IDLE groups need Linux 5.15 or later' });
  }
  return writes;
}

/**
 * The cpu.max line. A period given alone keeps the current quota (runc would reset it to
 * "max"); a quota given alone keeps the current period, which the kernel does by itself.
 */
export function cpuMax(quota: number, period: number, current: string | undefined): string | undefined {
  if (quota === 0 && period === 0) return undefined;
  const quotaText = quota > 0 ? int(quota) : quota < 0 ? 'max' : (current?.split(' ')[0] ?? 'max');
  return period > 0 ? `${quotaText} ${int(period)}` : quotaText;
}

/** cpu.stat (always present in v2, with or without the cpu controller): microseconds, reported as nanoseconds. */
export function cpuStatsV2(p: CgroupProbe): CgroupStats['cpu'] {
  const stat = parseFlatKeyed(p.read('cpu.stat') ?? '');
  const us = (key: string): bigint => (stat.get(key) ?? 0n) * 1000n;
  const stats = emptyStats().cpu;
  stats.usage.total = us('usage_usec');
  stats.usage.user = us('user_usec');
  stats.usage.kernel = us('system_usec');
  stats.throttling = {
    periods: stat.get('nr_periods') ?? 0n,
    throttledPeriods: stat.get('nr_throttled') ?? 0n,
    throttledTime: us('throttled_usec'),
  };
  return stats;
}
