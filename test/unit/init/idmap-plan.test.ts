// config.md "idmap"/"ridmap" and mounts[].uidMappings/gidMappings: which mapping an idmapped
// bind mount gets, and the configs that must be refused.
import { describe, expect, it } from 'vitest';
import { buildInitPlan, type PlanOptions } from '../../../src/init/plan.js';
import { parseMountOptions } from '../../../src/init/mount-options.js';
import type { LinuxNamespace, Mount, Spec } from '../../../src/spec/types.js';

const OPTS: PlanOptions = { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0, isDirectory: () => true };
const MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];

function plan(m: Partial<Mount>, namespaces: LinuxNamespace[] = [{ type: 'mount' }], linux: Spec['linux'] = {}) {
  const spec: Spec = {
    ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] },
    mounts: [{ destination: '/data', type: 'bind', source: '/src', options: ['rbind'], ...m }],
    linux: { ...linux, namespaces },
  };
  return buildInitPlan(spec, OPTS).mounts[0];
}

describe('idmapped mounts: the mapping', () => {
  it('the mount\'s own mappings, in uid_map format; the option only says recursive or not', () => {
    expect(plan({ options: ['rbind', 'ridmap'], uidMappings: MAP, gidMappings: [{ containerID: 0, hostID: 200000, size: 10 }] })?.idmap).toEqual({
      recursive: true, uidMappings: '0 100000 65536\n', gidMappings: '0 200000 10\n',
    });
  });

  it('mappings without idmap or ridmap are a non-recursive idmap (as runc reads them)', () => {
    expect(plan({ uidMappings: MAP, gidMappings: MAP })?.idmap).toMatchObject({ recursive: false, uidMappings: '0 100000 65536\n' });
  });

  it('idmap without mappings takes the container\'s new user namespace\'s mapping', () => {
    const step = plan({ options: ['bind', 'idmap'] }, [{ type: 'user' }, { type: 'mount' }], { uidMappings: MAP, gidMappings: MAP });
    expect(step?.idmap).toEqual({ recursive: false, uidMappings: '0 100000 65536\n', gidMappings: '0 100000 65536\n' });
  });

  it('or the user namespace the container joins by path', () => {
    expect(plan({ options: ['bind', 'ridmap'] }, [{ type: 'user', path: '/proc/42/ns/user' }, { type: 'mount' }])?.idmap).toEqual({
      recursive: true, uidMappings: '', gidMappings: '', usernsPath: '/proc/42/ns/user',
    });
  });

  it('a plain bind mount has none, and the words never reach mount(2) as data', () => {
    expect(plan({})?.idmap).toBeUndefined();
    expect(parseMountOptions(['rbind', 'idmap', 'ridmap', 'ro']).data).toBe('');
  });
});

describe('idmapped mounts: refused configs', () => {
  it.each([
    [{ options: ['idmap'] }, 'mounts[0].options: idmap: needs uidMappings and gidMappings on the mount, or a user namespace'],
    [{ uidMappings: MAP }, 'mounts[0]: uidMappings and gidMappings must be given together'],
    [{ uidMappings: MAP, gidMappings: [] }, 'mounts[0]: uidMappings and gidMappings must be given together'],
    [{ type: 'tmpfs', source: 'tmpfs', options: ['idmap'], uidMappings: MAP, gidMappings: MAP }, 'mounts[0].options: idmap: idmapped mounts must be bind mounts'],
    [{ type: 'tmpfs', source: 'tmpfs', options: [], uidMappings: MAP, gidMappings: MAP }, 'mounts[0].uidMappings: idmapped mounts must be bind mounts'],
  ] as Array<[Partial<Mount>, string]>)('%# %j', (m, message) => {
    expect(() => plan(m)).toThrow(message);
  });
});
