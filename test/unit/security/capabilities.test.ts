import { describe, expect, it } from 'vitest';
import { CAPABILITIES, planCapabilities, readHostBounding } from '../../../src/security/capabilities.js';
import { capabilityNumber } from '../../support/capabilities.js';

const ALL = (1n << 41n) - 1n;
const bit = (n: number): bigint => 1n << BigInt(n);
// This project's VM: every capability except CAP_SYS_RESOURCE (24).
const HOST = ALL & ~bit(24);

// The 14 capabilities runc's default spec grants.
const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

describe('capability table', () => {
  it('has the 41 capabilities of Linux 5.9+, numbered as the kernel does', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(capabilityNumber('CAP_CHOWN')).toBe(0);
    expect(capabilityNumber('CAP_SETPCAP')).toBe(8);
    expect(capabilityNumber('CAP_SYS_ADMIN')).toBe(21);
    expect(capabilityNumber('CAP_SYS_RESOURCE')).toBe(24);
    expect(capabilityNumber('CAP_AUDIT_READ')).toBe(37);
    expect(capabilityNumber('CAP_CHECKPOINT_RESTORE')).toBe(40);
    expect(new Set(CAPABILITIES).size).toBe(41);
  });

  it('knows names only in the spec spelling', () => {
    expect(capabilityNumber('chown')).toBeUndefined();
    expect(capabilityNumber('CAP_TEST')).toBeUndefined();
  });

  it('numbers runc’s default set as the mask runc containers show', () => {
    const mask = DEFAULT_CAPS.reduce((m, name) => m | bit(capabilityNumber(name) ?? -1), 0n);
    expect(mask).toBe(0xa80425fbn);
  });
});

describe('planCapabilities', () => {
  it('maps runc’s default set to the mask runc containers show (CapBnd 00000000a80425fb)', () => {
    const caps = { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS };
    const { plan, warnings } = planCapabilities(caps, HOST);
    expect(warnings).toEqual([]);
    expect(plan.bounding).toBe(0xa80425fbn);
    expect(plan.effective).toBe(0xa80425fbn);
    expect(plan.permitted).toBe(0xa80425fbn);
    expect(plan.inheritable).toBe(0n);
    expect(plan.ambient).toBe(0n);
    expect(plan.held).toBe(0n);
    expect(plan.raise).toEqual([]);
  });

  it('drops from the bounding set exactly what the host has and the config does not keep', () => {
    const { plan } = planCapabilities({ bounding: ['CAP_KILL', 'CAP_CHOWN'] }, HOST);
    expect(plan.drop).toHaveLength(38); // 40 on the host, 2 kept
    expect(plan.drop).not.toContain(0);
    expect(plan.drop).not.toContain(5);
    expect(plan.drop).not.toContain(24); // the host has none to drop
    expect(plan.drop).toEqual([...plan.drop].sort((a, b) => a - b));
  });

  it('with lastCap, also drops what the host lacks: a new user namespace starts with every capability', () => {
    const { plan } = planCapabilities({ bounding: ['CAP_KILL', 'CAP_CHOWN'] }, HOST, { lastCap: 40 });
    expect(plan.drop).toHaveLength(39); // 0..40, 2 kept
    expect(plan.drop).toContain(24);
    expect(plan.drop).not.toContain(41);
  });

  it('treats a missing capabilities object as empty sets, as runc does', () => {
    const { plan, warnings } = planCapabilities(undefined, HOST);
    expect(warnings).toEqual([]);
    expect(plan.bounding | plan.effective | plan.permitted | plan.inheritable | plan.ambient).toBe(0n);
    expect(plan.drop).toHaveLength(40);
  });

  it('rejects an unknown name, naming the field and the name', () => {
    expect(() => planCapabilities({ bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_TEST'] }, HOST)).toThrow(
      'process.capabilities.bounding[2]: unknown capability "CAP_TEST"',
    );
    expect(() => planCapabilities({ ambient: ['cap_chown'] }, HOST)).toThrow('process.capabilities.ambient[0]: unknown capability "cap_chown"');
  });

  it('leaves out a capability the host lacks, with one warning naming the sets', () => {
    const sets = ['CAP_CHOWN', 'CAP_SYS_RESOURCE'];
    const { plan, warnings } = planCapabilities({ bounding: sets, effective: sets, permitted: sets }, HOST);
    expect(warnings).toEqual([
      "process.capabilities: CAP_SYS_RESOURCE is not in this host's bounding set; left out of bounding, effective, permitted",
    ]);
    expect(plan.bounding).toBe(bit(0));
    expect(plan.effective).toBe(bit(0));
    expect(plan.permitted).toBe(bit(0));
  });

  it('leaves out what the kernel would refuse, with warnings', () => {
    const { plan, warnings } = planCapabilities(
      {
        bounding: ['CAP_CHOWN', 'CAP_KILL'],
        inheritable: ['CAP_CHOWN', 'CAP_NET_RAW'],
        permitted: ['CAP_CHOWN', 'CAP_KILL'],
        effective: ['CAP_CHOWN', 'CAP_MKNOD'],
        ambient: ['CAP_CHOWN', 'CAP_KILL'],
      },
      HOST,
    );
    expect(warnings).toEqual([
      'process.capabilities.inheritable: CAP_NET_RAW is not in the bounding set; left out',
      'process.capabilities.effective: CAP_MKNOD is not in the permitted set; left out',
      'process.capabilities.ambient: CAP_KILL must be in both the permitted and inheritable sets; left out',
    ]);
    expect(plan.inheritable).toBe(bit(0));
    expect(plan.effective).toBe(bit(0));
    expect(plan.ambient).toBe(bit(0));
    expect(plan.raise).toEqual([0]);
  });

  it('holds CAP_SYS_ADMIN in the init only when asked (seccomp without no_new_privs) and the host has it', () => {
    expect(planCapabilities({ bounding: ['CAP_KILL'] }, HOST, { holdForSeccomp: true }).plan.held).toBe(bit(21));
    expect(planCapabilities({ bounding: ['CAP_KILL'] }, HOST).plan.held).toBe(0n);
    expect(planCapabilities({ bounding: ['CAP_KILL'] }, HOST & ~bit(21), { holdForSeccomp: true }).plan.held).toBe(0n);
    // Held is not granted: the container's sets stay as configured.
    const { plan } = planCapabilities({ bounding: ['CAP_KILL'] }, HOST, { holdForSeccomp: true });
    expect(plan.bounding).toBe(bit(5));
    expect(plan.drop).toContain(21);
  });
});

describe('readHostBounding', () => {
  it('parses CapBnd from /proc/self/status text', () => {
    expect(readHostBounding('Name:\tx\nCapPrm:\t0000000000000001\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n')).toBe(HOST);
  });

  it('reads this process’s own status', () => {
    expect(readHostBounding() & 1n).toBe(1n);
  });
});
