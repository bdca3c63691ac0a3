// Config fields ocirun does not implement fail planning by name rather than being skipped.
import { describe, expect, it } from 'vitest';
import { buildInitPlan, type PlanOptions } from '../../../src/init/plan.js';
import type { Spec } from '../../../src/spec/types.js';

const OPTS: PlanOptions = { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0, isDirectory: () => true };
const spec = (extra: Partial<Spec>): Spec => ({
  ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] }, ...extra, linux: { namespaces: [{ type: 'mount' }], ...extra.linux },
});

describe('unsupported and extra settings', () => {
  it.each([
    [spec({ linux: { personality: { domain: 'LINUX', flags: ['x'] } } }), 'linux.personality.flags'],
    [spec({ process: { cwd: '/', args: ['sh'], ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 9 } } }), 'process.ioPriority.priority: 9 is out of range'],
  ])('%# refuses with the field name', (s, message) => {
    expect(() => buildInitPlan(s, OPTS)).toThrow(message);
  });

  it('plans personality and I/O priority', () => {
    const p = buildInitPlan(spec({ linux: { personality: { domain: 'LINUX32' } }, process: { cwd: '/', args: ['sh'], ioPriority: { class: 'IOPRIO_CLASS_IDLE' } } }), OPTS);
    expect(p.extras).toEqual({ personality: 8, ioPriority: { ioClass: 3, level: 0 } });
  });
});
