import { describe, expect, it } from 'vitest';
import type { ContainerRecord } from '../../../src/state/record.js';
import { parseTracking, trackingOf, withTracking } from '../../../src/state/tracking.js';
import { untrustedBecause } from '../../../src/state/private-file.js';

const rec: ContainerRecord = {
  ociVersion: '1.2.0', id: 'c1', pid: 4242, pidStartTime: 987654, bundle: '/b', rootfs: '/b/rootfs', created: 'x', owner: '',
  cgroupPath: '/ocirun/c "1"', cgroupPaths: { memory: '/sys/fs/cgroup/memory/ocirun/c1', '': '/sys/fs/cgroup/unified/ocirun/c1' },
  config: { ociVersion: '1.2.0', process: { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } } },
  creating: { pid: 17, startTime: 5 },
};

describe('the tracking file', () => {
  it('holds the init, the create and the cgroup, and reads back exactly', () => {
    const t = trackingOf(rec);
    expect(t).toEqual({ pid: 4242, pidStartTime: 987654, creating: { pid: 17, startTime: 5 }, cgroupPath: rec.cgroupPath, cgroupPaths: rec.cgroupPaths });
    expect(parseTracking(JSON.stringify(t))).toEqual(t);
  });

  it('anything but what trackingOf writes is no tracking at all', () => {
    const text = JSON.stringify(trackingOf(rec));
    for (let n = 0; n < text.length; n++) expect(parseTracking(text.slice(0, n))).toBeUndefined();
    for (const bad of ['', 'null', '[]', '{"pid":-1,"pidStartTime":0}', '{"pid":1}', '{"pid":1,"pidStartTime":2,"cgroupPaths":{"m":1}}',
      '{"pid":1,"pidStartTime":2,"creating":{"pid":1}}', '{"pid":1.5,"pidStartTime":2}', '{"pid":1,"pidStartTime":2,"cgroupPath":7}']) {
      expect(parseTracking(bad), bad).toBeUndefined();
    }
  });

  it('replaces the record\'s copy of its fields, a finished create included', () => {
    const { creating: _c, ...finished } = rec;
    const merged = withTracking(rec, trackingOf({ ...finished, pid: 1, pidStartTime: 2 }));
    expect(merged).toMatchObject({ pid: 1, pidStartTime: 2, bundle: '/b' });
    expect(merged.creating).toBeUndefined();
  });
});

describe('untrustedBecause', () => {
  it('only the owner, and nobody else writing, is trusted', () => {
    expect(untrustedBecause({ uid: 0, mode: 0o40700 }, 0)).toBeUndefined();
    expect(untrustedBecause({ uid: 0, mode: 0o100644 }, 0)).toBeUndefined();
    expect(untrustedBecause({ uid: 1000, mode: 0o40700 }, 0)).toBe('owned by uid 1000, not by uid 0 that runs ocirun');
    expect(untrustedBecause({ uid: 0, mode: 0o40770 }, 0)).toBe('writable by group or others (mode 0770)');
    expect(untrustedBecause({ uid: 0, mode: 0o41777 }, 0)).toBe('writable by group or others (mode 1777)');
  });
});
