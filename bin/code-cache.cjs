'use strict';
// V8 code cache for the large bundles (create, run, exec, the validators...): compiling them is
// most of a command's start-up after Node's own. The cache is written when the command exits, so
// it holds the functions that command really compiled; V8 rejects it (and it is rewritten)
// when Node's flags change. V8 checks a cache against the source's length only, so the
// directory is named for the bundle's mtime and every build starts a new one (and
// scripts/bundle.mjs removes the old ones). bin/ocirun sends only large bundles here: small
// ones (`state`, the entry) start faster without loading this. A dist/ the runtime cannot write
// just runs without a cache.
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
// The loader's class: require('node:module') would compile Node's public wrapper of it.
const Module = module.constructor;
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

const pending = [];

process.on('exit', () => {
  for (const { script, cacheFile } of pending) {
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // Read-only install or a full disk: the next start compiles again.
    }
  }
});

exports.compile = function compile(module, filename, cacheDir) {
  const source = readFileSync(filename, 'utf8');
  const cacheFile = join(cacheDir, `${basename(filename)}.v8`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, cacheFile });
  const wrapper = script.runInThisContext();
  return wrapper.call(module.exports, module.exports, Module.createRequire(filename), module, filename, dirname(filename));
};
