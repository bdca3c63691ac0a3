// The published form: `npm pack` (its prepack builds), `npm install -g` of the tarball into a
// fresh prefix (koffi from the npm cache or registry), then the installed `ocirun` runs a
// container. Proves the tarball ships the runtime and only the runtime, and that the launcher
// works through the symlink npm puts in PREFIX/bin.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSpec, REPO, uniqueId, writeBundle } from '../support/ocirun.js';

const dir = mkdtempSync(join(tmpdir(), 'ocirun-pack-'));
const prefix = join(dir, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'ocirun');
const ocirun = join(prefix, 'bin', 'ocirun');
let packed: string[] = [];

function npm(args: string[]): string {
  return execFileSync('npm', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** The installed runtime, with the environment the test support gives the repo's bin/ocirun. */
function runInstalled(args: string[]) {
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['NODE_OPTIONS'];
  return spawnSync(ocirun, args, { encoding: 'utf8', env, timeout: 60_000 });
}

function filesUnder(path: string): string[] {
  return readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(() => {
  const [pack] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir])) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = pack!.files.map((f) => f.path);
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, pack!.filename)]);
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack, npm install -g of the tarball', () => {
  it('ships the launcher, the bundles and their code caches, and no sources, tests or benchmarks', () => {
    expect(packed).toEqual(expect.arrayContaining(['bin/ocirun', 'dist/cli/ocirun.cjs', 'dist/cli/commands/run.cjs', 'dist/cli/commands/run.cjs.v8', 'dist/build-info.json']));
    expect(packed.filter((p) => !/^(bin\/|dist\/|package\.json$|README\.md$)/.test(p))).toEqual([]);
  });

  it('installs files nobody but their owner can write (bin/ocirun refuses caches others can)', () => {
    const writable = filesUnder(join(installed, 'dist')).filter((f) => (statSync(f).mode & 0o022) !== 0);
    expect(writable).toEqual([]);
  });

  it('--version prints the commit it was built from', () => {
    const r = runInstalled(['--version']);
    expect(r.status).toBe(0);
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(r.stdout).toMatch(new RegExp(`^commit: ${head}(-dirty)?$`, 'm'));
  });

  it('runs a container from PREFIX/bin/ocirun, leaving no state behind', () => {
    const root = join(dir, 'state');
    const id = uniqueId('pack');
    const bundle = writeBundle(join(dir, 'bundle'), baseSpec(['echo', 'hello from the installed package']));
    const r = runInstalled(['--root', root, 'run', '--bundle', bundle, id]);
    if (r.status !== 0) runInstalled(['--root', root, 'delete', '--force', id]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello from the installed package\n');
    expect(r.status).toBe(0);
    expect(readdirSync(root)).toEqual([]);
  });
});
