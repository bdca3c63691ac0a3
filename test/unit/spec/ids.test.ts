// Every numeric id of a config that reaches setresuid/setresgid/setgroups/fchownat or an id
// map, over the edges of the valid ranges: each value outside is refused naming its JSON path.
import { describe, expect, it } from 'vitest';
import { checkIds, idProblem, MAX_ID, processIdProblem } from '../../../src/spec/ids.js';
import type { Spec } from '../../../src/spec/types.js';
import { minimalConfig } from './temp-bundle.js';

const INVALID = [MAX_ID + 1, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, -1, 1.5];
const VALID = [0, 1, 1000, 65534, MAX_ID];

/** The single id fields of a config, each as a setter and the path its error must name. */
const ID_FIELDS: ReadonlyArray<[string, (s: Spec, v: number) => void]> = [
  ['process.user.uid', (s, v) => (s.process = { ...s.process!, user: { uid: v, gid: 0 } })],
  ['process.user.gid', (s, v) => (s.process = { ...s.process!, user: { uid: 0, gid: v } })],
  ['process.user.additionalGids[2]', (s, v) => (s.process = { ...s.process!, user: { uid: 0, gid: 0, additionalGids: [1, 2, v] } })],
  ['linux.devices[1].uid', (s, v) => (s.linux = { devices: [{ type: 'c', path: '/dev/a', major: 1, minor: 3 }, { type: 'c', path: '/dev/b', major: 1, minor: 5, uid: v }] })],
  ['linux.devices[0].gid', (s, v) => (s.linux = { devices: [{ type: 'c', path: '/dev/a', major: 1, minor: 3, gid: v }] })],
];

describe('idProblem: runc\'s range 0..2147483647', () => {
  it.each(VALID)('accepts %d', (v) => expect(idProblem(v)).toBeUndefined());
  it.each(INVALID)('refuses %d', (v) => expect(idProblem(v)).toBe(`${v} is out of range: user and group ids must be from 0 to 2147483647`));
});

describe('checkIds over every id field', () => {
  it.each(ID_FIELDS.flatMap(([path, set]) => INVALID.map((v) => [path, v, set] as const)))('%s = %d is refused', (path, v, set) => {
    const spec = minimalConfig();
    set(spec, v);
    const problem = checkIds(spec);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(/^\S+ is out of range: user and group ids must be from 0 to 2147483647$/);
  });

  it.each(ID_FIELDS.flatMap(([path, set]) => VALID.map((v) => [path, v, set] as const)))('%s = %d is accepted', (_path, v, set) => {
    const spec = minimalConfig();
    set(spec, v);
    expect(checkIds(spec)).toBeUndefined();
  });

  it('refuses more groups than setgroups takes (NGROUPS_MAX), in one short line', () => {
    const problem = processIdProblem({ user: { uid: 0, gid: 0, additionalGids: Array.from({ length: 70_000 }, (_, i) => i) } });
    expect(problem).toEqual({ path: 'process.user.additionalGids', message: 'has 70000 entries: the kernel takes at most 65536 groups' });
    expect(processIdProblem({ user: { uid: 0, gid: 0, additionalGids: Array.from({ length: 65_536 }, (_, i) => i) } })).toBeUndefined();
  });

  it('names the field relative to a process document (exec --process)', () => {
    expect(processIdProblem({ user: { uid: 0, gid: 2 ** 32 - 1 } }, '')?.path).toBe('user.gid');
  });
});

describe('checkIds: id maps follow the kernel\'s rule', () => {
  const withMaps = (uid: { containerID: number; hostID: number; size: number }): Spec => ({
    ...minimalConfig(),
    linux: { namespaces: [{ type: 'user' }], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }, uid], gidMappings: [{ containerID: 0, hostID: 0, size: 2 ** 32 - 1 }] },
  });

  it.each([
    { containerID: 0, hostID: 0, size: 2 ** 32 - 1 },
    { containerID: 0, hostID: 3_000_000_000, size: 65536 },
    { containerID: 2 ** 32 - 2, hostID: 2 ** 32 - 2, size: 1 },
  ])('accepts %j', (m) => expect(checkIds(withMaps(m))).toBeUndefined());

  it.each([
    [{ containerID: 2 ** 32 - 1, hostID: 0, size: 1 }, /containerID 4294967295 \+ size 1 reaches past 4294967294/],
    [{ containerID: 0, hostID: 2 ** 32 - 1, size: 1 }, /hostID 4294967295 \+ size 1/],
    [{ containerID: 1, hostID: 0, size: 2 ** 32 - 1 }, /containerID 1 \+ size 4294967295/],
    [{ containerID: 0, hostID: 0, size: 0 }, /size must be at least 1/],
  ])('refuses %j', (m, message) => {
    const problem = checkIds(withMaps(m));
    expect(problem?.path).toBe('linux.uidMappings[1]');
    expect(problem?.message).toMatch(message);
  });
});
