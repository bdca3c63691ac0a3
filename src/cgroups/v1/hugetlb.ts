import type { LinuxHugepageLimit } from '../../spec/types.js';
import type { CgroupProbe, CgroupWrite } from '../plan.js';
import { parseUint, type HugetlbStats } from '../stats.js';
import { int } from '../values.js';

// cgroup v1 hugetlb controller (kernel Documentation/admin-guide/cgroup-v1/hugetlb.rst).
// config-linux.md asks for reservation accounting where the kernel has it (Linux 5.7+,
// hugetlb.<size>.rsvd.limit_in_bytes) and page-fault accounting otherwise; runc 1.2 sets both,
// so a task neither reserves nor faults in more than the limit.

export function planHugetlbV1(limits: readonly LinuxHugepageLimit[] | undefined, probe: CgroupProbe, hostSizes: readonly string[]): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  (limits ?? []).forEach((l, i) => {
    const field = `linux.resources.hugepageLimits[${i}]`;
    const value = int(l.limit);
    const lacks = `no ${l.pageSize} huge pages here; this kernel has ${hostSizes.join(', ') || 'none'}`;
    writes.push({ field, file: `hugetlb.${l.pageSize}.limit_in_bytes`, value, lacks });
    const rsvd = `hugetlb.${l.pageSize}.rsvd.limit_in_bytes`;
    if (probe.has(rsvd)) writes.push({ field, file: rsvd, value });
  });
  return writes;
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
