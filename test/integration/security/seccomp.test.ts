// Seccomp profiles compiled by libseccomp in the parent and loaded by a forked child right before
// execve; the exec'd shell then tries the filtered syscalls (mkdir(2): mode is argument 1).
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareSeccomp, releaseSeccomp } from '../../../src/security/seccomp.js';
import type { LinuxSeccomp, LinuxSyscall, SeccompAction, SeccompOperator } from '../../../src/spec/types.js';
import { bundleRunner, runScenario, statusField } from './helpers/run.js';

let bundle: string;
beforeAll(async () => {
  bundle = await bundleRunner();
});

const SIGSYS_EXIT = 128 + 31;
// mkdir on a fresh name, reporting the shell's view of the result.
const TRY_MKDIR = 'd=$(mktemp -u /tmp/ocirun-sec.XXXXXX); mkdir "$d"; rc=$?; rmdir "$d" 2>/dev/null; echo "rc=$rc"';
const TRY_MODES = 'for m in 700 755 777; do d=$(mktemp -u /tmp/ocirun-sec.XXXXXX); if mkdir -m $m "$d" 2>/dev/null; then echo "$m ok"; rmdir "$d"; else echo "$m denied"; fi; done';

function profile(...syscalls: LinuxSyscall[]): LinuxSeccomp {
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls };
}

function runMkdir(seccomp: LinuxSeccomp, script = TRY_MKDIR): { rc: number | undefined; output: string; debug: string[] } {
  const r = runScenario(bundle, { noNewPrivileges: true, seccomp, script: `grep ^Seccomp /proc/self/status; ${script}` });
  expect(r.exitCode, r.output).toBe(0);
  expect(statusField(r.output, 'Seccomp')).toBe('2');
  const rc = /rc=(\d+)/.exec(r.output)?.[1];
  return { rc: rc === undefined ? undefined : Number(rc), output: r.output, debug: r.debug };
}

describe('actions', () => {
  it('SCMP_ACT_ERRNO without errnoRet returns EPERM', () => {
    const r = runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }));
    expect(r.rc).toBe(1);
    expect(r.output).toContain('Operation not permitted');
  });

  it('SCMP_ACT_ERRNO with errnoRet returns that errno', () => {
    const r = runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }));
    expect(r.output).toContain('Permission denied');
  });

  it.each<SeccompAction>(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP'])('%s ends mkdir with SIGSYS', (action) => {
    expect(runMkdir(profile({ names: ['mkdir'], action })).rc).toBe(SIGSYS_EXIT);
  });

  it('SCMP_ACT_TRACE with no tracer attached fails the call with ENOSYS', () => {
    const r = runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_TRACE' }));
    expect(r.rc).toBe(1);
    expect(r.output).toContain('Function not implemented');
  });

  it('SCMP_ACT_LOG lets the call through', () => {
    expect(runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_LOG' })).rc).toBe(0);
  });

  it('SCMP_ACT_ALLOW under a default that denies', () => {
    const r = runMkdir({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 30 }, { names: ['rmdir'], action: 'SCMP_ACT_ALLOW' }] });
    expect(r.output).toContain('Read-only file system');
  });

  const unistd = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
  it.skipIf(process.arch !== 'x64' || !existsSync(unistd))('a deny-by-default profile with defaultErrnoRet (allow-list of every other syscall)', () => {
    const names = [...readFileSync(unistd, 'utf8').matchAll(/^#define __NR_(\w+) \d+$/gm)].map((m) => m[1] as string).filter((n) => n !== 'mkdir');
    expect(names.length).toBeGreaterThan(300);
    const r = runMkdir({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 18, syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] });
    expect(r.output).toContain('Invalid cross-device link');
  });
});

describe('argument operators (mkdir -m 700 / 755 / 777 against 0755)', () => {
  const cases: Array<[SeccompOperator, string]> = [
    ['SCMP_CMP_EQ', '700 ok|755 denied|777 ok'],
    ['SCMP_CMP_NE', '700 denied|755 ok|777 denied'],
    ['SCMP_CMP_LT', '700 denied|755 ok|777 ok'],
    ['SCMP_CMP_LE', '700 denied|755 denied|777 ok'],
    ['SCMP_CMP_GT', '700 ok|755 ok|777 denied'],
    ['SCMP_CMP_GE', '700 ok|755 denied|777 denied'],
  ];
  it.each(cases)('%s', (op, expected) => {
    const r = runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0o755, op }] }), TRY_MODES);
    expect(r.output.split('\n').filter((l) => /^\d{3} /.test(l)).join('|')).toBe(expected);
  });

  it('SCMP_CMP_MASKED_EQ: denies modes without group or other bits ((mode & 077) == 0)', () => {
    const r = runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0o077, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }), TRY_MODES);
    expect(r.output.split('\n').filter((l) => /^\d{3} /.test(l)).join('|')).toBe('700 denied|755 ok|777 ok');
  });

  it('two comparisons on different arguments must both match', () => {
    // mkdir(path, 0700) is denied only if arg1 == 0700 AND arg0 (a pointer) != 0: both hold.
    const args = [
      { index: 1, value: 0o700, op: 'SCMP_CMP_EQ' as const },
      { index: 0, value: 0, op: 'SCMP_CMP_NE' as const },
    ];
    const r = runMkdir(profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args }), TRY_MODES);
    expect(r.output.split('\n').filter((l) => /^\d{3} /.test(l)).join('|')).toBe('700 denied|755 ok|777 ok');
  });
});

describe('profile handling', () => {
  it('skips syscall names this libseccomp does not know, as runc does, and applies the rest', () => {
    const r = runMkdir(profile({ names: ['ocirun_no_such_syscall', 'mkdir'], action: 'SCMP_ACT_ERRNO' }));
    expect(r.rc).toBe(1);
    expect(r.debug).toEqual([expect.stringMatching(/^linux\.seccomp\.syscalls\[0\]\.names\[0\]: syscall "ocirun_no_such_syscall" is unknown to libseccomp \d/)]);
  });

  it('loads with the TSYNC, LOG and SPEC_ALLOW flags', () => {
    const seccomp = { ...profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' as const }), flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] as const };
    expect(runMkdir({ ...seccomp, flags: [...seccomp.flags] }).rc).toBe(1);
  });

  it.skipIf(process.arch !== 'x64')('loads with extra architectures (x86, x32) next to the native one', () => {
    const r = runMkdir({ ...profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }), architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] });
    expect(r.rc).toBe(1);
  });

  it('accepts syscalls that exist only on other architectures (socketcall) without error', () => {
    expect(runMkdir(profile({ names: ['socketcall', 'mkdir'], action: 'SCMP_ACT_ERRNO' })).rc).toBe(1);
  });

  it('refuses an architecture this libseccomp cannot resolve, in the parent', () => {
    expect(() => prepareSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_SHEB'] })).toThrow(
      /^linux\.seccomp\.architectures: libseccomp [\d.]+ does not support architecture "sheb"/,
    );
  });

  it('prepares nothing without a profile, and frees what it prepared', () => {
    expect(prepareSeccomp(undefined)).toBeNull();
    const p = prepareSeccomp(profile({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }));
    expect(p?.listener).toBeNull();
    expect(p?.filter.program.length).toBeGreaterThan(4);
    if (p) releaseSeccomp(p);
  });
});
