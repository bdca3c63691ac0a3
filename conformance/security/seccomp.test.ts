// config-linux.md "Seccomp", checked from inside real containers: busybox makes the filtered call
// and reports what it got (the errno's message, or death by SIGSYS). mkdir(2) probes the actions;
// the argument operators are driven through kill(2), whose argument 1 (the signal) the shell sets
// directly (busybox's `mkdir -m` always passes 0777 and chmods afterwards).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxSeccomp, LinuxSyscall, SeccompAction, SeccompOperator } from '../../src/spec/types.js';
import { SPEC_VERSION } from '../../src/spec/version.js';
import { baseSpec, Sandbox, uniqueId, type Result } from '../../test/support/ocirun.js';

const sb = new Sandbox('security-seccomp');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const SIGSYS_EXIT = 128 + 31;
const TRY_MKDIR = 'mkdir /tmp/probe 2>&1; echo rc=$?';
// SIGCHLD (17), SIGURG (23) and SIGWINCH (28) to the shell itself: all three are ignored by default.
const TRY_SIGNALS = 'for s in 17 23 28; do if kill -$s $$ 2>/dev/null; then echo "$s ok"; else echo "$s denied"; fi; done';

function allowAllBut(...syscalls: LinuxSyscall[]): LinuxSeccomp {
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls };
}

function run(seccomp: LinuxSeccomp, args: string[], extra: string[] = []): Result {
  const spec = baseSpec(args);
  if (spec.linux) spec.linux.seccomp = seccomp;
  return sb.run([...extra, 'run', '--bundle', sb.bundle(spec), uniqueId()]);
}

/** `script` under `sh -c` with the profile; the status line proves the filter is in place. */
function runShell(seccomp: LinuxSeccomp, script: string, extra: string[] = []): Result {
  const r = run(seccomp, ['sh', '-c', `grep ^Seccomp: /proc/self/status; ${script}`], extra);
  expect(r.status, r.stderr + r.stdout).toBe(0);
  expect(r.stdout).toMatch(/^Seccomp:\s+2$/m);
  return r;
}

const signals = (out: string): string => out.split('\n').filter((l) => /^\d{2} /.test(l)).join('|');

describe('actions', () => {
  it('SCMP_ACT_ERRNO without errnoRet: EPERM', () => {
    const r = runShell(allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }), TRY_MKDIR);
    expect(r.stdout).toContain("mkdir: can't create directory '/tmp/probe': Operation not permitted");
    expect(r.stdout).toContain('rc=1');
  });

  it('SCMP_ACT_ERRNO with errnoRet: that errno', () => {
    const r = runShell(allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 122 }), TRY_MKDIR);
    expect(r.stdout).toContain('Disk quota exceeded');
  });

  it.each<SeccompAction>(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP'])('%s: the process dies of SIGSYS', (action) => {
    // mkdir as the container process itself: `run` exits with 128 + the signal.
    const r = run(allowAllBut({ names: ['mkdir'], action }), ['mkdir', '/tmp/probe']);
    expect(r.status, r.stderr).toBe(SIGSYS_EXIT);
  });

  it('SCMP_ACT_KILL_PROCESS kills every thread-group member, not only the caller (checked through the shell’s view)', () => {
    const r = runShell(allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_KILL_PROCESS' }), TRY_MKDIR);
    expect(r.stdout).toContain(`rc=${SIGSYS_EXIT}`);
  });

  it('SCMP_ACT_TRACE with no tracer: the call fails with ENOSYS', () => {
    const r = runShell(allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_TRACE' }), TRY_MKDIR);
    expect(r.stdout).toContain('Function not implemented');
  });

  it('SCMP_ACT_LOG: the call succeeds and the kernel logs it (audit record in the kernel log)', () => {
    // busybox runs argv[1] as the applet when its name starts with "busybox": a unique comm to find.
    const comm = `busybox1${process.pid % 100000}`;
    const r = runShell(allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_LOG' }), `cp /bin/busybox /tmp/${comm}; /tmp/${comm} mkdir /tmp/probe; echo rc=$?`);
    expect(r.stdout).toContain('rc=0');
    const log = spawnSync('dmesg', { encoding: 'utf8' }).stdout;
    expect(log).toMatch(new RegExp(`comm="${comm}".* code=0x7ffc0000`));
  });

  it('SCMP_ACT_ALLOW: an exception to a denying default', () => {
    const r = runShell({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ALLOW' }, { names: ['rmdir'], action: 'SCMP_ACT_ERRNO' }] }, 'mkdir /tmp/a; echo mkdir=$?; rmdir /tmp/a; echo rmdir=$?');
    expect(r.stdout).toContain('mkdir=0');
    expect(r.stdout).toContain('rmdir=1');
  });
});

describe('argument operators: kill(2) with signals 17 / 23 / 28 against 23', () => {
  const cases: Array<[SeccompOperator, string]> = [
    ['SCMP_CMP_EQ', '17 ok|23 denied|28 ok'],
    ['SCMP_CMP_NE', '17 denied|23 ok|28 denied'],
    ['SCMP_CMP_LT', '17 denied|23 ok|28 ok'],
    ['SCMP_CMP_LE', '17 denied|23 denied|28 ok'],
    ['SCMP_CMP_GT', '17 ok|23 ok|28 denied'],
    ['SCMP_CMP_GE', '17 ok|23 denied|28 denied'],
  ];
  it.each(cases)('%s', (op, expected) => {
    const r = runShell(allowAllBut({ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 23, op }] }), TRY_SIGNALS);
    expect(signals(r.stdout)).toBe(expected);
  });

  it('SCMP_CMP_MASKED_EQ: (signal & 3) == 1 denies only 17', () => {
    const r = runShell(allowAllBut({ names: ['kill'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 3, valueTwo: 1, op: 'SCMP_CMP_MASKED_EQ' }] }), TRY_SIGNALS);
    expect(signals(r.stdout)).toBe('17 denied|23 ok|28 ok');
  });

  it('two comparisons on different arguments must both match (pid != 0 and signal == 23)', () => {
    const args = [{ index: 0, value: 0, op: 'SCMP_CMP_NE' as const }, { index: 1, value: 23, op: 'SCMP_CMP_EQ' as const }];
    const r = runShell(allowAllBut({ names: ['kill'], action: 'SCMP_ACT_ERRNO', args }), TRY_SIGNALS);
    expect(signals(r.stdout)).toBe('17 ok|23 denied|28 ok');
  });

  it('two comparisons on the same argument are alternatives (as runc: one rule each)', () => {
    const args = [{ index: 1, value: 17, op: 'SCMP_CMP_EQ' as const }, { index: 1, value: 28, op: 'SCMP_CMP_EQ' as const }];
    const r = runShell(allowAllBut({ names: ['kill'], action: 'SCMP_ACT_ERRNO', args }), TRY_SIGNALS);
    expect(signals(r.stdout)).toBe('17 denied|23 ok|28 denied');
  });
});

describe('profile-level settings', () => {
  const unistd = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
  it.skipIf(process.arch !== 'x64' || !existsSync(unistd))('defaultErrnoRet: the errno of a denying default action', () => {
    const names = [...readFileSync(unistd, 'utf8').matchAll(/^#define __NR_(\w+) \d+$/gm)].map((m) => m[1] as string).filter((n) => n !== 'mkdir');
    const r = runShell({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 18, syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] }, TRY_MKDIR);
    expect(r.stdout).toContain('Invalid cross-device link');
  });

  it.skipIf(process.arch !== 'x64')('architectures: the native one and its compat ones', () => {
    const r = runShell({ ...allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }), architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }, TRY_MKDIR);
    expect(r.stdout).toContain('rc=1');
  });

  it('an architecture libseccomp cannot resolve: a clear error, nothing left', () => {
    const id = uniqueId();
    const spec = baseSpec(['/bin/true']);
    if (spec.linux) spec.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_SHEB'] };
    const r = sb.run(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/linux\.seccomp\.architectures: libseccomp [\d.]+ does not support architecture \\?"sheb/);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });

  it('syscall names unknown to libseccomp are skipped (debug log), the rest of the rule applies', () => {
    const log = join(sb.dir, `${uniqueId('log')}.json`);
    const r = runShell(allowAllBut({ names: ['ocirun_no_such_syscall', 'mkdir'], action: 'SCMP_ACT_ERRNO' }), TRY_MKDIR, ['--debug', '--log', log, '--log-format', 'json']);
    expect(r.stdout).toContain('rc=1');
    expect(readFileSync(log, 'utf8')).toMatch(/"level":"debug","msg":"linux\.seccomp\.syscalls\[0\]\.names\[0\]: syscall \\"ocirun_no_such_syscall\\" is unknown to libseccomp/);
  });

  // printk rate-limits audit records (bursts of 10 per 5 s) and the SCMP_ACT_LOG tests flood the
  // log with the runtime's own calls, so a record can be dropped: retried, spread over seconds.
  it('SECCOMP_FILTER_FLAG_LOG: denied calls are logged too', { retry: 2 }, () => {
    const comm = `busybox2${process.pid % 100000}`;
    // Several denials: the kernel rate-limits audit records, and other suites (OOM kills) fill the log.
    const r = runShell({ ...allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }), flags: ['SECCOMP_FILTER_FLAG_LOG'] }, `cp /bin/busybox /tmp/${comm}; for i in 1 2 3 4 5; do /tmp/${comm} mkdir /tmp/probe 2>/dev/null; echo rc=$?; sleep 1; done`);
    expect(r.stdout).toContain('rc=1');
    // The audit record carries the action without its data (the errno).
    expect(spawnSync('dmesg', { encoding: 'utf8' }).stdout).toMatch(new RegExp(`comm="${comm}".* code=0x50000`));
  });

  it('SECCOMP_FILTER_FLAG_TSYNC and SPEC_ALLOW are accepted and the profile applies', () => {
    const r = runShell({ ...allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }), flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }, TRY_MKDIR);
    expect(r.stdout).toContain('rc=1');
  });

  it('the filter is loaded last: the runtime’s own steps (mounts, setgroups) are not filtered', () => {
    const r = runShell(allowAllBut({ names: ['mount', 'setgroups', 'pivot_root', 'sethostname', 'capset', 'prctl'], action: 'SCMP_ACT_ERRNO' }), 'hostname; echo rc=$?');
    expect(r.stdout).toContain('ocirun');
  });
});

// A minimal seccomp agent at listenerPath (config-linux.md "listenerPath"): it takes the
// listener fd and the container process state, prints both, then answers one notification
// with EROFS through SECCOMP_IOCTL_NOTIF_RECV/SEND.
const AGENT = `
import fcntl, json, os, socket, struct, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1); srv.settimeout(20)
print("ready", flush=True)
conn, _ = srv.accept()
conn.settimeout(5)
msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
while True:
    more = conn.recv(65536)
    if not more:
        break
    msg += more
print(json.dumps({"payload": json.loads(msg), "fds": [os.readlink("/proc/self/fd/%d" % f) for f in fds]}), flush=True)
notif = bytearray(80)
fcntl.ioctl(fds[0], 0xC0502100, notif)
nid, pid, flags, nr = struct.unpack_from("<QIIi", notif)
fcntl.ioctl(fds[0], 0xC0182101, bytearray(struct.pack("<QqiI", nid, 0, -30, 0)))
print(json.dumps({"notified": nr}), flush=True)
`;

const HAVE_PYTHON = spawnSync('python3', ['-c', 'import socket; socket.recv_fds']).status === 0;

interface AgentRun {
  id: string;
  bundle: string;
  result: Result;
  /** What the agent received: the fds (as links) and the JSON payload. */
  received: { fds: string[]; payload: { state: Record<string, unknown>; [k: string]: unknown } };
  notified: { notified: number } | undefined;
}

/** Starts the agent, runs a container whose mkdir is notified, and returns what both saw. */
async function runWithAgent(): Promise<AgentRun> {
  const listenerPath = join(sb.dir, `${uniqueId('agent')}.sock`);
  const agent = spawn('python3', ['-c', AGENT, listenerPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  agent.stdout.on('data', (b: Buffer) => (out += b.toString()));
  agent.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => agent.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`agent did not start: ${err}`)), 10_000);
    agent.stdout.on('data', () => {
      if (out.includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const id = uniqueId();
  const spec = baseSpec(['sh', '-c', 'mkdir /tmp/n 2>&1; echo rc=$?; rmdir /tmp 2>&1; true']);
  spec.annotations = { 'org.example.k': 'v' };
  if (spec.linux) {
    spec.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath,
      listenerMetadata: 'agent-metadata',
      flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }, { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    };
  }
  const bundle = sb.bundle(spec);
  const result = sb.run(['run', '--bundle', bundle, id]);
  expect(await exited, err).toBe(0);
  const [received, notified] = out.slice(out.indexOf('{')).trim().split('\n').map((l) => JSON.parse(l) as unknown);
  return { id, bundle, result, received: received as AgentRun['received'], notified: notified as AgentRun['notified'] };
}

describe('SCMP_ACT_NOTIFY', () => {
  it.skipIf(!HAVE_PYTHON)('the agent at listenerPath gets the fd and the state ("creating"), and its answer reaches the container', async () => {
    const { id, bundle, result: r, received, notified } = await runWithAgent();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Read-only file system');
    expect(r.stdout).toContain('rc=1');
    expect(r.stdout).toContain('Permission denied'); // the rest of the profile applies too
    expect(received).toEqual({
      fds: ['anon_inode:seccomp notify'],
      payload: {
        ociVersion: SPEC_VERSION,
        fds: ['seccompFd'],
        pid: expect.any(Number),
        metadata: 'agent-metadata',
        state: expect.objectContaining({ ociVersion: SPEC_VERSION, id, status: 'creating', bundle, pid: received.payload['pid'] }),
      },
    });
    if (process.arch === 'x64') expect(notified).toEqual({ notified: 83 });
  });

  it.skipIf(!HAVE_PYTHON)('the state sent to the agent carries the config’s annotations (runtime-spec state)', async () => {
    const { received } = await runWithAgent();
    expect(received.payload.state['annotations']).toEqual({ 'org.example.k': 'v' });
  });

  it('SCMP_ACT_NOTIFY without listenerPath: a clear error, nothing left', () => {
    const id = uniqueId();
    const spec = baseSpec(['/bin/true']);
    if (spec.linux) spec.linux.seccomp = allowAllBut({ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' });
    const r = sb.run(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used');
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });
});
