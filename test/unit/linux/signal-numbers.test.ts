import { describe, expect, it } from 'vitest';
import { signalName, signalNumber } from '../../../src/linux/signal-numbers.js';

describe('signal numbers (node:os loaded on first use)', () => {
  it('maps names to Linux numbers', () => {
    expect(signalNumber('SIGTERM')).toBe(15);
    expect(signalNumber('SIGKILL')).toBe(9);
    expect(signalNumber('SIGWINCH')).toBe(28);
  });

  it('has no number for a name Node does not know', () => {
    expect(signalNumber('SIGNOPE')).toBeUndefined();
    expect(signalNumber('TERM')).toBeUndefined();
  });

  it('maps numbers back to names', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(2)).toBe('SIGINT');
    expect(signalName(0)).toBeUndefined();
    expect(signalName(200)).toBeUndefined();
  });
});
