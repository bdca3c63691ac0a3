// Issue 17 item 6: a cgroupsPath naming a cgroup that already holds processes of something else
// is refused (runc 1.2: "container's cgroup is not empty"), in whichever hierarchy they are,
// and so is a frozen one; nothing is left behind and the foreign processes are not touched.
// An empty cgroup made beforehand is still taken, as with runc.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { oneErrorLine } from '../reliability/leaks.js';
import { hierarchies } from './support.js';

const sb = new Sandbox('cgroups-occupied');
const made: string[] = [];
const strangers: ChildProcess[] = [];

afterEach(async () => {
  const problems = sb.cleanup();
  for (const s of strangers.splice(0)) {
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGKILL');
    await exited;
  }
  const dirs = made.splice(0).reverse();
  for (const dir of dirs) {
    for (let i = 0; i < 100 && existsSync(dir); i++) {
      try {
        rmdirSync(dir);
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  expect(problems).toEqual([]);
  expect(dirs.filter((d) => existsSync(d))).toEqual([]);
});
afterAll(() => sb.destroy());

/** Every hierarchy's mount point, keyed as the runtime keys them ("" for cgroup2). */
const mounts = new Map<string, string>([...hierarchies.v1].map(([k, m]) => [k, m.mountpoint]));
if (hierarchies.unified) mounts.set('', hierarchies.unified.mountpoint);

/** Makes /<name> in every hierarchy; the test removes it afterwards. */
function foreignCgroup(): string {
  const name = uniqueId('foreign');
  for (const mp of new Set(mounts.values())) {
    const dir = join(mp, name);
    mkdirSync(dir);
    made.push(dir);
    // A new v1 cpuset has no cpus or mems until given some, and takes no process.
    for (const f of ['cpuset.cpus', 'cpuset.mems']) if (existsSync(join(dir, f))) writeFileSync(join(dir, f), readFileSync(join(mp, f)));
  }
  return name;
}

/** A process of no container, moved into /<name> of the given hierarchies. */
async function stranger(name: string, keys: readonly string[]): Promise<number> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  strangers.push(child);
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid as number;
  for (const key of keys) writeFileSync(join(mounts.get(key) as string, name, 'cgroup.procs'), String(pid));
  return pid;
}

function inCgroup(pid: number, key: string, name: string): boolean {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => (key === '' ? l.startsWith('0::') : l.split(':')[1]?.split(',').includes(key)));
  return line?.endsWith(`/${name}`) === true;
}

function createIn(name: string): { id: string; status: number; stderr: string } {
  const id = uniqueId('occ');
  const spec = baseSpec(['sleep', '100']);
  spec.linux = { ...spec.linux, cgroupsPath: `/${name}` };
  const r = sb.run(['create', '--bundle', sb.bundle(spec), id]);
  return { id, status: r.status, stderr: r.stderr };
}

const v1Keys = [...hierarchies.v1.keys()];
const cases: Array<[string, string[]]> = [];
if (v1Keys.length > 0) {
  cases.push(['every v1 hierarchy', v1Keys]);
  if (hierarchies.v1.has('memory')) cases.push(['only the v1 memory hierarchy', ['memory']]);
}
if (hierarchies.unified) cases.push([hierarchies.mode === 'v2' ? 'the cgroup2 hierarchy' : 'only the cgroup2 side of a hybrid host', ['']]);

describe('a cgroupsPath naming an existing cgroup', () => {
  it.each(cases)('with a foreign process in %s: refused in one line, nothing left, the process untouched', async (_where, keys) => {
    const name = foreignCgroup();
    const pid = await stranger(name, keys);
    const r = createIn(name);
    expect(r.status).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(
      new RegExp(`linux\\.cgroupsPath: the cgroup /${name} exists already and holds 1 process\\(es\\) of something else \\(pid ${pid}\\); a container needs a cgroup of its own`),
    );
    expect(existsSync(join(sb.root, r.id))).toBe(false);
    for (const key of keys) expect(inCgroup(pid, key, name), key).toBe(true);
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) S /);
    for (const dir of made) expect(existsSync(dir), dir).toBe(true);
  });

  it('with a foreign process in a child cgroup below it: refused too', async () => {
    const name = foreignCgroup();
    const key = hierarchies.v1.has('pids') ? 'pids' : '';
    const child = join(mounts.get(key) as string, name, 'inner');
    mkdirSync(child);
    made.push(child);
    const pid = await stranger(`${name}/inner`, [key]);
    const r = createIn(name);
    expect(oneErrorLine(r.stderr)).toMatch(new RegExp(`holds 1 process\\(es\\) of something else \\(pid ${pid}\\)`));
    expect(readdirSync(sb.root).filter((n) => n === r.id)).toEqual([]);
  });

  it.runIf(hierarchies.v1.has('freezer'))('frozen and empty: refused, left as it was', () => {
    const name = foreignCgroup();
    const freezer = join(mounts.get('freezer') as string, name);
    writeFileSync(join(freezer, 'freezer.state'), 'FROZEN');
    const r = createIn(name);
    expect(oneErrorLine(r.stderr)).toMatch(new RegExp(`linux\\.cgroupsPath: the cgroup /${name} exists already and is frozen`));
    expect(readFileSync(join(freezer, 'freezer.state'), 'utf8').trim()).toBe('FROZEN');
    writeFileSync(join(freezer, 'freezer.state'), 'THAWED');
  });

  it('empty: taken, as runc does, and the container runs in it', () => {
    const name = foreignCgroup();
    const r = createIn(name);
    expect(r.status, r.stderr).toBe(0);
    const pid = sb.state(r.id).pid;
    for (const key of mounts.keys()) if (key !== '' || hierarchies.mode === 'v2') expect(inCgroup(pid, key, name), key).toBe(true);
  });
});
