// config.json → InitPlan: every decision the forked init relies on, checked without root.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import { buildInitPlan, DEFAULT_DEVICES, planNamespaces, rootPropagationSteps, type PlanOptions } from '../../../src/init/plan.js';
import { PlanError } from '../../../src/init/plan-error.js';
import type { LinuxNamespace, Spec } from '../../../src/spec/types.js';

const OPTS: PlanOptions = { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0, isDirectory: (p) => !p.endsWith('.txt') };

function spec(extra: Partial<Spec> = {}, namespaces: LinuxNamespace[] = [{ type: 'mount' }]): Spec {
  return { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] }, ...extra, linux: { namespaces, ...extra.linux } };
}

describe('planNamespaces (config-linux.md "Namespaces")', () => {
  it('new namespaces become unshare flags; user and cgroup are separate (made first and last)', () => {
    const p = planNamespaces(spec({}, [{ type: 'pid' }, { type: 'network' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'cgroup' }, { type: 'user' }]));
    expect(p.unshareFlags).toBe(K.CLONE_NEWPID | K.CLONE_NEWNET | K.CLONE_NEWNS | K.CLONE_NEWIPC | K.CLONE_NEWUTS);
    expect(p.newUser).toBe(true);
    expect(p.newCgroup).toBe(true);
    expect(p.joins).toEqual([]);
  });

  it('a namespace with a path is joined, user first whatever its position', () => {
    const p = planNamespaces(spec({}, [{ type: 'network', path: '/proc/1/ns/net' }, { type: 'mount' }, { type: 'user', path: '/proc/1/ns/user' }]));
    expect(p.joins.map((j) => j.type)).toEqual(['user', 'network']);
    expect(p.joins[1]).toEqual({ path: '/proc/1/ns/net', type: 'network', flag: K.CLONE_NEWNET });
    expect(p.unshareFlags).toBe(K.CLONE_NEWNS);
    expect(p.newUser).toBe(false);
    expect(p.newCgroup).toBe(false);
  });

  it('an absent namespace is shared with the host (no flag)', () => {
    expect(planNamespaces(spec({}, [{ type: 'mount' }])).unshareFlags).toBe(K.CLONE_NEWNS);
  });

  it('writes time offsets in timens_offsets format', () => {
    const s = spec({}, [{ type: 'time' }, { type: 'mount' }]);
    s.linux = { ...s.linux, timeOffsets: { monotonic: { secs: 100 }, boottime: { secs: -5, nanosecs: 7 } } };
    const p = planNamespaces(s);
    expect(p.unshareFlags & K.CLONE_NEWTIME).toBe(K.CLONE_NEWTIME);
    expect(p.timeOffsets).toBe('monotonic 100 0\nboottime -5 7\n');
  });

  it('has no time offsets unless some are given', () => {
    expect(planNamespaces(spec({}, [{ type: 'time' }, { type: 'mount' }])).timeOffsets).toBeUndefined();
  });
});

describe('buildInitPlan: process', () => {
  it('fills runc defaults: root user, cwd /, umask unset, a new keyring', () => {
    const p = buildInitPlan(spec(), OPTS);
    expect(p).toMatchObject({ uid: 0, gid: 0, additionalGids: [], cwd: '/', args: ['sh'], env: [], noNewPrivileges: false, newKeyring: true, preserveFds: 0, noPivot: false });
    expect(p.umask).toBeUndefined();
    expect(p.oomScoreAdj).toBeUndefined();
  });

  it('copies user, umask, oomScoreAdj, noNewPrivileges and the CLI options', () => {
    const s = spec({ process: { cwd: '/w', args: ['id'], env: ['A=1'], user: { uid: 1000, gid: 100, umask: 0o077, additionalGids: [5, 6] }, oomScoreAdj: 500, noNewPrivileges: true } });
    const p = buildInitPlan(s, { ...OPTS, noPivot: true, noNewKeyring: true, preserveFds: 2 });
    expect(p).toMatchObject({ uid: 1000, gid: 100, umask: 0o077, additionalGids: [5, 6], oomScoreAdj: 500, noNewPrivileges: true, cwd: '/w', env: ['A=1'], noPivot: true, newKeyring: false, preserveFds: 2 });
  });

  it('oomScoreAdj 0 is kept (it is a value, not an absence)', () => {
    expect(buildInitPlan(spec({ process: { cwd: '/', args: ['sh'], oomScoreAdj: 0 } }), OPTS).oomScoreAdj).toBe(0);
  });

  it('requires process and process.args', () => {
    const noProcess: Spec = { ociVersion: '1.2.0', root: { path: 'rootfs' }, linux: { namespaces: [{ type: 'mount' }] } };
    expect(() => buildInitPlan(noProcess, OPTS)).toThrow(PlanError);
    expect(() => buildInitPlan(noProcess, OPTS)).toThrow('/b/config.json: process: is required to create a container');
    expect(() => buildInitPlan(spec({ process: { cwd: '/', args: [] } }), OPTS)).toThrow(/process\.args/);
  });

  it('resolves the rootfs against the bundle', () => {
    expect(buildInitPlan(spec(), OPTS).rootfs).toBe('/b/rootfs');
    expect(buildInitPlan(spec({ root: { path: '/abs/root', readonly: true } }), OPTS)).toMatchObject({ rootfs: '/abs/root', readonlyRoot: true });
  });
});

describe('buildInitPlan: rlimits', () => {
  it('maps names to resource numbers and keeps values as bigint', () => {
    const p = buildInitPlan(spec({ process: { cwd: '/', args: ['sh'], rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }] } }), OPTS);
    expect(p.rlimits).toEqual([{ resource: 7, soft: 1024n, hard: 4096n }, { resource: 4, soft: 0n, hard: 0n }]);
  });

  it('RLIM_INFINITY, rounded to 2^64 by JSON, becomes 2^64-1', () => {
    const p = buildInitPlan(spec({ process: { cwd: '/', args: ['sh'], rlimits: [{ type: 'RLIMIT_STACK', soft: 18446744073709551615, hard: 18446744073709551615 }] } }), OPTS);
    expect(p.rlimits[0]).toEqual({ resource: 3, soft: (1n << 64n) - 1n, hard: (1n << 64n) - 1n });
  });

  it('rejects an unknown rlimit, naming its index', () => {
    expect(() => buildInitPlan(spec({ process: { cwd: '/', args: ['sh'], rlimits: [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }] } }), OPTS)).toThrow(/process\.rlimits\[0\]\.type: unknown rlimit "RLIMIT_BOGUS"/);
  });
});

describe('buildInitPlan: mounts (config.md "Mounts")', () => {
  it('keeps the order and classifies bind, fs and cgroup', () => {
    const p = buildInitPlan(spec({ mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/data', type: 'bind', source: 'data', options: ['ro'] },
      { destination: '/etc/x.txt', source: '/host/x.txt', options: ['rbind'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] },
      { destination: '/dev/mqueue', type: 'mqueue' },
    ] }), OPTS);
    expect(p.mounts.map((m) => [m.kind, m.destination, m.source, m.fileDestination])).toEqual([
      ['fs', '/proc', 'proc', false],
      ['bind', '/data', '/b/data', false],
      ['bind', '/etc/x.txt', '/host/x.txt', true],
      ['cgroup', '/sys/fs/cgroup', 'cgroup', false],
      ['fs', '/dev/mqueue', 'mqueue', false],
    ]);
    expect(p.mounts[1]?.options.flags).toBe(K.MS_BIND | K.MS_RDONLY);
    expect(p.mounts[2]?.options.flags).toBe(K.MS_BIND | K.MS_REC);
  });

  it('rejects a relative destination, a bind without source and a mount without type', () => {
    expect(() => buildInitPlan(spec({ mounts: [{ destination: 'proc', type: 'proc' }] }), OPTS)).toThrow(/mounts\[0\]\.destination: must be an absolute path/);
    expect(() => buildInitPlan(spec({ mounts: [{ destination: '/x', options: ['bind'] }] }), OPTS)).toThrow(/mounts\[0\]\.source/);
    expect(() => buildInitPlan(spec({ mounts: [{ destination: '/x' }] }), OPTS)).toThrow(/mounts\[0\]\.type/);
  });

  it('creates default devices unless /dev is a bind mount (config-linux.md "Default Devices")', () => {
    const tmpfsDev = buildInitPlan(spec({ mounts: [{ destination: '/dev', type: 'tmpfs', source: 'tmpfs' }] }), OPTS);
    expect(tmpfsDev.defaultDevices).toBe(true);
    expect(buildInitPlan(spec(), OPTS).defaultDevices).toBe(true);
    expect(buildInitPlan(spec({ mounts: [{ destination: '/dev/', type: 'bind', source: '/dev', options: ['rbind'] }] }), OPTS).defaultDevices).toBe(false);
    expect(DEFAULT_DEVICES.map((d) => d.path)).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
  });

  it('maps rootfsPropagation to steps on the new root; unset keeps the rslave of every mount', () => {
    expect(buildInitPlan(spec(), OPTS).rootPropagation).toEqual([]);
    const s = spec();
    s.linux = { ...s.linux, rootfsPropagation: 'rprivate' };
    expect(buildInitPlan(s, OPTS).rootPropagation).toEqual([K.MS_PRIVATE | K.MS_REC]);
    expect(rootPropagationSteps('slave')).toEqual([K.MS_SLAVE]);
    expect(rootPropagationSteps('unbindable')).toEqual([K.MS_UNBINDABLE]);
    // A new peer group: out of the host's first.
    expect(rootPropagationSteps('shared')).toEqual([K.MS_PRIVATE, K.MS_SHARED]);
    expect(rootPropagationSteps('rshared')).toEqual([K.MS_PRIVATE | K.MS_REC, K.MS_SHARED | K.MS_REC]);
    s.linux.rootfsPropagation = 'sideways';
    expect(() => buildInitPlan(s, OPTS)).toThrow(/linux\.rootfsPropagation/);
  });
});

describe('buildInitPlan: devices', () => {
  it('defaults mode 0666 and owner root; pipes need no numbers', () => {
    const s = spec();
    s.linux = { ...s.linux, devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }, { path: '/dev/p', type: 'p', fileMode: 0o600, uid: 1, gid: 2 }] };
    expect(buildInitPlan(s, OPTS).devices).toEqual([
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229, mode: 0o666, uid: 0, gid: 0 },
      { path: '/dev/p', type: 'p', major: 0, minor: 0, mode: 0o600, uid: 1, gid: 2 },
    ]);
  });

  it('rejects a character device without numbers and a relative path', () => {
    const s = spec();
    s.linux = { ...s.linux, devices: [{ path: '/dev/x', type: 'c' }] };
    expect(() => buildInitPlan(s, OPTS)).toThrow(/linux\.devices\[0\]: major and minor/);
    s.linux.devices = [{ path: 'dev/x', type: 'c', major: 1, minor: 3 }];
    expect(() => buildInitPlan(s, OPTS)).toThrow(/linux\.devices\[0\]\.path/);
  });
});

describe('buildInitPlan: namespaces the config depends on', () => {
  it('without a mount namespace of its own the init mounts nothing and makes no device nodes', () => {
    const shared = buildInitPlan(spec({}, [{ type: 'pid' }]), OPTS);
    expect(shared).toMatchObject({ mountNamespace: false, defaultDevices: false });
    expect(buildInitPlan(spec({}, [{ type: 'mount', path: '/proc/1/ns/mnt' }]), OPTS).mountNamespace).toBe(true);
  });

  it('hostname and domainname need a uts namespace, new or joined', () => {
    expect(buildInitPlan(spec({ hostname: 'h' }, [{ type: 'mount' }, { type: 'uts', path: '/proc/42/ns/uts' }]), OPTS).hostname).toBe('h');
    expect(() => buildInitPlan(spec({ hostname: 'h' }), OPTS)).toThrow(/^\/b\/config\.json: hostname: cannot be set without a private UTS namespace/);
    expect(() => buildInitPlan(spec({ domainname: 'd' }), OPTS)).toThrow(/^\/b\/config\.json: domainname/);
    expect(buildInitPlan(spec({ hostname: 'h', domainname: 'd' }, [{ type: 'mount' }, { type: 'uts' }]), OPTS)).toMatchObject({ hostname: 'h', domainname: 'd' });
  });
});

describe('sysctl (config-linux.md "Sysctl"; the rule itself: test/unit/spec/rules.test.ts)', () => {
  it('becomes a /proc/sys path when its namespace is new', () => {
    const s = spec({}, [{ type: 'mount' }, { type: 'network' }]);
    s.linux = { ...s.linux, sysctl: { 'net.ipv4.ip_forward': '1' } };
    expect(buildInitPlan(s, OPTS).sysctl).toEqual([['/proc/sys/net/ipv4/ip_forward', '1']]);
  });

  it('is allowed in a namespace joined by path (another container\'s)', () => {
    const s = spec({}, [{ type: 'mount' }, { type: 'network', path: '/proc/42/ns/net' }]);
    s.linux = { ...s.linux, sysctl: { 'net.ipv4.ip_forward': '1' } };
    expect(buildInitPlan(s, OPTS).sysctl).toEqual([['/proc/sys/net/ipv4/ip_forward', '1']]);
  });

  it('refuses a sysctl that would change the host', () => {
    const s = spec();
    s.linux = { ...s.linux, sysctl: { 'net.ipv4.ip_forward': '1' } };
    expect(() => buildInitPlan(s, OPTS)).toThrow('/b/config.json: linux.sysctl["net.ipv4.ip_forward"]: cannot be set in the host network namespace');
    s.linux.sysctl = { 'kernel.pid_max': '1000' };
    expect(() => buildInitPlan(s, OPTS)).toThrow(/kernel\.pid_max"\]: is not in a namespace of the container/);
  });
});

describe('masked and readonly paths', () => {
  it('are passed through in order', () => {
    const s = spec();
    s.linux = { ...s.linux, maskedPaths: ['/proc/kcore', '/sys/firmware'], readonlyPaths: ['/proc/sys'] };
    expect(buildInitPlan(s, OPTS)).toMatchObject({ maskedPaths: ['/proc/kcore', '/sys/firmware'], readonlyPaths: ['/proc/sys'] });
  });
});
