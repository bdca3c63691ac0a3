#!/usr/bin/env node
// Build step: bundles the CLI into one CommonJS file, dist/cli/ocirun.cjs, which bin/ocirun loads.
// Why: Node resolves, reads and links ~100 ES modules on every start otherwise, and its ES module
// loader alone costs ~9 ms of CPU before the first line runs. Commands stay lazy: esbuild turns
// each dynamic import() into a function that evaluates that command's modules on first use.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'cli', 'ocirun.cjs');
const shim = join(root, 'scripts', 'koffi-native.cjs');

/** The native module koffi's own loader picks on this machine, relative to the bundle. */
function koffiNative() {
  const require = createRequire(join(root, 'package.json'));
  require('koffi');
  const file = Object.keys(require.cache).find((f) => f.endsWith('.node') && f.includes('koffi'));
  return file ? relative(dirname(outfile), file) : '';
}

const koffiToShim = {
  name: 'koffi-native',
  setup(b) {
    b.onResolve({ filter: /^koffi$/ }, (args) => (args.importer === shim ? { path: 'koffi', external: true } : { path: shim }));
  },
};

await build({
  stdin: {
    contents: "import { main } from './src/cli/main.ts';\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n",
    resolveDir: root,
    sourcefile: 'ocirun-entry.ts',
    loader: 'ts',
  },
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [koffiToShim],
  // src/cli/version.ts finds build-info.json next to dist/cli/, where the bundle sits too.
  banner: { js: 'var __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__import_meta_url', __KOFFI_NATIVE__: JSON.stringify(koffiNative()) },
  logLevel: 'warning',
});
