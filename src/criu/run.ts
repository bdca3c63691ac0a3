// Finding and running the `criu` binary. Its command line is enough for what runc asks of
// swrk (see README "Checkpoint and restore" for the measurement behind that choice).
import { spawnSync, type StdioOptions } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
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
export function criuBinary(name: string): string {
  const criu = findCriu(name);
  const out = spawnSync(criu, ['--version'], { encoding: 'utf8' });
  const version = parseCriuVersion(`${out.stdout ?? ''}`);
  if (version === undefined) throw new Error(`criu: ${criu} --version did not print a version (${(out.stderr ?? out.error?.message ?? '').trim()})`);
  if (version < MIN_CRIU_VERSION) {
    throw new Error(`criu: ${criu} is version ${formatVersion(version)}; checkpoint and restore need ${formatVersion(MIN_CRIU_VERSION)} or later`);
  }
  return criu;
}

function formatVersion(v: number): string {
  return `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}.${v % 100}`;
}

/**
 * Runs criu; on failure, the error names the action and quotes the log's last errors, which say
 * what CRIU could not handle (runc only points at the log file).
 */
export function runCriu(action: string, argv: string[], logFile: string, stdio: StdioOptions = ['ignore', 'ignore', 'pipe']): void {
  const [file, ...args] = argv as [string, ...string[]];
  const r = spawnSync(file, args, { stdio, encoding: 'utf8' });
  if (r.error) throw new Error(`criu ${action}: cannot run ${file}: ${r.error.message}`);
  if (r.status === 0) return;
  const why = lastErrors(logFile) || `${r.stderr ?? ''}`.trim() || (r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`);
  throw new Error(`criu ${action} failed (log: ${logFile}): ${why}`);
}

function lastErrors(logFile: string): string {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => /Error|error/.test(l));
    return lines.slice(-3).map((l) => l.replace(/^\(\s*[\d.]+\)\s*/, '').trim()).join('; ');
  } catch {
    return '';
  }
}
