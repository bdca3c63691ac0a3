// The rules the checker and the planners share (spec/rules.ts, spec/sysctl.ts): pure, no root.
// checkMountDestinations and checkUtsNames are tested with the other checks (checks.test.ts).
import { describe, expect, it } from 'vitest';
import { findNamespace, processArgsProblem, processCwdProblem, processRlimitsProblem, processWindowsFieldsProblem } from '../../../src/spec/rules.js';
import { sysctlFile, sysctlNamespace, sysctlProblem } from '../../../src/spec/sysctl.js';
import type { LinuxNamespace, NamespaceType, Spec } from '../../../src/spec/types.js';

const withNamespaces = (...ns: Array<NamespaceType | LinuxNamespace>): Pick<Spec, 'linux'> => ({
  linux: { namespaces: ns.map((n) => (typeof n === 'string' ? { type: n } : n)) },
});

describe('findNamespace', () => {
  it('finds a new or joined namespace, and nothing without linux.namespaces', () => {
    expect(findNamespace(withNamespaces('pid', { type: 'network', path: '/run/netns/a' }), 'network')).toEqual({ type: 'network', path: '/run/netns/a' });
    expect(findNamespace(withNamespaces('pid'), 'uts')).toBeUndefined();
    expect(findNamespace({}, 'pid')).toBeUndefined();
  });
});

describe('processArgsProblem', () => {
  it.each([[undefined], [[]]])('refuses args %j', (args) => {
    expect(processArgsProblem(args === undefined ? {} : { args })).toEqual({ path: 'process.args', message: 'must name the program to run (at least one entry)' });
  });

  it('accepts one program', () => expect(processArgsProblem({ args: ['true'] })).toBeUndefined());
});

describe('processCwdProblem', () => {
  it.each(['', 'tmp', './x'])('refuses %j', (cwd) => {
    expect(processCwdProblem({ cwd })).toEqual({ path: 'process.cwd', message: `must be an absolute path, got ${JSON.stringify(cwd)}` });
  });

  it('accepts an absolute path', () => expect(processCwdProblem({ cwd: '/srv' })).toBeUndefined());
});

describe('processRlimitsProblem', () => {
  it('refuses a second rlimit of a type, naming both places', () => {
    const rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }];
    expect(processRlimitsProblem({ rlimits })).toEqual({ path: 'process.rlimits[2].type', message: 'duplicate rlimit "RLIMIT_NOFILE" (already at process.rlimits[0])' });
    expect(processRlimitsProblem({ rlimits: rlimits.slice(0, 2) })).toBeUndefined();
  });
});

describe('processWindowsFieldsProblem', () => {
  it('refuses commandLine and user.username, which Linux would ignore', () => {
    expect(processWindowsFieldsProblem({ commandLine: 'cmd /c dir' })?.path).toBe('process.commandLine');
    expect(processWindowsFieldsProblem({ user: { uid: 0, gid: 0, username: 'ContainerUser' } })?.path).toBe('process.user.username');
    expect(processWindowsFieldsProblem({ user: { uid: 0, gid: 0 } })).toBeUndefined();
  });
});

describe('sysctlNamespace (runc\'s placement)', () => {
  it.each([
    ['net.ipv4.ip_forward', 'network'],
    ['fs.mqueue.msg_max', 'ipc'],
    ['kernel.shmmax', 'ipc'],
    ['kernel.sem', 'ipc'],
    ['kernel.shm_rmid_forced', 'ipc'],
    ['kernel.hostname', 'uts'],
    ['kernel.domainname', 'uts'],
    ['kernel.pid_max', undefined],
    ['vm.swappiness', undefined],
    ['fs.file-max', undefined],
  ])('%s belongs to %s', (key, ns) => expect(sysctlNamespace(key)).toBe(ns));
});

describe('sysctlProblem', () => {
  it('accepts a sysctl whose namespace the config has, new or joined', () => {
    expect(sysctlProblem(withNamespaces('ipc'), 'kernel.msgmax')).toBeUndefined();
    expect(sysctlProblem(withNamespaces({ type: 'network', path: '/proc/42/ns/net' }), 'net.core.somaxconn')).toBeUndefined();
    expect(sysctlProblem(withNamespaces('uts'), 'kernel.domainname')).toBeUndefined();
  });

  it('refuses a namespaced sysctl without its namespace, naming the namespace', () => {
    expect(sysctlProblem(withNamespaces('network'), 'fs.mqueue.queues_max')).toBe('cannot be set in the host IPC namespace ("ipc" missing from linux.namespaces)');
    expect(sysctlProblem(withNamespaces('ipc'), 'net.ipv4.ip_forward')).toBe('cannot be set in the host network namespace ("network" missing from linux.namespaces)');
  });

  it('refuses kernel.hostname (the hostname field sets it) and UTS sysctls without a UTS namespace', () => {
    expect(sysctlProblem(withNamespaces('uts'), 'kernel.hostname')).toBe('conflicts with the "hostname" field: use that instead');
    expect(sysctlProblem(withNamespaces('ipc'), 'kernel.domainname')).toBe('is not in a namespace of the container, so it would change the host');
  });

  it('refuses a sysctl of no namespace whatever the config has', () => {
    expect(sysctlProblem(withNamespaces('ipc', 'network', 'uts', 'mount', 'pid', 'user'), 'vm.swappiness')).toBe('is not in a namespace of the container, so it would change the host');
  });
});

describe('sysctlFile', () => {
  it('is the key\'s file under /proc/sys', () => expect(sysctlFile('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward'));
});
