// The lifecycle commands engines call for every container must not import a Node built-in that
// Node does not load at start-up and that costs milliseconds to load: an import of one anywhere
// in a command's bundle is paid by every start of that command, used or not (node:child_process
// in the create path cost each `run` ~9 ms of CPU; bench/RESULTS.md). Such a module is loaded
// where it is used, with process.getBuiltinModule().
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');
const COMMANDS = ['create', 'start', 'state', 'kill', 'delete', 'run', 'exec', 'list'];
// Measured with `node --single-threaded -e` (node:child_process 9 ms, node:tty and node:net
// most of that, node:os 0.5 ms); the others pull in the stream modules or more.
const HEAVY = new Set(['child_process', 'os', 'net', 'tty', 'dgram', 'stream', 'readline', 'http', 'https', 'http2', 'crypto', 'zlib', 'worker_threads', 'dns', 'tls']);
// Bundled apart and loaded only for --systemd-cgroup (scripts/bundle.mjs).
const APART = new Set([join(SRC, 'cgroups', 'systemd', 'bus.ts')]);

/** Every built-in imported by the modules `entry` reaches, with the importing file. */
function builtinsReached(entry: string): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || APART.has(file)) return;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('node:')) found.set(fileName.slice(5), file.slice(SRC.length + 1));
      else if (fileName.startsWith('.') && !fileName.includes('/generated/')) visit(normalize(join(dirname(file), fileName.replace(/\.js$/, '.ts'))));
    }
  };
  visit(entry);
  return found;
}

describe('start-up imports of the lifecycle commands', () => {
  it.each(COMMANDS)('`%s` reaches no heavy Node built-in through an import', (command) => {
    const heavy = [...builtinsReached(join(SRC, 'cli', 'commands', `${command}.ts`))].filter(([name]) => HEAVY.has(name));
    expect(heavy.map(([name, file]) => `node:${name} (${file})`)).toEqual([]);
  });

  it('sees an import of one (the check can fail)', () => {
    expect([...builtinsReached(join(SRC, 'container', 'ps.ts')).keys()]).toContain('child_process');
  });
});
