import type { LinuxRdma } from '../spec/types.js';
import type { CgroupWrite } from './plan.js';
import { int } from './values.js';

// rdma controller: rdma.max has the same name and line format in v1 and v2,
// "<device> hca_handle=<n> hca_object=<n>", one device per write.

export function planRdma(rdma: Readonly<Record<string, LinuxRdma>> | undefined): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  for (const [device, limits] of Object.entries(rdma ?? {})) {
    let line = device;
    if (limits.hcaHandles !== undefined) line += ` hca_handle=${int(limits.hcaHandles)}`;
    if (limits.hcaObjects !== undefined) line += ` hca_object=${int(limits.hcaObjects)}`;
    writes.push({ field: `linux.resources.rdma.${device}`, file: 'rdma.max', value: line });
  }
  return writes;
}
