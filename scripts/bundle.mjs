#!/usr/bin/env node
// Build step: bundles the CLI into CommonJS files, the whole runtime an install needs besides
// bin/ and koffi (bin/ocirun loads them):
//   dist/cli/commands/<name>.cjs    one per command: main (src/cli/main.ts) with that command
//                                   and everything it reaches
//   dist/cli/ocirun.cjs             main alone, for a command line naming no command
//   dist/cli/validators.cjs         the generated schema validators
//   dist/cli/systemd-bus.cjs        the D-Bus client, for --systemd-cgroup only
// Why: unbundled, Node resolves, reads and links ~100 ES modules on every start, and its ES
// module loader alone costs CPU before the first line runs (bench/RESULTS.md). One file per command means
// a start compiles only the code its command can reach (`state` never sees the create path), and
// main in that file means a start loads one bundle, not two (bin/ocirun picks it from argv).
// Main's other commands stay outside each file, loaded when asked for (a command line bin/ocirun
// read differently from main): then modules are copied into both files, and nothing crosses that
// boundary but plain data, the Logger and Error objects, so the copies never meet in an instanceof.
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

// Each bundle is written as the function Node would wrap a CommonJS module in, and bin/ocirun
// compiles the file's text as it is: wrapping it at load time made V8 flatten a second copy of
// the source (96 page faults for run's bundle; bench/RESULTS.md).
const WRAP = { open: '(function (exports, require, module, __filename, __dirname) {', close: '\n})' };

const common = {
  bundle: true,
  banner: { js: WRAP.open },
  footer: { js: WRAP.close },
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of a file outside the bundle becomes require(): import() would start the ES module loader.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

const commandNames = readdirSync(join(root, 'src', 'cli', 'commands'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -'.ts'.length));

// main.ts's `import('./commands/x.js')` becomes a require of x's bundle, still lazy, except for the
// command the bundle is for, which is part of it.
const commandsApart = (outdir, own) => ({
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z]+\.js$/ }, (args) => {
      const name = args.path.slice('./commands/'.length, -'.js'.length);
      return name === own ? undefined : { path: relativeRequire(outdir, join(commandsOut, `${name}.cjs`)), external: true };
    });
  },
});

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
    banner: { js: `${WRAP.open}var __import_meta = { get url() { return require("node:url").pathToFileURL(require("node:path").join(__dirname, ${cli})).href; } };` },
    define: { 'import.meta.url': '__import_meta.url', __KOFFI_NATIVE__: JSON.stringify(koffiFile && relative(outdir, koffiFile)) },
  };
}

const koffiToShim = {
  name: 'koffi-native',
  setup(b) {
    b.onResolve({ filter: /^koffi$/ }, (args) => (args.importer === shim ? { path: 'koffi', external: true } : { path: shim }));
  },
};

// Each bundle exports main; bin/ocirun calls it with the arguments.
const entry = (exports, sourcefile) => ({ contents: exports.map((e) => `export * from './${e}';`).join('\n'), resolveDir: root, sourcefile, loader: 'ts' });

await build({
  ...common,
  stdin: entry(['src/cli/main.ts'], 'ocirun-entry.ts'),
  outfile: join(cliOut, 'ocirun.cjs'),
  plugins: [commandsApart(cliOut, undefined), koffiToShim, validatorsApart(cliOut)],
  ...locate(cliOut),
});

await Promise.all(
  commandNames.map((name) =>
    build({
      ...common,
      stdin: entry(['src/cli/main.ts', `src/cli/commands/${name}.ts`], `${name}-entry.ts`),
      outfile: join(commandsOut, `${name}.cjs`),
      plugins: [commandsApart(commandsOut, name), koffiToShim, validatorsApart(commandsOut), systemdBusApart(commandsOut)],
      ...locate(commandsOut),
    }),
  ),
);

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
