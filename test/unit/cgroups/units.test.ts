// runc's value syntaxes: go-units RAMInBytes for memory flags, Go durations for --interval.
import { describe, expect, it } from 'vitest';
import { parseGoDuration, ramInBytes } from '../../../src/cgroups/units.js';

describe('ramInBytes (go-units RAMInBytes: binary multiples)', () => {
  it.each([
    ['100', 100],
    ['4096b', 4096],
    ['1k', 1024],
    ['1KiB', 1024],
    ['64m', 64 * 2 ** 20],
    ['64M', 64 * 2 ** 20],
    ['64MB', 64 * 2 ** 20],
    ['10 MiB', 10 * 2 ** 20],
    ['1.5g', 1.5 * 2 ** 30],
    ['2T', 2 * 2 ** 40],
    ['1.0000001k', 1024],
  ])('%s → %d', (text, bytes) => {
    expect(ramInBytes(text)).toBe(bytes);
  });

  it.each(['', '-1', 'm', '12x', '1.2.3', ' 5', '5  m', 'abc'])('refuses %j naming it', (text) => {
    expect(() => ramInBytes(text)).toThrow(`invalid size: '${text}'`);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['5s', 5000],
    ['0', 0],
    ['250ms', 250],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['100us', 0.1],
    ['100\u00b5s', 0.1],
    ['100\u03bcs', 0.1],
    ['-2s', -2000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '5', 's', '5 s', '1d', '5s3'])('refuses %j as Go does', (text) => {
    expect(() => parseGoDuration(text)).toThrow(`time: invalid duration ${JSON.stringify(text)}`);
  });
});
