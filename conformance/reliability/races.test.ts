// Issue 7 "Races": engines call the runtime concurrently (containerd's shim and podman's cleanup
// both do). One id created twice at once has exactly one winner; kill, delete, state and start
// racing on one container leave no corrupt state and fail only with the documented errors.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, leftoversOf, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { ocirunAsync } from '../../test/stress/run-async.js';
import { oneErrorLine, processesOf } from './leaks.js';

const sb = new Sandbox('reliability-races');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const run = (args: string[]) => ocirunAsync(sb.root, sb.dir, args);

// The errors a caller may see when it loses a race; anything else is a bug.
const DOCUMENTED = [
  /container does not exist/,
  /container not running/,
  /cannot start a container that has stopped/,
  /cannot start an already (running|paused) container/,
  /container init exited before it could be started/,
  /cannot delete container \S+ that is not stopped: (created|running|paused)/,
];

describe('parallel create of one id', () => {
  it('exactly one wins; the others fail cleanly and leave the winner intact', async () => {
    const id = uniqueId('same');
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const results = await Promise.all(Array.from({ length: 4 }, () => run(['create', '--bundle', bundle, id])));
    expect(results.filter((r) => r.status === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 0)) {
      expect(r.status).toBe(1);
      expect(oneErrorLine(r.stderr)).toMatch(/container with given ID already exists/);
    }
    expect(sb.state(id).status).toBe('created');
    sb.ok(['start', id]);
    expect(sb.state(id).status).toBe('running');
    expect(processesOf(id).length).toBeGreaterThan(0);
  });
});

describe('kill, delete, state and start racing on one container', () => {
  it.each([1, 2, 3, 4, 5])('round %i: no corrupt state, only documented errors, nothing left', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const calls = [
      ['start', id], ['state', id], ['kill', id, 'KILL'], ['state', id], ['delete', id],
      ['start', id], ['kill', '--all', id, 'TERM'], ['delete', '--force', id], ['state', id], ['list', '--format', 'json'],
    ];
    const results = await Promise.all(calls.map(run));
    results.forEach((r, i) => {
      const what = (calls[i] as string[]).join(' ');
      if (r.status === 0) {
        if (what.startsWith('state') || what.startsWith('list')) expect(() => JSON.parse(r.stdout), what).not.toThrow();
        return;
      }
      expect(r.status, what).toBe(1);
      const line = oneErrorLine(r.stderr);
      expect(DOCUMENTED.some((re) => re.test(line)), `${what}: ${line}`).toBe(true);
    });
    // delete --force was among them: whatever order the calls ran in, the container is gone.
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(processesOf(id)).toEqual([]);
    expect(leftoversOf(id)).toEqual([]);
    expect(readdirSync(sb.root).filter((n) => n.startsWith('~'))).toEqual([]);
  });
});
