// The v1 → v2 conversions runc applies, and the small value formats shared by the planners.
import { describe, expect, it } from 'vitest';
import { blkioWeightToIoWeight, hugePageSizeName, int, parseCpuList, sharesToWeight, swapToV2, v2Limit } from '../../../src/cgroups/values.js';

describe('sharesToWeight: 1 + ((shares - 2) * 9999) / 262142', () => {
  it.each([
    [2, 1],
    [1024, 39],
    [512, 20],
    [262144, 10000],
    // The kernel clamps v1 shares to [2, 262144]; the weight follows.
    [1, 1],
    [1_000_000, 10000],
  ])('%d shares → weight %d', (shares, weight) => {
    expect(sharesToWeight(shares)).toBe(weight);
  });
});

describe('blkioWeightToIoWeight: 1 + (weight - 10) * 9999 / 990', () => {
  it.each([
    [10, 1],
    [500, 4950],
    [1000, 10000],
  ])('blkio weight %d → io.weight %d', (w, io) => {
    expect(blkioWeightToIoWeight(w)).toBe(io);
  });
});

describe('swapToV2: memory.swap.max = swap - limit', () => {
  it('subtracts the memory limit from memory+swap', () => {
    expect(swapToV2(200 << 20, 100 << 20)).toBe(String(100 << 20));
    expect(swapToV2(100 << 20, 100 << 20)).toBe('0');
  });
  it('maps -1 to max, and unlimited memory with swap unset to max', () => {
    expect(swapToV2(-1, 100 << 20)).toBe('max');
    expect(swapToV2(0, -1)).toBe('max');
  });
  it('writes nothing when swap is unset', () => {
    expect(swapToV2(0, 100 << 20)).toBeUndefined();
    expect(swapToV2(0, 0)).toBeUndefined();
  });
  it('refuses what v1 would refuse', () => {
    expect(() => swapToV2(100, 200)).toThrow(/below the memory limit/);
    expect(() => swapToV2(100, 0)).toThrow(/needs a memory limit/);
    expect(() => swapToV2(100, -1)).toThrow(/needs a memory limit/);
  });
});

describe('formats', () => {
  it('prints int64 values without exponents and -1 as max for v2', () => {
    expect(int(9007199254740993)).toBe('9007199254740992');
    expect(int(1e21)).toBe('1000000000000000000000');
    expect(v2Limit(-1)).toBe('max');
    expect(v2Limit(4096)).toBe('4096');
  });
  it('parses cpu lists', () => {
    expect(parseCpuList('0-2,5\n')).toEqual([0, 1, 2, 5]);
    expect(parseCpuList('')).toEqual([]);
    expect(parseCpuList('7')).toEqual([7]);
  });
  it('names huge page sizes as config.json does', () => {
    expect(hugePageSizeName('hugepages-2048kB')).toBe('2MB');
    expect(hugePageSizeName('hugepages-1048576kB')).toBe('1GB');
    expect(hugePageSizeName('hugepages-64kB')).toBe('64KB');
    expect(hugePageSizeName('other')).toBeUndefined();
  });
});
