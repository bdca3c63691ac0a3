// The semantic checks, one describe per rule. Each check takes a schema-valid spec.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SEMANTIC_CHECKS,
  checkMountDestinations,
  checkNamespaces,
  checkOciVersion,
  checkMountNamespaceNeeds,
  checkNetDeviceNames,
  checkProcessCwd,
  checkRlimitsUnique,
  checkRootfs,
  checkSysctls,
  checkTimeOffsets,
  checkUserNamespaceMappings,
  checkUtsNames,
} from '../../../src/spec/validate.js';
import type { Linux, LinuxNamespace, NamespaceType, Spec } from '../../../src/spec/types.js';
import { minimalConfig, tempBundle } from './temp-bundle.js';

function withLinux(linux: Linux, extra: Partial<Spec> = {}): Spec {
  return { ...minimalConfig(), ...extra, linux };
}

function namespaces(...types: NamespaceType[]): LinuxNamespace[] {
  return types.map((type) => ({ type }));
}

describe('SEMANTIC_CHECKS', () => {
  it('pass a minimal config', () => {
    const bundle = tempBundle(minimalConfig());
    expect(SEMANTIC_CHECKS.map((check) => check(minimalConfig(), bundle))).toEqual(
      SEMANTIC_CHECKS.map(() => undefined),
    );
  });
});

describe('checkOciVersion: SemVer with major version 1', () => {
  it.each(['1.0.0', '1.2.0', '1.0.2-dev', '1.0.0-rc5+dev', '1.3.0'])('accepts %s', (ociVersion) => {
    expect(checkOciVersion({ ...minimalConfig(), ociVersion })).toBeUndefined();
  });

  it('rejects another major version, naming it and what is supported', () => {
    expect(checkOciVersion({ ...minimalConfig(), ociVersion: '2.0.0' })).toEqual({
      path: 'ociVersion',
      message: 'version 2.0.0 is not supported: this runtime implements 1.3.0 and accepts 1.x',
    });
    expect(checkOciVersion({ ...minimalConfig(), ociVersion: '0.5.0-dev' })?.message).toMatch(/^version 0\.5\.0-dev is not supported/);
  });

  it.each(['1.0', 'v1.0.0', '', '01.0.0'])('rejects non-SemVer %j', (ociVersion) => {
    expect(checkOciVersion({ ...minimalConfig(), ociVersion })).toEqual({
      path: 'ociVersion',
      message: `${JSON.stringify(ociVersion)} is not a SemVer 2.0.0 version`,
    });
  });
});

describe('checkRootfs: root.path is a directory, relative to the bundle', () => {
  it('accepts a directory, relative or absolute', () => {
    const bundle = tempBundle(undefined);
    expect(checkRootfs(minimalConfig(), bundle)).toBeUndefined();
    expect(checkRootfs({ ...minimalConfig(), root: { path: join(bundle, 'rootfs') } }, '/nonexistent')).toBeUndefined();
  });

  it('accepts a symlink to a directory', () => {
    const bundle = tempBundle(undefined);
    symlinkSync('rootfs', join(bundle, 'link'));
    expect(checkRootfs({ ...minimalConfig(), root: { path: 'link' } }, bundle)).toBeUndefined();
  });

  it('rejects a missing path', () => {
    const bundle = tempBundle(undefined, { rootfs: false });
    expect(checkRootfs(minimalConfig(), bundle)).toEqual({
      path: 'root.path',
      message: `${join(bundle, 'rootfs')}: no such file or directory`,
    });
  });

  it('rejects a file, and a symlink to a file', () => {
    const bundle = tempBundle(undefined, { rootfs: false });
    writeFileSync(join(bundle, 'rootfs'), '');
    symlinkSync('rootfs', join(bundle, 'link'));
    expect(checkRootfs(minimalConfig(), bundle)).toEqual({
      path: 'root.path',
      message: `${join(bundle, 'rootfs')} is not a directory`,
    });
    expect(checkRootfs({ ...minimalConfig(), root: { path: 'link' } }, bundle)?.message).toBe(
      `${join(bundle, 'link')} is not a directory`,
    );
  });

  it('requires root on Linux', () => {
    const { root: _omitted, ...spec } = minimalConfig();
    expect(checkRootfs(spec, tempBundle(undefined))).toEqual({ path: 'root', message: 'is required on Linux' });
  });
});

describe('checkProcessCwd: absolute', () => {
  it('accepts an absolute cwd and no process at all', () => {
    expect(checkProcessCwd({ ...minimalConfig(), process: { cwd: '/srv', args: ['sh'] } })).toBeUndefined();
    const { process: _omitted, ...spec } = minimalConfig();
    expect(checkProcessCwd(spec)).toBeUndefined();
  });

  it('rejects a relative cwd', () => {
    expect(checkProcessCwd({ ...minimalConfig(), process: { cwd: 'srv', args: ['sh'] } })).toEqual({
      path: 'process.cwd',
      message: 'must be an absolute path, got "srv"',
    });
  });
});

describe('checkMountDestinations: absolute', () => {
  it('rejects the first relative destination', () => {
    const spec: Spec = { ...minimalConfig(), mounts: [{ destination: '/proc', type: 'proc' }, { destination: 'data' }] };
    expect(checkMountDestinations(spec)).toEqual({
      path: 'mounts[1].destination',
      message: 'must be an absolute path, got "data" (relative destinations are deprecated and not supported)',
    });
  });

  it('accepts absolute destinations', () => {
    expect(checkMountDestinations({ ...minimalConfig(), mounts: [{ destination: '/data' }] })).toBeUndefined();
  });
});

describe('checkNamespaces: unique types, absolute paths', () => {
  it('accepts one of each type', () => {
    expect(checkNamespaces(withLinux({ namespaces: namespaces('pid', 'network', 'mount', 'user', 'time') }))).toBeUndefined();
  });

  it('rejects a duplicated type, pointing at both entries', () => {
    expect(checkNamespaces(withLinux({ namespaces: [...namespaces('pid', 'mount'), { type: 'pid', path: '/proc/1/ns/pid' }] }))).toEqual({
      path: 'linux.namespaces[2].type',
      message: 'duplicate namespace "pid" (already at linux.namespaces[0])',
    });
  });

  it('rejects a relative namespace path', () => {
    expect(checkNamespaces(withLinux({ namespaces: [{ type: 'network', path: 'run/netns/a' }] }))).toEqual({
      path: 'linux.namespaces[0].path',
      message: 'must be an absolute path, got "run/netns/a"',
    });
  });
});

describe('checkUserNamespaceMappings', () => {
  const map = [{ containerID: 0, hostID: 1000, size: 1 }];

  it('accepts a new user namespace with both maps, and a joined one without', () => {
    expect(checkUserNamespaceMappings(withLinux({ namespaces: namespaces('user'), uidMappings: map, gidMappings: map }))).toBeUndefined();
    expect(checkUserNamespaceMappings(withLinux({ namespaces: [{ type: 'user', path: '/proc/1/ns/user' }] }))).toBeUndefined();
  });

  it('requires uid and gid maps for a new user namespace', () => {
    expect(checkUserNamespaceMappings(withLinux({ namespaces: namespaces('user'), gidMappings: map }))).toEqual({
      path: 'linux.uidMappings',
      message: 'a new user namespace needs at least one uid mapping',
    });
    expect(checkUserNamespaceMappings(withLinux({ namespaces: namespaces('user'), uidMappings: map, gidMappings: [] }))).toEqual({
      path: 'linux.gidMappings',
      message: 'a new user namespace needs at least one gid mapping',
    });
  });

  it('rejects maps without a user namespace', () => {
    expect(checkUserNamespaceMappings(withLinux({ namespaces: namespaces('pid'), gidMappings: map }))).toEqual({
      path: 'linux.gidMappings',
      message: 'mappings given but linux.namespaces has no "user" namespace',
    });
  });
});

describe('checkTimeOffsets: need a new time namespace', () => {
  const timeOffsets = { monotonic: { secs: 10 } };

  it('accepts offsets with a new time namespace', () => {
    expect(checkTimeOffsets(withLinux({ namespaces: namespaces('time'), timeOffsets }))).toBeUndefined();
  });

  it('rejects offsets without a time namespace', () => {
    expect(checkTimeOffsets(withLinux({ namespaces: namespaces('pid'), timeOffsets }))).toEqual({
      path: 'linux.timeOffsets',
      message: 'requires a "time" namespace in linux.namespaces',
    });
  });

  it('rejects offsets for a joined time namespace', () => {
    expect(checkTimeOffsets(withLinux({ namespaces: [{ type: 'time', path: '/proc/1/ns/time' }], timeOffsets }))?.message).toBe(
      'cannot be applied to the joined time namespace /proc/1/ns/time',
    );
  });
});

describe('checkUtsNames: hostname and domainname need a UTS namespace', () => {
  it('accepts them with a uts namespace', () => {
    expect(checkUtsNames(withLinux({ namespaces: namespaces('uts') }, { hostname: 'h', domainname: 'd' }))).toBeUndefined();
  });

  it.each(['hostname', 'domainname'] as const)('rejects %s without one', (field) => {
    expect(checkUtsNames(withLinux({ namespaces: namespaces('pid') }, { [field]: 'x' }))).toEqual({
      path: field,
      message: 'cannot be set without a private UTS namespace ("uts" in linux.namespaces)',
    });
  });

  it('ignores empty names', () => {
    expect(checkUtsNames(withLinux({}, { hostname: '' }))).toBeUndefined();
  });

  it.each(['hostname', 'domainname'] as const)('rejects a %s longer than the kernel\'s 64 bytes', (field) => {
    const uts = withLinux({ namespaces: namespaces('uts') }, { [field]: 'h'.repeat(64) });
    expect(checkUtsNames(uts)).toBeUndefined();
    expect(checkUtsNames(withLinux({ namespaces: namespaces('uts') }, { [field]: 'é'.repeat(33) }))).toEqual({ path: field, message: 'must be at most 64 bytes, got 66' });
  });
});

describe('checkSysctls: only in namespaces of the container', () => {
  const sysctl = (key: string, ns: LinuxNamespace[]): Spec => withLinux({ namespaces: ns, sysctl: { [key]: '1' } });

  it('accepts IPC sysctls with an ipc namespace', () => {
    expect(checkSysctls(sysctl('kernel.shmmax', namespaces('ipc')))).toBeUndefined();
    expect(checkSysctls(sysctl('fs.mqueue.msg_max', namespaces('ipc')))).toBeUndefined();
  });

  it('rejects IPC sysctls in the host IPC namespace', () => {
    expect(checkSysctls(sysctl('kernel.msgmax', []))).toEqual({
      path: 'linux.sysctl["kernel.msgmax"]',
      message: 'cannot be set in the host IPC namespace ("ipc" missing from linux.namespaces)',
    });
  });

  it('accepts net.* with a new network namespace, rejects it in the runtime\'s own', () => {
    expect(checkSysctls(sysctl('net.ipv4.ip_forward', namespaces('network')))).toBeUndefined();
    expect(checkSysctls(sysctl('net.ipv4.ip_forward', []))?.message).toMatch(/host network namespace/);
    expect(checkSysctls(sysctl('net.ipv4.ip_forward', [{ type: 'network', path: '/proc/self/ns/net' }]))?.message).toBe(
      "cannot be set in the host network namespace (/proc/self/ns/net is the runtime's own)",
    );
  });

  it('reports a network namespace path it cannot inspect', () => {
    expect(checkSysctls(sysctl('net.core.somaxconn', [{ type: 'network', path: '/nonexistent/ns' }]))?.message).toBe(
      'cannot check network namespace /nonexistent/ns: no such file or directory',
    );
  });

  it('allows kernel.domainname but not kernel.hostname with a uts namespace', () => {
    expect(checkSysctls(sysctl('kernel.domainname', namespaces('uts')))).toBeUndefined();
    expect(checkSysctls(sysctl('kernel.hostname', namespaces('uts')))?.message).toBe(
      'conflicts with the "hostname" field: use that instead',
    );
  });

  it('rejects sysctls that belong to no namespace', () => {
    expect(checkSysctls(sysctl('vm.swappiness', namespaces('ipc', 'network', 'uts')))).toEqual({
      path: 'linux.sysctl["vm.swappiness"]',
      message: 'is not in a namespace of the container, so it would change the host',
    });
  });
});

describe('checkMountNamespaceNeeds: what would mount or make nodes needs a mount namespace', () => {
  it('accepts them with a mount namespace', () => {
    expect(checkMountNamespaceNeeds(withLinux({ namespaces: namespaces('mount'), maskedPaths: ['/proc/kcore'] }))).toBeUndefined();
  });

  it('rejects them without one', () => {
    expect(checkMountNamespaceNeeds(withLinux({ readonlyPaths: ['/proc/sys'] }))).toEqual({
      path: 'linux.readonlyPaths',
      message: 'requires a private mount namespace ("mount" in linux.namespaces): without one it would change the host\'s mount table',
    });
  });

  it('names each field that would touch the host\'s mount table or directory', () => {
    const paths = [
      withLinux({}, { mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }] }),
      withLinux({ maskedPaths: ['/proc/kcore'] }),
      withLinux({ devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }] }),
      withLinux({ rootfsPropagation: 'shared' }),
      withLinux({ mountLabel: 'system_u:object_r:container_file_t:s0' }),
      withLinux({}, { root: { path: 'rootfs', readonly: true } }),
      withLinux({}, { process: { cwd: '/', args: ['sh'], terminal: true } }),
    ].map((spec) => checkMountNamespaceNeeds(spec)?.path);
    expect(paths).toEqual(['mounts', 'linux.maskedPaths', 'linux.devices', 'linux.rootfsPropagation', 'linux.mountLabel', 'root.readonly', 'process.terminal']);
  });

  it('accepts a config that asks for none of them: the runtime\'s mount namespace, the rootfs as it is', () => {
    expect(checkMountNamespaceNeeds(withLinux({ namespaces: namespaces('pid') }, { root: { path: 'rootfs' } }))).toBeUndefined();
  });
});

describe('checkNetDeviceNames (config-linux.md "netDevices")', () => {
  const withDevices = (netDevices: Record<string, { name?: string }>, ns = namespaces('network')) => withLinux({ namespaces: ns, netDevices });

  it('accepts host names and new names, a %d template included', () => {
    expect(checkNetDeviceNames(withDevices({ eth1: {}, veth7: { name: 'eth0' }, ens3: { name: 'net%d' } }))).toBeUndefined();
  });

  it('needs a network namespace of the container\'s own', () => {
    expect(checkNetDeviceNames(withDevices({ eth1: {} }, namespaces('mount')))).toEqual({
      path: 'linux.netDevices',
      message: 'devices cannot be set in the host network namespace ("network" missing from linux.namespaces)',
    });
  });

  it.each([['a/b'], ['has space'], ['sixteen-chars-xx'], ['..'], ['x%d']])('refuses the host name %j', (name) => {
    expect(checkNetDeviceNames(withDevices({ [name]: {} }))?.path).toBe(`linux.netDevices[${JSON.stringify(name)}]`);
  });

  it.each([['a:b'], ['n%d%d'], ['n%s'], ['0123456789abcdef']])('refuses the new name %j', (name) => {
    expect(checkNetDeviceNames(withDevices({ eth1: { name } }))?.path).toBe('linux.netDevices["eth1"].name');
  });
});

describe('checkRlimitsUnique', () => {
  it('rejects a duplicated type', () => {
    const spec: Spec = {
      ...minimalConfig(),
      process: {
        cwd: '/',
        args: ['sh'],
        rlimits: [
          { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 },
          { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
          { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 },
        ],
      },
    };
    expect(checkRlimitsUnique(spec)).toEqual({
      path: 'process.rlimits[2].type',
      message: 'duplicate rlimit "RLIMIT_NOFILE" (already at process.rlimits[0])',
    });
  });

  it('accepts distinct types', () => {
    const rlimits = [
      { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 },
      { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
    ];
    expect(checkRlimitsUnique({ ...minimalConfig(), process: { cwd: '/', args: ['sh'], rlimits } })).toBeUndefined();
  });
});
