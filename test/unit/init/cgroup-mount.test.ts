// What a "cgroup" mount shows: the container's own directories unless a joined cgroup namespace
// roots fresh mounts there, and on v1 a link per co-mounted controller.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import { cgroupBindSources, coMountLinks, mountsFreshCgroup } from '../../../src/init/cgroup-mount.js';
import type { CgroupLayout } from '../../../src/init/cgroup-layout.js';
import type { NamespacePlan } from '../../../src/init/plan.js';
import { HYBRID_LAYOUT as LAYOUT } from './cgroup-fixtures.js';

const DIRS: Record<string, string> = {
  'name=systemd': '/sys/fs/cgroup/systemd/ctr',
  cpu: '/sys/fs/cgroup/cpu,cpuacct/ctr',
  cpuacct: '/sys/fs/cgroup/cpu,cpuacct/ctr',
  memory: '/sys/fs/cgroup/memory/ctr',
  net_cls: '/sys/fs/cgroup/net_cls,net_prio/ctr',
  net_prio: '/sys/fs/cgroup/net_cls,net_prio/ctr',
  '': '/sys/fs/cgroup/unified/ctr',
};

function namespaces(unshareFlags: number, joins: NamespacePlan['joins'] = [], newCgroup = false): NamespacePlan {
  return { unshareFlags, newUser: false, newCgroup, joins };
}

describe('mountsFreshCgroup', () => {
  it('only a joined cgroup namespace mounts fresh: a new one is made after the mounts, none shows the host', () => {
    expect(mountsFreshCgroup(namespaces(K.CLONE_NEWNS, [{ path: '/proc/1/ns/cgroup', type: 'cgroup', flag: K.CLONE_NEWCGROUP }]))).toBe(true);
    expect(mountsFreshCgroup(namespaces(K.CLONE_NEWNS, [], true))).toBe(false);
    expect(mountsFreshCgroup(namespaces(K.CLONE_NEWNS | K.CLONE_NEWPID))).toBe(false);
  });
});

describe('cgroupBindSources', () => {
  it('v1: each hierarchy binds the container directory of its first controller, in layout order', () => {
    expect(cgroupBindSources(LAYOUT, DIRS)).toEqual([
      '/sys/fs/cgroup/systemd/ctr',
      '/sys/fs/cgroup/cpu,cpuacct/ctr',
      '/sys/fs/cgroup/memory/ctr',
      '/sys/fs/cgroup/net_cls,net_prio/ctr',
    ]);
  });

  it('v2: the one cgroup2 directory', () => {
    expect(cgroupBindSources({ version: 2, hierarchies: [] }, { '': '/sys/fs/cgroup/ctr' })).toEqual(['/sys/fs/cgroup/ctr']);
  });

  it('a hierarchy the container has no directory in is an error naming it', () => {
    expect(() => cgroupBindSources(LAYOUT, { memory: '/sys/fs/cgroup/memory/ctr' })).toThrow(/no cgroup in the name=systemd hierarchy/);
    expect(() => cgroupBindSources({ version: 2, hierarchies: [] }, {})).toThrow(/no cgroup in the cgroup2 hierarchy/);
  });
});

describe('coMountLinks', () => {
  it('one link per co-mounted controller, none for single ones', () => {
    expect(coMountLinks(LAYOUT)).toEqual([
      { link: 'cpu', target: 'cpu,cpuacct' },
      { link: 'cpuacct', target: 'cpu,cpuacct' },
      { link: 'net_cls', target: 'net_cls,net_prio' },
      { link: 'net_prio', target: 'net_cls,net_prio' },
    ]);
  });

  it('never a link over a name a hierarchy uses', () => {
    const layout: CgroupLayout = {
      version: 1,
      hierarchies: [
        { name: 'cpu', options: 'name=cpu', mountPoint: '/x/cpu', root: '/' },
        { name: 'cpu,cpuacct', options: 'cpu,cpuacct', mountPoint: '/x/cpu,cpuacct', root: '/' },
      ],
    };
    expect(coMountLinks(layout)).toEqual([{ link: 'cpuacct', target: 'cpu,cpuacct' }]);
  });
});
