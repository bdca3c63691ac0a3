// Fates of linux.resources (config-linux.md "Control groups"). Tests in conformance/cgroups/
// create containers; those in test/integration/cgroups/ drive the cgroup managers on this host's
// real hierarchies and read the files back. How to add a row: table.ts.
import { applied, refused, under, type FateRow } from './table.js';

const RES = 'conformance/cgroups/resources.test.ts';
const V1 = 'test/integration/cgroups/v1-manager.test.ts';
const R = 'linux.resources';

export const rows: FateRow[] = [
  applied(RES, 'sets limit, reservation, memory+swap and swappiness', R, `${R}.memory`, ...under(`${R}.memory`, '.limit', '.reservation', '.swap', '.swappiness')),
  applied(RES, 'disables the OOM killer when asked', `${R}.memory.disableOOMKiller`),
  applied(V1, 'sets limit, swap, reservation, kernelTCP, swappiness, disableOOMKiller, useHierarchy', `${R}.memory.kernelTCP`, `${R}.memory.useHierarchy`),
  refused(V1, 'reports a kernel memory limit the kernel ignores, and useHierarchy=false the kernel refuses', 'kernel memory limits are gone from the kernel (ignored since Linux 6.1)', `${R}.memory.kernel`),
  applied(V1, 'checkBeforeUpdate refuses a limit not above the usage', `${R}.memory.checkBeforeUpdate`),

  applied(RES, 'sets shares, quota and period', `${R}.cpu`, ...under(`${R}.cpu`, '.shares', '.quota', '.period')),
  applied(RES, 'sets cpus and mems', `${R}.cpu.cpus`, `${R}.cpu.mems`),
  applied(V1, 'sets shares, quota, period, burst, idle, cpus and mems', `${R}.cpu.burst`, `${R}.cpu.idle`),
  applied(V1, 'sets the real-time budget below a parent that has one, and explains the refusal below one that has none', `${R}.cpu.realtimeRuntime`, `${R}.cpu.realtimePeriod`),

  applied(RES, 'limit 0 is a limit (runtime-spec 1.3): pids.max is 0 and the container\'s shell cannot fork', `${R}.pids`, `${R}.pids.limit`),

  applied(RES, 'applies allow and deny rules in config order', ...under(`${R}.devices`, '', '[].allow', '[].type', '[].major', '[].minor', '[].access')),

  applied(RES, 'sets the weight in blkio.weight or blkio.bfq.weight, or names both when the host has neither', `${R}.blockIO`, `${R}.blockIO.weight`),
  refused(RES, 'blockIO.leafWeight without blkio.leaf_weight (CFQ only)', 'leaf weights existed only with the CFQ I/O scheduler, removed in Linux 5.0', `${R}.blockIO.leafWeight`, `${R}.blockIO.weightDevice[].leafWeight`),
  applied(V1, 'sets throttles on a real device, and the weight where the scheduler has one',
    ...['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'].flatMap((t) => under(`${R}.blockIO.${t}`, '', '[].major', '[].minor', '[].rate')),
    ...under(`${R}.blockIO.weightDevice`, '', '[].major', '[].minor', '[].weight')),

  applied(V1, 'applies hugepage limits through the v1 hierarchy, or the cgroup2 side of a hybrid host', ...under(`${R}.hugepageLimits`, '', '[].pageSize', '[].limit')),
  applied(V1, 'sets net_cls and net_prio, or names the missing hierarchy', ...under(`${R}.network`, '', '.classID', '.priorities', '.priorities[].name', '.priorities[].priority')),
  refused(V1, 'names the missing rdma controller', 'the host has no rdma controller', ...under(`${R}.rdma`, '', '.*', '.*.hcaHandles', '.*.hcaObjects')),
  applied(V1, 'writes unified keys to the cgroup2 side of a hybrid host, refusing controllers bound to v1', `${R}.unified`, `${R}.unified.*`),
];
