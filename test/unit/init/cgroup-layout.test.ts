// Which cgroup filesystems a "cgroup" mount reproduces inside the container.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../../src/cgroups/detect.js';
import { cgroupLayout, type CgroupLayout } from '../../../src/init/cgroup-layout.js';
import { HYBRID, HYBRID_LAYOUT } from './cgroup-fixtures.js';

const cgroupLayoutFromMountinfo = (mountinfo: string): CgroupLayout => cgroupLayout(parseMountinfo(mountinfo));

describe('cgroupLayout of a host\'s mountinfo', () => {
  it('hybrid host: one v1 hierarchy per cgroup mount, named as the host names it', () => {
    expect(cgroupLayoutFromMountinfo(HYBRID)).toEqual(HYBRID_LAYOUT);
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
