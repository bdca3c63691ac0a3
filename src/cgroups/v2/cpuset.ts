import type { CgroupProbe } from '../plan.js';
import { emptyStats, type CgroupStats } from '../stats.js';
import { parseCpuList } from '../values.js';

// cgroup v2 cpuset controller (cgroup-v2.rst "Cpuset"). Unlike v1, an empty cpuset.cpus means
// "the parent's", so a new cgroup needs no copying.

/** v2 has only the CPUs and memory nodes in effect; the v1-only flags stay 0. */
export function cpusetStatsV2(p: CgroupProbe): CgroupStats['cpuset'] {
  const stats = emptyStats().cpuset;
  stats.cpus = parseCpuList(p.read('cpuset.cpus.effective') ?? '');
  stats.mems = parseCpuList(p.read('cpuset.mems.effective') ?? '');
  return stats;
}
