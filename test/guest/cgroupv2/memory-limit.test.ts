// The small-memory-limit checks of conformance/cgroups/memory-limit.test.ts on cgroup v2: the
// init joins its cgroup after its set-up work, so a container runs under 1 MiB (memory.max, no
// swap) and a waiting init has little charged to memory.current, where runc's needs more.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Sandbox, uniqueId } from '../../support/ocirun.js';
import { cgroupFile, MiB, Runc, withResources } from './support.js';

const sb = new Sandbox('guest-v2-memory-limit');
const runc = new Runc(sb.dir);
afterEach(() => {
  runc.cleanup();
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => sb.destroy());

const limited = (args: string[], limit: number) => withResources({ memory: { limit, swap: limit } }, args);

describe('small memory limits on v2', () => {
  it('run of /bin/true succeeds under 1 MiB, every time', () => {
    const bundle = sb.bundle(limited(['/bin/true'], MiB));
    for (let i = 0; i < 3; i++) {
      const r = sb.run(['run', '--bundle', bundle, uniqueId()], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('a shell prints its limit from inside under 4 MiB', () => {
    const r = sb.run(['run', '--bundle', sb.bundle(limited(['sh', '-c', 'echo fits; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max'], 4 * MiB)), uniqueId()], { timeoutMs: 120_000 });
    expect(r.stdout).toBe(`fits\n${4 * MiB}\n0\n`);
    expect(r.status).toBe(0);
  });

  it('the waiting init has less than 1 MiB charged to memory.current, less than runc\'s', () => {
    const spec = limited(['/bin/true'], 64 * MiB);
    const ours = Number(cgroupFile(sb.state(sb.create(spec)).pid, 'memory.current'));
    const theirs = Number(cgroupFile(runc.create(sb.bundle(spec)), 'memory.current'));
    expect(ours).toBeGreaterThan(0);
    expect(ours).toBeLessThan(MiB);
    expect(ours).toBeLessThan(theirs);
  });
});
