// What a "cgroup" mount shows on a v1 host: the container's own directories without a cgroup
// namespace, and a link per co-mounted controller.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import type { CgroupLayout } from '../../../src/init/cgroup-layout.js';
import { coMountLinks, hasCgroupNamespace, v1BindSources } from '../../../src/init/cgroup-mount.js';
import type { NamespacePlan } from '../../../src/init/plan.js';

const LAYOUT: CgroupLayout = {
  version: 1,
  hierarchies: [
    { name: 'systemd', options: 'name=systemd', mountPoint: '/sys/fs/cgroup/systemd', root: '/' },
    { name: 'cpu,cpuacct', options: 'cpu,cpuacct', mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/' },
    { name: 'memory', options: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/' },
    { name: 'net_cls,net_prio', options: 'net_cls,net_prio', mountPoint: '/sys/fs/cgroup/net_cls,net_prio', root: '/' },
  ],
};

const PROC_CGROUP = [
  '12:net_cls,net_prio:/ctr',
  '4:memory:/ctr',
  '3:cpu,cpuacct:/ctr',
  '1:name=systemd:/user.slice/session-1.scope',
  '0::/user.slice/session-1.scope',
  '',
].join('\n');

function namespaces(unshareFlags: number, joins: NamespacePlan['joins'] = []): NamespacePlan {
  return { unshareFlags, newUser: false, joins, uidMappings: '', gidMappings: '' };
}

describe('hasCgroupNamespace', () => {
  it('a new or a joined cgroup namespace counts; none does not', () => {
    expect(hasCgroupNamespace(namespaces(K.CLONE_NEWNS | K.CLONE_NEWCGROUP))).toBe(true);
    expect(hasCgroupNamespace(namespaces(K.CLONE_NEWNS, [{ path: '/proc/1/ns/cgroup', type: 'cgroup', flag: K.CLONE_NEWCGROUP }]))).toBe(true);
    expect(hasCgroupNamespace(namespaces(K.CLONE_NEWNS | K.CLONE_NEWPID))).toBe(false);
  });
});

describe('v1BindSources', () => {
  it('each hierarchy binds its mount point plus the own cgroup', () => {
    expect(v1BindSources(LAYOUT, PROC_CGROUP)).toEqual([
      '/sys/fs/cgroup/systemd/user.slice/session-1.scope',
      '/sys/fs/cgroup/cpu,cpuacct/ctr',
      '/sys/fs/cgroup/memory/ctr',
      '/sys/fs/cgroup/net_cls,net_prio/ctr',
    ]);
  });

  it('a mount whose root is a sub-cgroup (a runtime inside a container) binds below that root', () => {
    const nested: CgroupLayout = { version: 1, hierarchies: [{ name: 'memory', options: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/docker/abc' }] };
    expect(v1BindSources(nested, '4:memory:/docker/abc/ctr\n')).toEqual(['/sys/fs/cgroup/memory/ctr']);
    expect(v1BindSources(nested, '4:memory:/docker/abc\n')).toEqual(['/sys/fs/cgroup/memory']);
  });

  it('an own cgroup outside the mounted part, or a hierarchy /proc/self/cgroup lacks, is an error naming it', () => {
    const nested: CgroupLayout = { version: 1, hierarchies: [{ name: 'memory', options: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/docker/abc' }] };
    expect(() => v1BindSources(nested, '4:memory:/docker/abcd\n')).toThrow(/memory cgroup \/docker\/abcd is outside the hierarchy mounted at \/sys\/fs\/cgroup\/memory/);
    expect(() => v1BindSources(LAYOUT, '4:memory:/ctr\n')).toThrow(/no name=systemd hierarchy/);
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
