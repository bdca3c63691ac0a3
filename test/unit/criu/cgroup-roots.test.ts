import { describe, expect, it } from 'vitest';
import type { CgroupHierarchies, CgroupMount } from '../../../src/cgroups/detect.js';
import { criuCgroupRoots } from '../../../src/criu/cgroup-roots.js';

const mount = (mountpoint: string, options: string, root = '/'): CgroupMount => ({ mountpoint, root, options });

describe('criuCgroupRoots', () => {
  it('cgroup v2: one root for every controller, the directory inside the hierarchy', () => {
    const h: CgroupHierarchies = { mode: 'v2', v1: new Map(), unified: mount('/sys/fs/cgroup', '') };
    expect(criuCgroupRoots({ '': '/sys/fs/cgroup/system.slice/ocirun-x.scope' }, h)).toEqual({ '': '/system.slice/ocirun-x.scope' });
  });

  it('cgroup v1 (hybrid): each hierarchy its own path, as runc reads them from /proc/PID/cgroup', () => {
    const cpu = mount('/sys/fs/cgroup/cpu,cpuacct', 'cpu,cpuacct');
    const h: CgroupHierarchies = {
      mode: 'hybrid',
      v1: new Map([['cpu', cpu], ['cpuacct', cpu], ['memory', mount('/sys/fs/cgroup/memory', 'memory')], ['name=systemd', mount('/sys/fs/cgroup/systemd', 'name=systemd')]]),
      unified: mount('/sys/fs/cgroup/unified', ''),
    };
    expect(criuCgroupRoots({
      cpu: '/sys/fs/cgroup/cpu,cpuacct/system.slice/job.service/c1',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct/system.slice/job.service/c1',
      memory: '/sys/fs/cgroup/memory/c1',
      'name=systemd': '/sys/fs/cgroup/systemd/system.slice/job.service/c1',
      '': '/sys/fs/cgroup/unified/system.slice/job.service/c1',
    }, h)).toEqual({
      cpu: '/system.slice/job.service/c1',
      cpuacct: '/system.slice/job.service/c1',
      memory: '/c1',
      'name=systemd': '/system.slice/job.service/c1',
      '': '/system.slice/job.service/c1',
    });
  });

  it('a mount that shows a subtree (root not "/") is taken into account', () => {
    const h: CgroupHierarchies = { mode: 'v2', v1: new Map(), unified: mount('/sys/fs/cgroup', '', '/machine.slice/c') };
    expect(criuCgroupRoots({ '': '/sys/fs/cgroup/ocirun/x' }, h)).toEqual({ '': '/machine.slice/c/ocirun/x' });
  });
});
