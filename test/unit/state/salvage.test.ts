import { describe, expect, it } from 'vitest';
import { salvageRecord } from '../../../src/state/salvage.js';

const full = JSON.stringify({
  ociVersion: '1.2.0', id: 'c1', pid: 4242, pidStartTime: 987654, bundle: '/b', rootfs: '/b/rootfs', created: 'x', owner: '',
  cgroupPath: '/ocirun/c "1"', cgroupPaths: { memory: '/sys/fs/cgroup/memory/ocirun/c1', '': '/sys/fs/cgroup/unified/ocirun/c1' },
  config: { ociVersion: '1.2.0', process: { args: ['sh'] } },
});

describe('salvageRecord', () => {
  it('recovers pid, start time and cgroup from a file cut inside the config', () => {
    expect(salvageRecord(full.slice(0, full.indexOf('"config"') + 12))).toEqual({
      pid: 4242, pidStartTime: 987654, cgroupPath: '/ocirun/c "1"',
      cgroupPaths: { memory: '/sys/fs/cgroup/memory/ocirun/c1', '': '/sys/fs/cgroup/unified/ocirun/c1' },
    });
  });

  it('leaves out what was cut off, and never guesses a pid without its start time', () => {
    expect(salvageRecord(full.slice(0, full.indexOf('"pidStartTime"') + 18))).toEqual({ pid: 0, pidStartTime: 0 });
    expect(salvageRecord(full.slice(0, full.indexOf('"cgroupPaths"') + 30))).toMatchObject({ pid: 4242, cgroupPath: '/ocirun/c "1"' });
    expect(salvageRecord(full.slice(0, full.indexOf('"cgroupPaths"') + 30)).cgroupPaths).toBeUndefined();
  });

  it('gives nothing for garbage', () => {
    expect(salvageRecord('\u0000\ufffd{"')).toEqual({ pid: 0, pidStartTime: 0 });
    expect(salvageRecord('{"cgroupPaths":{"memory":1}}')).toEqual({ pid: 0, pidStartTime: 0 });
  });
});
