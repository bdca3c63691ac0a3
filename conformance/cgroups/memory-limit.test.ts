// A container runs under a 4 MiB memory limit (memory+swap the same): everything the forked
// init touches between joining the cgroup and execve is charged to it, so this is the budget of
// ocirun's own work inside the container. bench/memory-limit.sh measures the smallest limit.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { hasV1, hierarchies, MiB } from './support.js';

const sb = new Sandbox('cgroups-memory-limit');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function limited(args: string[], limit: number): Spec {
  const spec = baseSpec(args);
  spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, memory: { limit, swap: limit } } };
  return spec;
}

describe.skipIf(!hasV1('memory') && hierarchies.mode !== 'v2')('4 MiB memory limit', () => {
  it('run of /bin/true succeeds, every time', () => {
    const bundle = sb.bundle(limited(['/bin/true'], 4 * MiB));
    for (let i = 0; i < 3; i++) {
      const r = sb.run(['run', '--bundle', bundle, uniqueId()]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('the process runs with its output, through create and start', () => {
    const r = sb.run(['run', '--bundle', sb.bundle(limited(['sh', '-c', 'echo fits; cat /sys/fs/cgroup/memory/memory.limit_in_bytes'], 4 * MiB)), uniqueId()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`fits\n${4 * MiB}\n`);
  });
});
