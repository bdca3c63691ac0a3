'use strict';
// Stands in for `koffi` inside the bundle: loads koffi's prebuilt native module straight from the
// path the build found. koffi's own entry point searches candidate paths, probes the libc and
// wraps deprecated APIs on every start (bench/RESULTS.md). If the file moved, koffi's entry point decides.
/* global __KOFFI_NATIVE__ */
function load() {
  if (__KOFFI_NATIVE__) {
    const mod = { exports: {} };
    try {
      process.dlopen(mod, require('node:path').join(__dirname, __KOFFI_NATIVE__));
      return mod.exports;
    } catch {
      // Fall through to the package.
    }
  }
  return require('koffi');
}
module.exports = load();
