import type { LinuxHugepageLimit } from '../spec/types.js';
import type { CgroupProbe, CgroupWrite } from './plan.js';
import { int } from './values.js';

/**
 * config-linux.md asks for reservation accounting where the kernel has it (Linux 5.7+) and
 * page-fault accounting otherwise; runc 1.2 sets both, so a task neither reserves nor faults in
 * more than the limit. v1 and v2 differ only in the files' last part: hugetlb.<size>.<limit>
 * and hugetlb.<size>.rsvd.<limit>.
 */
export function planHugetlb(
  limits: readonly LinuxHugepageLimit[] | undefined,
  probe: CgroupProbe,
  hostSizes: readonly string[],
  limitFile: 'limit_in_bytes' | 'max',
): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  (limits ?? []).forEach((l, i) => {
    const field = `linux.resources.hugepageLimits[${i}]`;
    const value = int(l.limit);
    const lacks = `no ${l.pageSize} huge pages here; this kernel has ${hostSizes.join(', ') || 'none'}`;
    writes.push({ field, file: `hugetlb.${l.pageSize}.${limitFile}`, value, lacks });
    const rsvd = `hugetlb.${l.pageSize}.rsvd.${limitFile}`;
    if (probe.has(rsvd)) writes.push({ field, file: rsvd, value });
  });
  return writes;
}
