import { describe, expect, it } from 'vitest';
import { checkLsm } from '../../../src/security/lsm.js';

const NONE = { apparmor: false, selinux: false };
const BOTH = { apparmor: true, selinux: true };

describe('checkLsm', () => {
  it('asks for nothing when the config asks for nothing', () => {
    expect(checkLsm(undefined, undefined, NONE)).toEqual({});
    expect(checkLsm({ apparmorProfile: '', selinuxLabel: '' }, { mountLabel: '' }, NONE)).toEqual({});
  });

  it('refuses an AppArmor profile on a host without AppArmor', () => {
    expect(() => checkLsm({ apparmorProfile: 'docker-default' }, undefined, NONE)).toThrow('process.apparmorProfile: AppArmor is not enabled on this host');
    expect(() => checkLsm({ apparmorProfile: 'docker-default' }, undefined, { apparmor: false, selinux: true })).toThrow(/AppArmor/);
  });

  it('refuses SELinux labels on a host without SELinux', () => {
    expect(() => checkLsm({ selinuxLabel: 'system_u:system_r:container_t:s0' }, undefined, NONE)).toThrow('process.selinuxLabel: SELinux is not enabled on this host');
    expect(() => checkLsm(undefined, { mountLabel: 'system_u:object_r:container_file_t:s0' }, { apparmor: true, selinux: false })).toThrow(
      'linux.mountLabel: SELinux is not enabled on this host',
    );
  });

  it('plans the labels where the host has the LSM', () => {
    expect(checkLsm({ apparmorProfile: 'docker-default', selinuxLabel: 'system_u:system_r:container_t:s0' }, { mountLabel: 'x' }, BOTH)).toEqual({
      apparmorProfile: 'docker-default',
      selinuxLabel: 'system_u:system_r:container_t:s0',
    });
  });

  it('refuses a label the loaded policy does not know, naming the field', () => {
    const host = { apparmor: false, selinux: true, knowsContext: (c: string) => c.startsWith('system_u:') };
    expect(checkLsm({ selinuxLabel: 'system_u:system_r:container_t:s0' }, { mountLabel: 'system_u:object_r:container_file_t:s0' }, host)).toEqual({
      selinuxLabel: 'system_u:system_r:container_t:s0',
    });
    expect(() => checkLsm({ selinuxLabel: 'bogus' }, undefined, host)).toThrow('process.selinuxLabel: "bogus" is not a context of the loaded SELinux policy');
    expect(() => checkLsm(undefined, { mountLabel: 'nobody:object_r:x_t:s0' }, host)).toThrow('linux.mountLabel: "nobody:object_r:x_t:s0" is not a context of the loaded SELinux policy');
  });
});
