import { describe, expect, it } from 'vitest';
import {
  SECCOMP_ACTION_NAMES,
  SECCOMP_ARCH_NAMES,
  SECCOMP_FLAG_NAMES,
  SECCOMP_OPERATOR_NAMES,
  planSeccomp,
} from '../../../src/security/seccomp-plan.js';
import type { LinuxSeccomp, LinuxSyscall, SeccompAction } from '../../../src/spec/types.js';

const ALLOW = 0x7fff0000;

function withRule(rule: LinuxSyscall, extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp {
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [rule], ...extra };
}

describe('actions', () => {
  // seccomp.h: SCMP_ACT_*; data-carrying actions get EPERM (1) by default, as in runc.
  const cases: Array<[SeccompAction, number | undefined, number]> = [
    ['SCMP_ACT_KILL', undefined, 0x00000000],
    ['SCMP_ACT_KILL_THREAD', undefined, 0x00000000],
    ['SCMP_ACT_KILL_PROCESS', undefined, 0x80000000],
    ['SCMP_ACT_TRAP', undefined, 0x00030000],
    ['SCMP_ACT_ERRNO', undefined, 0x00050001],
    ['SCMP_ACT_ERRNO', 13, 0x0005000d],
    ['SCMP_ACT_ERRNO', 0, 0x00050000],
    ['SCMP_ACT_TRACE', undefined, 0x7ff00001],
    ['SCMP_ACT_TRACE', 38, 0x7ff00026],
    ['SCMP_ACT_LOG', undefined, 0x7ffc0000],
  ];
  it.each(cases)('%s (errnoRet %s) → 0x%s', (action, errnoRet, value) => {
    const rule: LinuxSyscall = { names: ['mkdir'], action };
    if (errnoRet !== undefined) rule.errnoRet = errnoRet;
    const plan = planSeccomp(withRule(rule));
    expect(plan.filter.rules).toEqual([{ syscall: 'mkdir', action: value, args: [], path: 'linux.seccomp.syscalls[0].names[0]' }]);
    expect(plan.listener).toBeNull();
  });

  it('applies to the default action, with defaultErrnoRet', () => {
    expect(planSeccomp({ defaultAction: 'SCMP_ACT_ERRNO' }).filter.defaultAction).toBe(0x00050001);
    expect(planSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }).filter.defaultAction).toBe(0x00050026);
    expect(planSeccomp({ defaultAction: 'SCMP_ACT_KILL_PROCESS' }).filter.defaultAction).toBe(0x80000000);
  });

  it('refuses an errno on an action that has none, naming the field', () => {
    expect(() => planSeccomp(withRule({ names: ['mkdir'], action: 'SCMP_ACT_KILL', errnoRet: 1 }))).toThrow(
      /^linux\.seccomp\.syscalls\[0\]\.action: SCMP_ACT_KILL does not take an errno/,
    );
    expect(() => planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 })).toThrow(/^linux\.seccomp\.defaultAction: SCMP_ACT_ALLOW does not take an errno/);
  });

  it('refuses an errno that does not fit the 16 data bits', () => {
    expect(() => planSeccomp(withRule({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 70000 }))).toThrow(/syscalls\[0\]\.action: errno 70000 is out of range/);
  });

  it('refuses unknown actions', () => {
    const bad = { names: ['mkdir'], action: 'SCMP_ACT_BOGUS' } as unknown as LinuxSyscall;
    expect(() => planSeccomp(withRule(bad))).toThrow('linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_BOGUS"');
  });

  it('skips rules whose action is the default (libseccomp refuses them)', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' },
        { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      ],
    });
    expect(plan.filter.rules.map((r) => r.syscall)).toEqual(['rmdir']);
  });
});

describe('operators', () => {
  // enum scmp_compare
  const ops: Array<[string, number]> = [
    ['SCMP_CMP_NE', 1],
    ['SCMP_CMP_LT', 2],
    ['SCMP_CMP_LE', 3],
    ['SCMP_CMP_EQ', 4],
    ['SCMP_CMP_GE', 5],
    ['SCMP_CMP_GT', 6],
    ['SCMP_CMP_MASKED_EQ', 7],
  ];
  it.each(ops)('%s → %d', (op, value) => {
    const plan = planSeccomp(
      withRule({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0o77, valueTwo: 0, op: op as never }] }),
    );
    expect(plan.filter.rules[0]?.args).toEqual([{ arg: 1, op: value, datumA: 0o77n, datumB: 0n }]);
  });

  it('passes MASKED_EQ as mask (value) then expected value (valueTwo)', () => {
    const plan = planSeccomp(
      withRule({ names: ['clone'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }),
    );
    expect(plan.filter.rules[0]?.args[0]).toEqual({ arg: 0, op: 7, datumA: 2114060288n, datumB: 0n });
  });

  it('keeps large 64-bit values exact where JSON can carry them', () => {
    const plan = planSeccomp(withRule({ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 4294967295, op: 'SCMP_CMP_EQ' }] }));
    expect(plan.filter.rules[0]?.args[0]?.datumA).toBe(0xffffffffn);
  });

  it('ANDs comparisons on different arguments in one rule', () => {
    const plan = planSeccomp(
      withRule({
        names: ['kill'],
        action: 'SCMP_ACT_ERRNO',
        args: [
          { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
          { index: 1, value: 0, op: 'SCMP_CMP_EQ' },
        ],
      }),
    );
    expect(plan.filter.rules).toHaveLength(1);
    expect(plan.filter.rules[0]?.args).toHaveLength(2);
  });

  it('splits comparisons on the same argument into separate rules, as runc does', () => {
    const plan = planSeccomp(
      withRule({
        names: ['personality', 'other'],
        action: 'SCMP_ACT_ALLOW',
        args: [
          { index: 0, value: 0, op: 'SCMP_CMP_EQ' },
          { index: 0, value: 8, op: 'SCMP_CMP_EQ' },
        ],
      }, { defaultAction: 'SCMP_ACT_ERRNO' }),
    );
    expect(plan.filter.rules.map((r) => [r.syscall, r.args.map((a) => a.datumA)])).toEqual([
      ['personality', [0n]],
      ['personality', [8n]],
      ['other', [0n]],
      ['other', [8n]],
    ]);
  });

  it('names the argument in its errors', () => {
    const rule = (arg: object): LinuxSeccomp => withRule({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [arg as never] });
    expect(() => planSeccomp(rule({ index: 6, value: 0, op: 'SCMP_CMP_EQ' }))).toThrow('linux.seccomp.syscalls[0].args[0].index: 6 is not a syscall argument (0 to 5)');
    expect(() => planSeccomp(rule({ index: 0, value: 0, op: 'SCMP_CMP_XX' }))).toThrow('linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_XX"');
    expect(() => planSeccomp(rule({ index: 0, value: -1, op: 'SCMP_CMP_EQ' }))).toThrow('linux.seccomp.syscalls[0].args[0].value: -1 is not a 64-bit unsigned integer');
    expect(() => planSeccomp(rule({ index: 0, value: 1, valueTwo: 1.5, op: 'SCMP_CMP_EQ' }))).toThrow('args[0].valueTwo: 1.5 is not');
  });

  it('refuses an entry without names', () => {
    expect(() => planSeccomp(withRule({ names: [], action: 'SCMP_ACT_ERRNO' }))).toThrow('linux.seccomp.syscalls[0].names: must name at least one syscall');
  });
});

describe('architectures', () => {
  it('maps every spec architecture to the name libseccomp resolves', () => {
    const names = (architectures: string[]) => planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: architectures as LinuxSeccomp['architectures'] }).filter.architectures;
    expect(names(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPSEL64N32'])).toEqual(['x86_64', 'x86', 'x32', 'aarch64', 'mipsel64n32']);
    expect(names(['SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390X', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64'])).toEqual(['ppc64le', 's390x', 'riscv64', 'loongarch64']);
    expect(SECCOMP_ARCH_NAMES).toHaveLength(23);
    for (const n of names([...SECCOMP_ARCH_NAMES])) expect(n).toMatch(/^[a-z0-9_]+$/);
  });

  it('keeps the order of the config', () => {
    const plan = planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] });
    expect(plan.filter.architectures).toEqual(['x86_64', 'x86', 'x32']);
  });

  it('refuses an unknown architecture, naming it', () => {
    const bad = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80'] } as unknown as LinuxSeccomp;
    expect(() => planSeccomp(bad)).toThrow('linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_Z80"');
  });
});

describe('flags', () => {
  const flagsOf = (flags: string[]): number => planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: flags as never }).filter.flags;

  it('maps LOG and SPEC_ALLOW to the seccomp(2) flag bits', () => {
    expect(flagsOf(['SECCOMP_FILTER_FLAG_LOG'])).toBe(2);
    expect(flagsOf(['SECCOMP_FILTER_FLAG_SPEC_ALLOW'])).toBe(4);
    expect(flagsOf(['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'])).toBe(6);
  });

  it('accepts TSYNC as a no-op: the init has a single thread', () => {
    expect(flagsOf(['SECCOMP_FILTER_FLAG_TSYNC'])).toBe(0);
  });

  it('gives WAIT_KILLABLE_RECV to the listener filter only, which also gets NEW_LISTENER', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', 'SECCOMP_FILTER_FLAG_LOG'],
      listenerPath: '/run/agent.sock',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
    });
    expect(plan.filter.flags).toBe(2);
    expect(plan.listener?.flags).toBe(2 | 8 | 32);
    expect(flagsOf(['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'])).toBe(0);
  });

  it('refuses an unknown flag', () => {
    expect(() => flagsOf(['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_NOPE'])).toThrow('linux.seccomp.flags[1]: unknown flag "SECCOMP_FILTER_FLAG_NOPE"');
  });

  it('lists the spec’s four flags as known', () => {
    expect([...SECCOMP_FLAG_NAMES].sort()).toEqual([
      'SECCOMP_FILTER_FLAG_LOG',
      'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
      'SECCOMP_FILTER_FLAG_TSYNC',
      'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
    ]);
  });
});

describe('SCMP_ACT_NOTIFY', () => {
  const profile: LinuxSeccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    listenerPath: '/run/agent.sock',
    listenerMetadata: 'MKNOD=/dev/null',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      { names: ['mkdir', 'mknod'], action: 'SCMP_ACT_NOTIFY', args: [{ index: 1, value: 0o700, op: 'SCMP_CMP_EQ' }] },
      { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
    ],
  };

  it('splits the profile: a listener filter with only the notify rules, and the profile with them allowed', () => {
    const plan = planSeccomp(profile);
    expect(plan.listener).toEqual({
      defaultAction: ALLOW,
      badArchAction: ALLOW,
      architectures: ['x86_64'],
      flags: 8,
      rules: [
        { syscall: 'mkdir', action: 0x7fc00000, args: [{ arg: 1, op: 4, datumA: 0o700n, datumB: 0n }], path: 'linux.seccomp.syscalls[0].names[0]' },
        { syscall: 'mknod', action: 0x7fc00000, args: [{ arg: 1, op: 4, datumA: 0o700n, datumB: 0n }], path: 'linux.seccomp.syscalls[0].names[1]' },
      ],
    });
    expect(plan.filter.defaultAction).toBe(0x00050001);
    expect(plan.filter.badArchAction).toBeUndefined();
    expect(plan.filter.rules.map((r) => [r.syscall, r.action])).toEqual([
      ['mkdir', ALLOW],
      ['mknod', ALLOW],
      ['read', ALLOW],
      ['write', ALLOW],
      ['exit_group', ALLOW],
    ]);
    expect(plan.listenerPath).toBe('/run/agent.sock');
    expect(plan.listenerMetadata).toBe('MKNOD=/dev/null');
  });

  it('drops the allowed copies when the default already allows', () => {
    const plan = planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/a', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] });
    expect(plan.filter.rules).toEqual([]);
    expect(plan.listener?.rules).toHaveLength(1);
  });

  it('refuses NOTIFY as the default action', () => {
    expect(() => planSeccomp({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/a' })).toThrow(/^linux\.seccomp\.defaultAction: SCMP_ACT_NOTIFY cannot be the default action/);
  });

  it('refuses NOTIFY on the syscalls that hand the listener over', () => {
    for (const name of ['write', 'sendmsg']) {
      expect(() => planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/a', syscalls: [{ names: ['mkdir', name], action: 'SCMP_ACT_NOTIFY' }] })).toThrow(
        `linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for "${name}"`,
      );
    }
  });

  it('requires listenerPath with NOTIFY, and refuses listenerMetadata without it', () => {
    expect(() => planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] })).toThrow(
      'linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used',
    );
    expect(() => planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' })).toThrow('linux.seccomp.listenerMetadata: must not be set without listenerPath');
  });

  it('ignores listenerPath when nothing notifies', () => {
    const plan = planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/a' });
    expect(plan.listener).toBeNull();
  });
});

describe('name lists for features', () => {
  it('has the spec’s nine actions and seven operators', () => {
    expect(SECCOMP_ACTION_NAMES).toHaveLength(9);
    expect(SECCOMP_OPERATOR_NAMES).toHaveLength(7);
    expect(SECCOMP_ACTION_NAMES).toContain('SCMP_ACT_KILL_PROCESS');
    expect(SECCOMP_OPERATOR_NAMES).toContain('SCMP_CMP_MASKED_EQ');
  });
});
