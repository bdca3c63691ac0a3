'use strict';
// Loads the CommonJS bundles of `npm run build` (scripts/bundle.mjs) with the V8 code caches the
// build made for them (scripts/code-cache.cjs), through public APIs only: the bundles require
// node: built-ins, each other by relative path and, should koffi's native module have moved,
// the koffi package, which resolves from here as from the package root.
// A code cache is compiled code that V8 runs without checking it against the source (only its
// length), so one is used only when root or this user owns it and nobody else can write it;
// runs never write one (an install directory is read-only, and a root process must not load
// code a less privileged user could have written).
const { closeSync, fstatSync, openSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const WRITABLE_BY_OTHERS = 0o022;
const loaded = new Map();

/** The cache file of a bundle, written by scripts/code-cache.cjs. */
function cacheFileOf(file) {
  return `${file}.v8`;
}

/**
 * A bundle's source as a function of Node's CommonJS parameters: the build caches exactly this.
 * Read as latin1: the build makes every bundle pure ASCII (scripts/bundle.mjs), which latin1
 * decodes as UTF-8 would, with a plain copy instead of UTF-8 validation (bench/RESULTS.md).
 */
function compileBundle(file, cachedData) {
  const source = readFileSync(file, 'latin1');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
}

/** The cache's bytes when it can be trusted, read through the descriptor that was checked. */
function trustedCache(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    const owner = st.uid === 0 || st.uid === process.geteuid();
    return st.isFile() && owner && (st.mode & WRITABLE_BY_OTHERS) === 0 ? readFileSync(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}

function loadBundle(file) {
  const done = loaded.get(file);
  if (done !== undefined) return done.exports;
  const module = { exports: {} };
  loaded.set(file, module);
  const dir = dirname(file);
  const requireFrom = (id) => (id.startsWith('.') ? loadBundle(join(dir, id)) : require(id));
  compileBundle(file, trustedCache(cacheFileOf(file))).runInThisContext().call(module.exports, module.exports, requireFrom, module, file, dir);
  return module.exports;
}

module.exports = { cacheFileOf, compileBundle, loadBundle };
