import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { containerDir, isValidContainerId } from './container-id.js';
import { isAlive, readStat } from './process-identity.js';
import type { ContainerRecord } from './record.js';
import { salvageRecord, type Salvage } from './salvage.js';
import { checkStateRoot } from './root-dir.js';

export const STATE_FILE = 'state.json';
export const EXEC_FIFO = 'exec.fifo';

/**
 * A state dir holds files only: unlinking them spares loading Node's recursive rm (0.4 ms of
 * every delete). Anything else in it goes the long way.
 */
function removeStateDir(dir: string): void {
  try {
    for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
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
  /** What could still be read from a damaged file, for `delete --force`. */
  constructor(message: string, readonly salvage?: Salvage) {
    super(message);
  }
}

// A state dir being removed is first renamed to "~<pid>.<n>": '~' never occurs in an id, so
// readers see the whole dir or none of it, never one half-emptied by a concurrent delete.
const GRAVE = /^~(\d+)\.(\d+)\.\d+$/;
let graves = 0;

/** <root>/<id>/state.json, replaced atomically (write a temporary file, then rename). */
export class StateStore {
  /** Absolute, so a relative --root means the same dir to every later step. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    // Otherwise each command fails later with a raw ENOTDIR from whichever call hit it first.
    let isDir = true;
    try {
      isDir = statSync(this.root).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') isDir = false;
    }
    if (!isDir) throw new Error(`--root ${root}: not a directory`);
    checkStateRoot(this.root);
  }

  dir(id: string): string {
    return containerDir(this.root, id);
  }

  exists(id: string): boolean {
    return existsSync(this.dir(id));
  }

  /** Claims the id: mkdir is atomic, so of two concurrent creates exactly one wins. */
  claim(id: string): string {
    const dir = this.dir(id);
    mkdirSync(this.root, { recursive: true, mode: 0o711 });
    // Again: the root may have been made just now, by us or by someone quicker.
    checkStateRoot(this.root);
    this.sweepGraves();
    try {
      mkdirSync(dir, { mode: 0o711 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ContainerExistsError(id);
      throw err;
    }
    return dir;
  }

  load(id: string): ContainerRecord {
    const dir = this.dir(id);
    let text: string;
    try {
      text = readFileSync(join(dir, STATE_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (existsSync(dir)) throw new BrokenStateError(`${join(dir, STATE_FILE)}: missing (the creating process may have been killed)`);
        throw new ContainerNotFoundError(id);
      }
      throw err;
    }
    try {
      const rec = JSON.parse(text) as ContainerRecord;
      if (typeof rec !== 'object' || rec === null || rec.id !== id || typeof rec.pid !== 'number' || typeof rec.pidStartTime !== 'number' ||
        typeof rec.bundle !== 'string' || typeof rec.config !== 'object' || rec.config === null) {
        throw new Error('not a container record');
      }
      return rec;
    } catch (err) {
      throw new BrokenStateError(`${join(dir, STATE_FILE)}: corrupt (${(err as Error).message})`, salvageRecord(text));
    }
  }

  save(rec: ContainerRecord): void {
    const dir = this.dir(rec.id);
    const tmp = join(dir, `.${STATE_FILE}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
    renameSync(tmp, join(dir, STATE_FILE));
  }

  remove(id: string): void {
    const self = readStat(process.pid)?.startTime ?? 0;
    const grave = join(this.root, `~${process.pid}.${self}.${graves++}`);
    try {
      renameSync(this.dir(id), grave);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    removeStateDir(grave);
  }

  /** Graves whose remover was killed before it finished. */
  private sweepGraves(): void {
    for (const name of readdirSync(this.root)) {
      const m = GRAVE.exec(name);
      if (m && !isAlive({ pid: Number(m[1]), startTime: Number(m[2]) })) removeStateDir(join(this.root, name));
    }
  }

  ids(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((e) => e.isDirectory() && isValidContainerId(e.name))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  fifoPath(id: string): string {
    return join(this.dir(id), EXEC_FIFO);
  }
}
