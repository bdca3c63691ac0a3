#!/usr/bin/env node
'use strict';
// Build step, after scripts/bundle.mjs: a V8 code cache next to each bundle
// (dist/cli/**/<name>.cjs.v8), loaded by bin/ocirun. Compiled with lazy compilation
// off (but for the validators, below), so the cache holds every function of the bundle, not
// just its top level: V8 compiles a
// function on its first call, and compiling the functions a command calls is most of its
// start-up after Node's own. V8 takes a cache only under the flags it was made with, so this
// runs under bin/ocirun's flags, read from its exec line.
const { execFileSync } = require('node:child_process');
const { readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const { launcherFlags } = require('./launcher-flags.cjs');

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli');
const VALIDATORS = join(cli, 'validators.cjs');

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
  const { cacheFileOf, compileBundle } = require('../bin/ocirun');
  for (const file of bundles(cli)) {
    const trained = file === VALIDATORS;
    if (!trained) v8.setFlagsFromString('--no-lazy');
    const script = compileBundle(file, undefined);
    // Back to the launcher's flags before the cache records their hash.
    v8.setFlagsFromString('--lazy');
    if (trained) validateExamples(script);
    writeFileSync(cacheFileOf(file), script.createCachedData(), { mode: 0o644 });
  }
}

/**
 * The validators are pure functions of a document, so the build can run them: their cache then
 * holds the functions that validating the runtime-spec's own good examples compiled, not every
 * function (no Windows, Solaris or VM parts), and loads faster than the cache of every function
 * (bench/RESULTS.md). A config that reaches the rest compiles that part on the way.
 */
function validateExamples(script) {
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, VALIDATORS, cli);
  const examples = join(root, 'spec-schemas', 'test');
  for (const [kind, validate] of [['config', 'validateConfig'], ['state', 'validateState'], ['features', 'validateFeatures']]) {
    const dir = join(examples, kind, 'good');
    for (const name of readdirSync(dir)) {
      if (!module.exports[validate](JSON.parse(readFileSync(join(dir, name), 'utf8')))) throw new Error(`scripts/code-cache.cjs: ${validate} refuses ${join(dir, name)}`);
    }
  }
}
