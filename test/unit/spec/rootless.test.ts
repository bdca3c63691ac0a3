import { describe, expect, it } from 'vitest';
import { rootlessConfigProblem } from '../../../src/spec/rootless.js';
import type { Spec } from '../../../src/spec/types.js';

const maps = { uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] };

describe('rootless config (runc rootless validation)', () => {
  it('needs a user namespace', () => {
    const p = rootlessConfigProblem({ ociVersion: '1.2.0', linux: { namespaces: [{ type: 'pid' }] } } as Spec, 1000);
    expect(p?.path).toBe('linux.namespaces');
    expect(p?.message).toMatch(/unprivileged caller \(uid 1000\) needs a user namespace/);
  });
  it('a config with a user namespace and plain mounts passes', () => {
    expect(rootlessConfigProblem({ ociVersion: '1.2.0', mounts: [{ destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['gid=0', 'mode=620'] }], linux: { namespaces: [{ type: 'user' }], ...maps } } as Spec, 1000)).toBeUndefined();
  });
  it('a uid=/gid= mount option naming an unmapped id is refused, naming the mount', () => {
    const p = rootlessConfigProblem({ ociVersion: '1.2.0', mounts: [{ destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['newinstance', 'gid=5'] }], linux: { namespaces: [{ type: 'user' }], ...maps } } as Spec, 1000);
    expect(p).toEqual({ path: 'mounts[0].options', message: '"gid=5" names a container gid that linux.gidMappings does not map' });
  });
  it('a joined user namespace is not checked against mappings it does not carry', () => {
    expect(rootlessConfigProblem({ ociVersion: '1.2.0', mounts: [{ destination: '/x', type: 'tmpfs', source: 'tmpfs', options: ['uid=7'] }], linux: { namespaces: [{ type: 'user', path: '/proc/1/ns/user' }] } } as Spec, 1000)).toBeUndefined();
  });
});
