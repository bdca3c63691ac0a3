import { describe, expect, it } from 'vitest';
import { reasonOf, SyscallError } from '../../../src/linux/errors.js';

describe('SyscallError', () => {
  it('names the call, its arguments and the reason in Go\'s words', () => {
    expect(new SyscallError('mount', 2, ['proc', '/x', 0x4000]).message).toBe('mount("proc", "/x", 0x4000): no such file or directory');
  });

  it('prints ids, pids and limits in decimal, as id and ulimit show them', () => {
    expect(new SyscallError('setresuid', 1, [4294967294, 100000, 1000]).message).toBe('setresuid(4294967294, 100000, 1000): operation not permitted');
    expect(new SyscallError('kill', 3, [12345, 9]).message).toBe('kill(12345, 9): no such process');
  });

  it('cuts a huge string argument so the error stays one readable line', () => {
    const message = new SyscallError('mount', 22, ['x'.repeat(100_000)]).message;
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('... (100000 chars)');
  });
});

describe('reasonOf', () => {
  it('turns a Node fs error into the kernel reason', () => {
    expect(reasonOf(Object.assign(new Error('EACCES: permission denied, open'), { errno: -13 }))).toBe('permission denied');
  });
});
