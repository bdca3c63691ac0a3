import type { LinuxHugepageLimit } from '../../spec/types.js';
import type { CgroupProbe, CgroupWrite } from '../plan.js';
import { parseFlatKeyed, parseUint, type HugetlbStats } from '../stats.js';
import { planHugetlb } from '../hugetlb.js';

// cgroup v2 hugetlb controller (cgroup-v2.rst "HugeTLB"): hugetlb.<size>.max limits page
// faults, hugetlb.<size>.rsvd.max reservations (planned in ../hugetlb.ts).

export function planHugetlbV2(limits: readonly LinuxHugepageLimit[] | undefined, probe: CgroupProbe, hostSizes: readonly string[]): CgroupWrite[] {
  return planHugetlb(limits, probe, hostSizes, 'max');
}

/** hugetlb.<size>.current, and the times the limit was hit (hugetlb.<size>.events "max") as failcnt. */
export function hugetlbStatsV2(p: CgroupProbe, sizes: readonly string[]): Record<string, HugetlbStats> {
  const out: Record<string, HugetlbStats> = {};
  for (const size of sizes) {
    const current = p.read(`hugetlb.${size}.current`);
    if (current === undefined) continue;
    const events = parseFlatKeyed(p.read(`hugetlb.${size}.events`) ?? '');
    out[size] = { usage: parseUint(current), max: 0n, failcnt: events.get('max') ?? 0n };
  }
  return out;
}
