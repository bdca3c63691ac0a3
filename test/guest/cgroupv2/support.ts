// Helpers of the cgroup v2 guest set: containers of ocirun (through the host suite's Sandbox) and
// of runc, the reference, with the same bundle, and their cgroup files as the guest sees them.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { LinuxResources, Spec } from '../../../src/spec/types.js';
import { baseSpec, uniqueId } from '../../support/ocirun.js';
import { cgroupDirOf } from '../../../conformance/cgroups/support.js';

export { MiB } from '../../../conformance/cgroups/support.js';

/** baseSpec with `resources` merged into linux.resources (the deny-all device rule stays first). */
export function withResources(resources: LinuxResources, args: string[] = ['sleep', '1000']): Spec {
  const spec = baseSpec(args);
  spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, ...resources } };
  return spec;
}

/** The cgroup2 directory of a process, as seen from the guest's root cgroup namespace. */
export function cgroupDir(pid: number): string {
  return cgroupDirOf(pid, '');
}

/** A file of a process's cgroup, trimmed; undefined when the file does not exist. */
export function cgroupFile(pid: number, file: string): string | undefined {
  const path = join(cgroupDir(pid), file);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/** "MAJ:MIN" of the guest's root disk, for io weights and throttles. */
export function rootDisk(): { major: number; minor: number } {
  const [major, minor] = readFileSync('/sys/block/vda/dev', 'utf8').trim().split(':').map(Number);
  if (major === undefined || minor === undefined) throw new Error('no /sys/block/vda/dev');
  return { major, minor };
}

/** runc 1.1 as installed in the guest, with a private --root; every container is removed by cleanup(). */
export class Runc {
  readonly root: string;
  private readonly ids = new Set<string>();

  constructor(private readonly dir: string) {
    this.root = join(dir, 'runc-state');
  }

  /**
   * runc with this root; stdio to files, since a created container keeps pipes open. Its stdout
   * goes to `stdoutPath` when given.
   */
  run(args: string[], stdoutPath?: string): { status: number; stderr: string } {
    mkdirSync(this.dir, { recursive: true });
    const errPath = join(this.dir, `${uniqueId('runc')}.stderr`);
    const err = openSync(errPath, 'w');
    const out = stdoutPath === undefined ? 'ignore' : openSync(stdoutPath, 'w');
    try {
      const r = spawnSync('runc', ['--root', this.root, ...args], { stdio: ['ignore', out, err], timeout: 120_000, killSignal: 'SIGKILL' });
      return { status: r.status ?? 137, stderr: readFileSync(errPath, 'utf8') };
    } finally {
      closeSync(err);
      if (typeof out === 'number') closeSync(out);
      rmSync(errPath, { force: true });
    }
  }

  /** Creates a container from the bundle dir; returns its init's pid. */
  create(bundle: string): number {
    const id = uniqueId('runc');
    this.ids.add(id);
    const r = this.run(['create', '--bundle', bundle, id]);
    if (r.status !== 0) throw new Error(`runc create: ${r.stderr.trim()}`);
    const state = spawnSync('runc', ['--root', this.root, 'state', id], { encoding: 'utf8' });
    return (JSON.parse(state.stdout) as { pid: number }).pid;
  }

  cleanup(): void {
    for (const id of this.ids) this.run(['delete', '--force', id]);
    this.ids.clear();
  }
}
