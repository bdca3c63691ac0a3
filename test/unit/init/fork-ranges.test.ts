// The address ranges create re-marks MADV_DOFORK before fork: all of user space but [vvar].
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forkableRanges } from '../../../src/linux/fork.js';

const END = 0x7ffffffff000n;

describe('forkableRanges', () => {
  it('one range over all of user space when nothing is excluded', () => {
    expect(forkableRanges('55d0c0000000-55d0c0001000 r--p 00000000 08:01 1 /usr/bin/node\n')).toEqual([[0x1000n, END - 0x1000n]]);
  });

  it('stops around [vvar] and [vvar_vclock]', () => {
    const maps = [
      '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]',
      '7ffd00100000-7ffd00104000 r--p 00000000 00:00 0 [vvar]',
      '7ffd00104000-7ffd00105000 r--p 00000000 00:00 0 [vvar_vclock]',
      '7ffd00105000-7ffd00107000 r-xp 00000000 00:00 0 [vdso]',
    ].join('\n');
    expect(forkableRanges(maps)).toEqual([
      [0x1000n, 0x7ffd00100000n - 0x1000n],
      [0x7ffd00105000n, END - 0x7ffd00105000n],
    ]);
  });

  it('ignores [vsyscall] above user space', () => {
    const maps = 'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n';
    expect(forkableRanges(maps)).toEqual([[0x1000n, END - 0x1000n]]);
  });

  it('never covers the live [vvar]', () => {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const vvar = maps.split('\n').find((l) => l.endsWith('[vvar]'));
    const ranges = forkableRanges(maps);
    if (vvar) {
      const [lo, hi] = (vvar.split(' ')[0] as string).split('-').map((h) => BigInt(`0x${h}`)) as [bigint, bigint];
      for (const [start, len] of ranges) expect(start + len <= lo || start >= hi).toBe(true);
    }
    for (const [start, len] of ranges) expect(start % 0x1000n === 0n && len > 0n).toBe(true);
  });
});
