// config.md "Process" and config-linux.md "Sysctl": what the container's process gets, checked
// from inside it (busybox) or through /proc/<pid> from the host.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Process, Spec } from '../../src/spec/types.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';

const sb = new Sandbox('process');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function withProcess(change: Partial<Process>, spec = baseSpec()): Spec {
  return { ...spec, process: { ...spec.process, ...change } as Process };
}

function inside(script: string, change: Partial<Process> = {}, spec = baseSpec()): string {
  const r = sb.run(['run', '--bundle', sb.bundle(withProcess({ args: ['sh', '-c', script], ...change }, spec)), uniqueId()]);
  if (r.status !== 0) throw new Error(`run exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Lines "Key:\tvalue" of /proc/self/status as printed from inside. */
function status(out: string): Record<string, string> {
  return Object.fromEntries(out.split('\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

/** ocirun with extra fds from 3 on (spawnSync stdio), outside the sandbox's bookkeeping. */
function runWithFds(args: string[], fds: number[]): { status: number; stdout: string; stderr: string } {
  const out = join(sb.dir, 'fds.out');
  const err = join(sb.dir, 'fds.err');
  const o = openSync(out, 'w');
  const e = openSync(err, 'w');
  try {
    const r = spawnSync(OCIRUN, ['--root', sb.root, ...args], { stdio: ['ignore', o, e, ...fds], env: { PATH: process.env.PATH ?? '/bin' }, timeout: 20_000 });
    return { status: r.status ?? -1, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
  } finally {
    closeSync(o);
    closeSync(e);
  }
}

describe('args, env, cwd', () => {
  it('args are passed as they are; env is exactly the config\'s plus HOME; cwd is entered', () => {
    const out = inside('echo "[$0][$1][$2]"; pwd; env | sort', { args: ['sh', '-c', 'echo "[$0][$1][$2]"; pwd; env | sort', 'zero', 'one two', ''], env: ['PATH=/bin:/usr/bin', 'FOO=bar baz', 'EMPTY='], cwd: '/tmp' });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('[zero][one two][]');
    expect(lines[1]).toBe('/tmp');
    // sh itself adds PWD, SHLVL; nothing of ocirun's environment reaches the container.
    const env = lines.slice(2).filter((l) => !/^(PWD|SHLVL|_)=/.test(l));
    expect(env).toEqual(['EMPTY=', 'FOO=bar baz', 'HOME=/root', 'PATH=/bin:/usr/bin']);
  });

  it('a relative args[0] is found on the config\'s PATH', () => {
    expect(inside('', { args: ['echo', 'found'], env: ['PATH=/nonexistent:/bin'] })).toBe('found\n');
  });

  it('a cwd that does not exist is created (as runc does)', () => {
    expect(inside('pwd', { cwd: '/tmp/new/dir' })).toBe('/tmp/new/dir\n');
  });

  it('a program that is not on PATH: runc\'s words', () => {
    const id = uniqueId();
    const r = sb.run(['--log-format', 'json', 'run', '--bundle', sb.bundle(withProcess({ args: ['no-such-program'] })), id]);
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stderr) as { msg: string }).msg).toMatch(/exec: "no-such-program": executable file not found in \$PATH/);
  });
});

describe('user (config.md "User")', () => {
  it('uid, gid and additionalGids as seen by the process', () => {
    const out = inside('grep -E "^(Uid|Gid|Groups):" /proc/self/status; id -u; id -g', { user: { uid: 1000, gid: 1001, additionalGids: [10, 20, 1001] } });
    const st = status(out);
    expect(st.Uid?.split(/\s+/)).toEqual(['1000', '1000', '1000', '1000']);
    expect(st.Gid?.split(/\s+/)).toEqual(['1001', '1001', '1001', '1001']);
    expect(st.Groups?.split(/\s+/).sort()).toEqual(['10', '1001', '20']);
    expect(out.trim().split('\n').slice(-2)).toEqual(['1000', '1001']);
  });

  it('no additionalGids: no supplementary groups at all (none inherited from the runtime)', () => {
    expect(status(inside('grep Groups /proc/self/status', { user: { uid: 0, gid: 0 } })).Groups).toBe('');
  });

  it('umask: the given one, else 0022', () => {
    expect(inside('umask', { user: { uid: 0, gid: 0, umask: 0o077 } })).toBe('0077\n');
    expect(inside('umask', { user: { uid: 0, gid: 0 } })).toBe('0022\n');
  });

  it('HOME comes from the container\'s /etc/passwd for the uid', () => {
    expect(inside('echo $HOME', { user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] })).toBe('/root\n');
    expect(inside('echo $HOME', { user: { uid: 4242, gid: 4242 }, env: ['PATH=/bin'] })).toBe('/\n');
  });
});

describe('rlimits, oomScoreAdj, noNewPrivileges', () => {
  it('rlimits are set on the process', () => {
    const out = inside('ulimit -n; ulimit -Hn; ulimit -c; ulimit -Hc; grep -E "^Max (open files|core)" /proc/self/limits', {
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 2048 }, { type: 'RLIMIT_CORE', soft: 0, hard: 18446744073709551615 }],
    });
    const lines = out.split('\n');
    expect(lines.slice(0, 4)).toEqual(['512', '2048', '0', 'unlimited']);
  });

  it('oomScoreAdj is written for the process', () => {
    expect(inside('cat /proc/self/oom_score_adj', { oomScoreAdj: 500 })).toBe('500\n');
    // A negative value needs CAP_SYS_RESOURCE, which this test machine's root lacks (runc fails too).
  });

  it('noNewPrivileges sets no_new_privs; false leaves it off', () => {
    expect(status(inside('grep NoNewPrivs /proc/self/status', { noNewPrivileges: true })).NoNewPrivs).toBe('1');
    expect(status(inside('grep NoNewPrivs /proc/self/status', { noNewPrivileges: false })).NoNewPrivs).toBe('0');
  });
});

describe('sysctl (config-linux.md "Sysctl")', () => {
  it('namespaced sysctls are written inside the container\'s namespaces only', () => {
    const spec = baseSpec();
    spec.linux = { ...spec.linux, sysctl: { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '2048' } };
    const host = readFileSync('/proc/sys/kernel/shmmni', 'utf8');
    expect(inside('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni', {}, spec)).toBe('1\n2048\n');
    expect(readFileSync('/proc/sys/kernel/shmmni', 'utf8')).toBe(host);
  });

  it('a sysctl that is not namespaced is refused before anything is created', () => {
    const spec = baseSpec();
    spec.linux = { ...spec.linux, sysctl: { 'kernel.pid_max': '4096' } };
    const id = uniqueId();
    const r = sb.run(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/kernel\.pid_max/);
    expect(sb.run(['state', id]).status).toBe(1);
  });
});

describe('stdio and file descriptors', () => {
  it('the container inherits create\'s stdout and stderr, even after create has exited', async () => {
    const out = join(sb.dir, `${uniqueId('out')}.txt`);
    const err = join(sb.dir, `${uniqueId('err')}.txt`);
    const o = openSync(out, 'w');
    const e = openSync(err, 'w');
    const id = uniqueId();
    try {
      const r = spawnSync(OCIRUN, ['--root', sb.root, 'create', '--bundle', sb.bundle(withProcess({ args: ['sh', '-c', 'echo to-out; echo to-err >&2'] })), id], { stdio: ['ignore', o, e], env: { PATH: '/usr/bin:/bin' } });
      expect(r.status).toBe(0);
    } finally {
      closeSync(o);
      closeSync(e);
    }
    sb.ok(['start', id]);
    expect(await waitFor(() => readFileSync(out, 'utf8') === 'to-out\n' && readFileSync(err, 'utf8') === 'to-err\n', 10_000)).toBe(true);
  });

  it('fds the caller leaks do not reach the container; --preserve-fds N passes 3..3+N-1', () => {
    const file = join(sb.dir, 'passed.txt');
    writeFileSync(file, 'through fd 3\n');
    const fd3 = openSync(file, 'r');
    const fd4 = openSync(file, 'r');
    try {
      // ls as a plain child: a pipeline or a glob would add the shell's own fds to the listing.
      const script = 'ls /proc/$$/fd; cat <&3 2>/dev/null || echo no-fd-3';
      const bundle = sb.bundle(withProcess({ args: ['sh', '-c', script] }));
      const leaked = runWithFds(['run', '--bundle', bundle, uniqueId()], [fd3, fd4]);
      expect(leaked.status, leaked.stderr).toBe(0);
      expect(leaked.stdout).toBe('0\n1\n2\nno-fd-3\n');
      const passed = runWithFds(['run', '--preserve-fds', '1', '--bundle', bundle, uniqueId()], [fd3, fd4]);
      expect(passed.status, passed.stderr).toBe(0);
      expect(passed.stdout).toBe('0\n1\n2\n3\nthrough fd 3\n');
    } finally {
      closeSync(fd3);
      closeSync(fd4);
    }
  });

  it('every fd of the waiting init beyond stdio is close-on-exec', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const pid = sb.state(id).pid;
    const fds = readdirSync(`/proc/${pid}/fdinfo`).map(Number).filter((fd) => fd > 2);
    expect(fds.length).toBeGreaterThan(0);
    for (const fd of fds) {
      const flags = /^flags:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0';
      expect(Number.parseInt(flags, 8) & 0o2000000, `fd ${fd}`).not.toBe(0);
    }
  });
});
