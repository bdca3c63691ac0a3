// A throw-away unprivileged user for rootless tests: made with useradd (name and subordinate id
// range unique to this test process), given a private copy of the busybox rootfs it owns, and
// removed with everything it left: processes, /etc/subuid and /etc/subgid lines, home.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOTFS, type Result } from './ocirun.js';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** A private directory the user owns (0700): bundles, rootfs copy, XDG_RUNTIME_DIR. */
  dir: string;
  /** The user's own copy of the busybox rootfs (owned by the user: root inside its user namespace). */
  rootfs: string;
  /** XDG_RUNTIME_DIR for the user's commands. */
  runtimeDir: string;
  /** First host id of the user's subordinate range, once given. */
  subidStart: number;
  subidCount: number;
  /** Runs argv as the user (setpriv: no shell, no PAM), with a minimal environment. */
  run(argv: string[], opts?: RunOpts): Result;
  /** Like run, without blocking the event loop (slow machines: vitest's worker must stay responsive). */
  runAsync(argv: string[], opts?: Omit<RunOpts, 'input'>): Promise<Result>;
  giveSubids(): void;
  removeSubids(): void;
  remove(): void;
}

export interface RunOpts {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

const SUBID_FILES = ['/etc/subuid', '/etc/subgid'];
const SETPRIV = '/usr/bin/setpriv';

function must(argv: string[]): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr || r.error?.message || `status ${r.status}`}`);
  return r.stdout;
}

function dropLines(file: string, name: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const kept = text.split('\n').filter((l) => !l.startsWith(`${name}:`));
  writeFileSync(file, kept.join('\n'));
}

export function makeTestUser(tag: string): TestUser {
  const name = `ocrl${tag}${process.pid}`.slice(0, 31);
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const home = join(dir, 'home');
  must(['useradd', '--user-group', '--home-dir', home, '--create-home', '--shell', '/bin/sh', name]);
  const uid = Number(must(['id', '-u', name]).trim());
  const gid = Number(must(['id', '-g', name]).trim());
  chownSync(dir, uid, gid);
  const rootfs = join(dir, 'rootfs');
  must(['cp', '-a', ROOTFS, rootfs]);
  must(['chown', '-R', `${uid}:${gid}`, rootfs]);
  const runtimeDir = join(dir, 'xdg');
  mkdirSync(runtimeDir, { mode: 0o700 });
  chownSync(runtimeDir, uid, gid);
  // A range of 65536 ids per test process, far above what Debian hands out (100000 upwards).
  const subidStart = 1_000_000_000 + (process.pid % 40_000) * 65_536;
  let calls = 0;
  /** setpriv's argv, the environment and the output files of one call as the user. */
  const prepareCall = (argv: string[], opts: RunOpts) => {
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      USER: name,
      LOGNAME: name,
      XDG_RUNTIME_DIR: runtimeDir,
      ...opts.env,
    };
    // Files, not pipes: a created container keeps the caller's stdio open (see ocirun.ts).
    const base = join(dir, `call-${calls++}`);
    const out = openSync(`${base}.out`, 'w');
    const err = openSync(`${base}.err`, 'w');
    return {
      args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', ...argv],
      options: { encoding: 'utf8' as const, env, cwd: opts.cwd ?? dir, stdio: ['pipe', out, err] as ['pipe', number, number] },
      out,
      err,
      result: (status: number): Result => ({ status, stdout: readFileSync(`${base}.out`, 'utf8'), stderr: readFileSync(`${base}.err`, 'utf8') }),
      close: () => {
        closeSync(out);
        closeSync(err);
        rmSync(`${base}.out`, { force: true });
        rmSync(`${base}.err`, { force: true });
      },
    };
  };
  const user: TestUser = {
    name, uid, gid, home, dir, rootfs, runtimeDir, subidStart, subidCount: 65_536,
    run(argv, opts = {}) {
      const call = prepareCall(argv, opts);
      try {
        const r = spawnSync(SETPRIV, call.args, { ...call.options, input: opts.input ?? '', timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL' });
        if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
        return call.result(r.status ?? 128 + 9);
      } finally {
        call.close();
      }
    },
    async runAsync(argv, opts = {}) {
      const call = prepareCall(argv, opts);
      try {
        const child = spawn(SETPRIV, call.args, { ...call.options, stdio: ['ignore', call.out, call.err] });
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
        const status = await new Promise<number>((resolve, reject) => {
          child.on('error', reject);
          child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
        });
        clearTimeout(timer);
        return call.result(status);
      } finally {
        call.close();
      }
    },
    giveSubids() {
      for (const file of SUBID_FILES) {
        dropLines(file, name);
        writeFileSync(file, `${name}:${subidStart}:65536\n`, { flag: 'a' });
      }
    },
    removeSubids() {
      for (const file of SUBID_FILES) dropLines(file, name);
    },
    remove() {
      for (const line of processesOf(uid)) {
        try {
          process.kill(Number(line.split(' ')[0]), 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      user.removeSubids();
      spawnSync('userdel', ['--force', '--remove', name], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return user;
}

/** The user's processes still alive (a test must leave none). */
export function processesOf(uid: number): string[] {
  const r = spawnSync('ps', ['-o', 'pid=,stat=,args=', '-U', String(uid)], { encoding: 'utf8' });
  // A zombie has exited: it waits only for the reaper it was handed to.
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\d+ Z/.test(l));
}
