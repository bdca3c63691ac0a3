// Issue 18: a damaged state.json must never make ocirun lose a process it started. Every way of
// damaging it (truncated at every length, garbage, empty, a directory, a symlink), on containers
// waiting at the start gate and running: `delete --force` leaves no process, cgroup, mount or
// state dir, checked from the host against the init's pid recorded before the damage.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../src/cgroups/path.js';
import type { Spec } from '../../src/spec/types.js';
import { hierarchies } from '../cgroups/support.js';
import { ocirunAsync } from '../../test/stress/run-async.js';
import { ROOTFS, Sandbox } from '../../test/support/ocirun.js';
import { oneErrorLine, processesOf } from './leaks.js';

const sb = new Sandbox('reliability-damage');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

// Every id of this file starts so: one scan of /proc, the cgroup trees and the mounts per batch.
const PREFIX = `dmg${process.pid}-`;
let next = 0;
// Fixed width: every state.json of one kind of container is as long, give or take the pid's digits.
const newId = (): string => `${PREFIX}${String((next += 1)).padStart(5, '0')}`;
const run = (args: string[]) => ocirunAsync(sb.root, sb.dir, args);

/** A lean container (a smaller state.json, fewer lengths to cut it at) with a cgroup and namespaces of its own. */
const lean: Spec = {
  ociVersion: '1.2.0',
  process: { args: ['sleep', '1000'], cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] },
  root: { path: ROOTFS, readonly: true },
  mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
  linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }] },
};
const bundle = sb.bundle(lean, 'lean');

interface Init {
  id: string;
  pid: number;
  startTime: number;
  /** The init's cgroup directories, as /proc/<pid>/cgroup showed them before the damage. */
  cgroups: string[];
}

/** Where `pid`'s cgroups are, in every hierarchy of the host. */
function cgroupDirsOf(pid: number): string[] {
  const dirs: string[] = [];
  for (const [key, path] of parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))) {
    const mount = key === '' ? hierarchies.unified : hierarchies.v1.get(key);
    if (mount && path !== '/') dirs.push(join(mount.mountpoint, path));
  }
  return dirs;
}

/** The start time of a live process; undefined once it has exited (a zombie waiting for its reaper included). */
function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : Number(fields[19]);
  } catch {
    return undefined;
  }
}

/**
 * Creates `n` containers, started when `running(k)` says so for the k-th; their inits as `list`
 * reports them, before any damage.
 */
async function containers(n: number, running: (k: number) => boolean): Promise<Init[]> {
  const ids = Array.from({ length: n }, newId);
  for (const r of await Promise.all(ids.map((id) => run(['create', '--bundle', bundle, id])))) expect(r.stderr).toBe('');
  for (const r of await Promise.all(ids.filter((_, k) => running(k)).map((id) => run(['start', id])))) expect(r.stderr).toBe('');
  const listed = JSON.parse(sb.ok(['list', '--format', 'json'])) as Array<{ id: string; pid: number; status: string }>;
  return ids.map((id, k) => {
    const e = listed.find((x) => x.id === id);
    expect(e?.status).toBe(running(k) ? 'running' : 'created');
    const pid = e?.pid ?? 0;
    expect(pid).toBeGreaterThan(0);
    const dirs = cgroupDirsOf(pid);
    expect(dirs.filter((d) => d.endsWith(`/${id}`)).length, `cgroups of ${id}`).toBeGreaterThan(0);
    return { id, pid, startTime: startTimeOf(pid) ?? -1, cgroups: dirs };
  });
}

/** Nothing of these containers is left: not the init, not a process, cgroup, mount or state dir. */
function expectGone(inits: readonly Init[]): void {
  for (const i of inits) expect(startTimeOf(i.pid), `init of ${i.id}`).not.toBe(i.startTime);
  const ids = new Set(inits.map((i) => i.id));
  const mine = (name: string): boolean => ids.has(name);
  expect(processesOf(PREFIX, true).length, 'processes in the containers\' cgroups').toBe(0);
  expect(inits.flatMap((i) => i.cgroups).filter((d) => existsSync(d))).toEqual([]);
  expect(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => [...ids].some((id) => l.includes(id)))).toEqual([]);
  expect(existsSync(sb.root) ? readdirSync(sb.root).filter(mine) : []).toEqual([]);
}

async function forceDeleteAll(inits: readonly Init[]): Promise<void> {
  const results = await Promise.all(inits.map((i) => run(['delete', '--force', i.id])));
  results.forEach((r, k) => expect(r.status, `delete --force ${inits[k]?.id}: ${r.stderr}`).toBe(0));
}

const stateFile = (id: string): string => join(sb.root, id, 'state.json');

const BATCH = 12;

describe('state.json truncated at every length from 0 to its size', () => {
  // About a thousand containers: each length is cut once, on a container waiting at the start
  // gate for even lengths and on a running one for odd lengths, twelve at a time.
  it('delete --force leaves nothing of a created or a running container', async () => {
    const [probe] = await containers(1, () => false);
    const size = statSync(stateFile(probe?.id as string)).size;
    await forceDeleteAll([probe as Init]);
    // Past `size` by a little: a record whose pid has a digit more is cut at its every length too.
    const last = size + 2;
    for (let from = 0; from <= last; from += BATCH) {
      const lengths = Array.from({ length: Math.min(BATCH, last + 1 - from) }, (_, k) => from + k);
      const inits = await containers(lengths.length, (k) => (lengths[k] as number) % 2 === 1);
      inits.forEach((i, k) => {
        const file = stateFile(i.id);
        truncateSync(file, Math.min(lengths[k] as number, statSync(file).size));
      });
      await forceDeleteAll(inits);
      expectGone(inits);
    }
  }, 1_800_000);
});

describe.each([['waiting at the start gate', false], ['running', true]] as const)('a container %s', (_what, running) => {
  const damages: Array<[string, (file: string) => void]> = [
    ['garbage', (f) => writeFileSync(f, Buffer.from(Array.from({ length: 300 }, (_, k) => (k * 7919) % 256)))],
    ['empty', (f) => writeFileSync(f, '')],
    ['a directory', (f) => {
      rmSync(f);
      mkdirSync(join(f, 'inner'), { recursive: true });
    }],
    ['a symlink to a secret', (f) => {
      rmSync(f);
      const secret = join(sb.dir, 'shadow');
      writeFileSync(secret, 'root:$6$notahash:19000:0:99999:7:::\n');
      symlinkSync(secret, f);
    }],
  ];

  it.each(damages)('state.json replaced by %s: state tells the truth, delete --force leaves nothing', async (_kind, damage) => {
    const [init] = (await containers(1, () => running)) as [Init];
    damage(stateFile(init.id));
    const st = sb.run(['state', init.id]);
    expect(st.status).toBe(1);
    const line = oneErrorLine(st.stderr);
    expect(line).toContain(`the container is ${running ? 'running' : 'created'} (init pid ${init.pid})`);
    expect(line).not.toContain('root:');
    const listed = (JSON.parse(sb.ok(['list', '--format', 'json'])) as Array<{ id: string; status: string }>).find((e) => e.id === init.id);
    expect(listed?.status).toBe('broken');
    sb.ok(['delete', '--force', init.id]);
    expectGone([init]);
    if (_kind === 'a symlink to a secret') expect(readFileSync(join(sb.dir, 'shadow'), 'utf8')).toMatch(/^root:/);
  }, 120_000);

  it('a damaged record still lets kill stop the container, and state then says it has stopped', async () => {
    const [init] = (await containers(1, () => running)) as [Init];
    truncateSync(stateFile(init.id), 20);
    const k = sb.run(['kill', init.id, 'KILL']);
    expect(k.status, k.stderr).toBe(0);
    for (let tries = 0; tries < 200 && startTimeOf(init.pid) === init.startTime; tries++) await new Promise((r) => setTimeout(r, 25));
    expect(startTimeOf(init.pid)).not.toBe(init.startTime);
    const st = sb.run(['state', init.id]);
    expect(oneErrorLine(st.stderr)).toMatch(/state\.json: corrupt \(not valid JSON\); the container has stopped/);
    const again = sb.run(['kill', init.id, 'KILL']);
    expect(oneErrorLine(again.stderr)).toMatch(/container not running/);
    sb.ok(['delete', '--force', init.id]);
    expectGone([init]);
  }, 120_000);
});

describe('init.json damaged as well', () => {
  it('delete --force still finds the container by its cgroup and kills what is in it', async () => {
    const [init] = (await containers(1, () => true)) as [Init];
    writeFileSync(stateFile(init.id), '');
    writeFileSync(join(sb.root, init.id, 'init.json'), '{"pid":');
    sb.ok(['delete', '--force', init.id]);
    expectGone([init]);
  }, 120_000);
});
