// The state store: ids, atomic state.json, broken dirs, status derived from the kernel.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerDir, InvalidIdError, validateContainerId } from '../../../src/state/container-id.js';
import { isAlive, parseStat, readStat } from '../../../src/state/process-identity.js';
import type { ContainerRecord } from '../../../src/state/record.js';
import { deriveStatus } from '../../../src/state/status.js';
import { BrokenStateError, ContainerExistsError, ContainerNotFoundError, StateStore } from '../../../src/state/store.js';
import { withContainerLock } from '../../../src/state/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'ocirun-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(id: string, pid = process.pid): ContainerRecord {
  return {
    ociVersion: '1.2.0', id, pid, pidStartTime: readStat(pid)?.startTime ?? 0, bundle: '/b', rootfs: '/b/rootfs',
    created: '2026-11-22T04:59:12.014070171Z', owner: '', config: { ociVersion: '1.2.0' },
  };
}

describe('validateContainerId', () => {
  it.each(['abc', 'A-b_c.d+e', '1', 'x'.repeat(255), 'a..b', '.hidden'])('accepts %j', (id) => {
    expect(validateContainerId(id)).toBe(id);
  });

  it.each(['', '.', '..', 'a/b', '../x', '/abs', 'a b', 'a\nb', 'é', 'x'.repeat(256), 'a:b'])('rejects %j', (id) => {
    expect(() => validateContainerId(id)).toThrow(InvalidIdError);
  });

  it('empty: runc words', () => {
    expect(() => validateContainerId('')).toThrow('container id cannot be empty');
    expect(() => validateContainerId(undefined)).toThrow('container id cannot be empty');
  });

  it('containerDir never leaves the root', () => {
    expect(containerDir('/run/ocirun', 'abc')).toBe('/run/ocirun/abc');
    expect(() => containerDir('/run/ocirun', '..')).toThrow(InvalidIdError);
  });
});

describe('parseStat', () => {
  it('reads state and start time past a comm with spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[19] = '123456';
    expect(parseStat(`42 (we ir) d) ${fields.join(' ')}`)).toEqual({ state: 'S', startTime: 123456 });
  });

  it('garbage → undefined', () => {
    expect(parseStat('nonsense')).toBeUndefined();
  });

  it('this process is alive; a wrong start time or pid 0 is not', () => {
    const st = readStat(process.pid);
    expect(st).toBeDefined();
    expect(isAlive({ pid: process.pid, startTime: st?.startTime ?? -1 })).toBe(true);
    expect(isAlive({ pid: process.pid, startTime: (st?.startTime ?? 0) + 1 })).toBe(false);
    expect(isAlive({ pid: 0, startTime: 0 })).toBe(false);
  });
});

describe('StateStore', () => {
  const store = new StateStore(join(dir, 'root'));

  it('claims an id once (atomic mkdir) and creates the root', () => {
    store.claim('a');
    expect(existsSync(join(dir, 'root', 'a'))).toBe(true);
    expect(() => store.claim('a')).toThrow(ContainerExistsError);
    expect(() => store.claim('a')).toThrow('container with given ID already exists');
  });

  it('saves through a temporary file and loads back', () => {
    store.claim('b');
    store.save(record('b'));
    expect(readdirSync(store.dir('b'))).toEqual(['state.json']);
    expect(store.load('b')).toEqual(record('b'));
  });

  it('an unknown id: "container does not exist"', () => {
    expect(() => store.load('nope')).toThrow(ContainerNotFoundError);
    expect(() => store.load('nope')).toThrow('container does not exist');
  });

  it('a dir without state.json, or with a corrupt one, is broken (not missing)', () => {
    store.claim('c');
    expect(() => store.load('c')).toThrow(BrokenStateError);
    writeFileSync(join(store.dir('c'), 'state.json'), '{"id":"other","pid":1}');
    expect(() => store.load('c')).toThrow(/corrupt/);
    writeFileSync(join(store.dir('c'), 'state.json'), '{');
    expect(() => store.load('c')).toThrow(/state\.json: corrupt/);
  });

  it('lists ids sorted, ignoring stray files; an absent root lists nothing', () => {
    writeFileSync(join(dir, 'root', 'stray-file'), '');
    expect(store.ids()).toEqual(['a', 'b', 'c']);
    expect(new StateStore(join(dir, 'absent')).ids()).toEqual([]);
  });

  it('removes everything of an id', () => {
    store.remove('c');
    expect(existsSync(store.dir('c'))).toBe(false);
    expect(store.ids()).toEqual(['a', 'b']);
  });

  it('state.json is private', () => {
    expect(JSON.parse(readFileSync(join(store.dir('b'), 'state.json'), 'utf8'))).toMatchObject({ id: 'b' });
  });
});

describe('deriveStatus', () => {
  const store = new StateStore(join(dir, 'status-root'));

  it('alive + fifo → created; alive without fifo → running; dead → stopped', async () => {
    store.claim('s');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    try {
      const rec = record('s', child.pid as number);
      writeFileSync(store.fifoPath('s'), '');
      expect(deriveStatus(store, rec)).toBe('created');
      rmSync(store.fifoPath('s'));
      expect(deriveStatus(store, rec)).toBe('running');
      expect(deriveStatus(store, { ...rec, pidStartTime: rec.pidStartTime + 1 })).toBe('stopped');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(deriveStatus(store, rec)).toBe('stopped');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('withContainerLock', () => {
  it('runs the callback with the lock fd and returns its value', () => {
    const d = join(dir, 'lockdir');
    mkdirSync(d);
    expect(withContainerLock(d, (fd) => fd >= 0)).toBe(true);
  });

  it('a missing dir fails with ENOENT', () => {
    expect(() => withContainerLock(join(dir, 'missing'), () => 1)).toThrow(/no such file or directory/);
  });
});
