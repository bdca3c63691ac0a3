// SCMP_ACT_NOTIFY: the forked child loads the listener filter, hands the fd over a socketpair
// (as the init does to the runtime), then loads the profile and execs. The runner acts as the
// agent and answers each notification; a separate python3 process plays the seccomp agent at
// listenerPath, receiving what the runtime forwards (fd + container process state).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linuxSys } from '../../../src/linux/sys.js';
import { loadSeccomp, prepareSeccomp, releaseSeccomp } from '../../../src/security/seccomp.js';
import type { LinuxSeccomp } from '../../../src/spec/types.js';
import { bundleRunner, runScenario, statusField } from './helpers/run.js';

const EROFS = 30;
const HAVE_PYTHON = spawnSync('python3', ['-c', 'import socket; socket.recv_fds']).status === 0;
const NR_MKDIR = 83; // x86_64

let bundle: string;
let dir: string;
beforeAll(async () => {
  bundle = await bundleRunner();
  dir = mkdtempSync(join(tmpdir(), 'ocirun-notify-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function notifyProfile(listenerPath: string, extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath,
    syscalls: [
      { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' },
      { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
    ],
    ...extra,
  };
}

const SCRIPT = 'grep ^Seccomp /proc/self/status; d=$(mktemp -u /tmp/ocirun-notify.XXXXXX); mkdir "$d"; echo "mkdir=$?"; rmdir /tmp; echo "rmdir=$?"';

describe('SCMP_ACT_NOTIFY', () => {
  it('the listener fd reaches the runtime and the agent’s answers reach the container', () => {
    const r = runScenario(bundle, { noNewPrivileges: true, seccomp: notifyProfile(join(dir, 'unused.sock')), agentErrno: EROFS, script: SCRIPT });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.listenerTarget).toBe('anon_inode:seccomp notify');
    if (process.arch === 'x64') expect(r.notified).toEqual([NR_MKDIR]);
    expect(r.output).toContain('Read-only file system');
    expect(r.output).toContain('mkdir=1');
    // The non-notify rules still apply: the profile was loaded as well.
    expect(r.output).toContain('Permission denied');
    expect(statusField(r.output, 'Seccomp')).toBe('2');
    expect(statusField(r.output, 'Seccomp_filters')).toBe('2');
  });

  it('works without no_new_privs (the init holds CAP_SYS_ADMIN for both loads)', () => {
    const r = runScenario(bundle, {
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
      seccomp: notifyProfile(join(dir, 'unused.sock')),
      agentErrno: EROFS,
      script: `${SCRIPT}; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status`,
    });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toContain('Read-only file system');
    expect(statusField(r.output, 'NoNewPrivs')).toBe('0');
    expect(statusField(r.output, 'CapEff')).toBe('0000000000000020');
  });

  it.skipIf(!HAVE_PYTHON)('forwards the fd and the container process state to listenerPath', async () => {
    const listenerPath = join(dir, 'agent.sock');
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
    const state = { ociVersion: '1.2.0', id: 'notify-test', status: 'creating' as const, bundle: '/srv/bundle', annotations: { k: 'v' } };
    const r = runScenario(bundle, {
      noNewPrivileges: true,
      seccomp: notifyProfile(listenerPath, { listenerMetadata: 'MKNOD=/dev/null', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }),
      forwardState: state,
      agentErrno: EROFS,
      script: SCRIPT,
    });
    expect(await exited, err).toBe(0);
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toContain('Read-only file system');
    const got = JSON.parse(out.slice(out.indexOf('{'))) as { payload: Record<string, unknown>; fds: string[] };
    expect(got.fds).toEqual(['anon_inode:seccomp notify']);
    expect(got.payload).toEqual({
      ociVersion: '1.2.0',
      fds: ['seccompFd'],
      pid: expect.any(Number),
      metadata: 'MKNOD=/dev/null',
      state,
    });
  });

  it('refuses to load the profile before the listener filter (the fd would be lost)', () => {
    const p = prepareSeccomp(notifyProfile('/unused'));
    expect(p?.listener).not.toBeNull();
    if (!p) return;
    try {
      expect(() => loadSeccomp(linuxSys, p)).toThrow(/listener filter must be loaded/);
    } finally {
      releaseSeccomp(p);
    }
  });
});

// A one-shot seccomp agent: accept one connection, take the fds and the whole payload, report.
const AGENT = `
import json, os, socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1]); srv.listen(1); srv.settimeout(15)
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
`;
