// The steps that turn the forked child into the container's process (init/process-setup.ts),
// with the real security steps (security/capabilities.ts, lsm.ts, seccomp.ts), run against the
// recording fake: what is applied, and above all in which order. Real processes check the
// effects in conformance/process and conformance/security.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import type { InitSecurity } from '../../../src/init/init.js';
import type { ProcessPlan } from '../../../src/init/process-plan.js';
import { becomeContainerProcess, execContainerProcess } from '../../../src/init/process-setup.js';
import { applyCapabilities, capabilityNumber, dropBoundingSet, planCapabilities } from '../../../src/security/capabilities.js';
import { applyLsm } from '../../../src/security/lsm.js';
import { loadSeccomp, type PreparedSeccomp } from '../../../src/security/seccomp.js';
import type { NativeProgram } from '../../../src/linux/seccomp.js';
import { ExecReached, FakeSys, type Call } from '../../support/fake-sys.js';

// A program that exists on any host running the tests: the lookup and the exec guard read it.
const PROGRAM = '/bin/sh';
const LAST_CAP = 40;
const ALL_CAPS = (1n << BigInt(LAST_CAP + 1)) - 1n;

function processPlan(extra: Partial<ProcessPlan> = {}): ProcessPlan {
  return {
    uid: 1000,
    gid: 1000,
    additionalGids: [10, 20],
    umask: 0o027,
    cwd: '/home/app',
    args: [PROGRAM, '-c', 'true'],
    env: ['PATH=/bin', 'HOME=/home/app'],
    noNewPrivileges: true,
    rlimits: [{ resource: K.RLIMIT_NUMBERS['RLIMIT_NOFILE'] as number, soft: 1024n, hard: 1024n }],
    preserveFds: 0,
    extras: {},
    ...extra,
  };
}

/** What container/security.ts prepares: capabilities, an AppArmor profile, a seccomp profile. */
function security(noNewPrivileges = true): InitSecurity {
  const { plan } = planCapabilities(
    { bounding: ['CAP_KILL', 'CAP_NET_BIND_SERVICE'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] },
    ALL_CAPS,
    { holdForSeccomp: !noNewPrivileges, lastCap: LAST_CAP },
  );
  const seccomp: PreparedSeccomp = { filter: { program: {} as NativeProgram, flags: 0 }, listener: null, debug: [], listenerLoaded: false };
  return {
    dropBounding: (sys) => dropBoundingSet(sys, plan),
    applyCapabilities: (sys) => applyCapabilities(sys, plan),
    applyLsm: (sys) => applyLsm(sys, { apparmorProfile: 'ocirun-test' }),
    loadSeccomp: (sys) => loadSeccomp(sys, seccomp),
  };
}

function fakeSys(): FakeSys {
  const sys = new FakeSys();
  sys.contents.set('/proc/self/setgroups', 'allow\n');
  return sys;
}

/** The whole child side, from the limits to execve. */
function runToExec(sys: FakeSys, p: ProcessPlan, sec: InitSecurity): void {
  const program = becomeContainerProcess(sys, p, sec, -1);
  expect(() => execContainerProcess(sys, p, sec, program)).toThrow(ExecReached);
}

/** Call names, with prctl shown by its option. */
function steps(calls: readonly Call[]): string[] {
  const PRCTL: Record<number, string> = { [K.PR_SET_KEEPCAPS]: 'prctl KEEPCAPS', [K.PR_SET_NO_NEW_PRIVS]: 'prctl NO_NEW_PRIVS' };
  return calls.map(([name, a]) => (name === 'prctl' ? (PRCTL[a as number] ?? `prctl ${String(a)}`) : name));
}

const indexOf = (list: readonly string[], name: string): number => {
  const i = list.indexOf(name);
  if (i < 0) throw new Error(`${name} was not called: ${list.join(', ')}`);
  return i;
};

describe('becoming the container process: the order of the steps', () => {
  it('limits, cwd, LSM label, keep-caps, bounding drops, groups, gid, uid, capabilities, umask, no_new_privs, signals and fds, seccomp, execve', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan(), security());
    const drops = LAST_CAP + 1 - 2;
    expect(steps(sys.calls)).toEqual([
      'prlimit',
      'chdir',
      'getcwd',
      'open', 'write', 'close',
      'prctl KEEPCAPS',
      ...Array<string>(drops).fill('capbset_drop'),
      'readFile', 'setgroups',
      'setresgid',
      'setresuid',
      'capset', 'ambient_clear_all', 'ambient_raise', 'keepcaps',
      'umask',
      'prctl NO_NEW_PRIVS',
      'resetSignalsForExec', 'close_range', 'fcntl', 'fcntl', 'fcntl',
      'seccomp',
      'execve',
    ]);
  });

  it('capabilities: keep-caps is set before setuid, the bounding set shrinks while still root, capset comes after setuid and clears keep-caps', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan(), security());
    const s = steps(sys.calls);
    const setuid = indexOf(s, 'setresuid');
    expect(indexOf(s, 'prctl KEEPCAPS')).toBeLessThan(setuid);
    expect(s.lastIndexOf('capbset_drop')).toBeLessThan(setuid);
    expect(indexOf(s, 'capset')).toBeGreaterThan(setuid);
    expect(sys.only('keepcaps')).toEqual([['keepcaps', false]]);
    const kill = BigInt(capabilityNumber('CAP_KILL') as number);
    expect(sys.only('capset')).toEqual([['capset', { effective: 1n << kill, permitted: 1n << kill, inheritable: 1n << kill }]]);
    expect(sys.only('ambient_raise')).toEqual([['ambient_raise', Number(kill)]]);
    expect(sys.only('capbset_drop').map(([, n]) => n)).not.toContain(Number(kill));
  });

  it('root keeps its capabilities through the user switch without keep-caps', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan({ uid: 0, gid: 0 }), security());
    expect(steps(sys.calls)).not.toContain('prctl KEEPCAPS');
    expect(sys.only('setresuid')).toEqual([['setresuid', 0, 0, 0]]);
  });

  it('groups, then gid, then uid: each needs the privilege the next one gives up', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan(), security());
    expect(sys.only('setgroups', 'setresgid', 'setresuid')).toEqual([
      ['setgroups', [10, 20]],
      ['setresgid', 1000, 1000, 1000],
      ['setresuid', 1000, 1000, 1000],
    ]);
  });

  it('the LSM label is written while still root and before no_new_privs', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan(), security());
    const s = steps(sys.calls);
    const label = sys.calls.findIndex(([name, path]) => name === 'open' && path === '/proc/self/attr/apparmor/exec');
    expect(sys.calls[label + 1]).toEqual(['write', `fd:/proc/self/attr/apparmor/exec`, 'exec ocirun-test']);
    expect(label).toBeLessThan(indexOf(s, 'setresuid'));
    expect(label).toBeLessThan(indexOf(s, 'prctl NO_NEW_PRIVS'));
  });

  it('no_new_privs before seccomp, and seccomp the last call before execve', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan(), security());
    const s = steps(sys.calls);
    expect(indexOf(s, 'prctl NO_NEW_PRIVS')).toBeLessThan(indexOf(s, 'seccomp'));
    expect(s.slice(-2)).toEqual(['seccomp', 'execve']);
    expect(sys.calls.at(-1)).toEqual(['execve', PROGRAM, [PROGRAM, '-c', 'true'], ['PATH=/bin', 'HOME=/home/app']]);
  });

  it('without no_new_privs the init holds CAP_SYS_ADMIN for seccomp (the kernel requires it); execve drops it', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan({ noNewPrivileges: false }), security(false));
    expect(steps(sys.calls)).not.toContain('prctl NO_NEW_PRIVS');
    const admin = 1n << BigInt(capabilityNumber('CAP_SYS_ADMIN') as number);
    const [[, sets]] = sys.only('capset') as [[string, { effective: bigint; permitted: bigint; inheritable: bigint }]];
    expect(sets.effective & admin).toBe(admin);
    expect(sets.permitted & admin).toBe(admin);
    expect(sets.inheritable & admin).toBe(0n);
    expect(steps(sys.calls).slice(-2)).toEqual(['seccomp', 'execve']);
  });

  it('marks stdio and the preserved fds inheritable, everything above close-on-exec', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan({ preserveFds: 2 }), security());
    expect(sys.only('close_range', 'fcntl')).toEqual([
      ['close_range', 3, K.CLOSE_RANGE_ALL, K.CLOSE_RANGE_CLOEXEC],
      ...[0, 1, 2, 3, 4].map((fd) => ['fcntl', fd, K.F_SETFD, 0]),
    ]);
  });

  it('umask: the configured one, else 0022', () => {
    const sys = fakeSys();
    runToExec(sys, processPlan(), security());
    expect(sys.only('umask')).toEqual([['umask', 0o027]]);
    const other = fakeSys();
    const { umask: _, ...noUmask } = processPlan();
    runToExec(other, noUmask, security());
    expect(other.only('umask')).toEqual([['umask', 0o022]]);
  });
});

describe('becoming the container process: failures', () => {
  it('a cwd the kernel reports as unreachable (a leaked host fd, CVE-2024-21626) is refused before any privilege changes', () => {
    const sys = fakeSys();
    sys.fail('getcwd', 'ENOENT');
    expect(() => becomeContainerProcess(sys, processPlan(), security(), -1)).toThrow(/^process\.cwd "\/home\/app" is outside the container's root: getcwd\(\): no such file or directory$/);
    expect(steps(sys.calls)).not.toContain('setresuid');
  });

  it('a failing setuid names the call and the ids, and nothing after it runs', () => {
    const sys = fakeSys();
    sys.fail('setresuid', 'EPERM');
    expect(() => becomeContainerProcess(sys, processPlan(), security(), -1)).toThrow('setresuid(1000, 1000, 1000): operation not permitted');
    expect(steps(sys.calls).at(-1)).toBe('setresuid');
  });

  it('setgroups denied in the user namespace: no groups asked for is fine, some is an error naming them', () => {
    const sys = fakeSys();
    sys.contents.set('/proc/self/setgroups', 'deny\n');
    runToExec(sys, processPlan({ additionalGids: [] }), security());
    expect(sys.only('setgroups')).toEqual([]);
    const denied = fakeSys();
    denied.contents.set('/proc/self/setgroups', 'deny\n');
    expect(() => becomeContainerProcess(denied, processPlan(), security(), -1)).toThrow(/^process\.user\.additionalGids: groups 10, 20 cannot be set: setgroups is denied/);
  });

  it('an AppArmor profile that is not loaded is named; a kernel without attr/apparmor falls back to attr/exec', () => {
    const missing = fakeSys();
    missing.fail('write', 'ENOENT');
    expect(() => becomeContainerProcess(missing, processPlan(), security(), -1)).toThrow('AppArmor profile "ocirun-test" cannot be applied: no profile of that name is loaded');
    expect(missing.openFds()).toEqual([]);
    const old = fakeSys();
    old.missing.add('/proc/self/attr/apparmor');
    runToExec(old, processPlan(), security());
    expect(old.only('open', 'write')).toEqual([
      ['open', '/proc/self/attr/apparmor/exec', K.O_WRONLY | K.O_CLOEXEC, 0],
      ['open', '/proc/self/attr/exec', K.O_WRONLY | K.O_CLOEXEC, 0],
      ['write', 'fd:/proc/self/attr/exec', 'exec ocirun-test'],
    ]);
  });

  it('a limit the kernel refuses names the call and the values', () => {
    const sys = fakeSys();
    sys.fail('prlimit', 'EPERM');
    expect(() => becomeContainerProcess(sys, processPlan(), security(), -1)).toThrow('prlimit(0, 7, 1024, 1024): operation not permitted');
    expect(sys.calls).toHaveLength(1);
  });
});
