import {
  closeSync, constants as F, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { containerDir, isValidContainerId, validateContainerId } from './container-id.js';
import { untrustedBecause } from './private-file.js';
import { isAlive, readStat } from './process-identity.js';
import type { ContainerRecord } from './record.js';
import { parseTracking, trackingOf, withTracking, type Tracking } from './tracking.js';

export const STATE_FILE = 'state.json';
/** The init's identity and the cgroup (see tracking.ts), written before state.json. */
export const TRACKING_FILE = 'init.json';
export const EXEC_FIFO = 'exec.fifo';

/**
 * `name` inside the directory open as `fd`: the kernel resolves /proc/self/fd/N to that very
 * directory, so only `name` is looked up, as openat(2) would (Node has no openat).
 */
const at = (fd: number, name: string): string => `/proc/self/fd/${fd}/${name}`;

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * A state dir holds files only: unlinking them spares every delete loading Node's recursive rm.
 * Anything else in it goes the long way.
 */
function removeStateDir(dir: string): void {
  // Something planted in a state dir's place is removed itself, never followed.
  if (!lstatSync(dir).isDirectory()) {
    unlinkSync(dir);
    return;
  }
  try {
    for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
    rmdirSync(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    rmSync(dir, { recursive: true, force: true });
  }
}

export class ContainerNotFoundError extends Error {
  constructor(readonly id: string) {
    super('container does not exist');
  }
}

export class ContainerExistsError extends Error {
  constructor(readonly id: string) {
    super('container with given ID already exists');
  }
}

/** A state dir whose state.json cannot be read: shown as such by `list`, removable by `delete --force`. */
export class BrokenStateError extends Error {
  /** What init.json still says, for `kill` and `delete --force`; never anything read from the damaged file. */
  constructor(message: string, readonly tracking?: Tracking) {
    super(message);
  }
}

/** Why a file of the state dir cannot be read; never its content, which may be anyone's secret. */
class UnreadableError extends Error {}

// A state dir being removed is first renamed to "~<pid>.<n>": '~' never occurs in an id, so
// readers see the whole dir or none of it, never one half-emptied by a concurrent delete.
const GRAVE = /^~(\d+)\.(\d+)\.\d+$/;
let graves = 0;

/**
 * <root>/<id>/state.json, replaced atomically (write a temporary file, then rename). Everything
 * below the root is reached through a handle on its directory, one name at a time, never
 * following a symlink: a state dir or file replaced by a link is reported broken, not followed.
 * The root and each state dir are 0700 and every file 0600; one another user could have written
 * is not trusted.
 */
export class StateStore {
  /** Absolute, so a relative --root means the same dir to every later step. */
  readonly root: string;
  private readonly euid = process.geteuid?.() ?? 0;

  constructor(root: string) {
    this.root = resolve(root);
    // Checked up front: otherwise each command fails later with whichever call hit it first.
    try {
      closeSync(this.openRoot());
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err;
    }
  }

  /** The root's own path is the caller's to choose (symlinks included); what it names must be ours alone. */
  private openRoot(): number {
    let fd: number;
    try {
      fd = openSync(this.root, F.O_RDONLY | F.O_DIRECTORY);
    } catch (err) {
      if (errnoOf(err) === 'ENOTDIR') throw new Error(`--root ${this.root}: not a directory`);
      throw err;
    }
    const why = untrustedBecause(fstatSync(fd), this.euid);
    if (why !== undefined) {
      closeSync(fd);
      throw new Error(`--root ${this.root}: ${why}: another user could plant or change container state there; make it owned by uid ${this.euid} with mode 0700`);
    }
    return fd;
  }

  private withRoot<T>(fn: (rootFd: number) => T): T {
    const fd = this.openRoot();
    try {
      return fn(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** For messages and logs; no file is opened by this path. */
  dir(id: string): string {
    return containerDir(this.root, id);
  }

  /**
   * The container's state dir, opened without following a symlink in its place; the caller
   * closes it. ContainerNotFoundError when there is none, BrokenStateError when it is not a
   * directory. Who owns it does not matter (an admin may chown it): each file is checked.
   */
  openDir(id: string): number {
    validateContainerId(id);
    let fd: number;
    try {
      fd = this.withRoot((root) => openSync(at(root, id), F.O_RDONLY | F.O_DIRECTORY | F.O_NOFOLLOW));
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') throw new ContainerNotFoundError(id);
      // O_DIRECTORY | O_NOFOLLOW on a symlink: ENOTDIR, as for a file.
      if (code === 'ELOOP' || code === 'ENOTDIR') {
        const link = lstatSync(this.dir(id), { throwIfNoEntry: false })?.isSymbolicLink() === true;
        throw new BrokenStateError(`${this.dir(id)}: ${link ? 'a symbolic link, not a state directory' : 'not a directory'}`);
      }
      throw err;
    }
    return fd;
  }

  /** Whether `fd` (from openDir) is still the dir named `id`, not one removed or replaced meanwhile. */
  isCurrent(id: string, fd: number): boolean {
    try {
      const now = lstatSync(join(this.root, id));
      const held = fstatSync(fd);
      return now.ino === held.ino && now.dev === held.dev;
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return false;
      throw err;
    }
  }

  /** Claims the id: mkdir is atomic, so of two concurrent creates exactly one wins. */
  claim(id: string): string {
    validateContainerId(id);
    // runc's mode: nobody else may even look up a container's files.
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    this.withRoot((root) => {
      this.sweepGraves(root);
      try {
        mkdirSync(at(root, id), { mode: 0o700 });
      } catch (err) {
        if (errnoOf(err) === 'EEXIST') throw new ContainerExistsError(id);
        throw err;
      }
    });
    return this.dir(id);
  }

  load(id: string): ContainerRecord {
    const dir = this.openDir(id);
    try {
      const tracking = this.readTracking(dir);
      const file = join(this.dir(id), STATE_FILE);
      let text: string;
      try {
        text = this.readPrivate(dir, STATE_FILE);
      } catch (err) {
        if (!(err instanceof UnreadableError)) throw err;
        // A concurrent delete renamed the dir away and emptied it after we opened it.
        if (!this.isCurrent(id, dir)) throw new ContainerNotFoundError(id);
        throw new BrokenStateError(`${file}: ${err.message}`, tracking);
      }
      let rec: ContainerRecord;
      try {
        rec = JSON.parse(text) as ContainerRecord;
      } catch {
        // JSON.parse's message quotes the text: never echo what may be another file's secret.
        throw new BrokenStateError(`${file}: corrupt (not valid JSON)`, tracking);
      }
      if (typeof rec !== 'object' || rec === null || rec.id !== id || typeof rec.pid !== 'number' || typeof rec.pidStartTime !== 'number' ||
        typeof rec.bundle !== 'string' || typeof rec.config !== 'object' || rec.config === null) {
        throw new BrokenStateError(`${file}: corrupt (not a container record)`, tracking);
      }
      return tracking ? withTracking(rec, tracking) : rec;
    } finally {
      closeSync(dir);
    }
  }

  /** What init.json says, or undefined when it is missing or damaged too. */
  private readTracking(dir: number): Tracking | undefined {
    try {
      return parseTracking(this.readPrivate(dir, TRACKING_FILE));
    } catch (err) {
      if (err instanceof UnreadableError) return undefined;
      throw err;
    }
  }

  /** A regular file of the state dir only we can have written; O_NONBLOCK: a fifo in its place must not hang us. */
  private readPrivate(dir: number, name: string): string {
    let fd: number;
    try {
      fd = openSync(at(dir, name), F.O_RDONLY | F.O_NOFOLLOW | F.O_NONBLOCK);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') throw new UnreadableError('missing (the creating process may have been killed)');
      if (code === 'ELOOP') throw new UnreadableError('a symbolic link, not a regular file');
      throw err;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new UnreadableError(`not a regular file (${st.isDirectory() ? 'a directory' : 'a special file'})`);
      const why = untrustedBecause(st, this.euid);
      if (why !== undefined) throw new UnreadableError(why);
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** Writes `name` through a private temporary file renamed over it: readers see the old or the new content. */
  private writePrivate(dir: number, name: string, text: string): void {
    const tmp = `.${name}.${process.pid}`;
    const fd = openSync(at(dir, tmp), F.O_WRONLY | F.O_CREAT | F.O_TRUNC | F.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(at(dir, tmp), at(dir, name));
  }

  /** init.json first: whatever becomes of state.json, the processes it names can still be found. */
  save(rec: ContainerRecord): void {
    const dir = this.openDir(rec.id);
    try {
      this.writePrivate(dir, TRACKING_FILE, JSON.stringify(trackingOf(rec)));
      this.writePrivate(dir, STATE_FILE, JSON.stringify(rec));
    } finally {
      closeSync(dir);
    }
  }

  remove(id: string): void {
    validateContainerId(id);
    const self = readStat(process.pid)?.startTime ?? 0;
    const grave = `~${process.pid}.${self}.${graves++}`;
    this.withRoot((root) => {
      try {
        renameSync(at(root, id), at(root, grave));
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return;
        throw err;
      }
      removeStateDir(at(root, grave));
    });
  }

  /** Graves whose remover was killed before it finished. */
  private sweepGraves(root: number): void {
    for (const name of readdirSync(at(root, '.'))) {
      const m = GRAVE.exec(name);
      if (m && !isAlive({ pid: Number(m[1]), startTime: Number(m[2]) })) removeStateDir(at(root, name));
    }
  }

  ids(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((e) => e.isDirectory() && isValidContainerId(e.name))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
  }

  fifoPath(id: string): string {
    return join(this.dir(id), EXEC_FIFO);
  }

  /** The start gate is there (and is a fifo, not something planted in its place). */
  hasFifo(id: string): boolean {
    try {
      return lstatSync(this.fifoPath(id)).isFIFO();
    } catch {
      return false;
    }
  }
}
