// linux.mountLabel as runc applies it: which mounts get a context= option, which a file label.
import { describe, expect, it } from 'vitest';
import { buildInitPlan, type PlanOptions } from '../../../src/init/plan.js';
import { withMountLabel } from '../../../src/init/mount-label.js';
import type { Spec } from '../../../src/spec/types.js';

const OPTS: PlanOptions = { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0, isDirectory: () => true };
const LABEL = 'system_u:object_r:container_file_t:s0:c1,c2';

function plan(mountLabel?: string) {
  const spec: Spec = {
    ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['newinstance'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue' },
      { destination: '/sys', type: 'sysfs', source: 'sysfs' },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup' },
      { destination: '/data', type: 'bind', source: '/src', options: ['rbind'] },
    ],
    linux: { namespaces: [{ type: 'mount' }], maskedPaths: ['/proc/acpi'], ...(mountLabel ? { mountLabel } : {}) },
  };
  return buildInitPlan(spec, OPTS);
}

describe('linux.mountLabel', () => {
  it('formats the option as runc does, quoted for the commas of MCS categories', () => {
    expect(withMountLabel('', LABEL)).toBe(`context="${LABEL}"`);
    expect(withMountLabel('mode=755', 's')).toBe('mode=755,context="s"');
  });

  it('goes into the data of tmpfs, devpts, mqueue and the masks; mqueue may fall back to a file label; the rest keep theirs', () => {
    const p = plan(LABEL);
    expect(p.mounts.map((m) => m.options.data)).toEqual([
      '', `mode=755,context="${LABEL}"`, `newinstance,context="${LABEL}"`, `context="${LABEL}"`, '', '', '',
    ]);
    expect(p.mounts.map((m) => m.labelFallback)).toEqual([undefined, undefined, undefined, { data: '', label: LABEL }, undefined, undefined, undefined]);
    expect(p.maskData).toBe(`context="${LABEL}"`);
  });

  it('changes nothing without a label', () => {
    const p = plan();
    expect(p.mounts.map((m) => m.options.data)).toEqual(['', 'mode=755', 'newinstance', '', '', '', '']);
    expect(p.maskData).toBe('');
  });
});
