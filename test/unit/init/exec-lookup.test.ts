// The executable lookup the init does before reporting "created", with runc's (Go exec.LookPath) words.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecLookupError, lookupExecutable, withHome } from '../../../src/init/exec-lookup.js';

const dir = mkdtempSync(join(tmpdir(), 'exec-lookup-'));
mkdirSync(join(dir, 'a'));
mkdirSync(join(dir, 'b'));
writeFileSync(join(dir, 'a', 'tool'), 'data', { mode: 0o644 });
writeFileSync(join(dir, 'b', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
writeFileSync(join(dir, 'a', 'plain'), 'data', { mode: 0o644 });
mkdirSync(join(dir, 'b', 'subdir'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lookupExecutable', () => {
  it('searches PATH in order, skipping non-executables', () => {
    expect(lookupExecutable('tool', [`PATH=${dir}/a:${dir}/b`])).toBe(`${dir}/b/tool`);
  });

  it('the last PATH in env wins', () => {
    expect(() => lookupExecutable('tool', [`PATH=${dir}/b`, `PATH=${dir}/a`])).toThrow(/permission denied/);
  });

  it('a name with a slash is used as it is', () => {
    expect(lookupExecutable(`${dir}/b/tool`, [])).toBe(`${dir}/b/tool`);
  });

  it("a missing absolute path: runc's stat wording", () => {
    expect(() => lookupExecutable('/nonexistent-binary', [])).toThrow(new ExecLookupError('exec: "/nonexistent-binary": stat /nonexistent-binary: no such file or directory'));
  });

  it('a file without x bits, or a directory: permission denied', () => {
    expect(() => lookupExecutable(`${dir}/a/plain`, [])).toThrow(`exec: "${dir}/a/plain": permission denied`);
    expect(() => lookupExecutable(`${dir}/b/subdir`, [])).toThrow(/permission denied/);
  });

  it('not on PATH: "executable file not found in $PATH"', () => {
    expect(() => lookupExecutable('nope', [`PATH=${dir}/a:${dir}/b`])).toThrow(new ExecLookupError('exec: "nope": executable file not found in $PATH'));
  });

  it('no PATH, or an empty one, searches nowhere (Go SplitList(""))', () => {
    const cwd = process.cwd();
    process.chdir(join(dir, 'b'));
    try {
      expect(() => lookupExecutable('tool', [])).toThrow(/executable file not found/);
      expect(() => lookupExecutable('tool', ['PATH='])).toThrow(/executable file not found/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('an empty PATH element means the current directory', () => {
    const cwd = process.cwd();
    process.chdir(join(dir, 'b'));
    try {
      expect(lookupExecutable('tool', [`PATH=/nonexistent::`])).toBe('./tool');
    } finally {
      process.chdir(cwd);
    }
  });

  it('reports permission denied when only a non-executable match exists', () => {
    chmodSync(join(dir, 'a', 'plain'), 0o644);
    expect(() => lookupExecutable('plain', [`PATH=${dir}/a`])).toThrow('exec: "plain": permission denied');
  });
});

describe('withHome', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';

  it('adds HOME from /etc/passwd', () => {
    expect(withHome(['A=1'], 0, passwd)).toEqual(['A=1', 'HOME=/root']);
    expect(withHome([], 65534, passwd)).toEqual(['HOME=/nonexistent']);
  });

  it('falls back to / for an unknown uid or no passwd file', () => {
    expect(withHome([], 1234, passwd)).toEqual(['HOME=/']);
    expect(withHome([], 0, undefined)).toEqual(['HOME=/']);
  });

  it('keeps a HOME the config sets', () => {
    expect(withHome(['HOME=/x'], 0, passwd)).toEqual(['HOME=/x']);
  });
});
