import type { LinuxNetwork } from '../../spec/types.js';
import type { CgroupWrite } from '../plan.js';
import { int } from '../values.js';

// cgroup v1 net_cls and net_prio controllers (kernel Documentation/admin-guide/cgroup-v1/
// net_cls.rst, net_prio.rst). Two controllers, often co-mounted, hence two planners.

const F = 'linux.resources.network';

export function planNetClsV1(net: LinuxNetwork | undefined): CgroupWrite[] {
  if (net?.classID === undefined) return [];
  return [{ field: `${F}.classID`, file: 'net_cls.classid', value: int(net.classID) }];
}

/** One "<interface> <priority>" line per write: the kernel parses one entry per write. */
export function planNetPrioV1(net: LinuxNetwork | undefined): CgroupWrite[] {
  return (net?.priorities ?? []).map((p, i) => ({
    field: `${F}.priorities[${i}]`,
    file: 'net_prio.ifpriomap',
    value: `${p.name} ${int(p.priority)}`,
    hint: `the interface must exist in the runtime's network namespace`,
  }));
}
