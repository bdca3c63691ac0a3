// A hybrid host's cgroup mounts (systemd's layout, as this project's VM has it) and the layout
// cgroupLayout makes of them: the layout test proves the one from the other, the mount tests start
// from the layout.
import type { CgroupLayout } from '../../../src/init/cgroup-layout.js';

/** /proc/self/mountinfo lines. */
export const HYBRID = [
  '24 30 0:22 / /sys kernel rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
  '26 24 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '27 26 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '28 26 0:26 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd',
  '31 26 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct',
  '32 26 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory',
  '33 26 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,net_cls,net_prio',
  '',
].join('\n');

export const HYBRID_LAYOUT: CgroupLayout = {
  version: 1,
  hierarchies: [
    { name: 'systemd', options: 'name=systemd', mountPoint: '/sys/fs/cgroup/systemd', root: '/' },
    { name: 'cpu,cpuacct', options: 'cpu,cpuacct', mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/' },
    { name: 'memory', options: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/' },
    { name: 'net_cls,net_prio', options: 'net_cls,net_prio', mountPoint: '/sys/fs/cgroup/net_cls,net_prio', root: '/' },
  ],
};
