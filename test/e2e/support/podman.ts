// A podman with its own storage, run state, events log and config (test/e2e/setup-podman.sh),
// its containers under a cgroup parent named for this test process (a cgroup, or a systemd slice
// with the systemd cgroup manager), and the busybox image imported from the project's rootfs.
// Nothing of it touches the host's podman state.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, ROOTFS } from '../../support/ocirun.js';
import { exec, removeCgroupTree, removeTree, show, which, type ExecOptions, type Result } from './host.js';
import type { Runtime } from './runtimes.js';

export const IMAGE = 'localhost/ocirun-busybox';

export type CgroupManagerName = 'cgroupfs' | 'systemd';

export class Podman {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Every container's cgroup parent: host-global, so unique per test process. Under systemd a
   * slice, without dashes (systemd would nest a dashed name below each of its parts).
   */
  readonly cgroupParent: string;
  private names = 0;

  /** Why the suite cannot run here, or undefined when it can. */
  static unavailable(): string | undefined {
    if (!which('podman')) return 'podman is not installed (apt-get install podman)';
    if (!which('conmon')) return 'conmon is not installed (apt-get install conmon)';
    if (process.getuid?.() !== 0) return 'the podman end-to-end suite runs as root';
    return undefined;
  }

  private constructor(
    dir: string,
    env: NodeJS.ProcessEnv,
    readonly cgroupManager: CgroupManagerName,
  ) {
    this.dir = dir;
    this.env = env;
    this.cgroupParent = cgroupManager === 'systemd' ? `ocirune2e${process.pid}.slice` : `/ocirun-e2e-${process.pid}`;
  }

  /** Writes the private configuration and imports the image. */
  static async create(cgroupManager: CgroupManagerName = 'cgroupfs'): Promise<Podman> {
    const dir = mkdtempSync(join(tmpdir(), 'ocirun-e2e-podman-'));
    const setup = await exec('bash', [join(REPO, 'test/e2e/setup-podman.sh'), dir, cgroupManager]);
    if (setup.status !== 0) throw new Error(show('setup-podman.sh', setup));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [, key, value] of setup.stdout.matchAll(/(\w+)='([^']*)'/g)) env[key as string] = value;
    const pm = new Podman(dir, env, cgroupManager);
    const r = await exec('bash', ['-o', 'pipefail', '-c', 'tar -C "$1" --exclude=./.built-from -c . | podman import -q - "$2"', '_', ROOTFS, IMAGE], { env });
    if (r.status !== 0) {
      await pm.destroy();
      throw new Error(show('podman import', r));
    }
    return pm;
  }

  podman(args: readonly string[], opts: ExecOptions = {}): Promise<Result> {
    return exec('podman', args, { ...opts, env: this.env, cwd: opts.cwd ?? this.dir });
  }

  /** Like podman(), but a non-zero exit throws with the whole command and its output. */
  async ok(args: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.podman(args, opts);
    if (r.status !== 0) throw new Error(show(`podman ${args.join(' ')}`, r));
    return r.stdout;
  }

  name(): string {
    this.names += 1;
    return `e2e-${this.names}`;
  }

  /** `podman --runtime R run --cgroup-parent P ARGS...`: the start of every container. */
  runArgs(rt: Runtime, args: readonly string[]): string[] {
    return ['--runtime', rt.path, 'run', '--cgroup-parent', this.cgroupParent, ...args];
  }

  run(rt: Runtime, args: readonly string[], opts: ExecOptions = {}): Promise<Result> {
    return this.podman(this.runArgs(rt, args), opts);
  }

  /** Starts `IMAGE sleep 1000` detached under `rt`; returns its name. */
  async detached(rt: Runtime, extra: readonly string[] = [], cmd: readonly string[] = ['sleep', '1000']): Promise<string> {
    const name = this.name();
    await this.ok(this.runArgs(rt, ['-d', '--name', name, ...extra, IMAGE, ...cmd]));
    return name;
  }

  async inspect(name: string, format: string): Promise<string> {
    return (await this.ok(['inspect', '--format', format, name])).trim();
  }

  async pid(name: string): Promise<number> {
    return Number(await this.inspect(name, '{{.State.Pid}}'));
  }

  /** Removes every container (no stop grace period); returns the names that were left. */
  async removeContainers(): Promise<string[]> {
    const names = (await this.podman(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
    if (names.length > 0) await this.podman(['rm', '--force', '--time', '0', '--all']);
    return names;
  }

  /** Everything goes: containers, images, storage, the cgroup parent, the private directory. */
  async destroy(): Promise<string[]> {
    const leaks: string[] = [];
    await this.removeContainers();
    await this.podman(['rmi', '--all', '--force']);
    await this.podman(['system', 'reset', '--force']);
    if (this.cgroupManager === 'systemd') await exec('systemctl', ['stop', this.cgroupParent]);
    leaks.push(...removeCgroupTree(this.cgroupManager === 'systemd' ? `/${this.cgroupParent}` : this.cgroupParent).map((d) => `cgroup ${d}`));
    leaks.push(...(await removeTree(this.dir)).map((m) => `mount ${m}`));
    return leaks;
  }
}
