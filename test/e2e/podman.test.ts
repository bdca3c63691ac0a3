// podman (through conmon) driving ocirun as its OCI runtime, each scenario side by side with
// runc: podman --runtime <path> run/exec/stop/kill/pause/unpause/update/top and the run options
// that turn into config.json fields. Effects are checked inside the container (busybox) or on
// the host (the container's cgroup files).
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { cgroupFileOf, show } from './support/host.js';
import { IMAGE, Podman } from './support/podman.js';
import { runtimes, scenarioRunner, type Runtime } from './support/runtimes.js';

const unavailable = Podman.unavailable();
if (unavailable) console.warn(`podman end-to-end suite skipped: ${unavailable}`);

const read = (path: string): string => readFileSync(path, 'utf8').trim();

describe.skipIf(unavailable !== undefined)('podman', () => {
  let pm: Podman;
  const scenario = scenarioRunner(runtimes());

  beforeAll(async () => {
    pm = await Podman.create();
  }, 120_000);
  afterEach(async () => {
    await pm?.removeContainers();
  }, 120_000);
  afterAll(async () => {
    if (pm) expect(await pm.destroy()).toEqual([]);
  }, 120_000);

  /** `podman run --rm [OPTS...] IMAGE ARGS...` under rt. */
  const runRm = (rt: Runtime, args: readonly string[], opts: readonly string[] = []) => pm.run(rt, ['--rm', ...opts, IMAGE, ...args]);

  scenario('run --rm: output and exit code 0', async (rt) => {
    const r = await runRm(rt, ['echo', 'hello from busybox']);
    expect(r.status, show('run --rm echo', r)).toBe(0);
    expect(r.stdout).toBe('hello from busybox\n');
  });

  scenario('run --rm: the process exit code (42)', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'echo to-stderr >&2; exit 42']);
    expect(r.status, show('run --rm exit 42', r)).toBe(42);
    expect(r.stderr).toContain('to-stderr');
  });

  scenario('run --rm: missing executable exits 127', async (rt) => {
    const r = await runRm(rt, ['/no/such/binary']);
    expect(r.status, show('run --rm /no/such/binary', r)).toBe(127);
  });

  scenario('run --rm: non-executable file exits 126', async (rt) => {
    const r = await runRm(rt, ['/etc/passwd']);
    expect(r.status, show('run --rm /etc/passwd', r)).toBe(126);
  });

  scenario('run -d, then exec: output and exit code', async (rt) => {
    const name = await pm.detached(rt);
    expect(await pm.inspect(name, '{{.State.Status}}')).toBe('running');
    const r = await pm.podman(['exec', name, 'sh', '-c', 'echo pid1=$(cat /proc/1/comm); exit 3']);
    expect(r.status, show('exec', r)).toBe(3);
    expect(r.stdout).toBe('pid1=sleep\n');
  });

  scenario('run -i: stdin reaches the container process', async (rt) => {
    const r = await pm.run(rt, ['--rm', '-i', IMAGE, 'sh', '-c', 'tr a-z A-Z; echo done'], { input: 'piped through\n' });
    expect(r.status, show('run -i', r)).toBe(0);
    expect(r.stdout).toBe('PIPED THROUGH\ndone\n');
  });

  scenario('run: --env, --workdir and --hostname reach the process', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'echo "$GREETING $(pwd) $(hostname)"'], ['--env', 'GREETING=hi', '--workdir', '/tmp', '--hostname', 'e2e-host']);
    expect(r.status, show('run --env --workdir --hostname', r)).toBe(0);
    expect(r.stdout).toBe('hi /tmp e2e-host\n');
  });

  scenario('exec: --user, --workdir and --env of the exec process', async (rt) => {
    const name = await pm.detached(rt);
    const r = await pm.podman(['exec', '--user', '65534:65534', '--workdir', '/tmp', '--env', 'EXTRA=1', name, 'sh', '-c', 'echo "$(id -u):$(id -g) $(pwd) $EXTRA"']);
    expect(r.status, show('exec --user --workdir --env', r)).toBe(0);
    expect(r.stdout).toBe('65534:65534 /tmp 1\n');
  });

  scenario('exec: a missing executable exits 127', async (rt) => {
    const name = await pm.detached(rt);
    const r = await pm.podman(['exec', name, '/no/such/binary']);
    expect(r.status, show('exec /no/such/binary', r)).toBe(127);
  });

  scenario('restart: the container runs again with a new init', async (rt) => {
    const name = await pm.detached(rt);
    const before = await pm.pid(name);
    const r = await pm.podman(['restart', '--time', '0', name]);
    expect(r.status, show('restart', r)).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}}')).toBe('running');
    expect(await pm.pid(name)).not.toBe(before);
  });

  scenario('exec -t: the process gets a terminal', async (rt) => {
    const name = await pm.detached(rt);
    const r = await pm.podman(['exec', '-t', name, 'sh', '-c', 'tty; [ -t 1 ] && echo stdout-is-a-tty']);
    expect(r.status, show('exec -t', r)).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r?\nstdout-is-a-tty\r?\n$/);
  });

  scenario('run -t: the container process gets a terminal', async (rt) => {
    const r = await runRm(rt, ['tty'], ['-t']);
    expect(r.status, show('run -t tty', r)).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/0\r?\n$/);
  });

  scenario('stop: SIGTERM reaches the container, its exit code is kept', async (rt) => {
    const name = await pm.detached(rt, [], ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done']);
    const r = await pm.podman(['stop', '--time', '20', name]);
    expect(r.status, show('stop', r)).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 7');
  });

  scenario('stop: a process ignoring SIGTERM is killed after the timeout', async (rt) => {
    const name = await pm.detached(rt);
    const r = await pm.podman(['stop', '--time', '1', name]);
    expect(r.status, show('stop', r)).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 137');
  });

  scenario('kill: default SIGKILL, and a named signal the container traps', async (rt) => {
    const trapping = await pm.detached(rt, [], ['sh', '-c', 'trap "exit 10" USR1; while :; do sleep 0.1; done']);
    const r1 = await pm.podman(['kill', '--signal', 'USR1', trapping]);
    expect(r1.status, show('kill -s USR1', r1)).toBe(0);
    expect((await pm.ok(['wait', trapping])).trim()).toBe('10');
    const plain = await pm.detached(rt);
    const r2 = await pm.podman(['kill', plain]);
    expect(r2.status, show('kill', r2)).toBe(0);
    expect((await pm.ok(['wait', plain])).trim()).toBe('137');
  });

  scenario('pause / unpause: the freezer stops and resumes the container', async (rt) => {
    const name = await pm.detached(rt);
    const freezer = cgroupFileOf(await pm.pid(name), 'freezer', 'freezer.state');
    const p = await pm.podman(['pause', name]);
    expect(p.status, show('pause', p)).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}}')).toBe('paused');
    expect(read(freezer)).toBe('FROZEN');
    const u = await pm.podman(['unpause', name]);
    expect(u.status, show('unpause', u)).toBe(0);
    expect(await pm.inspect(name, '{{.State.Status}}')).toBe('running');
    expect(read(freezer)).toBe('THAWED');
  });

  scenario('update: new memory and cpu limits on a running container', async (rt) => {
    const name = await pm.detached(rt, ['--memory', '64m']);
    const pid = await pm.pid(name);
    const r = await pm.podman(['update', '--memory', '128m', '--cpu-shares', '512', name]);
    expect(r.status, show('update', r)).toBe(0);
    expect(read(cgroupFileOf(pid, 'memory', 'memory.limit_in_bytes'))).toBe(String(128 * 1024 * 1024));
    expect(read(cgroupFileOf(pid, 'cpu', 'cpu.shares'))).toBe('512');
  });

  scenario('top: lists the container processes', async (rt) => {
    const name = await pm.detached(rt, [], ['sh', '-c', 'sleep 999 & exec sleep 1000']);
    const r = await pm.podman(['top', name, 'pid', 'args']);
    expect(r.status, show('top', r)).toBe(0);
    expect(r.stdout).toMatch(/^\s*1\s+sleep 1000\s*$/m);
    expect(r.stdout).toMatch(/sleep 999/);
  });

  scenario('--memory: the limit is set on the container cgroup', async (rt) => {
    const name = await pm.detached(rt, ['--memory', '64m']);
    const file = cgroupFileOf(await pm.pid(name), 'memory', 'memory.limit_in_bytes');
    expect(file).toContain(pm.cgroupParent);
    expect(read(file)).toBe(String(64 * 1024 * 1024));
  });

  scenario('--memory: a process allocating past the limit is OOM-killed', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'], ['--memory', '32m', '--memory-swap', '32m']);
    expect(r.stdout, show('run --memory 32m (allocating 100 MB)', r)).not.toContain('survived');
    expect(r.status).toBe(137);
  });

  scenario('--pids-limit: fork fails past the limit', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'for i in $(seq 20); do sleep 30 & done; echo all-forked'], ['--pids-limit', '10']);
    expect(r.stdout, show('run --pids-limit 10', r)).not.toContain('all-forked');
    expect(r.stderr).toContain("can't fork: Resource temporarily unavailable");
  });

  scenario('cgroup files inside the container show its own limits', async (rt) => {
    const files = ['/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max'];
    const r = await runRm(rt, ['cat', ...files], ['--memory', '64m', '--pids-limit', '50']);
    expect(r.status, show('cat cgroup files', r)).toBe(0);
    expect(r.stdout).toBe(`${64 * 1024 * 1024}\n50\n`);
  });

  scenario('--read-only: the rootfs is read-only, /tmp a writable tmpfs', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'touch /x 2>&1; touch /tmp/x && echo tmp-ok'], ['--read-only']);
    expect(r.status, show('run --read-only', r)).toBe(0);
    expect(r.stdout).toContain('Read-only file system');
    expect(r.stdout).toContain('tmp-ok');
  });

  scenario('--tmpfs: a tmpfs over an image directory keeps its files (tmpcopyup)', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'grep " /etc tmpfs " /proc/mounts | cut -d" " -f3; head -1 /etc/passwd; echo new > /etc/new && cat /etc/new'], ['--read-only', '--read-only-tmpfs=false', '--tmpfs', '/etc']);
    expect(r.status, show('run --tmpfs /etc', r)).toBe(0);
    expect(r.stdout).toBe('tmpfs\nroot:x:0:0:root:/root:/bin/sh\nnew\n');
  });

  scenario('--cap-drop ALL: no capabilities at all', async (rt) => {
    const r = await runRm(rt, ['grep', '^Cap', '/proc/self/status'], ['--cap-drop', 'ALL']);
    expect(r.status, show('run --cap-drop ALL', r)).toBe(0);
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(r.stdout).toContain(`${set}:\t0000000000000000`);
  });

  scenario('--user: uid and gid inside the container', async (rt) => {
    const r = await runRm(rt, ['id'], ['--user', '1:1']);
    expect(r.status, show('run --user 1:1 id', r)).toBe(0);
    expect(r.stdout.trim()).toBe('uid=1(daemon) gid=1(daemon) groups=1(daemon)');
    const n = await runRm(rt, ['sh', '-c', 'id -u; id -g'], ['--user', '65534']);
    expect(n.status, show('run --user 65534', n)).toBe(0);
    expect(n.stdout).toBe('65534\n65534\n');
  });
});
