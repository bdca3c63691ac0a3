// `exec` on real containers (runc's exec command; runtime.md has no exec, engines rely on runc's
// behaviour): the process runs in the container's namespaces, cgroup and pid namespace, with the
// process spec or the command-line overrides, and reports its exit status.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, OCIRUN, Sandbox, waitFor } from '../../test/support/ocirun.js';

const sb = new Sandbox('exec');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/** A running container whose init sleeps; returns its id and init pid. */
function running(args = ['sleep', '1000'], spec = baseSpec(args)): { id: string; pid: number } {
  const id = sb.create(spec);
  sb.ok(['start', id]);
  return { id, pid: sb.state(id).pid };
}

function exec(id: string, args: string[], flags: string[] = []): { status: number; stdout: string; stderr: string } {
  return sb.run(['exec', ...flags, id, ...args]);
}

describe('exec joins the running container', () => {
  it('runs in every namespace of the init, sees its hostname and files', async () => {
    const { id, pid } = running(['sh', '-c', 'echo from-init > /tmp/marker; exec sleep 1000']);
    expect(await waitFor(() => exec(id, ['cat', '/tmp/marker']).stdout === 'from-init\n')).toBe(true);
    const types = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'uts'];
    const r = exec(id, ['sh', '-c', `for t in ${types.join(' ')}; do readlink /proc/self/ns/$t; done; hostname`]);
    expect(r.status, r.stderr).toBe(0);
    const expected = types.map((t) => readlinkSync(`/proc/${pid}/ns/${t}`));
    expect(r.stdout.trim().split('\n')).toEqual([...expected, 'ocirun']);
  });

  it('is a member of the pid namespace: not pid 1, visible to ps next to the init', () => {
    const { id } = running();
    const r = exec(id, ['sh', '-c', 'echo self=$$; ps -o pid,args']);
    expect(r.status, r.stderr).toBe(0);
    const self = Number(/self=(\d+)/.exec(r.stdout)?.[1]);
    expect(self).toBeGreaterThan(1);
    expect(r.stdout).toMatch(/^\s*1\s+sleep 1000$/m);
    // busybox runs ps inside the shell's own process: the line is the exec'd process itself.
    expect(r.stdout).toMatch(new RegExp(`^\\s*${self}\\s+\\S*\\s*sh -c`, 'm'));
  });

  it('joins the container cgroup (detached, checked from the host) and writes the pid file', () => {
    const { id, pid } = running();
    const pidFile = join(sb.dir, `${id}.exec.pid`);
    sb.ok(['exec', '--detach', '--pid-file', pidFile, id, 'sleep', '1000']);
    const text = readFileSync(pidFile, 'utf8');
    expect(text).toMatch(/^\d+$/);
    const execPid = Number(text);
    expect(readFileSync(`/proc/${execPid}/cgroup`, 'utf8')).toBe(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    // NSpid: host pid, then the pid inside the container's namespace.
    const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${execPid}/status`, 'utf8'))?.[1]?.split(/\s+/);
    expect(nspid?.length).toBe(2);
    expect(nspid?.[0]).toBe(String(execPid));
    expect(readlinkSync(`/proc/${execPid}/ns/pid`)).toBe(readlinkSync(`/proc/${pid}/ns/pid`));
    expect(readlinkSync(`/proc/${execPid}/root`)).toBe(readlinkSync(`/proc/${pid}/root`));
    expect(sb.ok(['ps', id])).toContain(String(execPid));
  });
});

describe('exit status', () => {
  it('exits with the process code, or 128 + the signal that killed it', () => {
    const { id } = running();
    expect(exec(id, ['sh', '-c', 'exit 42']).status).toBe(42);
    expect(exec(id, ['true']).status).toBe(0);
    expect(exec(id, ['sh', '-c', 'kill -9 $$']).status).toBe(137);
  });

  it('a missing program fails with runc\'s words and exit 1', () => {
    const { id } = running();
    const r = exec(id, ['no-such-program']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exec: \\?"no-such-program\\?": executable file not found in \$PATH/);
    const abs = exec(id, ['/no/such']);
    expect(abs.stderr).toContain('no such file or directory');
  });

  it('passes signals sent to ocirun on to the process', async () => {
    const { id } = running();
    const child = sb.spawn(['exec', id, 'sh', '-c', 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 1; done']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    expect(await waitFor(() => out.includes('ready'))).toBeTruthy();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(out).toContain('got-term');
    expect(code).toBe(7);
  });
});

describe('process settings from the command line', () => {
  it('--env, --cwd, --user, --additional-gids, and HOME from the container\'s /etc/passwd', () => {
    const { id } = running();
    const r = exec(id, ['sh', '-c', 'echo "$FOO|$(pwd)|$(id -u):$(id -g)|$(id -G)|$HOME"'], ['--env', 'FOO=bar', '-e', 'TERM=dumb', '--cwd', '/tmp', '--user', '1000:1001', '-g', '5', '-g', '7']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('bar|/tmp|1000:1001|1001 5 7|/');
    expect(exec(id, ['sh', '-c', 'echo $HOME']).stdout.trim()).toBe('/root');
  });

  it('keeps the container\'s capabilities, adds --cap, sets --no-new-privs', () => {
    const spec = baseSpec(['sleep', '1000']);
    const proc = spec.process as NonNullable<typeof spec.process>;
    proc.noNewPrivileges = false;
    const { id } = running(undefined, spec);
    const plain = exec(id, ['grep', '-E', '^(CapBnd|NoNewPrivs)', '/proc/self/status']).stdout;
    expect(plain).toMatch(/CapBnd:\s+0000000020000420/);
    expect(plain).toMatch(/NoNewPrivs:\s+0/);
    const more = exec(id, ['grep', '-E', '^(CapEff|NoNewPrivs)', '/proc/self/status'], ['--cap', 'CAP_CHOWN', '--no-new-privs']).stdout;
    expect(more).toMatch(/CapEff:\s+0000000020000421/);
    expect(more).toMatch(/NoNewPrivs:\s+1/);
  });

  it('arguments after the id belong to the program, flags included', () => {
    const { id } = running();
    expect(exec(id, ['echo', '-e', 'a\\tb', '--help', '-d']).stdout).toBe('a\tb --help -d\n');
  });
});

describe('--process', () => {
  it('runs a runtime-spec process document', () => {
    const { id } = running();
    const file = join(sb.dir, 'process.json');
    writeFileSync(file, JSON.stringify({ terminal: false, user: { uid: 2, gid: 3 }, args: ['sh', '-c', 'echo "$(id -u) $(id -g) $(pwd) $X"; exit 7'], env: ['PATH=/bin', 'X=y'], cwd: '/etc' }));
    const r = exec(id, [], ['--process', file]);
    expect(r.stdout).toBe('2 3 /etc y\n');
    expect(r.status).toBe(7);
  });

  it('applies the document\'s ioPriority, and refuses a scheduler the kernel lacks by name', () => {
    const { id } = running();
    const file = join(sb.dir, 'io-process.json');
    writeFileSync(file, JSON.stringify({ args: ['ionice'], env: ['PATH=/bin'], cwd: '/', ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 3 } }));
    const r = exec(id, [], ['--process', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('best-effort: prio 3');
    writeFileSync(file, JSON.stringify({ args: ['true'], cwd: '/', scheduler: { policy: 'SCHED_ISO' } }));
    expect(exec(id, [], ['--process', file]).stderr).toContain('process.scheduler.policy: ');
  });

  it('refuses a document that is not a valid process, naming the file and field', () => {
    const { id } = running();
    const file = join(sb.dir, 'bad-process.json');
    writeFileSync(file, JSON.stringify({ args: ['true'], cwd: 5 }));
    const r = exec(id, [], ['--process', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`--process ${file}: cwd:`);
    writeFileSync(file, '{"args": ["true"], ');
    expect(exec(id, [], ['--process', file]).stderr).toMatch(/invalid JSON/);
    writeFileSync(file, JSON.stringify({ args: ['true'], cwd: 'relative' }));
    expect(exec(id, [], ['--process', file]).stderr).toContain('must be an absolute path');
    writeFileSync(file, JSON.stringify({ cwd: '/' }));
    expect(exec(id, [], ['--process', file]).stderr).toContain('process.args');
  });

  it('refuses what create refuses in a process, and runs nothing', () => {
    const { id } = running();
    const file = join(sb.dir, 'windows-process.json');
    const marker = `echo ran > /tmp/exec-ran`;
    writeFileSync(file, JSON.stringify({ args: ['sh', '-c', marker], cwd: '/', commandLine: 'cmd /c dir' }));
    let r = exec(id, [], ['--process', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('process.commandLine: is Windows-only');
    const nofile = { type: 'RLIMIT_NOFILE', soft: 64, hard: 64 };
    writeFileSync(file, JSON.stringify({ args: ['sh', '-c', marker], cwd: '/', rlimits: [nofile, { ...nofile, soft: 128, hard: 128 }] }));
    r = exec(id, [], ['--process', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/process\.rlimits\[1\]\.type: duplicate rlimit .*RLIMIT_NOFILE/);
    expect(exec(id, ['cat', '/tmp/exec-ran']).status).not.toBe(0);
  });
});

describe('container status', () => {
  it('refuses a paused container with runc\'s words', () => {
    const { id } = running();
    sb.ok(['pause', id]);
    const r = exec(id, ['true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot exec in a paused container');
    sb.ok(['resume', id]);
    expect(exec(id, ['true']).status).toBe(0);
  });

  it('refuses a stopped container with runc\'s words', async () => {
    const { id } = running(['true']);
    expect(await waitFor(() => sb.state(id).status === 'stopped')).toBeTruthy();
    const r = exec(id, ['true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot exec a container that has stopped');
  });

  it('a missing container: "container does not exist"', () => {
    expect(exec('no-such-container', ['true']).stderr).toContain('container does not exist');
  });
});

describe('file descriptors', () => {
  /** ocirun exec with `extra` open as fd 3 (as the containerd shim leaks its socket). */
  function execWithFd3(id: string, args: string[], flags: string[] = []): string {
    const extra = openSync(join(sb.dir, 'leaked-file'), 'w');
    try {
      const r = spawnSync(OCIRUN, ['--root', sb.root, 'exec', ...flags, id, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', extra], timeout: 20_000 });
      if (r.status !== 0) throw new Error(`exec failed: ${r.stderr}`);
      return r.stdout;
    } finally {
      closeSync(extra);
    }
  }

  it('the caller\'s fds do not reach the process, except --preserve-fds', () => {
    const { id } = running();
    const list = 'for f in /proc/self/fd/*; do echo "${f##*/} $(readlink $f)"; done';
    const plain = execWithFd3(id, ['sh', '-c', list]);
    expect(plain).not.toContain('leaked-file');
    expect(plain).not.toContain(sb.dir);
    const preserved = execWithFd3(id, ['sh', '-c', list], ['--preserve-fds', '1']);
    expect(preserved).toMatch(/^3 .*leaked-file$/m);
  });
});
