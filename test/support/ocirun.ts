// Black-box harness: runs the built CLI (bin/ocirun) against bundles written to a temp dir, with a
// private --root per test file and ids unique per process, so parallel runs never collide on a
// state dir or a cgroup. `cleanup()` force-deletes what a test created and reports leftovers.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Spec } from '../../src/spec/types.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OCIRUN = join(REPO, 'bin/ocirun');
export const ROOTFS = join(REPO, 'bundles/rootfs');

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

function childEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['NODE_OPTIONS'];
  return env;
}

let counter = 0;
/** An id no other test process uses (cgroups are host-global, state roots are not). */
export function uniqueId(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** `spec` with a new user namespace mapping root to host uid and gid 100000 (65536 ids). */
export function withUserNamespace(spec: Spec): Spec {
  spec.linux = {
    ...spec.linux,
    namespaces: [...(spec.linux?.namespaces ?? []), { type: 'user' }],
    uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
    gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
  };
  return spec;
}

/** The default config ocirun tests start from: runc's `spec` shape, the shared busybox rootfs. */
export function baseSpec(args: string[] = ['/bin/true']): Spec {
  return {
    ociVersion: '1.2.0',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: ROOTFS, readonly: true },
    hostname: 'ocirun',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Writes <dir>/config.json; the rootfs stays the shared one unless the spec says otherwise. */
export function writeBundle(dir: string, spec: Spec): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return dir;
}

/**
 * One per test file: a private state root and bundle dir. Every container a test creates through
 * `create`/`run` is tracked and force-deleted by `cleanup()`, which then checks nothing is left.
 */
export class Sandbox {
  readonly dir: string;
  readonly root: string;
  private readonly ids = new Set<string>();
  private readonly rootfsCopies: string[] = [];

  constructor(name = 'ocirun-test') {
    this.dir = mkdtempSync(join(tmpdir(), `${name}-`));
    this.root = join(this.dir, 'state');
  }

  /** A bundle dir under the sandbox with the given config. */
  bundle(spec: Spec, name = uniqueId('b')): string {
    return writeBundle(join(this.dir, name), spec);
  }

  /** ocirun with this sandbox's --root; ids after `create`/`run` are remembered for cleanup. */
  run(args: string[], opts: RunOptions = {}): Result {
    this.track(args);
    // Files, not pipes: a created container inherits ocirun's stdio and keeps a pipe open long
    // after ocirun exits, exactly as with runc, so waiting for EOF would wait for the container.
    // Per call: a created container keeps writing to the files of the call that created it.
    const call = uniqueId('call');
    const outPath = join(this.dir, `${call}.stdout`);
    const errPath = join(this.dir, `${call}.stderr`);
    const out = openSync(outPath, 'w');
    const err = openSync(errPath, 'w');
    try {
      const r = spawnSync(OCIRUN, ['--root', this.root, ...args], {
        encoding: 'utf8',
        input: opts.input ?? '',
        stdio: ['pipe', out, err],
        env: childEnv(opts.env),
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 20_000,
        killSignal: 'SIGKILL',
      });
      if (r.error) throw new Error(`ocirun ${args.join(' ')}: ${r.error.message}`);
      return { status: r.status ?? 128 + 9, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
    } finally {
      closeSync(out);
      closeSync(err);
      rmSync(outPath, { force: true });
      rmSync(errPath, { force: true });
    }
  }

  /** Like run, for commands that keep running (foreground run, events): the caller waits. */
  spawn(args: string[], opts: RunOptions = {}): ReturnType<typeof spawn> {
    this.track(args);
    return spawn(OCIRUN, ['--root', this.root, ...args], { env: childEnv(opts.env), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Runs and throws with stderr when the exit code is not 0. */
  ok(args: string[], opts: RunOptions = {}): string {
    const r = this.run(args, opts);
    if (r.status !== 0) throw new Error(`ocirun ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  state(id: string): { status: string; pid: number; [k: string]: unknown } {
    return JSON.parse(this.ok(['state', id])) as { status: string; pid: number };
  }

  /** Creates a container from `spec` and returns its id (state: created). */
  create(spec: Spec, extra: string[] = []): string {
    const id = uniqueId();
    this.ok(['create', '--bundle', this.bundle(spec), ...extra, id]);
    return id;
  }

  /**
   * A create that must be refused: exit 1, a one-line error, no container left. Returns the
   * error line (cleanup() then checks for cgroups and mounts).
   */
  refusedCreate(spec: Spec): string {
    const id = uniqueId();
    const r = this.run(['create', '--bundle', this.bundle(spec), id]);
    if (r.status !== 1) throw new Error(`create exited ${r.status}, not 1: ${r.stderr.trim()}`);
    if (r.stderr.trim().split('\n').length !== 1) throw new Error(`the error is not one line: ${r.stderr}`);
    if (this.run(['state', id]).status === 0) throw new Error(`the refused create left container ${id}`);
    return r.stderr;
  }

  /**
   * A private copy of the busybox rootfs for a test that changes it; cleanup() removes it.
   * cp -a, not fs.cpSync: containers without a /dev mount leave device nodes in the rootfs.
   */
  rootfsCopy(): string {
    const dir = join(this.dir, uniqueId('rootfs'));
    const r = spawnSync('cp', ['-a', ROOTFS, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cp -a ${ROOTFS} ${dir}: ${r.stderr.trim()}`);
    this.rootfsCopies.push(dir);
    return dir;
  }

  private track(args: string[]): void {
    const cmd = args.find((a) => !a.startsWith('-'));
    if (cmd === 'create' || cmd === 'run') {
      const id = args[args.length - 1];
      if (id !== undefined) this.ids.add(id);
    }
  }

  /** Force-deletes every tracked container and returns what could not be removed. */
  cleanup(): string[] {
    const problems: string[] = [];
    const known = existsSync(this.root) ? readdirSync(this.root) : [];
    for (const id of new Set([...this.ids, ...known])) {
      // A container without a state dir (a foreground run, a failed create) has nothing to
      // delete; what it might have left is still looked for.
      if (existsSync(join(this.root, id))) {
        const r = this.run(['delete', '--force', id]);
        if (r.status !== 0 && !/does not exist/.test(r.stderr)) problems.push(`delete --force ${id}: ${r.stderr.trim()}`);
      }
      problems.push(...leftoversOf(id));
    }
    this.ids.clear();
    for (const dir of this.rootfsCopies.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (existsSync(this.root)) {
      for (const id of readdirSync(this.root)) problems.push(`state dir left: ${join(this.root, id)}`);
    }
    return problems;
  }

  /** Removes the sandbox itself; call after cleanup() in afterAll. */
  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Cgroup dirs and mounts that mention a container id: after delete there must be none. */
export function leftoversOf(id: string): string[] {
  const out: string[] = [];
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) if (line.includes(id)) out.push(`mount left: ${line}`);
  const found = spawnSync('find', ['/sys/fs/cgroup', '-maxdepth', '5', '-type', 'd', '-name', id], { encoding: 'utf8' });
  for (const p of found.stdout.split('\n').filter(Boolean)) out.push(`cgroup left: ${p}`);
  return out;
}

/** Polls until fn returns true or the time is up. */
export async function waitFor(fn: () => boolean, timeoutMs = 5000, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return fn();
}
