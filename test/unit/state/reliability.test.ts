// The state store's answers to faults and races: graves for atomic removal, the "creating"
// marker of an unfinished create, a relative root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isValidContainerId } from '../../../src/state/container-id.js';
import { readStat, selfIdentity } from '../../../src/state/process-identity.js';
import type { ContainerRecord } from '../../../src/state/record.js';
import { deriveStatus } from '../../../src/state/status.js';
import { StateStore } from '../../../src/state/store.js';

const dir = mkdtempSync(join(tmpdir(), 'ocirun-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function record(id: string, creating?: ContainerRecord['creating']): ContainerRecord {
  const rec: ContainerRecord = {
    ociVersion: '1.2.0', id, pid: process.pid, pidStartTime: readStat(process.pid)?.startTime ?? 0, bundle: '/b', rootfs: '/b/rootfs',
    created: '2026-11-22T04:59:12.014070171Z', owner: '', config: { ociVersion: '1.2.0' },
  };
  if (creating) rec.creating = creating;
  return rec;
}

/** The identity of a process that has exited. */
function deadIdentity(): { pid: number; startTime: number } {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return { pid: Number(r.stdout.toString().trim()), startTime: 1 };
}

describe('remove', () => {
  it('renames the dir to a grave before emptying it, so no reader sees it half-removed', () => {
    const store = new StateStore(join(dir, 'r1'));
    store.claim('c1');
    store.save(record('c1'));
    store.remove('c1');
    expect(readdirSync(store.root)).toEqual([]);
    expect(() => store.remove('c1')).not.toThrow();
  });

  it('ids() lists only valid ids: graves and stray names are not containers', () => {
    const store = new StateStore(join(dir, 'r2'));
    store.claim('ok');
    mkdirSync(join(store.root, '~123.456.0'));
    mkdirSync(join(store.root, 'has space'));
    writeFileSync(join(store.root, 'a-file'), '');
    expect(store.ids()).toEqual(['ok']);
  });

  it('claim sweeps graves left by a dead remover and keeps those of a live one', () => {
    const store = new StateStore(join(dir, 'r3'));
    const dead = deadIdentity();
    const self = selfIdentity();
    mkdirSync(join(store.root, `~${dead.pid}.${dead.startTime}.0`, 'inner'), { recursive: true });
    mkdirSync(join(store.root, `~${self.pid}.${self.startTime}.9`), { recursive: true });
    store.claim('c3');
    expect(readdirSync(store.root).sort()).toEqual([`~${self.pid}.${self.startTime}.9`, 'c3'].sort());
  });
});

describe('a record of an unfinished create', () => {
  it('is "creating" while its create lives and "stopped" once it died, whatever the init pid says', () => {
    const store = new StateStore(join(dir, 'r4'));
    expect(deriveStatus(store, record('c4', selfIdentity()))).toBe('creating');
    expect(deriveStatus(store, record('c4', deadIdentity()))).toBe('stopped');
    expect(deriveStatus(store, record('c4', { ...selfIdentity(), startTime: 1 }))).toBe('stopped');
  });
});

describe('the state root', () => {
  it('is made absolute, so a relative --root names one dir for every later step', () => {
    expect(new StateStore('rel/root').root).toBe(join(process.cwd(), 'rel/root'));
  });

  it('ids are one path component at most 255 long', () => {
    expect(isValidContainerId('x'.repeat(255))).toBe(true);
    expect(isValidContainerId('x'.repeat(256))).toBe(false);
    expect(isValidContainerId('~1.2.3')).toBe(false);
  });
});
