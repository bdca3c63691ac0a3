import { describe, expect, it } from 'vitest';
import { mapText, parseSubidFile, planIdMaps, subidProblem } from '../../../src/container/id-maps.js';

const own = [{ containerID: 0, hostID: 1000, size: 1 }];
const wide = [{ containerID: 0, hostID: 1000, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }];

describe('planIdMaps', () => {
  it('root writes every map itself, setgroups left alone', () => {
    expect(planIdMaps(wide, wide, { euid: 0, egid: 0 })).toEqual({ uid: 'write', gid: 'write', denySetgroups: false });
  });
  it('an unprivileged caller mapping only its own ids writes them, setgroups denied first', () => {
    expect(planIdMaps(own, own, { euid: 1000, egid: 1000 })).toEqual({ uid: 'write', gid: 'write', denySetgroups: true });
  });
  it('anything more goes through the helpers, setgroups untouched (newgidmap decides)', () => {
    expect(planIdMaps(wide, wide, { euid: 1000, egid: 1000 })).toEqual({ uid: 'helper', gid: 'helper', denySetgroups: false });
    expect(planIdMaps(own, wide, { euid: 1000, egid: 1000 })).toEqual({ uid: 'write', gid: 'helper', denySetgroups: false });
  });
  it('a single mapping of another id is not the caller\'s own', () => {
    expect(planIdMaps([{ containerID: 0, hostID: 1001, size: 1 }], own, { euid: 1000, egid: 1000 }).uid).toBe('helper');
    expect(planIdMaps([{ containerID: 0, hostID: 1000, size: 2 }], own, { euid: 1000, egid: 1000 }).uid).toBe('helper');
  });
});

describe('subordinate ranges', () => {
  const ranges = parseSubidFile('# comment\nalice:100000:65536\n1002:200000:1000\nbroken line\nbob:300000:10\n');
  it('parses owner:start:count lines, skipping the rest', () => {
    expect(ranges).toEqual([
      { owner: 'alice', start: 100000, count: 65536 },
      { owner: '1002', start: 200000, count: 1000 },
      { owner: 'bob', start: 300000, count: 10 },
    ]);
  });
  it('the caller\'s own id and ranges inside its entries (by name or uid) pass', () => {
    expect(subidProblem('uid', wide, 1000, { name: 'alice', uid: 1000 }, ranges, '/etc/subuid')).toBeUndefined();
    expect(subidProblem('uid', [{ containerID: 0, hostID: 200000, size: 1000 }], 1002, { name: 'carol', uid: 1002 }, ranges, '/etc/subuid')).toBeUndefined();
  });
  it('a range outside them names the mapping, the ids, the user and the file', () => {
    const msg = subidProblem('uid', wide, 1000, { name: 'bob', uid: 1003 }, ranges, '/etc/subuid');
    expect(msg).toBe('linux.uidMappings[1]: host uids 100000-165535 are not given to bob (uid 1003) in /etc/subuid; add a range there (usermod --add-subuids) or map only your own uid 1000');
    expect(subidProblem('gid', [{ containerID: 0, hostID: 300000, size: 11 }], 5, { name: 'bob', uid: 1003 }, ranges, '/etc/subgid')).toMatch(/^linux\.gidMappings\[0\]: host gids 300000-300010 are not given to bob/);
  });
});

describe('mapText', () => {
  it('writes /proc/<pid>/uid_map lines', () => {
    expect(mapText(wide)).toBe('0 1000 1\n1 100000 65536\n');
  });
});
