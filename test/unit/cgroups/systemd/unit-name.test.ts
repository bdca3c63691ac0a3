// runc's docs/systemd.md placement rules: "slice:prefix:name", defaults, and systemd's nesting
// of slices by their dashes.
import { describe, expect, it } from 'vitest';
import { expandSlice, systemdPlacement } from '../../../../src/cgroups/systemd/unit-name.js';

describe('expandSlice', () => {
  it('nests a dashed slice below each of its ancestors', () => {
    expect(expandSlice('a-b-c.slice')).toBe('/a.slice/a-b.slice/a-b-c.slice');
    expect(expandSlice('system.slice')).toBe('/system.slice');
    expect(expandSlice('machine-pods-x_y.slice')).toBe('/machine.slice/machine-pods.slice/machine-pods-x_y.slice');
  });

  it('takes "-.slice" for the root slice', () => {
    expect(expandSlice('-.slice')).toBe('/');
  });

  it.each([
    ['system', 'ends in ".slice"'],
    ['.slice', 'ends in ".slice"'],
    ['system.slice/x.slice', 'no "/"'],
    ['a--b.slice', 'empty component'],
    ['-a.slice', 'empty component'],
    ['a-.slice', 'empty component'],
    ['a b.slice', 'contains " "'],
  ])('refuses %j', (slice, why) => {
    expect(() => expandSlice(slice)).toThrow(why);
  });
});

describe('systemdPlacement', () => {
  it('makes prefix-name.scope in the slice', () => {
    expect(systemdPlacement('machine-pods.slice:crio:abc', 'id')).toEqual({
      slice: 'machine-pods.slice',
      unit: 'crio-abc.scope',
      cgroup: '/machine.slice/machine-pods.slice/crio-abc.scope',
    });
  });

  it('defaults an empty cgroupsPath to system.slice and ocirun-<id>.scope', () => {
    for (const p of [undefined, '']) {
      expect(systemdPlacement(p, 'c1')).toEqual({ slice: 'system.slice', unit: 'ocirun-c1.scope', cgroup: '/system.slice/ocirun-c1.scope' });
    }
  });

  it('defaults an empty slice to system.slice, and keeps an empty prefix as runc does', () => {
    expect(systemdPlacement(':docker:abc', 'id').cgroup).toBe('/system.slice/docker-abc.scope');
    expect(systemdPlacement('user.slice::abc', 'id').unit).toBe('-abc.scope');
  });

  it('places a unit in the root slice', () => {
    expect(systemdPlacement('-.slice:p:n', 'id').cgroup).toBe('/p-n.scope');
  });

  describe('under a user manager (rootless)', () => {
    const manager = '/user.slice/user-1000.slice/user@1000.service';

    it('defaults to user.slice within the manager\'s own cgroup, as runc', () => {
      expect(systemdPlacement(undefined, 'c1', manager)).toEqual({
        slice: 'user.slice',
        unit: 'ocirun-c1.scope',
        cgroup: `${manager}/user.slice/ocirun-c1.scope`,
      });
      expect(systemdPlacement(':podman:abc', 'id', manager).cgroup).toBe(`${manager}/user.slice/podman-abc.scope`);
    });

    it('nests a named slice, the slice prefix the user gives included, below the manager', () => {
      // What rootless podman passes: its slice names the user manager's slices, not the system's.
      expect(systemdPlacement('user.slice:libpod:abc', 'id', manager).cgroup).toBe(`${manager}/user.slice/libpod-abc.scope`);
      expect(systemdPlacement('app-x.slice:p:n', 'id', manager).cgroup).toBe(`${manager}/app.slice/app-x.slice/p-n.scope`);
      expect(systemdPlacement('-.slice:p:n', 'id', manager).cgroup).toBe(`${manager}/p-n.scope`);
    });
  });

  it.each([
    ['/sys/fs/cgroup/x', '"slice:prefix:name"'],
    ['a:b', '"slice:prefix:name"'],
    ['a.slice:b:c:d', '"slice:prefix:name"'],
    ['system.slice:p:', 'name part'],
    ['system.slice:p:pod.slice', 'names a slice'],
    ['user.slice/x.slice:p:n', 'no "/"'],
    ['system.slice:p:a/b', 'contains "/"'],
    ['system.slice:p q:n', 'contains " "'],
    [`system.slice:p:${'x'.repeat(250)}`, 'longer than'],
  ])('refuses cgroupsPath %j naming the field', (path, why) => {
    expect(() => systemdPlacement(path, 'id')).toThrow(/^linux\.cgroupsPath /);
    expect(() => systemdPlacement(path, 'id')).toThrow(why);
  });
});
