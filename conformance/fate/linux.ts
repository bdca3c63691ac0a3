// Fates of config-linux.md's fields other than resources (resources.ts) and the ones of the
// mounts/network branch (mounts-network.ts). How to add a row: table.ts.
import { applied, refused, under, type FateRow } from './table.js';

const NS = 'conformance/namespaces/namespaces.test.ts';
const SECCOMP = 'conformance/security/seccomp.test.ts';
const SCHED = 'conformance/process/scheduling.test.ts';

export const rows: FateRow[] = [
  applied(NS, 'every configured namespace is new; pid, uts, net, cgroup look right from inside', 'linux', 'linux.namespaces', 'linux.namespaces[].type'),
  applied(NS, 'a second container joins the first one\'s network, ipc and uts namespaces', 'linux.namespaces[].path'),
  applied(NS, 'the parent writes uid_map and gid_map; the process is root inside',
    ...under('linux.uidMappings', '', '[].containerID', '[].hostID', '[].size'), ...under('linux.gidMappings', '', '[].containerID', '[].hostID', '[].size')),
  applied(NS, 'boottime offset moves /proc/uptime', 'linux.timeOffsets', ...under('linux.timeOffsets.boottime', '', '.secs', '.nanosecs')),
  applied(NS, 'monotonic offset, seconds and nanoseconds, is the namespace\'s', ...under('linux.timeOffsets.monotonic', '', '.secs', '.nanosecs')),
  applied('conformance/mounts/mounts.test.ts', 'linux.devices adds nodes with their mode and owner', ...under('linux.devices', '', '[].path', '[].type', '[].major', '[].minor', '[].fileMode', '[].uid', '[].gid')),
  applied('conformance/process/process.test.ts', 'namespaced sysctls are written inside the container\'s namespaces only', 'linux.sysctl', 'linux.sysctl.*'),
  applied('conformance/mounts/mounts.test.ts', 'masked files read as /dev/null, masked directories are empty, readonly paths refuse writes', 'linux.maskedPaths', 'linux.readonlyPaths'),
  applied('conformance/cgroups/cgroups-path.test.ts', 'an absolute cgroupsPath is the init\'s cgroup in every hierarchy', 'linux.cgroupsPath'),
  refused('conformance/security/capabilities.test.ts', '%s: create fails with an error naming the field, nothing left', 'the host has no SELinux', 'linux.mountLabel'),
  applied('test/guest/selinux/selinux.test.ts', 'is the context= option of the container\'s tmpfs and devpts mounts, and the label of their files and of /dev/mqueue, as under runc', 'linux.mountLabel'),

  applied(SECCOMP, 'SCMP_ACT_ALLOW: an exception to a denying default', 'linux.seccomp', 'linux.seccomp.defaultAction', 'linux.seccomp.syscalls', 'linux.seccomp.syscalls[].names', 'linux.seccomp.syscalls[].action'),
  applied(SECCOMP, 'defaultErrnoRet: the errno of a denying default action', 'linux.seccomp.defaultErrnoRet'),
  applied(SECCOMP, 'SCMP_ACT_ERRNO with errnoRet: that errno', 'linux.seccomp.syscalls[].errnoRet'),
  applied(SECCOMP, 'architectures: the native one and its compat ones', 'linux.seccomp.architectures'),
  applied(SECCOMP, 'SECCOMP_FILTER_FLAG_LOG: denied calls are logged too', 'linux.seccomp.flags'),
  applied(SECCOMP, 'the agent at listenerPath gets the fd and the state ("creating"), and its answer reaches the container', 'linux.seccomp.listenerPath', 'linux.seccomp.listenerMetadata'),
  applied(SECCOMP, 'SCMP_CMP_MASKED_EQ: (signal & 3) == 1 denies only 17', ...under('linux.seccomp.syscalls[].args', '', '[].index', '[].op', '[].value', '[].valueTwo')),

  applied('conformance/process/extras.test.ts', 'LINUX32 personality makes uname report a 32-bit machine', 'linux.personality', 'linux.personality.domain'),
  refused('conformance/process/extras.test.ts', '%s is refused by name and leaves nothing', 'config-linux.md defines no personality flags yet', 'linux.personality.flags'),

  applied(SCHED, 'MPOL_BIND to node 0 is the policy of every mapping, in the init and in exec', 'linux.memoryPolicy', 'linux.memoryPolicy.mode', 'linux.memoryPolicy.nodes'),
  applied(SCHED, 'MPOL_INTERLEAVE with MPOL_F_STATIC_NODES shows as interleave=static:0', 'linux.memoryPolicy.flags'),

  applied('test/unit/cgroups/resctrl.test.ts', 'without closID: makes the group, writes the lines in order, puts tasks in it and its monitoring group; delete removes both',
    'linux.intelRdt', 'linux.intelRdt.l3CacheSchema', 'linux.intelRdt.schemata', 'linux.intelRdt.enableMonitoring'),
  applied('test/unit/cgroups/resctrl.test.ts', 'closID of an existing group: joins it, writing nothing when its schemata match', 'linux.intelRdt.closID', 'linux.intelRdt.memBwSchema'),
  refused('conformance/cgroups/intel-rdt.test.ts', 'without resctrl on the host: create fails naming the field, one line, nothing left', 'the host has no resctrl filesystem',
    ...under('linux.intelRdt', '', '.closID', '.l3CacheSchema', '.memBwSchema', '.schemata', '.enableMonitoring')),
];
