// Finding the `criu` binary and checking its version; criu/swrk.ts talks to it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseCriuVersion } from './options.js';

/** runc's minimum: CRIU 3.0, the first with everything runc's checkpoint asks for. */
export const MIN_CRIU_VERSION = 30000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** runc's --criu: a path is taken as it is, a bare name is looked up in PATH. */
export function findCriu(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (name.includes('/')) {
    if (isExecutable(name)) return name;
    throw new Error(`--criu: ${name} is not an executable file; checkpoint and restore need CRIU 3.0 or later`);
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  throw new Error(`criu: no ${name} binary in PATH; checkpoint and restore need CRIU 3.0 or later (Debian: apt-get install criu), or --criu PATH`);
}

/** The criu binary, checked to be recent enough. */
export function criuBinary(name: string): { path: string; version: number } {
  const criu = findCriu(name);
  const out = spawnSync(criu, ['--version'], { encoding: 'utf8' });
  const version = parseCriuVersion(`${out.stdout ?? ''}`);
  if (version === undefined) throw new Error(`criu: ${criu} --version did not print a version (${(out.stderr ?? out.error?.message ?? '').trim()})`);
  if (version < MIN_CRIU_VERSION) {
    throw new Error(`criu: ${criu} is version ${formatVersion(version)}; checkpoint and restore need ${formatVersion(MIN_CRIU_VERSION)} or later`);
  }
  return { path: criu, version };
}

export function formatVersion(v: number): string {
  return `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
}
