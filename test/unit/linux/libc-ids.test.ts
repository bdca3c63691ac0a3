// Defence in depth under the validators: (uid_t)-1, however it is spelled, never reaches the
// set*id calls, where it would mean "leave unchanged" and skip a privilege drop. The guard
// acts before the call, so these cases change nothing in the test process even if it broke
// (setresuid(-1, -1, -1) is itself a no-op).
import { describe, expect, it } from 'vitest';
import { fchownat, setgroups, setresgid, setresuid } from '../../../src/linux/libc.js';

describe('libc id guard', () => {
  it.each([
    ['setresuid', () => setresuid(0xffffffff, 0xffffffff, 0xffffffff)],
    ['setresuid', () => setresuid(-1, -1, -1)],
    ['setresgid', () => setresgid(0xffffffff, 0xffffffff, 0xffffffff)],
    ['setresgid', () => setresgid(-1, -1, -1)],
    ['setgroups', () => setgroups([0xffffffff])],
    ['fchownat', () => fchownat(-100, '/nonexistent-ocirun-test', -1, -1, 0)],
  ])('%s refuses (uid_t)-1 with EINVAL', (call, f) => {
    expect(f).toThrow(new RegExp(`^${call}\\(.*\\): invalid argument$`));
  });

  it('a setgroups error quotes 16 groups and the count, not 70,000 ids', () => {
    let message = '';
    try {
      setgroups(Array.from({ length: 70_000 }, (_, i) => (i === 69_999 ? 0xffffffff : i)));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('setgroups("0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,... (70000 groups)"): invalid argument');
  });
});
