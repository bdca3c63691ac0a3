// Which cgroup filesystems a "cgroup" mount reproduces inside the container.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../../src/cgroups/detect.js';
import { cgroupLayout, type CgroupLayout } from '../../../src/init/cgroup-layout.js';

const cgroupLayoutFromMountinfo = (mountinfo: string): CgroupLayout => cgroupLayout(parseMountinfo(mountinfo));

const HYBRID = [
  '24 30 0:22 / /sys kernel rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
  '26 24 0:24 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '27 26 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '28 26 0:26 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd',
  '31 26 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct',
  '32 26 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory',
  '33 26 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,net_cls,net_prio',
  '',
].join('\n');

describe('cgroupLayout of a host\'s mountinfo', () => {
  it('hybrid host: one v1 hierarchy per cgroup mount, named as the host names it', () => {
    expect(cgroupLayoutFromMountinfo(HYBRID)).toEqual({
      version: 1,
      hierarchies: [
        { name: 'systemd', options: 'name=systemd', mountPoint: '/sys/fs/cgroup/systemd', root: '/' },
        { name: 'cpu,cpuacct', options: 'cpu,cpuacct', mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/' },
        { name: 'memory', options: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/' },
        { name: 'net_cls,net_prio', options: 'net_cls,net_prio', mountPoint: '/sys/fs/cgroup/net_cls,net_prio', root: '/' },
      ],
    });
  });

  it('a hierarchy mounted twice is listed once', () => {
    const twice = HYBRID + '90 26 0:30 / /mnt/mem rw,relatime - cgroup cgroup rw,memory\n';
    expect(cgroupLayoutFromMountinfo(twice).hierarchies.filter((h) => h.name === 'memory')).toHaveLength(1);
  });

  it('unified host: cgroup2 at /sys/fs/cgroup', () => {
    const unified = '26 24 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n';
    expect(cgroupLayoutFromMountinfo(unified)).toEqual({ version: 2, hierarchies: [] });
  });

  it('a mount point with an optional field list still parses (fields end at " - ")', () => {
    const line = '31 26 0:29 / /sys/fs/cgroup/pids rw,nosuid shared:14 master:2 - cgroup cgroup rw,pids\n';
    expect(cgroupLayoutFromMountinfo(line)).toEqual({ version: 1, hierarchies: [{ name: 'pids', options: 'pids', mountPoint: '/sys/fs/cgroup/pids', root: '/' }] });
  });

  it('a mount showing a sub-cgroup as its root, at an escaped path, keeps both', () => {
    const line = '31 26 0:29 /docker/abc /sys/fs/my\\040cgroups/pids rw,nosuid - cgroup cgroup rw,pids\n';
    expect(cgroupLayoutFromMountinfo(line).hierarchies[0]).toMatchObject({ mountPoint: '/sys/fs/my cgroups/pids', root: '/docker/abc' });
  });

  it('the live host parses to a layout', () => {
    const layout = cgroupLayoutFromMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
    expect([1, 2]).toContain(layout.version);
  });
});
