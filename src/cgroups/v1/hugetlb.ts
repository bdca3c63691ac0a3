import type { LinuxHugepageLimit } from '../../spec/types.js';
import type { CgroupProbe, CgroupWrite } from '../plan.js';
import { parseUint, type HugetlbStats } from '../stats.js';
import { planHugetlb } from '../hugetlb.js';

// cgroup v1 hugetlb controller (kernel Documentation/admin-guide/cgroup-v1/hugetlb.rst):
// hugetlb.<size>.limit_in_bytes limits page faults, hugetlb.<size>.rsvd.limit_in_bytes
// reservations (planned in ../hugetlb.ts).

export function planHugetlbV1(limits: readonly LinuxHugepageLimit[] | undefined, probe: CgroupProbe, hostSizes: readonly string[]): CgroupWrite[] {
  return planHugetlb(limits, probe, hostSizes, 'limit_in_bytes');
}

export function hugetlbStatsV1(p: CgroupProbe, sizes: readonly string[]): Record<string, HugetlbStats> {
  const out: Record<string, HugetlbStats> = {};
  for (const size of sizes) {
    const usage = p.read(`hugetlb.${size}.usage_in_bytes`);
    if (usage === undefined) continue;
    out[size] = {
      usage: parseUint(usage),
      max: parseUint(p.read(`hugetlb.${size}.max_usage_in_bytes`) ?? '0'),
      failcnt: parseUint(p.read(`hugetlb.${size}.failcnt`) ?? '0'),
    };
  }
  return out;
}
