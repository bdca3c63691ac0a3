import { pidsStats } from '../pids.js';
import type { CgroupProbe } from '../plan.js';
import { emptyStats, type CgroupStats } from '../stats.js';
import { blkioStatsV1 } from './blkio.js';
import { cpuThrottlingV1 } from './cpu.js';
import { cpuacctStatsV1 } from './cpuacct.js';
import { cpusetStatsV1 } from './cpuset.js';
import { hugetlbStatsV1 } from './hugetlb.js';
import { memoryStatsV1 } from './memory.js';

/**
 * runc's stats from the v1 hierarchies; `probe` reads the container's directory in the named
 * hierarchy (and finds nothing where the host has none, which leaves zeros as runc does).
 */
export function collectStatsV1(probe: (controller: string) => CgroupProbe, hugePageSizes: readonly string[]): CgroupStats {
  const stats = emptyStats();
  stats.cpu.usage = cpuacctStatsV1(probe('cpuacct'));
  stats.cpu.throttling = cpuThrottlingV1(probe('cpu'));
  stats.cpuset = cpusetStatsV1(probe('cpuset'));
  stats.memory = memoryStatsV1(probe('memory'));
  stats.pids = pidsStats(probe('pids'));
  stats.blkio = blkioStatsV1(probe('blkio'));
  stats.hugetlb = hugetlbStatsV1(probe('hugetlb'), hugePageSizes);
  return stats;
}
