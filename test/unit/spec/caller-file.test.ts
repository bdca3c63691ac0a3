// Files a caller names: only regular files, within the size limit, and never a blocking open.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularFile } from '../../../src/spec/caller-file.js';
import { nestingProblem, parseJson } from '../../../src/spec/json-syntax.js';

const dir = mkdtempSync(join(tmpdir(), 'ocirun-caller-file-'));
let server: Server | undefined;
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('readRegularFile', () => {
  it('reads a regular file, and one reached through a symlink (runc follows them too)', () => {
    writeFileSync(join(dir, 'a.json'), '{"a":1}');
    symlinkSync('a.json', join(dir, 'link.json'));
    expect(readRegularFile(join(dir, 'a.json'))).toBe('{"a":1}');
    expect(readRegularFile(join(dir, 'link.json'))).toBe('{"a":1}');
  });

  it('refuses a FIFO without a writer at once instead of blocking', () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(() => readRegularFile(join(dir, 'fifo'))).toThrow(/^not a regular file \(a FIFO\)$/);
  });

  it('refuses /dev/zero, a directory and a socket, saying which', async () => {
    expect(() => readRegularFile('/dev/zero')).toThrow(/^not a regular file \(a character device\)$/);
    mkdirSync(join(dir, 'd'));
    expect(() => readRegularFile(join(dir, 'd'))).toThrow(/^not a regular file \(a directory\)$/);
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(join(dir, 'sock'), resolve));
    expect(() => readRegularFile(join(dir, 'sock'))).toThrow(/^not a regular file \(a socket\)$/);
  });

  it('refuses a file above the limit, naming it', () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(4097, 0x20));
    expect(() => readRegularFile(join(dir, 'big'), 4096)).toThrow(/^larger than 4096 bytes \(4097 bytes\)$/);
    expect(readRegularFile(join(dir, 'big'), 4097)).toHaveLength(4097);
  });

  it('says why a file cannot be opened', () => {
    expect(() => readRegularFile(join(dir, 'missing'))).toThrow(/^cannot read: no such file or directory$/);
  });
});

describe('nesting limit', () => {
  it('places the first level too deep', () => {
    const deep = `{"a":${'['.repeat(1000)}1${']'.repeat(1000)}}`;
    expect(nestingProblem(deep)).toBe('line 1, column 1005: nested deeper than 1000 levels of objects and arrays');
    expect(nestingProblem(`[${'['.repeat(998)}1${']'.repeat(998)}]`)).toBeUndefined();
  });

  it('ends strings at the right quote: escaped quotes and trailing backslashes', () => {
    const text = JSON.stringify({ a: 'q\\', b: '"[{', c: [[1]] });
    expect(nestingProblem(text, 3)).toBeUndefined();
    expect(nestingProblem(text, 2)).toBe(`line 1, column ${text.indexOf('[[') + 2}: nested deeper than 2 levels of objects and arrays`);
  });

  it('ignores brackets inside strings', () => {
    expect(nestingProblem(JSON.stringify({ s: '['.repeat(5000), t: '\\"[{' }))).toBeUndefined();
  });

  it('parseJson reports a 100,000-level document in one line instead of overflowing the stack later', () => {
    const r = parseJson(`${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    expect(r).toEqual({ ok: false, reason: 'line 1, column 5001: nested deeper than 1000 levels of objects and arrays' });
  });
});
