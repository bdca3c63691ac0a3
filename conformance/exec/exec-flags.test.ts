// runc's exec flags --cgroup (a sub-cgroup of the container's) and --ignore-paused, with real
// containers on this host's cgroups, read back from the host.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../src/cgroups/path.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { hasV1, hierarchies } from '../cgroups/support.js';

const sb = new Sandbox('exec-flags');
const made: string[] = [];
afterEach(() => {
  const problems = sb.cleanup();
  // Sub-cgroups the tests made inside the container's: removed with it, deepest first.
  for (const dir of made.splice(0).reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // Gone with the container's cgroup.
    }
  }
  expect(problems).toEqual([]);
});
afterAll(() => sb.destroy());

function running(): { id: string; pid: number } {
  const id = sb.create(baseSpec(['sleep', '100']));
  sb.ok(['start', id]);
  return { id, pid: sb.state(id).pid };
}

/** The container's directory in the hierarchy of `controller`, from its init's /proc/<pid>/cgroup. */
function hostDir(pid: number, controller: string): string {
  const mount = hierarchies.v1.get(controller);
  const path = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).get(controller);
  if (!mount || path === undefined) throw new Error(`no ${controller} cgroup for ${pid}`);
  return join(mount.mountpoint, path);
}

function subCgroup(pid: number, controller: string, name: string): string {
  const parent = hostDir(pid, controller);
  const dir = join(parent, name);
  mkdirSync(dir);
  made.push(dir);
  // A v1 cpuset cgroup takes no process until it has CPUs and memory nodes.
  if (controller === 'cpuset') {
    for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(dir, f), readFileSync(join(parent, f)));
  }
  return dir;
}

/** The cgroup of an exec'd `sleep` (detached), per controller. */
function execCgroups(id: string, flags: string[]): Map<string, string> {
  const pidFile = join(sb.dir, `${id}.exec.pid`);
  sb.ok(['exec', '--detach', '--pid-file', pidFile, ...flags, id, 'sleep', '100']);
  return parseProcCgroup(readFileSync(`/proc/${readFileSync(pidFile, 'utf8').trim()}/cgroup`, 'utf8'));
}

describe.skipIf(!hasV1('memory') || !hasV1('pids'))('exec --cgroup', () => {
  it('PATH: the process joins that sub-cgroup in every hierarchy', () => {
    const { id, pid } = running();
    const controllers = [...hierarchies.v1.keys()];
    const seen = new Set<string>();
    for (const c of controllers) {
      const mount = hierarchies.v1.get(c)?.mountpoint as string;
      if (seen.has(mount)) continue;
      seen.add(mount);
      subCgroup(pid, c, 'sub');
    }
    const own = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    // A hybrid host's cgroup2 side is one more hierarchy of the container's.
    const unified = hierarchies.unified;
    if (unified && own.get('') !== undefined && own.get('') !== '/') {
      const dir = join(unified.mountpoint, own.get('') as string, 'sub');
      mkdirSync(dir);
      made.push(dir);
    }
    const cg = execCgroups(id, ['--cgroup', 'sub']);
    for (const c of controllers) expect(cg.get(c), c).toBe(`${own.get(c)}/sub`);
  });

  it('CONTROLLER:PATH (v1): that controller\'s sub-cgroup, the container\'s own cgroup elsewhere', () => {
    const { id, pid } = running();
    subCgroup(pid, 'memory', 'm');
    subCgroup(pid, 'pids', 'p');
    const own = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    const cg = execCgroups(id, ['--cgroup', 'memory:m', '--cgroup', 'pids:p']);
    expect(cg.get('memory')).toBe(`${own.get('memory')}/m`);
    expect(cg.get('pids')).toBe(`${own.get('pids')}/p`);
    expect(cg.get('devices')).toBe(own.get('devices'));
  });

  it.each([
    [['--cgroup', 'missing'], /--cgroup "missing": no sub-cgroup .*\/missing \(exec joins an existing one\)/],
    [['--cgroup', '../../escape'], /--cgroup "..\/..\/escape": must stay below the container's cgroup/],
    [['--cgroup', 'bogus:x'], /--cgroup bogus:x: the container has no cgroup for controller "bogus"/],
    [['--cgroup', 'a', '--cgroup', 'b'], /--cgroup "a": with several --cgroup options each needs a <controller>: prefix/],
    [['--cgroup', 'memory:a', '--cgroup', 'memory:b'], /--cgroup: controller memory is given more than once/],
  ])('%j fails by name, one line, and the container runs on', (flags, message) => {
    const { id } = running();
    const r = sb.run(['exec', ...flags, id, 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.replaceAll('\\"', '"')).toMatch(message);
    expect(sb.state(id).status).toBe('running');
    expect(sb.ok(['ps', '--format', 'json', id]).trim()).toMatch(/^\[\d+\]$/);
  });
});

/** The host's cgroup2 hierarchy, mounted alone at /sys/fs/cgroup in a private mount namespace. */
describe.runIf(hierarchies.unified !== undefined)('exec --cgroup on a cgroup v2 host (the host cgroup2 hierarchy alone, in a private mount namespace)', () => {
  it('PATH: the process joins the sub-cgroup of the container\'s cgroup2 directory', () => {
    const id = uniqueId();
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const pidFile = join(sb.dir, `${id}.exec.pid`);
    const o = `${OCIRUN} --root ${sb.root}`;
    const script = [
      'mount --make-rprivate / && umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 99',
      `${o} run --detach --bundle ${bundle} ${id} || exit 98`,
      // Whatever happens next, the container (its sub-cgroup with it) goes in this namespace.
      `trap '${o} delete --force ${id}' EXIT`,
      `pid=$(${o} state ${id} | grep '"pid"' | tr -dc 0-9)`,
      'cg=$(sed -n "s/^0:://p" /proc/$pid/cgroup)',
      'echo "container $cg"',
      '[ -n "$cg" ] && [ "$cg" != / ] && mkdir "/sys/fs/cgroup$cg/sub" || exit 97',
      `${o} exec --detach --pid-file ${pidFile} --cgroup sub ${id} sleep 100 || exit 96`,
      `echo "exec $(sed -n 's/^0:://p' /proc/$(cat ${pidFile})/cgroup)"`,
      `${o} exec --cgroup memory:sub ${id} true 2>&1 | tail -1`,
    ].join('\n');
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const container = /^container (\S+)$/m.exec(r.stdout)?.[1];
    expect(container).toMatch(new RegExp(`/${id}$`));
    expect(r.stdout).toContain(`exec ${container}/sub\n`);
    expect(r.stdout).toContain('the container has no cgroup for controller \\"memory\\" (it has only the cgroup v2 one)');
  });
});

describe.skipIf(!hasV1('freezer'))('exec --ignore-paused', () => {
  it('without it a paused container is refused with runc\'s words; with it the process runs once resumed', async () => {
    const { id } = running();
    sb.ok(['pause', id]);
    const refused = sb.run(['exec', id, 'true']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('cannot exec in a paused container (use --ignore-paused to override)');
    const child = spawn(OCIRUN, ['--root', sb.root, 'exec', '--ignore-paused', id, 'sh', '-c', 'echo ran'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    // Frozen with the container: nothing runs until resume.
    await new Promise((r) => setTimeout(r, 500));
    expect(out).toBe('');
    sb.ok(['resume', id]);
    expect(await exited).toBe(0);
    expect(out).toBe('ran\n');
  });
});
