// `kill ID SIGNAL` accepts what runc accepts; `run` reports what a shell reports.
import { describe, expect, it } from 'vitest';
import { effectiveSignal } from '../../../src/container/kill.js';
import { parseSignal } from '../../../src/container/signals.js';
import { exitCodeOf } from '../../../src/linux/wait-status.js';

describe('parseSignal', () => {
  it('defaults to TERM', () => {
    expect(parseSignal(undefined)).toBe(15);
    expect(parseSignal('')).toBe(15);
  });

  it.each([
    ['TERM', 15], ['SIGTERM', 15], ['sigterm', 15], ['term', 15], ['15', 15],
    ['KILL', 9], ['SIGKILL', 9], ['9', 9], ['HUP', 1], ['USR1', 10], ['SIGUSR2', 12], ['WINCH', 28], ['CHLD', 17], ['STOP', 19], ['CONT', 18],
    ['RTMIN', 34], ['SIGRTMIN+1', 35], ['RTMAX', 64], ['SIGRTMAX-2', 62], ['64', 64], ['1', 1], ['0', 0],
  ])('%s → %d', (text, sig) => {
    expect(parseSignal(text)).toBe(sig);
  });

  it.each(['65', '999', 'BOGUS', 'SIG', 'RTMIN+40', '-9', '9x'])('rejects %j', (text) => {
    expect(() => parseSignal(text)).toThrow();
  });

  it('names the bad signal', () => {
    expect(() => parseSignal('BOGUS')).toThrow('unknown signal "BOGUS"');
  });
});

describe('exitCodeOf (wait status → shell exit code)', () => {
  it.each([
    [0, 0],
    [42 << 8, 42],
    [255 << 8, 255],
    [9, 137],
    [15, 143],
    [0x80 | 6, 134],
  ])('%d → %d', (status, code) => {
    expect(exitCodeOf(status)).toBe(code);
  });
});

describe('effectiveSignal (a created container dies where runc\'s waiting init dies)', () => {
  it.each([[15, 9], [2, 9], [1, 9], [3, 9], [9, 9], [10, 10], [28, 28], [19, 19]])('created: %d → %d', (sig, want) => {
    expect(effectiveSignal(sig, 'created')).toBe(want);
  });

  it('running or paused containers get the signal as asked', () => {
    expect(effectiveSignal(15, 'running')).toBe(15);
    expect(effectiveSignal(15, 'paused')).toBe(15);
  });
});
