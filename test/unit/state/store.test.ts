// The state store: ids, atomic state.json, broken dirs, status derived from the kernel.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
    expect(readdirSync(store.dir('b')).sort()).toEqual(['init.json', 'state.json']);
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
      spawnSync('mkfifo', [store.fifoPath('s')]);
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
  const store = new StateStore(join(dir, 'lock-root'));

  it('runs the callback with the lock fd and returns its value', () => {
    store.claim('l');
    expect(withContainerLock(store, 'l', (fd) => fd >= 0)).toBe(true);
  });

  it('a missing dir: the container does not exist', () => {
    expect(() => withContainerLock(store, 'missing', () => 1)).toThrow(ContainerNotFoundError);
  });

  it('a handle on a dir removed, or removed and made anew, is no longer current (what a lock waiter checks)', () => {
    store.claim('gone');
    const fd = store.openDir('gone');
    try {
      expect(store.isCurrent('gone', fd)).toBe(true);
      store.remove('gone');
      expect(store.isCurrent('gone', fd)).toBe(false);
      store.claim('gone');
      expect(store.isCurrent('gone', fd)).toBe(false);
    } finally {
      closeSync(fd);
    }
  });
});

describe('files of the state root are reached without following symlinks and never echoed', () => {
  const store = new StateStore(join(dir, 'hostile-root'));
  const secret = join(dir, 'shadow');
  writeFileSync(secret, 'root:$6$hash:19000:0:99999:7:::\n');

  it('state.json replaced by a symlink: broken, the target is neither followed nor quoted', () => {
    store.claim('sym');
    store.save(record('sym'));
    rmSync(join(store.dir('sym'), 'state.json'));
    symlinkSync(secret, join(store.dir('sym'), 'state.json'));
    expect(() => store.load('sym')).toThrow(BrokenStateError);
    expect(() => store.load('sym')).toThrow(/state\.json: a symbolic link, not a regular file/);
    expect(() => store.load('sym')).not.toThrow(/root:/);
    // init.json still names the init.
    expect((() => { try { store.load('sym'); } catch (err) { return (err as BrokenStateError).tracking; } })()).toMatchObject({ pid: process.pid });
  });

  it('a state dir replaced by a symlink to a dir with a valid record is not followed', () => {
    store.claim('real');
    writeFileSync(join(store.dir('real'), 'state.json'), JSON.stringify(record('linked')));
    symlinkSync(store.dir('real'), join(store.root, 'linked'));
    expect(() => store.load('linked')).toThrow(/linked: a symbolic link, not a state directory/);
    store.remove('linked');
    expect(existsSync(join(store.dir('real'), 'state.json'))).toBe(true);
  });

  it('invalid JSON: the message says so without quoting the text', () => {
    store.claim('bad');
    writeFileSync(join(store.dir('bad'), 'state.json'), 'root:$6$secret');
    expect(() => store.load('bad')).toThrow(/state\.json: corrupt \(not valid JSON\)$/);
  });

  it('a fifo, a directory or a file others may write in its place: broken at once', () => {
    store.claim('odd');
    spawnSync('mkfifo', [join(store.dir('odd'), 'state.json')]);
    expect(() => store.load('odd')).toThrow(/not a regular file \(a special file\)/);
    rmSync(join(store.dir('odd'), 'state.json'));
    mkdirSync(join(store.dir('odd'), 'state.json'));
    expect(() => store.load('odd')).toThrow(/not a regular file \(a directory\)/);
    rmSync(join(store.dir('odd'), 'state.json'), { recursive: true });
    writeFileSync(join(store.dir('odd'), 'state.json'), JSON.stringify(record('odd')));
    chmodSync(join(store.dir('odd'), 'state.json'), 0o666);
    expect(() => store.load('odd')).toThrow(/writable by group or others \(mode 0666\)/);
  });

  it('root, state dirs and files are private; a root others can write is refused', () => {
    store.claim('p');
    store.save(record('p'));
    expect(statSync(store.root).mode & 0o777).toBe(0o700);
    expect(statSync(store.dir('p')).mode & 0o777).toBe(0o700);
    for (const f of ['state.json', 'init.json']) expect(statSync(join(store.dir('p'), f)).mode & 0o777).toBe(0o600);
    const open = join(dir, 'open-root');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o1777);
    expect(() => new StateStore(open)).toThrow(/--root .*open-root: writable by group or others \(mode 1777\)/);
  });

  it('init.json overrides what a changed state.json says about the processes', () => {
    store.claim('t');
    store.save(record('t'));
    const file = join(store.dir('t'), 'state.json');
    writeFileSync(file, JSON.stringify({ ...record('t'), pid: 1, cgroupPath: '/elsewhere' }));
    expect(store.load('t')).toMatchObject({ pid: process.pid });
    expect(store.load('t').cgroupPath).toBeUndefined();
  });
});
