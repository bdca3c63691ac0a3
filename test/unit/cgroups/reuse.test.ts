// The rule for taking over a cgroup that exists already, on directories laid out as cgroupfs does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CgroupManager } from '../../../src/cgroups/manager.js';
import { refuseOccupiedCgroup } from '../../../src/cgroups/reuse.js';

const base = mkdtempSync(join(tmpdir(), 'ocirun-reuse-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
/** A cgroup with a directory per hierarchy; `procs` gives each one's cgroup.procs, undefined for no directory. */
function cgroup(procs: Record<string, string | undefined>, frozen = false): CgroupManager {
  const paths: Record<string, string> = {};
  for (const [key, content] of Object.entries(procs)) {
    const dir = join(base, String((n += 1)), key || 'unified', 'c');
    paths[key] = dir;
    if (content === undefined) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.procs'), content);
  }
  return { path: '/c', paths, frozen: () => frozen } as unknown as CgroupManager;
}

describe('refuseOccupiedCgroup', () => {
  it('a cgroup that does not exist yet, or exists empty, is taken', () => {
    expect(() => refuseOccupiedCgroup(cgroup({ memory: undefined, pids: undefined }), 'linux.cgroupsPath')).not.toThrow();
    expect(() => refuseOccupiedCgroup(cgroup({ memory: '', pids: '' }), 'linux.cgroupsPath')).not.toThrow();
  });

  it('a process in any one hierarchy is refused, each pid counted once', () => {
    expect(() => refuseOccupiedCgroup(cgroup({ memory: '', pids: '', '': '42\n' }), 'linux.cgroupsPath')).toThrow(
      'linux.cgroupsPath: the cgroup /c exists already and holds 1 process(es) of something else (pid 42); a container needs a cgroup of its own',
    );
    expect(() => refuseOccupiedCgroup(cgroup({ memory: '7\n8\n', pids: '8\n7\n' }), 'container x')).toThrow(/^container x: .* holds 2 process\(es\) .*\(pid 7 8\)/);
  });

  it('a process in a child cgroup counts; a long list is cut', () => {
    const c = cgroup({ pids: '' });
    mkdirSync(join(c.paths['pids'] as string, 'inner'));
    writeFileSync(join(c.paths['pids'] as string, 'inner', 'cgroup.procs'), '1\n2\n3\n4\n5\n6\n7\n');
    expect(() => refuseOccupiedCgroup(c, 'f')).toThrow(/holds 7 process\(es\) of something else \(pid 1 2 3 4 5 \.\.\.\)/);
  });

  it('frozen and empty is refused', () => {
    expect(() => refuseOccupiedCgroup(cgroup({ freezer: '' }, true), 'f')).toThrow('f: the cgroup /c exists already and is frozen; thaw or remove it first');
  });
});
