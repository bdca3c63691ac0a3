// The v2 device controller is an eBPF program attached to the container's cgroup: the kernel
// enforces the config's rules in order (a denied device gives EPERM inside, even to root with
// the node present), and runc's default allow-list lets the usual devices through.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deviceFilterCount } from '../../support/device-filters.js';
import type { LinuxDeviceCgroup } from '../../../src/spec/types.js';
import { Sandbox, uniqueId } from '../../support/ocirun.js';
import { cgroupDir, rootDisk, Runc, withResources } from './support.js';

const sb = new Sandbox('guest-v2-devices');
const runc = new Runc(sb.dir);
afterEach(() => {
  runc.cleanup();
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => sb.destroy());

// The guest's disk (not in the default allow-list) is the probe: root in the container may open
// it for reading and writing as far as file modes go, so only the device rules decide. (Opening
// for write writes nothing.)
const disk = rootDisk();
const vda = { path: '/dev/vda', type: 'b' as const, ...disk, fileMode: 0o660, uid: 0, gid: 0 };
const probe = ['sh', '-c', '(head -c1 /dev/vda >/dev/null) 2>&1 && echo read-ok; (: > /dev/vda) 2>&1 && echo write-ok; (: > /dev/null) && echo null-ok'];

function runWith(rules: LinuxDeviceCgroup[]): string {
  const spec = withResources({ devices: [{ allow: false, access: 'rwm' }, ...rules] }, probe);
  spec.linux = { ...spec.linux, devices: [vda] };
  return sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]).stdout;
}

describe('the eBPF device filter', () => {
  it('refuses a denied device with EPERM and lets the default allow-list through', () => {
    const out = runWith([]);
    expect(out).toMatch(/vda.*Operation not permitted/);
    expect(out).not.toContain('read-ok');
    expect(out).not.toContain('write-ok');
    expect(out).toContain('null-ok');
  });

  it('applies rules in config order: read allowed, write then denied', () => {
    const out = runWith([
      { allow: true, type: 'b', ...disk, access: 'rw' },
      { allow: false, type: 'b', ...disk, access: 'w' },
    ]);
    expect(out).toContain('read-ok');
    expect(out).not.toContain('write-ok');
    expect(out).toMatch(/vda.*Operation not permitted/);
  });

  it('a later allow widens an earlier deny', () => {
    const out = runWith([
      { allow: false, type: 'b', ...disk, access: 'w' },
      { allow: true, type: 'b', ...disk, access: 'rw' },
    ]);
    expect(out).toContain('read-ok');
    expect(out).toContain('write-ok');
  });

  it('a node made with mknod (allowed by runc\'s default "m" rules) still cannot be opened', () => {
    const spec = withResources({}, ['sh', '-c', `mknod /dev/disk b ${disk.major} ${disk.minor} && echo made; (head -c1 /dev/disk >/dev/null) 2>&1 || echo open-refused`]);
    spec.process = { ...spec.process!, capabilities: { bounding: ['CAP_MKNOD'], effective: ['CAP_MKNOD'], permitted: ['CAP_MKNOD'] } };
    const out = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]).stdout;
    expect(out).toMatch(/^made\n.*Operation not permitted\nopen-refused\n$/s);
  });

  it('one program is attached to the container\'s cgroup, as runc attaches one', () => {
    const id = sb.create(withResources({}));
    expect(deviceFilterCount(cgroupDir(sb.state(id).pid))).toBe(1);
    expect(deviceFilterCount(cgroupDir(runc.create(sb.bundle(withResources({})))))).toBe(1);
  });
});
