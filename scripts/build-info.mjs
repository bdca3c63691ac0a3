#!/usr/bin/env node
// Build step: dist/build-info.json, the commit `ocirun --version` prints (src/cli/version.ts),
// with "-dirty" when tracked files differ from it. A package built by `npm pack` carries the
// file; a build outside a git checkout records "unknown".
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function git(...args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function commit() {
  try {
    const head = git('rev-parse', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? head : `${head}-dirty`;
  } catch {
    return 'unknown';
  }
}

writeFileSync(join(root, 'dist', 'build-info.json'), `${JSON.stringify({ commit: commit() })}\n`);
