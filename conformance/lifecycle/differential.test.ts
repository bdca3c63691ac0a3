// The same bundles through runc (Debian's 1.1.5, where installed) and ocirun: state shape, exit
// codes, what the process sees, and the error words engines match must agree.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId, waitFor, withUserNamespace } from '../../test/support/ocirun.js';

const RUNC = '/usr/sbin/runc';
const sb = new Sandbox('differential');
const runcRoot = join(sb.dir, 'runc-state');

interface Result { status: number; stdout: string; stderr: string }

/** Output to files, as Sandbox.run does: a created container keeps runc's stdio open. */
// Each container gets an id of its own under runc: the default cgroup is named after the id,
// and ocirun refuses a cgroup holding another runtime's processes. Outputs name the shared id.
const SHARED_ID = /^t-\d+-\d+$/;
const asShared = (text: string): string => text.replace(/(t-\d+-\d+)-runc/g, '$1');

function runc(sharedArgs: string[]): Result {
  const args = sharedArgs.map((a) => (SHARED_ID.test(a) ? `${a}-runc` : a));
  const outPath = join(sb.dir, 'runc.out');
  const errPath = join(sb.dir, 'runc.err');
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  try {
    const r = spawnSync(RUNC, ['--root', runcRoot, ...args], { stdio: ['ignore', out, err], timeout: 20_000 });
    return { status: r.status ?? -1, stdout: asShared(readFileSync(outPath, 'utf8')), stderr: asShared(readFileSync(errPath, 'utf8')) };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** The same command line through both runtimes. */
function both(args: string[]): { runc: Result; ocirun: Result } {
  return { runc: runc(args), ocirun: sb.run(args) };
}

function msgOf(r: Result): string {
  const line = r.stderr.trim().split('\n').pop() ?? '{}';
  return ((JSON.parse(line) as { msg?: string }).msg ?? '').replace(/^(runc|ocirun) /, '');
}

afterEach(() => {
  for (const id of existsSync(runcRoot) ? readdirSync(runcRoot) : []) runc(['delete', '--force', id]);
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => sb.destroy());

function noPidns(args: string[]): Spec {
  const spec = baseSpec(args);
  spec.linux = { ...spec.linux, namespaces: spec.linux?.namespaces?.filter((n) => n.type !== 'pid') ?? [] };
  return spec;
}

function noCgroupns(args: string[]): Spec {
  const spec = baseSpec(args);
  spec.linux = { ...spec.linux, namespaces: spec.linux?.namespaces?.filter((n) => n.type !== 'cgroup') ?? [] };
  return spec;
}

function withUserns(args: string[]): Spec {
  return withUserNamespace(baseSpec(args));
}

describe.skipIf(!existsSync(RUNC))('ocirun against runc 1.1.5', () => {
  it('state: same keys in the same order through created, running, stopped', async () => {
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const id = uniqueId();
    const shapes = (): { runc: string[]; ocirun: string[]; status: string[] } => {
      const r = both(['state', id]);
      const a = JSON.parse(r.runc.stdout) as Record<string, unknown>;
      const b = JSON.parse(r.ocirun.stdout) as Record<string, unknown>;
      return { runc: Object.keys(a), ocirun: Object.keys(b), status: [String(a.status), String(b.status)] };
    };
    const create = both(['create', '--bundle', bundle, id]);
    expect([create.runc.status, create.ocirun.status]).toEqual([0, 0]);
    let s = shapes();
    expect(s.ocirun).toEqual(s.runc);
    expect(s.status).toEqual(['created', 'created']);
    expect(both(['start', id])).toMatchObject({ runc: { status: 0 }, ocirun: { status: 0 } });
    expect(shapes().status).toEqual(['running', 'running']);
    both(['kill', id, 'KILL']);
    expect(await waitFor(() => shapes().status.every((x) => x === 'stopped'), 10_000)).toBe(true);
    s = shapes();
    expect(s.ocirun).toEqual(s.runc);
    const r = both(['state', id]);
    expect([(JSON.parse(r.runc.stdout) as { pid: number }).pid, (JSON.parse(r.ocirun.stdout) as { pid: number }).pid]).toEqual([0, 0]);
  });

  it.each<[string, Spec]>([
    ['exit 3', baseSpec(['sh', '-c', 'echo hi; exit 3'])],
    ['killed by its own SIGKILL', noPidns(['sh', '-c', 'kill -KILL $$'])],
    ['killed by its own SIGTERM', noPidns(['sh', '-c', 'kill -TERM $$; sleep 5'])],
    ['identity and limits', baseSpec(['sh', '-c', 'id; hostname; pwd; umask; ulimit -n; grep -E "^(NoNewPrivs|CapInh|CapPrm|CapEff|CapBnd|CapAmb|Groups|Seccomp):" /proc/self/status; echo $$'])],
    ['environment', baseSpec(['sh', '-c', 'env | sort'])],
    ['/dev', baseSpec(['sh', '-c', 'ls -l /dev | awk \'{print $1, $5, $6, $NF}\'; ls /dev/pts /dev/shm /dev/mqueue'])],
    // Options differ on purpose (ocirun keeps the whole /sys/fs/cgroup tmpfs and masked files read-only).
    ['mount points and types', baseSpec(['sh', '-c', 'awk \'{print $2, $3}\' /proc/self/mounts | sort'])],
    ['cgroup mounts without a cgroup namespace', noCgroupns(['sh', '-c', 'grep " /sys/fs/cgroup/" /proc/self/mountinfo | awk \'{print $4, $5, $6}\' | sort; wc -l < /sys/fs/cgroup/pids/cgroup.procs'])],
    ['a user namespace', withUserns(['sh', '-c', 'id; ls -lnd / /bin /dev /dev/null /dev/pts /tmp; cat /proc/self/uid_map /proc/self/gid_map; hostname'])],
    ['masked paths', baseSpec(['sh', '-c', 'for p in /proc/timer_list /proc/keys /sys/firmware /proc/acpi; do ls -ld $p | awk \'{print $1, $NF}\'; done'])],
  ])('run in the foreground: %s → same exit code and output', (_name, spec) => {
    const bundle = sb.bundle(spec);
    const id = uniqueId();
    const r = both(['run', '--bundle', bundle, id]);
    expect(r.ocirun.status, r.ocirun.stderr).toBe(r.runc.status);
    expect(r.ocirun.stdout).toBe(r.runc.stdout);
  });

  it.each([['TERM'], ['USR1']])('kill %s of a created container: same resulting status', async (sig) => {
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const id = uniqueId();
    both(['create', '--bundle', bundle, id]);
    both(['kill', id, sig]);
    const statusOf = (r: Result) => (JSON.parse(r.stdout) as { status: string }).status;
    const settled = () => {
      const r = both(['state', id]);
      return [statusOf(r.runc), statusOf(r.ocirun)];
    };
    await waitFor(() => settled().every((x) => x === 'stopped'), 1000);
    const [a, b] = settled();
    expect(b).toBe(a);
  });

  it('a missing program: same exit code and words', () => {
    const bundle = sb.bundle(baseSpec(['/nonexistent-binary']));
    const r = both(['--log-format', 'json', 'run', '--bundle', bundle, uniqueId()]);
    expect(r.ocirun.status).toBe(r.runc.status);
    expect(msgOf(r.ocirun)).toBe(msgOf(r.runc));
  });

  it('the error words engines match, operation by operation', async () => {
    const words = (args: string[]): [string, string] => {
      const r = both(['--log-format', 'json', ...args]);
      expect(r.ocirun.status, args.join(' ')).toBe(r.runc.status);
      return [msgOf(r.runc), msgOf(r.ocirun)];
    };
    for (const op of [['state'], ['start'], ['kill'], ['delete']]) {
      const [a, b] = words([...op, 'no-such-container']);
      expect(b, op[0]).toBe(a);
    }
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const id = uniqueId();
    both(['create', '--bundle', bundle, id]);
    let [a, b] = words(['create', '--bundle', bundle, id]);
    expect(b).toBe(a);
    both(['start', id]);
    [a, b] = words(['start', id]);
    expect(b).toBe(a);
    [a, b] = words(['delete', id]);
    expect(b).toBe(a);
    both(['kill', id, 'KILL']);
    expect(await waitFor(() => both(['state', id]).ocirun.stdout.includes('"stopped"') && runc(['state', id]).stdout.includes('"stopped"'), 10_000)).toBe(true);
    [a, b] = words(['kill', id, 'KILL']);
    expect(b).toBe(a);
    [a, b] = words(['start', id]);
    expect(b).toBe(a);
  });
});
