// linux.cgroupsPath (config-linux.md "Cgroups path"): an absolute path is the container's cgroup
// below each hierarchy's root, read from the host in /proc/<init>/cgroup; delete removes it.
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../src/cgroups/path.js';
import { baseSpec, Sandbox } from '../../test/support/ocirun.js';
import { hierarchies } from './support.js';

const sb = new Sandbox('cgroups-path');
const parent = `/ocirun-test-${process.pid}`;
// cgroup2 too: on a hybrid host create makes the path there as well.
const mountpoints = new Set([...hierarchies.v1.values(), ...(hierarchies.unified ? [hierarchies.unified] : [])].map((m) => m.mountpoint));

afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => {
  // The parent directory the path needed is the caller's to remove, as with runc.
  for (const m of mountpoints) if (existsSync(join(m, parent))) rmdirSync(join(m, parent));
  sb.destroy();
});

describe('linux.cgroupsPath', () => {
  it('an absolute cgroupsPath is the init\'s cgroup in every hierarchy', () => {
    const path = `${parent}/c1`;
    const spec = baseSpec(['sleep', '60']);
    spec.linux = { ...spec.linux, cgroupsPath: path };
    const id = sb.create(spec);
    const own = parseProcCgroup(readFileSync(`/proc/${sb.state(id).pid}/cgroup`, 'utf8'));
    const controllers = [...hierarchies.v1.keys()].filter((c) => !c.startsWith('name='));
    expect(controllers.length).toBeGreaterThan(0);
    for (const c of controllers) expect(own.get(c), c).toBe(path);
    sb.ok(['delete', '--force', id]);
    for (const m of mountpoints) expect(existsSync(join(m, path)), m).toBe(false);
  });
});
