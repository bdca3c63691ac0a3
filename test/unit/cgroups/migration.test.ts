// Which cgroup.procs create and exec write their own pid to, so the kernel's wait before the
// container's cgroup move is paid early (cgroups/migration.ts).
import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../../src/cgroups/detect.js';
import { ownCgroupDir } from '../../../src/cgroups/migration.js';

const HYBRID = parseMountinfo(`35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`);
const UNIFIED = parseMountinfo('26 24 0:24 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n');

describe('ownCgroupDir', () => {
  it('v1 and hybrid: our directory in the first v1 hierarchy', () => {
    expect(ownCgroupDir(HYBRID, '4:memory:/shim/abc\n1:name=systemd:/user.slice\n0::/user.slice\n')).toBe('/sys/fs/cgroup/memory/shim/abc');
  });

  it('unified: our cgroup2 directory', () => {
    expect(ownCgroupDir(UNIFIED, '0::/system.slice/containerd.service\n')).toBe('/sys/fs/cgroup/system.slice/containerd.service');
  });

  it('a mount showing a sub-tree we are outside of (a namespaced cgroupfs) gives nothing', () => {
    const nested = parseMountinfo('26 24 0:24 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
    expect(ownCgroupDir(nested, '0::/other\n')).toBeUndefined();
    expect(ownCgroupDir(nested, '0::/docker/abc/inner\n')).toBe('/sys/fs/cgroup/inner');
  });
});
