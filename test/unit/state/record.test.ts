// `state` prints runc's shape; pid files are runc's format.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePidFile } from '../../../src/container/pid-file.js';
import { rfc3339Nano, toOciState, type ContainerRecord, type Status } from '../../../src/state/record.js';
import { GOLDEN_DIR } from '../../support/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'ocirun-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    ociVersion: '1.0.2-dev', id: 't1', pid: 25351, pidStartTime: 1, bundle: '/srv/lab/bundle', rootfs: '/srv/lab/bundle/rootfs',
    created: '2026-11-22T04:59:12.014070171Z', owner: '', config: { ociVersion: '1.0.2-dev' }, cgroupPath: '/x', ...extra,
  };
}

describe('toOciState', () => {
  it.each<Status>(['created', 'running', 'stopped'])("prints runc's %s state byte for byte", (status) => {
    const golden = readFileSync(join(GOLDEN_DIR, `runc-state-${status}.json`), 'utf8');
    expect(JSON.stringify(toOciState(record(), status), null, 2)).toBe(golden.trimEnd());
  });

  it('pid is 0 once stopped', () => {
    expect(toOciState(record(), 'stopped').pid).toBe(0);
    expect(toOciState(record(), 'paused').pid).toBe(25351);
  });

  it('annotations come last and only when there are some', () => {
    expect(Object.keys(toOciState(record({ annotations: { a: 'b' } }), 'running')).at(-1)).toBe('annotations');
    expect(toOciState(record({ annotations: {} }), 'running')).not.toHaveProperty('annotations');
  });

  it('never leaks internal fields', () => {
    expect(Object.keys(toOciState(record(), 'running'))).toEqual(['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner']);
  });
});

describe('rfc3339Nano', () => {
  it('prints nine fraction digits and Z', () => {
    expect(rfc3339Nano(1795323552014070171n)).toBe('2026-11-22T04:59:12.014070171Z');
    expect(rfc3339Nano(1795323552000000001n)).toBe('2026-11-22T04:59:12.000000001Z');
  });
});

describe('writePidFile', () => {
  it('digits only, no newline', () => {
    const path = join(dir, 'init.pid');
    writePidFile(path, 25351);
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(join(GOLDEN_DIR, 'runc.pid'), 'utf8').replace(/\d+/, '25351'));
    expect(readFileSync(path, 'utf8')).toMatch(/^\d+$/);
  });

  it('replaces an existing file atomically and leaves no temporary file', () => {
    const sub = mkdtempSync(join(dir, 'p-'));
    const path = join(sub, 'pid');
    writeFileSync(path, 'old contents that are longer');
    writePidFile(path, 7);
    expect(readFileSync(path, 'utf8')).toBe('7');
    expect(readdirSync(sub)).toEqual(['pid']);
  });

  it('a relative path is relative to the current directory', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      writePidFile('rel.pid', 42);
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(join(dir, 'rel.pid'), 'utf8')).toBe('42');
  });
});

describe('writePidFile errors', () => {
  it('name the flag and the path, in one line, and leave no temporary file', () => {
    expect(() => writePidFile('/nonexistent/dir/p.pid', 1)).toThrow('--pid-file /nonexistent/dir/p.pid: no such file or directory');
    const sub = mkdtempSync(join(dir, 'e-'));
    const target = join(sub, 'is-a-dir');
    mkdirSync(target);
    expect(() => writePidFile(target, 1)).toThrow(/--pid-file .*is-a-dir: /);
    expect(readdirSync(sub)).toEqual(['is-a-dir']);
  });
});
