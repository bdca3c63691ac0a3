import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { strerror } from '../linux/errors.js';

// Synchronous cgroupfs access. Every call is one open/read or open/write: the kernel parses
// each write(2) of a control file as one command, so values are never buffered together.

type FileOp = 'read' | 'write' | 'create' | 'remove';

/** A failed operation on a cgroup file or directory, worded as runc words it. */
export class CgroupFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly errno: number,
    op: FileOp,
    value?: string,
  ) {
    const what = op === 'write' ? `write ${JSON.stringify(value ?? '')} to` : op;
    super(`failed to ${what} "${path}": ${strerror(errno)}`);
    this.name = 'CgroupFileError';
  }
}

interface NodeSystemError {
  code?: string;
  errno?: number;
}

function asFileError(err: unknown, op: FileOp, path: string, value?: string): Error {
  const e = err as NodeSystemError;
  if (typeof e?.code === 'string' && typeof e.errno === 'number') {
    return new CgroupFileError(path, e.code, Math.abs(e.errno), op, value);
  }
  return err instanceof Error ? err : new Error(String(err));
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as NodeSystemError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Refusals that mean "not yours to change" (rootless, read-only mounts), not a broken host. */
export function isPermissionError(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

export function readCgroupFile(dir: string, file: string): string {
  const path = join(dir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw asFileError(err, 'read', path);
  }
}

/** The file's content without the trailing newline, or undefined when the file does not exist. */
export function readOptional(dir: string, file: string): string | undefined {
  try {
    return readCgroupFile(dir, file).trim();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export function writeCgroupFile(dir: string, file: string, value: string): void {
  const path = join(dir, file);
  try {
    // O_WRONLY alone: control files cannot be created, and some (cgroup.kill, devices.allow)
    // refuse to be opened for reading.
    const fd = openSync(path, constants.O_WRONLY);
    try {
      writeSync(fd, value);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw asFileError(err, 'write', path, value);
  }
}

export function fileExists(dir: string, file: string): boolean {
  return existsSync(join(dir, file));
}

export function dirExists(dir: string): boolean {
  return existsSync(dir);
}

/** mkdir -p; an existing directory is fine (a container may join a cgroup made beforehand). */
/** mkdir -p; returns the topmost directory it made, undefined when all existed. */
export function makeDir(dir: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw asFileError(err, 'create', dir);
  }
}

export function childDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw asFileError(err, 'read', dir);
  }
}

export function removeDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    throw asFileError(err, 'remove', dir);
  }
}

/** Reads cgroup.procs: the pids of this cgroup only (not of its children). */
function readProcs(dir: string): number[] {
  const text = readOptional(dir, 'cgroup.procs');
  if (text === undefined || text === '') return [];
  return text.split('\n').map((l) => Number.parseInt(l, 10)).filter((n) => Number.isInteger(n) && n > 0);
}

/** The pids of a cgroup and of every cgroup below it. */
export function readProcsRecursive(dir: string): number[] {
  const pids = readProcs(dir);
  for (const child of childDirs(dir)) pids.push(...readProcsRecursive(child));
  return pids;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** A synchronous sleep: cgroup code also runs where no event loop turns (a forked child). */
export function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}
