// The child-side security steps (security/capabilities.ts, lsm.ts, seccomp.ts) against the
// recording fake: which calls, in which order. Their effect on a real process is checked by
// test/integration/security and conformance/security.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import type { NativeProgram } from '../../../src/linux/seccomp.js';
import { applyCapabilities, capabilityNumber, dropBoundingSet, planCapabilities } from '../../../src/security/capabilities.js';
import { applyLsm, labelKeyring } from '../../../src/security/lsm.js';
import { loadSeccomp, loadSeccompListener, type PreparedSeccomp } from '../../../src/security/seccomp.js';
import { FakeSys, type Call } from '../../support/fake-sys.js';

const cap = (name: string): number => capabilityNumber(name) as number;
const NEW_LISTENER = 1 << 3;

function prepared(withListener: boolean): PreparedSeccomp {
  const program = {} as NativeProgram;
  return { filter: { program, flags: 0 }, listener: withListener ? { program, flags: NEW_LISTENER } : null, debug: [], listenerLoaded: false };
}

describe('capabilities, child side', () => {
  const { plan } = planCapabilities(
    { bounding: ['CAP_CHOWN', 'CAP_NET_RAW'], permitted: ['CAP_CHOWN', 'CAP_NET_RAW'], effective: ['CAP_CHOWN'], inheritable: ['CAP_NET_RAW'], ambient: ['CAP_NET_RAW'] },
    (1n << 41n) - 1n,
    { lastCap: 40 },
  );

  it('drops every bounding capability the config does not keep, up to the kernel\'s last', () => {
    const sys = new FakeSys();
    dropBoundingSet(sys, plan);
    const dropped = sys.calls.map(([, n]) => n);
    expect(dropped).toHaveLength(39);
    expect(dropped).not.toContain(cap('CAP_CHOWN'));
    expect(dropped).not.toContain(cap('CAP_NET_RAW'));
    expect(sys.calls.every(([name]) => name === 'capbset_drop')).toBe(true);
  });

  it('capset first, then the ambient set cleared and raised (the kernel needs permitted and inheritable set), then keep-caps off', () => {
    const sys = new FakeSys();
    applyCapabilities(sys, plan);
    const bit = (name: string): bigint => 1n << BigInt(cap(name));
    expect(sys.calls).toEqual([
      ['capset', { effective: bit('CAP_CHOWN'), permitted: bit('CAP_CHOWN') | bit('CAP_NET_RAW'), inheritable: bit('CAP_NET_RAW') }],
      ['ambient_clear_all'],
      ['ambient_raise', cap('CAP_NET_RAW')],
      ['keepcaps', false],
    ]);
  });
});

describe('seccomp, child side', () => {
  it('the notify listener filter first (its fd returned), the whole profile last', () => {
    const sys = new FakeSys();
    const p = prepared(true);
    expect(loadSeccompListener(sys, p)).toBe(0);
    loadSeccomp(sys, p);
    expect(sys.calls).toEqual([['seccomp', NEW_LISTENER], ['seccomp', 0]]);
  });

  it('no listener: nothing loaded before the profile', () => {
    const sys = new FakeSys();
    const p = prepared(false);
    expect(loadSeccompListener(sys, p)).toBe(-1);
    loadSeccomp(sys, p);
    expect(sys.calls).toEqual([['seccomp', 0]]);
  });

  it('refuses to load the profile before the listener filter (its fd would be lost), loading nothing', () => {
    const sys = new FakeSys();
    expect(() => loadSeccomp(sys, prepared(true))).toThrow(/listener filter must be loaded/);
    expect(sys.calls).toEqual([]);
  });
});

describe('LSM labels, child side', () => {
  it('an SELinux label is written to /proc/self/attr/exec, for the next execve', () => {
    const sys = new FakeSys();
    applyLsm(sys, { selinuxLabel: 'system_u:system_r:container_t:s0' });
    expect(sys.calls).toEqual([
      ['open', '/proc/self/attr/exec', K.O_WRONLY | K.O_CLOEXEC, 0],
      ['write', 'fd:/proc/self/attr/exec', 'system_u:system_r:container_t:s0'],
      ['close', 'fd:/proc/self/attr/exec'],
    ]);
  });

  it('the session keyring is made under the SELinux label (attr/keycreate), which is reset afterwards even when the join fails', () => {
    const label = 'system_u:system_r:container_t:s0';
    const attr = (value: string): Call[] => [
      ['open', '/proc/self/attr/keycreate', K.O_WRONLY | K.O_CLOEXEC, 0],
      ['write', 'fd:/proc/self/attr/keycreate', value],
      ['close', 'fd:/proc/self/attr/keycreate'],
    ];
    const sys = new FakeSys();
    labelKeyring(sys, label, () => sys.calls.push(['keyctl']));
    expect(sys.calls).toEqual([...attr(label), ['keyctl'], ...attr('')]);
    const failing = new FakeSys();
    expect(() => labelKeyring(failing, label, () => { throw new Error('join failed'); })).toThrow('join failed');
    expect(failing.calls).toEqual([...attr(label), ...attr('')]);
  });

  it('an SELinux label the kernel refuses names the label and the attribute', () => {
    const sys = new FakeSys();
    sys.fail('write', 'EINVAL');
    expect(() => applyLsm(sys, { selinuxLabel: 'x' })).toThrow(/^SELinux label "x" cannot be applied \(attr\/exec\): write\(.*\): invalid argument$/);
    expect(sys.openFds()).toEqual([]);
  });

  it('an AppArmor refusal other than a missing profile is reported with the kernel\'s reason', () => {
    const sys = new FakeSys();
    sys.fail('write', 'EACCES');
    expect(() => applyLsm(sys, { apparmorProfile: 'p' })).toThrow(/^AppArmor profile "p" cannot be applied: write\(.*\): permission denied$/);
    expect(sys.openFds()).toEqual([]);
  });
});
