import { pidsStats } from '../pids.js';
import type { CgroupProbe } from '../plan.js';
import type { CgroupStats } from '../stats.js';
import { cpuStatsV2 } from './cpu.js';
import { cpusetStatsV2 } from './cpuset.js';
import { hugetlbStatsV2 } from './hugetlb.js';
import { ioStatsV2 } from './io.js';
import { memoryStatsV2 } from './memory.js';

/** runc's stats from a v2 directory; `processCount` is used when the pids controller is not enabled. */
export function collectStatsV2(p: CgroupProbe, hugePageSizes: readonly string[], processCount: () => number): CgroupStats {
  return {
    cpu: cpuStatsV2(p),
    cpuset: cpusetStatsV2(p),
    memory: memoryStatsV2(p),
    pids: p.has('pids.current') ? pidsStats(p) : { current: BigInt(processCount()), limit: 0n },
    blkio: ioStatsV2(p),
    hugetlb: hugetlbStatsV2(p, hugePageSizes),
  };
}
