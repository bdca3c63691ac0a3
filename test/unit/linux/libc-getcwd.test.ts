// getcwd decodes the kernel's bytes itself (ASCII directly, anything else as UTF-8): it must
// give what Node gives for the same directory.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getcwd } from '../../../src/linux/libc.js';

const base = mkdtempSync(join(tmpdir(), 'getcwd-'));
const start = process.cwd();
afterAll(() => {
  process.chdir(start);
  rmSync(base, { recursive: true, force: true });
});

describe('getcwd', () => {
  it.each(['plain', 'caf\u00e9 \u2603'])('reads %j as Node does', (name) => {
    const dir = join(base, name);
    mkdirSync(dir);
    process.chdir(dir);
    expect(getcwd()).toBe(process.cwd());
    expect(getcwd()).toBe(dir);
  });
});
