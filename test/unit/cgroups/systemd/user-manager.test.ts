// The rootless systemd driver's decisions: the uid the user's bus knows the caller by (runc's
// DetectUID), the session bus address (runc's DetectUserDbusSessionBusAddress), the user
// manager's cgroup, and a limit whose controller the user manager was not delegated.
import { describe, expect, it } from 'vitest';
import { planWritesV2 } from '../../../../src/cgroups/v2/manager.js';
import { absentProbe } from '../../../../src/cgroups/plan.js';
import { neededControllers, ownerUid, undelegatedController, userBusAddress, userManagerCgroup, userManagerOf } from '../../../../src/cgroups/systemd/user-manager.js';

describe('ownerUid', () => {
  it('is the euid itself in the initial user namespace', () => {
    expect(ownerUid('         0          0 4294967295\n', 1000)).toBe(1000);
    expect(ownerUid('         0          0 4294967295\n', 0)).toBe(0);
  });

  it('maps uid 0 of rootless podman\'s namespace to the user outside it', () => {
    const map = '         0       1000          1\n         1     100000      65536\n';
    expect(ownerUid(map, 0)).toBe(1000);
    // A subordinate id: the bus would know it by its host id.
    expect(ownerUid(map, 5)).toBe(100004);
  });

  it('refuses a uid the namespace does not map', () => {
    expect(() => ownerUid('0 1000 1\n', 7)).toThrow(/uid 7 is not mapped in this user namespace/);
    expect(() => ownerUid('', 0)).toThrow(/not mapped/);
  });
});

describe('userBusAddress', () => {
  const none = (): boolean => false;

  it('takes DBUS_SESSION_BUS_ADDRESS first', () => {
    expect(userBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x/bus', XDG_RUNTIME_DIR: '/run/user/1000' }, () => true)).toBe('unix:path=/x/bus');
  });

  it('falls back to $XDG_RUNTIME_DIR/bus when that socket exists', () => {
    const seen: string[] = [];
    const exists = (p: string): boolean => {
      seen.push(p);
      return true;
    };
    expect(userBusAddress({ XDG_RUNTIME_DIR: '/run/user/1000/' }, exists)).toBe('unix:path=/run/user/1000/bus');
    expect(seen).toEqual(['/run/user/1000/bus']);
  });

  it('says what is missing otherwise', () => {
    expect(() => userBusAddress({ XDG_RUNTIME_DIR: '/run/user/1000' }, none)).toThrow(/DBUS_SESSION_BUS_ADDRESS is not set, and there is no \/run\/user\/1000\/bus .*enable-linger/);
    expect(() => userBusAddress({}, none)).toThrow(/DBUS_SESSION_BUS_ADDRESS is not set nor XDG_RUNTIME_DIR/);
  });
});

describe('the user manager\'s cgroup', () => {
  it('is user@UID.service in user-UID.slice', () => {
    expect(userManagerCgroup(1000)).toBe('/user.slice/user-1000.slice/user@1000.service');
  });

  it('owns the units below it, and only those', () => {
    expect(userManagerOf('/user.slice/user-1000.slice/user@1000.service/user.slice/ocirun-a.scope')).toBe(1000);
    expect(userManagerOf('/system.slice/ocirun-a.scope')).toBeUndefined();
    expect(userManagerOf('/user.slice/user-1000.slice/session-3.scope')).toBeUndefined();
    expect(userManagerOf('/user.slice/user-1000.slice/user@1001.service/x.scope')).toBeUndefined();
  });
});

describe('delegation of the controllers a config needs', () => {
  const dir = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service';

  it('names each controller with the first field that needs it', () => {
    const writes = planWritesV2({ memory: { limit: 1 << 26, reservation: 1 << 20 }, pids: { limit: 32 }, cpu: { cpus: '0' }, unified: { 'io.weight': '50' } }, absentProbe());
    expect([...neededControllers(writes)]).toEqual([
      ['pids', 'linux.resources.pids.limit'],
      ['memory', 'linux.resources.memory.limit'],
      ['cpuset', 'linux.resources.cpu.cpus'],
      ['io', 'linux.resources.unified.io.weight'],
    ]);
  });

  it('passes what the manager was delegated and names the field of the first controller it lacks', () => {
    const needed = neededControllers(planWritesV2({ pids: { limit: 32 }, cpu: { cpus: '0' } }, absentProbe()));
    expect(undelegatedController(new Set(['cpu', 'cpuset', 'memory', 'pids']), needed, dir)).toBeUndefined();
    const missing = undelegatedController(new Set(['cpu', 'memory', 'pids']), needed, dir);
    expect(missing?.field).toBe('linux.resources.cpu.cpus');
    expect(missing?.message).toContain(`does not delegate the "cpuset" controller (${dir}/cgroup.controllers: cpu memory pids)`);
    expect(missing?.message).toContain('Delegate=');
  });
});
