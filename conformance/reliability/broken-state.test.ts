// Issue 7 "Faults": damaged state files and recycled pids. `list` never fails on one bad
// container, `delete --force` still removes what the damaged record names, and no command ever
// signals a process that merely reuses the init's pid.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, leftoversOf, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';
import { oneErrorLine, processesOf } from './leaks.js';

const sb = new Sandbox('reliability-state');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function listed(id: string): { status: string; reason?: string } | undefined {
  const r = sb.run(['list', '--format', 'json']);
  expect(r.status).toBe(0);
  // runc prints null, not [], when there is no container.
  return ((JSON.parse(r.stdout) as Array<{ id: string; status: string; reason?: string }> | null) ?? []).find((e) => e.id === id);
}

describe('a damaged state.json', () => {
  it('truncated: list shows it broken, state fails in one line, delete --force kills the init and removes the cgroup', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const healthy = sb.create(baseSpec(['sleep', '100']));
    const file = join(sb.root, id, 'state.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    expect(processesOf(id).length).toBeGreaterThan(0);

    expect(listed(id)?.status).toBe('broken');
    expect(listed(healthy)?.status).toBe('created');
    const st = sb.run(['state', id]);
    expect(st.status).toBe(1);
    expect(oneErrorLine(st.stderr)).toMatch(/state\.json: corrupt/);

    sb.ok(['delete', '--force', id]);
    expect(processesOf(id)).toEqual([]);
    expect(leftoversOf(id)).toEqual([]);
    expect(listed(id)).toBeUndefined();
    expect(sb.state(healthy).status).toBe('created');
  });

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22])],
    ['empty', Buffer.alloc(0)],
    ['valid JSON of the wrong shape', Buffer.from('[1,2,3]')],
    ['another container\'s record', Buffer.from(JSON.stringify({ id: 'someone-else', pid: 1, pidStartTime: 0, bundle: '/', config: {} }))],
    ['a record without config', Buffer.from(JSON.stringify({ id: '__ID__', pid: 1, pidStartTime: 0, bundle: '/' }))],
  ])('%s: list shows it broken, delete --force removes the dir', (_name, content) => {
    const id = uniqueId('broken');
    mkdirSync(join(sb.root, id), { recursive: true });
    writeFileSync(join(sb.root, id, 'state.json'), Buffer.from(content.toString('latin1').replace('__ID__', id), 'latin1'));
    expect(listed(id)?.status).toBe('broken');
    for (const cmd of [['state', id], ['start', id], ['kill', id, 'KILL'], ['delete', id]]) {
      const r = sb.run(cmd);
      expect(r.status, cmd.join(' ')).toBe(1);
      oneErrorLine(r.stderr);
    }
    sb.ok(['delete', '--force', id]);
    expect(listed(id)).toBeUndefined();
  });

  it('a state dir without state.json (create killed before its first save) is listed and force-deleted', () => {
    const id = uniqueId('bare');
    mkdirSync(join(sb.root, id), { recursive: true });
    expect(listed(id)).toMatchObject({ status: 'broken' });
    sb.ok(['delete', '--force', id]);
    expect(listed(id)).toBeUndefined();
  });
});

/** What a recycled pid looks like to ocirun: init.json names another process under the init's start time. */
function renamePid(id: string, pid: number): void {
  const file = join(sb.root, id, 'init.json');
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), pid }));
}

describe('a recycled pid', () => {
  it('is never signalled: kill, kill --all and delete --force leave the stranger alone', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const file = join(sb.root, id, 'state.json');
    const rec = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; pidStartTime: number };
    process.kill(rec.pid, 'SIGKILL');
    expect(await waitFor(() => sb.state(id).status === 'stopped')).toBe(true);

    // Same pid number, different process: what a recycled pid looks like to ocirun.
    const stranger = spawn('sleep', ['100'], { stdio: 'ignore' });
    const strangerExited = new Promise((resolve) => stranger.on('exit', resolve));
    try {
      writeFileSync(file, JSON.stringify({ ...rec, pid: stranger.pid }));
      renamePid(id, stranger.pid as number);
      expect(sb.state(id)).toMatchObject({ status: 'stopped', pid: 0 });
      for (const cmd of [['kill', id, 'KILL'], ['kill', '--all', id, 'KILL']]) {
        const r = sb.run(cmd);
        expect(r.status, cmd.join(' ')).toBe(1);
        expect(oneErrorLine(r.stderr)).toMatch(/container not running/);
      }
      sb.ok(['delete', '--force', id]);
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
      expect(() => process.kill(stranger.pid as number, 0)).not.toThrow();
    } finally {
      stranger.kill('SIGKILL');
      await strangerExited;
    }
  });

  it('a truncated record naming a recycled pid is force-deleted without signalling it', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const file = join(sb.root, id, 'state.json');
    const rec = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    process.kill(rec.pid, 'SIGKILL');
    expect(await waitFor(() => sb.state(id).status === 'stopped')).toBe(true);
    const stranger = spawn('sleep', ['100'], { stdio: 'ignore' });
    const strangerExited = new Promise((resolve) => stranger.on('exit', resolve));
    try {
      const text = JSON.stringify({ ...rec, pid: stranger.pid });
      writeFileSync(file, text.slice(0, text.indexOf('"config"') + 20));
      renamePid(id, stranger.pid as number);
      expect(listed(id)?.status).toBe('broken');
      sb.ok(['delete', '--force', id]);
      expect(() => process.kill(stranger.pid as number, 0)).not.toThrow();
      expect(leftoversOf(id)).toEqual([]);
    } finally {
      stranger.kill('SIGKILL');
      await strangerExited;
    }
  });
});
