// Issue 7 "Faults": `ocirun create` SIGKILLed at each stage (OCIRUN_FAULT, src/debug/fault.ts)
// leaves a container that `state` describes truthfully, `list` shows, that no process outlives,
// and that `delete --force` removes entirely.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CREATE_FAULT_STAGES } from '../../src/debug/fault.js';
import { baseSpec, leftoversOf, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { oneErrorLine, processesOf } from './leaks.js';

const sb = new Sandbox('reliability-faults');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const KILLED = 128 + 9;

describe('create killed with SIGKILL', () => {
  it.each(CREATE_FAULT_STAGES)('at %s: state is true, no orphan, list works, delete --force removes all', async (stage) => {
    const id = uniqueId('fault');
    const pidFile = join(sb.dir, `${id}.pid`);
    const r = sb.run(['create', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), '--pid-file', pidFile, id], { env: { OCIRUN_FAULT: stage } });
    expect(r.status).toBe(KILLED);

    // The init notices create's death on the sync socket and exits by itself: no orphan.
    expect(await waitFor(() => processesOf(id).length === 0)).toBe(true);

    const state = sb.run(['state', id]);
    if (stage === 'after-claim') {
      // Killed before the first state.json: the only honest answer is that it is unreadable.
      expect(state.status).toBe(1);
      expect(oneErrorLine(state.stderr)).toMatch(/state\.json: missing/);
    } else {
      expect(state.status).toBe(0);
      expect(JSON.parse(state.stdout)).toMatchObject({ id, status: 'stopped', pid: 0 });
    }

    const list = sb.run(['list', '--format', 'json']);
    expect(list.status).toBe(0);
    const entry = ((JSON.parse(list.stdout) as Array<{ id: string; status: string }> | null) ?? []).find((e) => e.id === id);
    expect(entry?.status).toBe(stage === 'after-claim' ? 'broken' : 'stopped');

    if (stage !== 'after-claim') {
      const start = sb.run(['start', id]);
      expect(start.status).toBe(1);
      expect(oneErrorLine(start.stderr)).toMatch(/stopped/);
    }

    sb.ok(['delete', '--force', id]);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
    expect(processesOf(id)).toEqual([]);
  });

  it('a create that finished writes no "creating" marker and its init waits for start', () => {
    const id = sb.create(baseSpec(['true']));
    const rec = JSON.parse(readFileSync(join(sb.root, id, 'state.json'), 'utf8')) as Record<string, unknown>;
    expect(rec['creating']).toBeUndefined();
    expect(sb.state(id).status).toBe('created');
  });
});

describe('the init dies before start', () => {
  it('start fails at once with a clear error instead of waiting on the fifo', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const { pid } = sb.state(id);
    process.kill(pid, 'SIGKILL');
    const r = sb.run(['start', id], { timeoutMs: 10_000 });
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/cannot start a container that has stopped|exited before it could be started/);
    expect(sb.state(id).status).toBe('stopped');
  });
});
