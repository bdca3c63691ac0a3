// linux.intelRdt against a fake resctrl directory: the spec's rules on closID, the schemata
// order and comparison, the monitoring group, and what delete removes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  joinRdtGroup, planIntelRdt, rdtDirsToRemove, removeRdtDirs, requireResctrl, resctrlMount, schemataMismatches, setUpRdtGroup, writeRdtSchemata,
} from '../../../src/cgroups/resctrl.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fake-resctrl-'));
  writeFileSync(join(root, 'schemata'), 'L3:0=7ff;1=7ff\nMB:0=100;1=100\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A group as the kernel shows it: schemata (written lines appended, as a plain file does), tasks, mon_groups. */
function fakeGroup(name: string, schemata = 'L3:0=7ff;1=7ff\nMB:0=100;1=100\n'): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'mon_groups'), { recursive: true });
  writeFileSync(join(dir, 'schemata'), schemata);
  return dir;
}

describe('resctrl mount', () => {
  it('is found by filesystem type in mountinfo, or the field is named', () => {
    const info = '30 25 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n41 22 0:40 / /sys/fs/resctrl rw,relatime - resctrl resctrl rw\n';
    expect(resctrlMount(info)).toBe('/sys/fs/resctrl');
    expect(resctrlMount('30 25 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n')).toBeUndefined();
    expect(() => requireResctrl(() => '')).toThrow(/^linux\.intelRdt: this host has no resctrl filesystem mounted/);
  });
});

describe('planIntelRdt', () => {
  it('orders l3CacheSchema, memBwSchema, then schemata; no closID means a group named for the container', () => {
    const p = planIntelRdt({ l3CacheSchema: 'L3:0=f0', memBwSchema: 'MB:0=20', schemata: ['L2:0=f', 'MB:0=30'], enableMonitoring: true }, 'c1');
    expect(p).toEqual({
      group: 'c1', owned: true, monitor: 'c1',
      schemata: [
        { field: 'linux.intelRdt.l3CacheSchema', line: 'L3:0=f0' },
        { field: 'linux.intelRdt.memBwSchema', line: 'MB:0=20' },
        { field: 'linux.intelRdt.schemata[0]', line: 'L2:0=f' },
        { field: 'linux.intelRdt.schemata[1]', line: 'MB:0=30' },
      ],
    });
    expect(planIntelRdt({ closID: '/' }, 'c1')).toMatchObject({ group: '', owned: false });
  });

  it.each([
    [{ memBwSchema: 'L3:0=1' }, 'linux.intelRdt.memBwSchema: must be one line starting with "MB:"'],
    [{ schemata: ['L3:0=1\nMB:0=2'] }, 'linux.intelRdt.schemata[0]: must not contain a newline'],
    [{ l3CacheSchema: 'garbage' }, 'linux.intelRdt.l3CacheSchema: "garbage" is not a schemata line'],
    [{ closID: '../x' }, 'linux.intelRdt.closID: "../x" is not a resctrl group name'],
  ])('%j is refused by name', (rdt, message) => expect(() => planIntelRdt(rdt, 'c1')).toThrow(message));
});

describe('setUpRdtGroup on a fake resctrl', () => {
  it('without closID: makes the group, writes the lines in order, puts tasks in it and its monitoring group; delete removes both', () => {
    const plan = planIntelRdt({ l3CacheSchema: 'L3:0=f0', schemata: ['MB:0=30'] }, 'c1');
    expect(setUpRdtGroup(root, plan)).toEqual([join(root, 'c1')]);
    // A plain file keeps only the last write; the kernel applies each line as it comes.
    expect(readFileSync(join(root, 'c1', 'schemata'), 'utf8')).toBe('MB:0=30\n');
    // The kernel gives every group a mon_groups directory.
    mkdirSync(join(root, 'c1', 'mon_groups'));
    const monitored = { ...plan, monitor: 'c1' };
    expect(setUpRdtGroup(root, monitored)).toEqual([join(root, 'c1', 'mon_groups', 'c1')]);
    joinRdtGroup(root, monitored, 4242);
    expect(readFileSync(join(root, 'c1', 'tasks'), 'utf8')).toBe('4242');
    expect(readFileSync(join(root, 'c1', 'mon_groups', 'c1', 'tasks'), 'utf8')).toBe('4242');
    expect(rdtDirsToRemove(root, monitored)).toEqual([join(root, 'c1', 'mon_groups', 'c1'), join(root, 'c1')]);
  });

  it('closID of an existing group: joins it, writing nothing when its schemata match', () => {
    const dir = fakeGroup('shared', 'L3:0=00f0;1=7ff\nMB:0=20;1=100\n');
    const plan = planIntelRdt({ closID: 'shared', l3CacheSchema: 'L3:0=f0', memBwSchema: 'MB:0=20' }, 'c1');
    expect(setUpRdtGroup(root, plan)).toEqual([]);
    expect(readFileSync(join(dir, 'schemata'), 'utf8')).toBe('L3:0=00f0;1=7ff\nMB:0=20;1=100\n');
    expect(rdtDirsToRemove(root, plan)).toEqual([]);
  });

  it('closID of an existing group whose schemata differ: an error naming the field', () => {
    fakeGroup('shared');
    const plan = planIntelRdt({ closID: 'shared', memBwSchema: 'MB:0=20' }, 'c1');
    expect(() => setUpRdtGroup(root, plan)).toThrow('linux.intelRdt.closID: resctrl group "shared" exists with other schemata than linux.intelRdt.memBwSchema: "MB:0=20"');
  });

  it('closID of a missing group: made when there are schemata, an error when there are none', () => {
    const made = setUpRdtGroup(root, planIntelRdt({ closID: 'new', schemata: ['L3:0=3'] }, 'c1'));
    expect(made).toEqual([join(root, 'new')]);
    expect(readFileSync(join(root, 'new', 'schemata'), 'utf8')).toBe('L3:0=3\n');
    expect(() => setUpRdtGroup(root, planIntelRdt({ closID: 'absent' }, 'c1'))).toThrow('linux.intelRdt.closID: there is no resctrl group "absent"');
  });

  it('a monitoring group the kernel refuses fails by name and undoes the group it made', () => {
    const plan = planIntelRdt({ enableMonitoring: true }, 'c2');
    // No mon_groups directory in the new group: mkdir fails as the kernel's does at its limit.
    expect(() => setUpRdtGroup(root, plan)).toThrow(/^linux\.intelRdt\.enableMonitoring: creating monitoring group .*: no such file or directory/);
    expect(existsSync(join(root, 'c2'))).toBe(false);
  });

  it('closID "/" is the root group', () => {
    const plan = planIntelRdt({ closID: '/' }, 'c1');
    expect(setUpRdtGroup(root, plan)).toEqual([]);
    joinRdtGroup(root, plan, 7);
    expect(readFileSync(join(root, 'tasks'), 'utf8')).toBe('7');
  });

  it('update writes new lines to the group', () => {
    fakeGroup('c1', '');
    writeRdtSchemata(root, planIntelRdt({}, 'c1'), planIntelRdt({ l3CacheSchema: 'L3:0=1' }, 'c1').schemata);
    expect(readFileSync(join(root, 'c1', 'schemata'), 'utf8')).toBe('L3:0=1\n');
  });
});

describe('schemataMismatches', () => {
  it('compares per resource and domain, hex without leading zeros, ignoring other resources and domains', () => {
    const file = 'L3:0=07f0;1=001f\nMB:0=20;1=70\n';
    expect(schemataMismatches([{ field: 'a', line: 'L3:0=7f0' }, { field: 'b', line: 'MB:1=70' }], file)).toEqual([]);
    expect(schemataMismatches([{ field: 'a', line: 'L3:1=ff' }, { field: 'b', line: 'L2:0=f' }], file)).toEqual(['a: "L3:1=ff"', 'b: "L2:0=f"']);
  });
});
