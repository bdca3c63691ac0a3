// Rootless podman (an unprivileged user, its own user namespace from /etc/subuid and
// /etc/subgid through newuidmap, vfs storage, no network) driving ocirun as its OCI runtime,
// each scenario side by side with runc. podman runs the runtime as uid 0 inside its user
// namespace: ocirun detects that as rootless (runc's rule), skips the cgroups it may not
// create on cgroup v1, and enters the container's pid namespace through a child.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { REPO, type Result } from '../support/ocirun.js';
import { makeTestUser, processesOf, type TestUser } from '../support/test-user.js';
import { runtimes, scenarioRunner, type Runtime } from './support/runtimes.js';

const IMAGE = 'localhost/ocirun-busybox';
const which = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the rootless podman suite needs root to create its test user';
  for (const tool of ['podman', 'conmon', 'newuidmap', 'newgidmap']) {
    if (!which(tool)) return `${tool} is not installed (apt-get install podman uidmap)`;
  }
  return undefined;
}

const why = unavailable();
if (why) console.warn(`rootless podman suite skipped: ${why}`);

const show = (what: string, r: Result): string => `${what}: exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe.skipIf(why !== undefined)('rootless podman', () => {
  let user: TestUser;
  const env: NodeJS.ProcessEnv = {};
  let names = 0;
  const scenario = scenarioRunner(runtimes(), 180_000);

  const podman = (args: string[], input?: string): Result => user.run(['podman', ...args], { env, timeoutMs: 150_000, ...(input !== undefined ? { input } : {}) });
  const ok = (args: string[]): string => {
    const r = podman(args);
    if (r.status !== 0) throw new Error(show(`podman ${args.join(' ')}`, r));
    return r.stdout;
  };
  const runRm = (rt: Runtime, args: string[], opts: string[] = []): Result => podman(['--runtime', rt.path, 'run', '--rm', ...opts, IMAGE, ...args]);
  const detached = (rt: Runtime, cmd: string[] = ['sleep', '1000']): string => {
    names += 1;
    const name = `rl-${names}`;
    ok(['--runtime', rt.path, 'run', '-d', '--name', name, IMAGE, ...cmd]);
    return name;
  };
  const inspect = (name: string, format: string): string => ok(['inspect', '--format', format, name]).trim();

  beforeAll(() => {
    user = makeTestUser('p');
    user.giveSubids();
    const pm = join(user.dir, 'podman');
    const setup = user.run(['bash', join(REPO, 'test/e2e/setup-podman.sh'), pm]);
    if (setup.status !== 0) throw new Error(show('setup-podman.sh', setup));
    for (const [, key, value] of setup.stdout.matchAll(/(\w+)='([^']*)'/g)) env[key as string] = value;
    const r = user.run(['bash', '-o', 'pipefail', '-c', 'tar -C "$1" --exclude=./.built-from -c . | podman import -q - "$2"', '_', user.rootfs, IMAGE], { env, timeoutMs: 150_000 });
    if (r.status !== 0) throw new Error(show('podman import', r));
  }, 300_000);

  afterEach(() => {
    if (podman(['ps', '-aq']).stdout.trim() !== '') podman(['rm', '--force', '--time', '0', '--all']);
  }, 180_000);

  afterAll(() => {
    if (!user) return;
    podman(['rmi', '--all', '--force']);
    podman(['system', 'reset', '--force']);
    // podman's pause process holds the user namespace until the reset; nothing may outlive it.
    const left = processesOf(user.uid);
    user.remove();
    expect(left).toEqual([]);
  }, 300_000);

  scenario('run --rm: uid 0 inside the user\'s namespace, output and exit code 42', (rt) => {
    const r = runRm(rt, ['sh', '-c', 'id -u; head -1 /proc/self/uid_map; exit 42']);
    expect(r.status, show('run --rm', r)).toBe(42);
    const [uid, map] = r.stdout.split('\n');
    expect(uid).toBe('0');
    expect(map?.trim().split(/\s+/)).toEqual(['0', String(user.uid), '1']);
  });

  scenario('run --uidmap: a user namespace inside podman\'s, its maps written by the runtime as root there', (rt) => {
    const r = runRm(rt, ['sh', '-c', 'id -u; cat /proc/self/uid_map'], ['--uidmap', '0:1:65536', '--gidmap', '0:1:65536']);
    expect(r.status, show('run --uidmap', r)).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['0', '0 1 65536']);
  });

  scenario('run --rm: a missing executable exits 127', (rt) => {
    const r = runRm(rt, ['/no/such/binary']);
    expect(r.status, show('run --rm /no/such/binary', r)).toBe(127);
  });

  scenario('run -i: stdin reaches the container process', (rt) => {
    const r = podman(['--runtime', rt.path, 'run', '--rm', '-i', IMAGE, 'sh', '-c', 'tr a-z A-Z'], 'piped\n');
    expect(r.status, show('run -i', r)).toBe(0);
    expect(r.stdout).toBe('PIPED\n');
  });

  scenario('run -d, then exec: output and exit code', (rt) => {
    const name = detached(rt);
    expect(inspect(name, '{{.State.Status}}')).toBe('running');
    const r = podman(['exec', name, 'sh', '-c', 'echo pid1=$(cat /proc/1/comm) uid=$(id -u); exit 3']);
    expect(r.status, show('exec', r)).toBe(3);
    expect(r.stdout).toBe('pid1=sleep uid=0\n');
  });

  scenario('exec -t: the process gets a terminal', (rt) => {
    const name = detached(rt);
    const r = podman(['exec', '-t', name, 'sh', '-c', 'tty; [ -t 1 ] && echo stdout-is-a-tty']);
    expect(r.status, show('exec -t', r)).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r?\nstdout-is-a-tty\r?\n$/);
  });

  scenario('run -t: the container process gets a terminal', (rt) => {
    const r = runRm(rt, ['tty'], ['-t']);
    expect(r.status, show('run -t tty', r)).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/0\r?\n$/);
  });

  scenario('stop: SIGTERM reaches the container, its exit code is kept', (rt) => {
    const name = detached(rt, ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
    const r = podman(['stop', '--time', '20', name]);
    expect(r.status, show('stop', r)).toBe(0);
    expect(inspect(name, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 7');
  });

  scenario('kill: SIGKILL ends the container with 137', (rt) => {
    const name = detached(rt);
    const r = podman(['kill', name]);
    expect(r.status, show('kill', r)).toBe(0);
    podman(['wait', name]);
    expect(inspect(name, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 137');
  });

  scenario('rm --force: a running container and its state go', (rt) => {
    const name = detached(rt);
    const r = podman(['rm', '--force', '--time', '0', name]);
    expect(r.status, show('rm --force', r)).toBe(0);
    expect(podman(['ps', '-aq']).stdout.trim()).toBe('');
  });
});
