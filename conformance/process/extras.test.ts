// linux.personality and process.ioPriority applied from inside; what they cannot take fails
// create with the field's name instead of being skipped.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('extras');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function run(spec: Spec): { status: number; stdout: string; stderr: string } {
  return sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
}

describe('process extras', () => {
  it('LINUX32 personality makes uname report a 32-bit machine', () => {
    const spec = baseSpec(['uname', '-m']);
    spec.linux = { ...spec.linux, personality: { domain: 'LINUX32' } };
    const r = run(spec);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^(i686|armv8l|armv7l)$/);
  });

  it('ioPriority is set on the container process', () => {
    const spec = baseSpec(['ionice']);
    spec.process = { ...spec.process, args: ['ionice'], ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 6 } };
    const r = run(spec);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('best-effort: prio 6');
  });

  it('a kernel write the host refuses names the field, the file and the reason', () => {
    // Lowering oom_score_adj needs CAP_SYS_RESOURCE, which this VM's root lacks (runc fails too).
    const spec = baseSpec();
    spec.process = { ...spec.process, args: ['true'], oomScoreAdj: -500 };
    const id = uniqueId();
    const r = sb.run(['run', '--bundle', sb.bundle(spec), id]);
    if (r.status === 0) return; // a host whose root may lower it: nothing to check
    expect(r.stderr).toContain('process.oomScoreAdj: writing \\"-500\\" to /proc/self/oom_score_adj: permission denied');
    expect(sb.run(['state', id]).status).toBe(1);
  });

  it.each([
    ['linux.personality.domain', (s: Spec) => ({ ...s, linux: { ...s.linux, personality: { domain: 'LINUX64' } } })],
    ['linux.personality.flags', (s: Spec) => ({ ...s, linux: { ...s.linux, personality: { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] } } })],
    ['process.ioPriority.priority', (s: Spec) => ({ ...s, process: { ...s.process, ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 9 } } })],
  ] as const)('%s is refused by name and leaves nothing', (field, edit) => {
    const id = uniqueId();
    const r = sb.run(['create', '--bundle', sb.bundle(edit(baseSpec()) as Spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${field}: `);
    expect(sb.run(['state', id]).status).toBe(1);
  });
});
