// runtime.md: operations on one container are serialized (the per-container lock), and the
// commands other than create/run never hold the caller's pipes (runtime-tools reads them to EOF).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('lifecycle-concurrency');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/**
 * Starts `n` copies of one ocirun command at once; resolves with their exit codes and stderr.
 * stderr goes to files: a created container inherits it and would keep a pipe open.
 */
function race(args: string[], n: number): Promise<Array<{ code: number | null; stderr: string }>> {
  return Promise.all(Array.from({ length: n }, (_, i) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const path = join(sb.dir, `race-${i}.err`);
    const fd = openSync(path, 'w');
    const child = spawn(OCIRUN, ['--root', sb.root, ...args], { stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    child.on('exit', (code) => resolve({ code, stderr: readFileSync(path, 'utf8') }));
  })));
}

describe('the per-container lock', () => {
  it('of three concurrent starts exactly one succeeds; the others see it running', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const results = await race(['start', id], 3);
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.code !== 0)) expect(r.stderr).toMatch(/cannot start an already running container/);
    expect(sb.state(id).status).toBe('running');
  });

  it('of three concurrent creates with one id exactly one succeeds', async () => {
    const id = uniqueId();
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    // Tracked for cleanup through a harmless call naming the id.
    sb.run(['create', '--bundle', '/nonexistent', id]);
    const results = await race(['create', '--bundle', bundle, id], 3);
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.code !== 0)) expect(r.stderr).toMatch(/container with given ID already exists/);
    expect(sb.state(id).status).toBe('created');
  });

  it('concurrent delete --force calls all succeed and remove it once', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', id]);
    const results = await race(['delete', '--force', id], 3);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(sb.run(['state', id]).status).toBe(1);
  });
});

describe('pipes', () => {
  it('state, start, kill and delete release the caller\'s pipes when they exit', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    for (const args of [['state', id], ['start', id], ['kill', id, '0'], ['state', id], ['delete', '--force', id]]) {
      // With pipes (the default), spawnSync returns only at EOF: a holder would hit the timeout.
      const r = spawnSync(OCIRUN, ['--root', sb.root, ...args], { encoding: 'utf8', timeout: 15_000 });
      expect(r.error, args.join(' ')).toBeUndefined();
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });
});
