// A containerd daemon of our own: socket, root and state under a temp dir
// (test/e2e/setup-containerd.sh), a namespace and cgroup parent named for this test process, the
// busybox image imported from an OCI layout tarball of the project's rootfs, and the native
// snapshotter (plain directories, no mounts to leak). The daemon is this process's child; stop()
// ends it after every task and container is gone, so no shim outlives the suite.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { REPO, ROOTFS } from '../../support/ocirun.js';
import { exec, removeCgroupTree, removeTree, show, which, type ExecOptions, type Result } from './host.js';
import type { Runtime } from './runtimes.js';

export const IMAGE = 'localhost/ocirun-busybox:latest';

/** Directories the shim and ctr create under containerd's compiled-in state dir. */
const SHARED_STATE = '/run/containerd';

export class Containerd {
  readonly dir: string;
  /** The containerd namespace; ctr's default cgroup path for a container is /<namespace>/<id>. */
  readonly namespace = `ocirun-e2e-${process.pid}`;
  private daemon: ChildProcess | undefined;
  private ids = 0;
  private readonly sharedStateExisted = existsSync(SHARED_STATE);

  static unavailable(): string | undefined {
    for (const bin of ['containerd', 'ctr', 'containerd-shim-runc-v2']) {
      if (!which(bin)) return `${bin} is not installed (apt-get install containerd)`;
    }
    if (process.getuid?.() !== 0) return 'the containerd end-to-end suite runs as root';
    return undefined;
  }

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Configures and starts the daemon, waits until it answers, imports the image. */
  static async start(): Promise<Containerd> {
    const cd = new Containerd(mkdtempSync(join(tmpdir(), 'ocirun-e2e-containerd-')));
    const setup = await exec('bash', [join(REPO, 'test/e2e/setup-containerd.sh'), cd.dir]);
    if (setup.status !== 0) throw new Error(show('setup-containerd.sh', setup));
    const log = openSync(join(cd.dir, 'containerd.log'), 'a');
    try {
      cd.daemon = spawn('containerd', ['--config', join(cd.dir, 'config.toml')], { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    try {
      await cd.waitReady();
      const tarball = join(cd.dir, 'image.tar');
      const mk = await exec('bash', [join(REPO, 'test/e2e/make-oci-image.sh'), ROOTFS, tarball, IMAGE]);
      if (mk.status !== 0) throw new Error(show('make-oci-image.sh', mk));
      await cd.ok(['image', 'import', '--snapshotter', 'native', tarball]);
      return cd;
    } catch (err) {
      // The caller never gets the handle to stop it with: no daemon may outlive a failed start.
      await cd.stop();
      throw err;
    }
  }

  private async waitReady(): Promise<void> {
    let last: Result | undefined;
    for (let i = 0; i < 100; i++) {
      if (this.daemon?.exitCode !== null) throw new Error(`containerd exited with ${this.daemon?.exitCode}; see ${this.dir}/containerd.log`);
      last = await this.ctr(['version']);
      if (last.status === 0) return;
      await sleep(100);
    }
    throw new Error(show('containerd did not answer: ctr version', last as Result));
  }

  ctr(args: readonly string[], opts: ExecOptions = {}): Promise<Result> {
    return exec('ctr', ['--address', join(this.dir, 'containerd.sock'), '--namespace', this.namespace, ...args], opts);
  }

  async ok(args: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.ctr(args, opts);
    if (r.status !== 0) throw new Error(show(`ctr ${args.join(' ')}`, r));
    return r.stdout;
  }

  /** `ctr ARGS...` under a pseudo-terminal (ctr -t needs its stdin to be one): script(1) provides it. */
  underTty(args: readonly string[]): Promise<Result> {
    const quoted = ['ctr', '--address', join(this.dir, 'containerd.sock'), '--namespace', this.namespace, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
    return exec('script', ['--quiet', '--return', '--command', quoted.join(' '), '/dev/null']);
  }

  id(): string {
    this.ids += 1;
    return `e2e-${this.ids}`;
  }

  /** `ctr run <runtime options> [OPTS...] IMAGE ID ARGS...`, by default with --rm. */
  run(runtime: readonly string[], id: string, args: readonly string[], opts: readonly string[] = ['--rm']): Promise<Result> {
    return this.ctr(['run', ...runtime, ...opts, IMAGE, id, ...args]);
  }

  /** Starts `IMAGE CMD...` detached under a fresh id, the runtime options made for that id; returns the id. */
  async detached(runtime: (id: string) => readonly string[], cmd: readonly string[] = ['sleep', '1000'], opts: readonly string[] = []): Promise<string> {
    const id = this.id();
    await this.ok(['run', ...runtime(id), '--detach', ...opts, IMAGE, id, ...cmd]);
    return id;
  }

  /** The task's pid and status from `ctr task ls`; status "absent" when there is no such task. */
  async task(id: string): Promise<{ pid: number; status: string }> {
    const line = (await this.ok(['task', 'ls'])).split('\n').find((l) => l.split(/\s+/)[0] === id);
    const [, pid, status = 'absent'] = line?.trim().split(/\s+/) ?? [];
    return { pid: Number(pid), status };
  }

  async taskStatus(id: string): Promise<string> {
    return (await this.task(id)).status;
  }

  async taskPid(id: string): Promise<number> {
    return (await this.task(id)).pid;
  }

  /**
   * Polls (every 100 ms, at most `polls` times) until the task reports `status`, or until
   * `until` settles (a foreground `ctr run` that ended gives no status to wait for: the caller's
   * assertions say what went wrong). The bound is the caller's: emulated guests need longer.
   */
  async untilStatus(id: string, status: string, polls: number, until?: Promise<unknown>): Promise<void> {
    let ended = false;
    void until?.then(() => (ended = true));
    for (let i = 0; i < polls && !ended && (await this.taskStatus(id)) !== status; i++) await sleep(100);
  }

  /**
   * `run` options that route a container through `rt`: its binary, a runtime state root and fifo
   * dir inside our directory (the shim's defaults are under /run/containerd).
   */
  runtimeArgs(rt: Runtime): string[] {
    return ['--snapshotter', 'native', '--runc-binary', rt.path, '--runc-root', join(this.dir, 'runtime-root'), '--fifo-dir', join(this.dir, 'fifo')];
  }

  /** The runtime's state root for this namespace (the shim passes `--root <runc-root>/<ns>`). */
  runtimeRoot(): string {
    return join(this.dir, 'runtime-root', this.namespace);
  }

  /** Kills and deletes every task, then every container; returns the ids that were left. */
  async removeAll(): Promise<string[]> {
    const tasks = (await this.ctr(['task', 'ls', '--quiet'])).stdout.split('\n').filter(Boolean);
    for (const t of tasks) {
      await this.ctr(['task', 'kill', '--all', '--signal', 'SIGKILL', t]);
      await this.ctr(['task', 'delete', '--force', t]);
    }
    const containers = (await this.ctr(['container', 'ls', '--quiet'])).stdout.split('\n').filter(Boolean);
    for (const c of containers) await this.ctr(['container', 'delete', c]);
    return containers;
  }

  /** Removes everything, stops the daemon, then the directories and cgroups it left. */
  async stop(): Promise<string[]> {
    const leaks: string[] = [];
    await this.removeAll();
    await this.ctr(['image', 'remove', IMAGE]);
    const daemon = this.daemon;
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (daemon.exitCode === null && daemon.signalCode === null) {
        daemon.kill('SIGKILL');
        await exited;
      }
    }
    leaks.push(...removeCgroupTree(`/${this.namespace}`).map((d) => `cgroup ${d}`));
    leaks.push(...(await removeTree(this.dir)).map((m) => `mount ${m}`));
    if (!this.sharedStateExisted) removeEmptyDirs(SHARED_STATE);
    return leaks;
  }
}

/**
 * One daemon for a describe block: started before its tests, every task and container removed
 * after each test, stopped after the last with nothing left behind (asserted). `started` gets
 * the daemon once it answers.
 */
export function containerdPerSuite(timeoutMs: number, started: (cd: Containerd) => void): void {
  let cd: Containerd | undefined;
  beforeAll(async () => {
    cd = await Containerd.start();
    started(cd);
  }, timeoutMs);
  afterEach(async () => {
    await cd?.removeAll();
  }, timeoutMs);
  afterAll(async () => {
    if (cd) expect(await cd.stop()).toEqual([]);
  }, timeoutMs);
}

/** rmdir `dir` and its empty subdirectories; anything holding a file stays. */
function removeEmptyDirs(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmptyDirs(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // Not empty: something else uses it.
  }
}
