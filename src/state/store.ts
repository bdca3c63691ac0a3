import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerDir } from './container-id.js';
import type { ContainerRecord } from './record.js';

export const STATE_FILE = 'state.json';
export const EXEC_FIFO = 'exec.fifo';

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
export class BrokenStateError extends Error {}

/** <root>/<id>/state.json, replaced atomically (write a temporary file, then rename). */
export class StateStore {
  constructor(readonly root: string) {}

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
      if (typeof rec !== 'object' || rec === null || rec.id !== id || typeof rec.pid !== 'number') {
        throw new Error('not a container record');
      }
      return rec;
    } catch (err) {
      throw new BrokenStateError(`${join(dir, STATE_FILE)}: corrupt (${(err as Error).message})`);
    }
  }

  save(rec: ContainerRecord): void {
    const dir = this.dir(rec.id);
    const tmp = join(dir, `.${STATE_FILE}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
    renameSync(tmp, join(dir, STATE_FILE));
  }

  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }

  ids(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
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
