import { describe, expect, it } from 'vitest';
import { shebangInterpreter } from '../../../src/init/exec-guard.js';

describe('shebangInterpreter', () => {
  it.each([
    ['#!/bin/sh\necho', '/bin/sh'],
    ['#! /proc/self/exe -e x\n', '/proc/self/exe'],
    ['#!/usr/bin/env\tnode\n', '/usr/bin/env'],
    ['#!/bin/sh', '/bin/sh'],
  ])('%j names %s', (head, want) => {
    expect(shebangInterpreter(head)).toBe(want);
  });

  it.each(['\x7fELF\x02\x01', '#!\n', '#! \n', '', ' #!/bin/sh'])('%j is not a script', (head) => {
    expect(shebangInterpreter(head)).toBeUndefined();
  });
});
