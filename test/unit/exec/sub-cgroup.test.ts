// exec --cgroup parsing and the directories it resolves to (runc's rules), without root.
import { describe, expect, it } from 'vitest';
import { parseSubCgroups, subCgroupDirs } from '../../../src/exec/sub-cgroup.js';

describe('parseSubCgroups', () => {
  it('PATH alone, or controller lists per path', () => {
    expect(parseSubCgroups([])).toBeUndefined();
    expect(parseSubCgroups(['sub'])).toEqual({ '': 'sub' });
    expect(parseSubCgroups(['cpu,cpuacct:a', 'memory:b/c'])).toEqual({ cpu: 'a', cpuacct: 'a', memory: 'b/c' });
  });

  it.each([
    [[':x'], 'empty <controller>'],
    [['a', 'memory:b'], 'each needs a <controller>: prefix'],
    [['memory:a', 'cpu,memory:b'], 'controller memory is given more than once'],
  ])('%j is refused', (args, message) => expect(() => parseSubCgroups(args)).toThrow(message));
});

describe('subCgroupDirs', () => {
  const paths = { memory: '/cg/memory/c', pids: '/cg/pids/c', cpu: '/cg/cpu,cpuacct/c', cpuacct: '/cg/cpu,cpuacct/c' };
  const all = () => true;
  it('the sub-cgroup where named, the container\'s cgroup elsewhere, each directory once', () => {
    expect(subCgroupDirs(paths, { '': 's' }, all)).toEqual(['/cg/memory/c/s', '/cg/pids/c/s', '/cg/cpu,cpuacct/c/s']);
    expect(subCgroupDirs(paths, { memory: 'm' }, all)).toEqual(['/cg/memory/c/m', '/cg/pids/c', '/cg/cpu,cpuacct/c']);
  });

  it('refuses an escape, a missing sub-cgroup and an unknown controller', () => {
    expect(() => subCgroupDirs(paths, { '': '../x' }, all)).toThrow('must stay below the container\'s cgroup');
    expect(() => subCgroupDirs(paths, { memory: 'gone' }, () => false)).toThrow('no sub-cgroup /cg/memory/c/gone');
    expect(() => subCgroupDirs(paths, { blkio: 'x' }, all)).toThrow('the container has no cgroup for controller "blkio"');
  });

  it('cgroup v2: PATH is the one form; a controller prefix names a controller v2 has no hierarchy for', () => {
    const v2 = { '': '/sys/fs/cgroup/c' };
    expect(subCgroupDirs(v2, { '': 'sub' }, all)).toEqual(['/sys/fs/cgroup/c/sub']);
    expect(() => subCgroupDirs(v2, { memory: 'sub' }, all)).toThrow('the container has no cgroup for controller "memory" (it has only the cgroup v2 one)');
  });

  it('skips a hybrid host\'s cgroup2 side the container has no directory on', () => {
    expect(subCgroupDirs({ ...paths, '': '/cg/unified/c' }, { '': 's' }, (d) => !d.startsWith('/cg/unified'))).toEqual(
      expect.not.arrayContaining(['/cg/unified/c/s']),
    );
  });
});
