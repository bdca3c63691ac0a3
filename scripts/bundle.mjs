#!/usr/bin/env node
// Build step: bundles the CLI into CommonJS files, the whole runtime an install needs besides
// bin/ and koffi (bin/ocirun loads them):
//   dist/cli/ocirun.cjs             argv parsing and the command table (src/cli/main.ts)
//   dist/cli/commands/<name>.cjs    one per command, with everything that command reaches
//   dist/cli/validators.cjs         the generated schema validators
//   dist/cli/systemd-bus.cjs        the D-Bus client, for --systemd-cgroup only
// Why: unbundled, Node resolves, reads and links ~100 ES modules on every start, and its ES
// module loader alone costs CPU before the first line runs (bench/RESULTS.md). One file per command means
// a start compiles only the code its command can reach (`state` never sees the create path).
// Modules shared by main and a command are copied into both; nothing crosses that boundary but
// plain data, the Logger and Error objects, so the copies never meet in an instanceof.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliOut = join(root, 'dist', 'cli');
const commandsOut = join(cliOut, 'commands');
const shim = join(root, 'scripts', 'koffi-native.cjs');

/** The native module koffi's own loader picks on this machine. */
function koffiNative() {
  const require = createRequire(join(root, 'package.json'));
  require('koffi');
  return Object.keys(require.cache).find((f) => f.endsWith('.node') && f.includes('koffi')) ?? '';
}
const koffiFile = koffiNative();

// Only this build's files in dist/ (and so in the package).
rmSync(join(root, 'dist'), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of a file outside the bundle becomes require(): import() would start the ES module loader.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

// main.ts's `import('./commands/x.js')` becomes `require('./commands/x.cjs')`, still lazy.
const commandsApart = {
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => ({ path: args.path.replace(/\.js$/, '.cjs'), external: true }));
  },
};

// The validators are half the code and only create/run/exec need them: the first validation
// loads them, other commands never compile them.
const validatorsApart = (outdir) => ({
  name: 'validators-apart',
  setup(b) {
    b.onResolve({ filter: /\/generated\/validators\.js$/ }, () => ({ path: relativeRequire(outdir, join(cliOut, 'validators.cjs')), external: true }));
  },
});

// The D-Bus library is loaded only under --systemd-cgroup: every other create keeps its start-up.
const systemdBusApart = (outdir) => ({
  name: 'systemd-bus-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/bus\.js$/ }, (args) =>
      args.importer.endsWith(join('cgroups', 'systemd', 'manager.ts')) ? { path: relativeRequire(outdir, join(cliOut, 'systemd-bus.cjs')), external: true } : undefined,
    );
  },
});

function relativeRequire(from, to) {
  const rel = relative(from, to);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * Paths a bundle in `outdir` needs: koffi's native module, and import.meta.url, which resolves
 * as if the module sat in dist/cli/ as src/cli/*.ts sits in src/ (src/cli/version.ts finds
 * dist/build-info.json from there). A getter: only `--version` reads it, and the first
 * pathToFileURL of a process loads node:url (~0.45 ms; bench/RESULTS.md).
 */
function locate(outdir) {
  const cli = JSON.stringify(relative(outdir, join(cliOut, 'ocirun.cjs')));
  return {
    banner: { js: `var __import_meta = { get url() { return require("node:url").pathToFileURL(require("node:path").join(__dirname, ${cli})).href; } };` },
    define: { 'import.meta.url': '__import_meta.url', __KOFFI_NATIVE__: JSON.stringify(koffiFile && relative(outdir, koffiFile)) },
  };
}

const koffiToShim = {
  name: 'koffi-native',
  setup(b) {
    b.onResolve({ filter: /^koffi$/ }, (args) => (args.importer === shim ? { path: 'koffi', external: true } : { path: shim }));
  },
};

await build({
  ...common,
  stdin: {
    contents: "import { main } from './src/cli/main.ts';\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n",
    resolveDir: root,
    sourcefile: 'ocirun-entry.ts',
    loader: 'ts',
  },
  outfile: join(cliOut, 'ocirun.cjs'),
  plugins: [commandsApart, koffiToShim, validatorsApart(cliOut)],
  ...locate(cliOut),
});

await build({
  ...common,
  entryPoints: readdirSync(join(root, 'src', 'cli', 'commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'src', 'cli', 'commands', f)),
  outdir: commandsOut,
  outExtension: { '.js': '.cjs' },
  plugins: [koffiToShim, validatorsApart(commandsOut), systemdBusApart(commandsOut)],
  ...locate(commandsOut),
});

await build({
  ...common,
  entryPoints: [join(root, 'src', 'spec', 'generated', 'validators.js')],
  outfile: join(cliOut, 'validators.cjs'),
});

await build({
  ...common,
  entryPoints: [join(root, 'src', 'cgroups', 'systemd', 'bus.ts')],
  outfile: join(cliOut, 'systemd-bus.cjs'),
});

// One character outside ASCII anywhere in a bundle (esbuild keeps some comments as written) makes
// V8 hold its whole source as a two-byte string: twice the memory and a slower read on every
// start (bench/RESULTS.md). Such a character belongs in the bundle as an escape.
for (const file of readdirSync(cliOut, { recursive: true }).filter((f) => f.endsWith('.cjs'))) {
  const lines = readFileSync(join(cliOut, file), 'utf8').split('\n');
  const at = lines.findIndex((line) => /[^\x00-\x7f]/.test(line));
  if (at >= 0) {
    throw new Error(`scripts/bundle.mjs: dist/cli/${file}:${at + 1} has a non-ASCII character (write it as \\u escape or in ASCII in the source; esbuild keeps this one): ${lines[at].trim().slice(0, 120)}`);
  }
}
