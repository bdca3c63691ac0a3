// When create needs an intermediate process between itself and the init.
import { describe, expect, it } from 'vitest';
import { needsIntermediate } from '../../../src/init/enter-namespaces.js';
import { planNamespaces } from '../../../src/init/plan.js';
import type { LinuxNamespace, Spec } from '../../../src/spec/types.js';

function ns(namespaces: LinuxNamespace[], extra: Spec['linux'] = {}): ReturnType<typeof planNamespaces> {
  return planNamespaces({ ociVersion: '1.2.0', process: { cwd: '/', args: ['sh'] }, linux: { namespaces, ...extra } });
}

describe('needsIntermediate', () => {
  it('not for new or joined pid, mount, network, ipc, uts and cgroup namespaces', () => {
    expect(needsIntermediate(ns([{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }]))).toBe(false);
    expect(needsIntermediate(ns([{ type: 'pid', path: '/proc/1/ns/pid' }, { type: 'mount' }]))).toBe(false);
    expect(needsIntermediate(ns([{ type: 'mount' }]))).toBe(false);
  });

  it('for a user namespace, new or joined: it must come first and be mapped by the parent', () => {
    expect(needsIntermediate(ns([{ type: 'user' }, { type: 'pid' }]))).toBe(true);
    expect(needsIntermediate(ns([{ type: 'user', path: '/proc/1/ns/user' }]))).toBe(true);
  });

  it('for a time namespace, new or joined: only a single-threaded process can enter one', () => {
    expect(needsIntermediate(ns([{ type: 'time' }]))).toBe(true);
    expect(needsIntermediate(ns([{ type: 'time' }], { timeOffsets: { monotonic: { secs: 5 } } }))).toBe(true);
    expect(needsIntermediate(ns([{ type: 'time', path: '/proc/1/ns/time' }]))).toBe(true);
  });

  it('for a pid namespace, new or joined, when the runtime may not switch its own back (rootless)', () => {
    expect(needsIntermediate(ns([{ type: 'pid' }, { type: 'mount' }]), false)).toBe(true);
    expect(needsIntermediate(ns([{ type: 'pid', path: '/proc/1/ns/pid' }]), false)).toBe(true);
    expect(needsIntermediate(ns([{ type: 'mount' }, { type: 'network' }]), false)).toBe(false);
  });
});
