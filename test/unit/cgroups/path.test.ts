// Where the container's cgroup goes: mountinfo parsing, /proc/self/cgroup parsing and
// config-linux.md "Cgroups Path" resolution (absolute, relative, default), as runc 1.1 does.
import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../../src/cgroups/detect.js';
import { cgroupDirs, cleanPath, initCgroupDirV2, parseProcCgroup, resolveCgroup } from '../../../src/cgroups/path.js';

// This machine's cgroup mounts (a systemd-style hybrid host).
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HYBRID_OWN = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/e6adc904
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;

const UNIFIED = `25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
26 22 0:6 / /sys/kernel/security rw - securityfs securityfs rw
`;

const COMOUNTED = `30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:11 - cgroup cgroup rw,cpu,cpuacct
31 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:12 - cgroup cgroup rw,net_cls,net_prio
32 25 0:28 /docker/abc /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory,clone_children
`;

describe('parseMountinfo', () => {
  it('finds the v1 hierarchies and the cgroup2 mount of a hybrid host', () => {
    const h = parseMountinfo(HYBRID);
    expect(h.mode).toBe('hybrid');
    expect([...h.v1.keys()].sort()).toEqual(
      ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'name=systemd', 'pids'].sort(),
    );
    expect(h.v1.get('memory')).toEqual({ mountpoint: '/sys/fs/cgroup/memory', root: '/', options: 'memory' });
    expect(h.unified).toEqual({ mountpoint: '/sys/fs/cgroup/unified', root: '/', options: '' });
  });

  it('recognises a pure cgroup v2 host', () => {
    const h = parseMountinfo(UNIFIED);
    expect(h.mode).toBe('v2');
    expect(h.v1.size).toBe(0);
    expect(h.unified?.mountpoint).toBe('/sys/fs/cgroup');
  });

  it('maps co-mounted controllers to one mount, keeps mount roots, ignores mount options', () => {
    const h = parseMountinfo(COMOUNTED);
    expect(h.mode).toBe('v1');
    expect(h.v1.get('cpu')).toBe(h.v1.get('cpuacct'));
    expect(h.v1.get('net_prio')?.mountpoint).toBe('/sys/fs/cgroup/net_cls,net_prio');
    expect(h.v1.get('memory')?.root).toBe('/docker/abc');
    expect(h.v1.has('clone_children')).toBe(false);
  });

  it('prefers the mount under /sys/fs/cgroup when a hierarchy is mounted twice, and decodes escapes', () => {
    const twice = `${HYBRID}90 23 0:32 / /tmp/my\\040mem rw - cgroup cgroup rw,memory\n91 23 0:38 / /tmp/u rw - cgroup2 cgroup2 rw\n`;
    const h = parseMountinfo(twice);
    expect(h.v1.get('memory')?.mountpoint).toBe('/sys/fs/cgroup/memory');
    expect(h.unified?.mountpoint).toBe('/sys/fs/cgroup/unified');
    const only = parseMountinfo('90 23 0:32 / /tmp/my\\040mem rw - cgroup cgroup rw,memory\n');
    expect(only.v1.get('memory')?.mountpoint).toBe('/tmp/my mem');
  });

  it('fails clearly without any cgroup filesystem', () => {
    expect(() => parseMountinfo('26 22 0:6 / /sys/kernel/security rw - securityfs securityfs rw\n')).toThrow(/no cgroup filesystem/);
  });
});

describe('cleanPath (runc CleanPath)', () => {
  it.each([
    ['', ''],
    ['/a/b/', '/a/b'],
    ['/a//b/../c', '/a/c'],
    ['/../../x', '/x'],
    ['a/b', 'a/b'],
    ['../../x', 'x'],
    ['a/../../b', 'b'],
    ['./a/', 'a'],
    ['.', '.'],
    ['/', '/'],
  ])('%j → %j', (input, out) => {
    expect(cleanPath(input)).toBe(out);
  });
});

describe('parseProcCgroup', () => {
  it('maps each controller, named hierarchies and the v2 line', () => {
    const own = parseProcCgroup('4:memory:/m\n3:cpu,cpuacct:/c\n1:name=systemd:/s\n0::/u\n');
    expect(own.get('memory')).toBe('/m');
    expect(own.get('cpu')).toBe('/c');
    expect(own.get('cpuacct')).toBe('/c');
    expect(own.get('name=systemd')).toBe('/s');
    expect(own.get('')).toBe('/u');
  });

  it('a path with a colon keeps it', () => {
    expect(parseProcCgroup('4:memory:/a:b\n').get('memory')).toBe('/a:b');
  });
});

describe('resolveCgroup', () => {
  const hybrid = parseMountinfo(HYBRID);
  const own = parseProcCgroup(HYBRID_OWN);

  it('takes an absolute path below every mount point', () => {
    const r = resolveCgroup('/ocirun/c1', 'c1', hybrid, own);
    expect(r.path).toBe('/ocirun/c1');
    expect(r.dirs.memory).toBe('/sys/fs/cgroup/memory/ocirun/c1');
    expect(r.dirs['name=systemd']).toBe('/sys/fs/cgroup/systemd/ocirun/c1');
    expect(r.dirs['']).toBe('/sys/fs/cgroup/unified/ocirun/c1');
  });

  it('puts a relative path below the runtime own cgroup of each v1 hierarchy', () => {
    const r = resolveCgroup('ocirun/c1', 'c1', hybrid, own);
    expect(r.dirs.memory).toBe('/sys/fs/cgroup/memory/process_api/e6adc904/ocirun/c1');
    expect(r.dirs.pids).toBe('/sys/fs/cgroup/pids/ocirun/c1');
    // The path most hierarchies share.
    expect(r.path).toBe('/ocirun/c1');
  });

  it('defaults to the container id, relative (runc 1.1)', () => {
    const r = resolveCgroup(undefined, 'sj', hybrid, own);
    expect(r.dirs.blkio).toBe('/sys/fs/cgroup/blkio/sj');
    expect(r.dirs.memory).toBe('/sys/fs/cgroup/memory/process_api/e6adc904/sj');
    expect(r.dirs['']).toBe('/sys/fs/cgroup/unified/sj');
    expect(resolveCgroup('', 'sj', hybrid, own).path).toBe('/sj');
  });

  it('cannot climb out of its base', () => {
    const r = resolveCgroup('../../../etc', 'x', hybrid, own);
    expect(r.dirs.memory).toBe('/sys/fs/cgroup/memory/process_api/e6adc904/etc');
  });

  it('refuses a path naming the root or the base cgroup itself', () => {
    expect(() => resolveCgroup('/', 'x', hybrid, own)).toThrow(/linux.cgroupsPath "\/" names the parent or root cgroup/);
    expect(() => resolveCgroup('/a/..', 'x', hybrid, own)).toThrow(/root cgroup/);
    expect(() => resolveCgroup('.', 'x', hybrid, own)).toThrow(/root cgroup/);
  });

  it('on a pure v2 host puts a relative path below the parent of the own cgroup', () => {
    const v2 = parseMountinfo(UNIFIED);
    const ownV2 = parseProcCgroup('0::/user.slice/user-1000.slice/session-3.scope\n');
    const r = resolveCgroup('c1', 'c1', v2, ownV2);
    expect(r.dirs['']).toBe('/sys/fs/cgroup/user.slice/user-1000.slice/c1');
    expect(r.path).toBe('/user.slice/user-1000.slice/c1');
    expect(resolveCgroup(undefined, 'c2', v2, parseProcCgroup('0::/\n')).dirs['']).toBe('/sys/fs/cgroup/c2');
  });

  it('uses the mount top when the own cgroup is outside a namespaced mount', () => {
    const h = parseMountinfo(COMOUNTED);
    const r = resolveCgroup('c1', 'c1', h, parseProcCgroup('4:memory:/other\n3:cpu,cpuacct:/\n'));
    expect(r.dirs.memory).toBe('/sys/fs/cgroup/memory/c1');
    const inside = resolveCgroup('c1', 'c1', h, parseProcCgroup('4:memory:/docker/abc/sub\n'));
    expect(inside.dirs.memory).toBe('/sys/fs/cgroup/memory/sub/c1');
  });
});

describe('cgroupDirs (reopening from a saved path)', () => {
  const hybrid = parseMountinfo(HYBRID);
  const own = parseProcCgroup(HYBRID_OWN);

  it('puts the path below every mount point', () => {
    const dirs = cgroupDirs('/ocirun/c1', hybrid, own, () => true);
    expect(dirs.cpuset).toBe('/sys/fs/cgroup/cpuset/ocirun/c1');
    expect(dirs.memory).toBe('/sys/fs/cgroup/memory/ocirun/c1');
    expect(dirs['']).toBe('/sys/fs/cgroup/unified/ocirun/c1');
  });

  it('finds a hierarchy placed below the own cgroup when the path is not at the top', () => {
    const existing = new Set(['/sys/fs/cgroup/memory/process_api/e6adc904/sj']);
    const dirs = cgroupDirs('/sj', hybrid, own, (d) => existing.has(d));
    expect(dirs.memory).toBe('/sys/fs/cgroup/memory/process_api/e6adc904/sj');
    expect(dirs.pids).toBe('/sys/fs/cgroup/pids/sj');
    // Gone everywhere: the direct placement, for an idempotent destroy.
    expect(cgroupDirs('/sj', hybrid, own, () => false).memory).toBe('/sys/fs/cgroup/memory/sj');
  });

  it('round-trips what resolveCgroup chose for the default path', () => {
    const r = resolveCgroup(undefined, 'sj', hybrid, own);
    const existing = new Set(Object.values(r.dirs));
    expect(cgroupDirs(r.path, hybrid, own, (d) => existing.has(d))).toEqual(r.dirs);
  });
});

describe('initCgroupDirV2 (exec into a container whose top cgroup refuses processes)', () => {
  const container = '/sys/fs/cgroup/system.slice/c1';

  it('is the init\'s cgroup when it lies below the container\'s', () => {
    expect(initCgroupDirV2(container, '/sys/fs/cgroup', '0::/system.slice/c1/init\n')).toBe(`${container}/init`);
    expect(initCgroupDirV2(container, '/sys/fs/cgroup', '0::/system.slice/c1/a/b\n')).toBe(`${container}/a/b`);
  });

  it('is undefined for the container\'s own cgroup, a sibling with a shared prefix, or no cgroup2 line', () => {
    expect(initCgroupDirV2(container, '/sys/fs/cgroup', '0::/system.slice/c1\n')).toBeUndefined();
    expect(initCgroupDirV2(container, '/sys/fs/cgroup', '0::/system.slice/c10/init\n')).toBeUndefined();
    expect(initCgroupDirV2(container, '/sys/fs/cgroup', '0::/\n')).toBeUndefined();
    expect(initCgroupDirV2(container, '/sys/fs/cgroup', '4:memory:/x\n')).toBeUndefined();
  });
});
