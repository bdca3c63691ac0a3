// linux.intelRdt (config-linux.md "IntelRdt"). Where resctrl is mounted: the init and exec'd
// processes are in the container's group, its schemata written, and delete removes the group.
// Where it is not (this VM): create fails naming the field and leaves nothing. The group rules
// themselves run against a fake resctrl directory in test/unit/cgroups/resctrl.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resctrlMount } from '../../src/cgroups/resctrl.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('intel-rdt');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const resctrl = resctrlMount(readFileSync('/proc/self/mountinfo', 'utf8'));

describe('linux.intelRdt', () => {
  it.skipIf(resctrl !== undefined)('without resctrl on the host: create fails naming the field, one line, nothing left', () => {
    const spec = baseSpec(['sleep', '60']);
    spec.linux = { ...spec.linux, intelRdt: { closID: 'guaranteed_group', schemata: ['L3:0=7f0'], enableMonitoring: true } };
    const id = uniqueId();
    const r = sb.run(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('linux.intelRdt: this host has no resctrl filesystem mounted');
    expect(sb.run(['state', id]).status).toBe(1);
  });

  it.skipIf(resctrl === undefined)('with resctrl: the init is in a group named for the container and in its monitoring group, both removed at delete', () => {
    const spec = baseSpec(['sleep', '60']);
    spec.linux = { ...spec.linux, intelRdt: { enableMonitoring: true } };
    const id = sb.create(spec);
    const group = join(resctrl as string, id);
    const pid = sb.state(id).pid;
    expect(readFileSync(join(group, 'tasks'), 'utf8').split('\n')).toContain(String(pid));
    expect(readFileSync(join(group, 'mon_groups', id, 'tasks'), 'utf8').split('\n')).toContain(String(pid));
    sb.ok(['delete', '--force', id]);
    expect(existsSync(group)).toBe(false);
  });
});
