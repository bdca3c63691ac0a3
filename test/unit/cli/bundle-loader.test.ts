// The bundle loader in bin/ocirun: V8 checks a code cache against its source's length only, so a cache made
// from other code of the same length runs that code. These tests build exactly that cache and
// show the loader uses a cache only when root or this user owns it and nobody else can write it.
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Script } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';

interface Loader {
  cacheFileOf(file: string): string;
  compileBundle(file: string, source: string, cachedData: Buffer | undefined): Script;
  loadBundle(file: string): unknown;
  readBundle(file: string): { source: string };
}
const { cacheFileOf, compileBundle, loadBundle, readBundle } = createRequire(import.meta.url)('../../../bin/ocirun') as Loader;

const dir = mkdtempSync(join(tmpdir(), 'load-bundle-'));
/** A bundle's text as the build writes it: wrapped as Node wraps a CommonJS module. */
const bundleText = (body: string): string => `(function (exports, require, module, __filename, __dirname) {${body}\n})`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const other = join(dir, 'other.cjs');
writeFileSync(other, bundleText('module.exports = "other";'));
const otherCache = compileBundle(other, readBundle(other).source, undefined).createCachedData();

let n = 0;
/** A bundle exporting "mine!" (as long as "other"), with the other bundle's cache as its own. */
function bundleWithForeignCache(mode: number, owner?: number): string {
  n += 1;
  const file = join(dir, `b${n}.cjs`);
  writeFileSync(file, bundleText('module.exports = "mine!";'));
  writeFileSync(cacheFileOf(file), otherCache);
  if (owner !== undefined) chownSync(cacheFileOf(file), owner, owner);
  chmodSync(cacheFileOf(file), mode);
  return file;
}

describe('bin/ocirun, the bundle loader', () => {
  it('runs a trusted cache: owned by this user, writable by nobody else (the cache is really used)', () => {
    expect(loadBundle(bundleWithForeignCache(0o644))).toBe('other');
  });

  it('refuses a cache others or its group can write, and compiles the source', () => {
    expect(loadBundle(bundleWithForeignCache(0o666))).toBe('mine!');
    expect(loadBundle(bundleWithForeignCache(0o664))).toBe('mine!');
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a cache owned by another user (nobody), even read-only', () => {
    expect(loadBundle(bundleWithForeignCache(0o444, 65534))).toBe('mine!');
  });

  it('runs without a cache file', () => {
    const file = join(dir, 'plain.cjs');
    writeFileSync(file, bundleText('module.exports = require("./other.cjs") + "+plain";'));
    expect(loadBundle(file)).toBe('other+plain');
  });
});
