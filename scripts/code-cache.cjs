#!/usr/bin/env node
'use strict';
// Build step, after scripts/bundle.mjs: a V8 code cache next to each bundle
// (dist/cli/**/<name>.cjs.v8), loaded by bin/ocirun. Compiled with lazy compilation
// off, so the cache holds every function of the bundle, not just its top level: V8 compiles a
// function on its first call, and compiling the functions a command calls is most of its
// start-up after Node's own. V8 takes a cache only under the flags it was made with, so this
// runs under bin/ocirun's flags, read from its exec line.
const { execFileSync } = require('node:child_process');
const { readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const { launcherFlags } = require('./launcher-flags.cjs');

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli');

function bundles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return bundles(path);
    return e.name.endsWith('.cjs') ? [path] : [];
  });
}

const flags = launcherFlags();
if (process.execArgv.join(' ') !== flags.join(' ')) {
  execFileSync(process.execPath, [...flags, __filename], { stdio: 'inherit' });
} else {
  const { cacheFileOf, compileBundle, readBundle } = require('../bin/ocirun');
  for (const file of bundles(cli)) {
    v8.setFlagsFromString('--no-lazy');
    const script = compileBundle(file, readBundle(file).source, undefined);
    // Back to the launcher's flags before the cache records their hash.
    v8.setFlagsFromString('--lazy');
    writeFileSync(cacheFileOf(file), script.createCachedData(), { mode: 0o644 });
  }
}
