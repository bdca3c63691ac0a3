import type { LinuxCPU } from '../spec/types.js';
import type { CgroupWrite } from './plan.js';

const F = 'linux.resources.cpu';

/** cpuset.cpus and cpuset.mems: the same files and values in cgroup v1 and v2. */
export function planCpuset(cpu: LinuxCPU | undefined): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  if (cpu?.cpus) writes.push({ field: `${F}.cpus`, file: 'cpuset.cpus', value: cpu.cpus });
  if (cpu?.mems) writes.push({ field: `${F}.mems`, file: 'cpuset.mems', value: cpu.mems });
  return writes;
}
