// A container runs under a 1 MiB memory limit (memory+swap the same): the init joins the cgroup
// only after its rootfs work, so what is charged is the little it does between joining and
// execve, plus the program. bench/memory-limit.sh measures the smallest limit.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { cgroupValue, hasV1, hierarchies, MiB } from './support.js';

const sb = new Sandbox('cgroups-memory-limit');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function limited(args: string[], limit: number): Spec {
  const spec = baseSpec(args);
  spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, memory: { limit, swap: limit } } };
  return spec;
}

describe.skipIf(!hasV1('memory') && hierarchies.mode !== 'v2')('small memory limits', () => {
  it('run of /bin/true succeeds under 1 MiB, every time', () => {
    const bundle = sb.bundle(limited(['/bin/true'], MiB));
    for (let i = 0; i < 3; i++) {
      const r = sb.run(['run', '--bundle', bundle, uniqueId()]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('the waiting init has less than 1 MiB charged to the container (the set-up before it joined is not)', () => {
    const id = sb.create(limited(['/bin/true'], 64 * MiB));
    const pid = sb.state(id).pid;
    const usage = hasV1('memory') ? cgroupValue(pid, 'memory', 'memory.usage_in_bytes') : cgroupValue(pid, '', 'memory.current');
    expect(Number(usage)).toBeGreaterThan(0);
    expect(Number(usage)).toBeLessThan(MiB);
  });

  it('a shell runs with its output under 4 MiB, through create and start', () => {
    const r = sb.run(['run', '--bundle', sb.bundle(limited(['sh', '-c', 'echo fits; cat /sys/fs/cgroup/memory/memory.limit_in_bytes'], 4 * MiB)), uniqueId()]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`fits\n${4 * MiB}\n`);
  });
});
