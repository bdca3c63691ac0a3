// Features and LSM checks against this host's real kernel, libseccomp and LSMs.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { capget } from '../../../src/linux/capabilities.js';
import { prctl } from '../../../src/linux/libc.js';
import { buildFeatures, probeHost } from '../../../src/container/features.js';
import { readHostBounding } from '../../../src/security/capabilities.js';
import { checkLsm, detectLsm } from '../../../src/security/lsm.js';
import { validateFeatures } from '../../../src/spec/validate-documents.js';

/** prctl(2): the runtime reads the bounding set from /proc (readHostBounding); this checks that against the kernel. */
const PR_CAPBSET_READ = 23;
const [major = 0, minor = 0] = release().split('.').map(Number);
const kernelAtLeast = (ma: number, mi: number): boolean => major > ma || (major === ma && minor >= mi);

describe('features on this host', () => {
  it('validates against the schema', () => {
    expect(validateFeatures(buildFeatures())).toEqual([]);
  });

  it('probes seccomp flags without loading a filter into this process', () => {
    const host = probeHost();
    expect(host.seccompFlags).toContain('SECCOMP_FILTER_FLAG_LOG'); // Linux 4.14
    expect(host.seccompFlags).toContain('SECCOMP_FILTER_FLAG_TSYNC');
    if (kernelAtLeast(4, 17)) expect(host.seccompFlags).toContain('SECCOMP_FILTER_FLAG_SPEC_ALLOW');
    expect(host.seccompFlags.includes('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')).toBe(kernelAtLeast(5, 19));
    expect(readFileSync('/proc/self/status', 'utf8')).toMatch(/^Seccomp:\s+0$/m);
  });

  it('reads the libseccomp version', () => {
    expect(probeHost().libseccomp?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('capability bindings', () => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string): bigint => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1] ?? '0'}`);

  it('capget reads the same sets as /proc/self/status', () => {
    expect(capget()).toEqual({ effective: field('CapEff'), permitted: field('CapPrm'), inheritable: field('CapInh') });
  });

  it('PR_CAPBSET_READ agrees with CapBnd for every capability', () => {
    const bounding = readHostBounding(status);
    for (let n = 0; n <= 40; n++) expect(prctl(PR_CAPBSET_READ, n) === 1).toBe(((bounding >> BigInt(n)) & 1n) === 1n);
  });
});

describe('LSM on this host', () => {
  const host = detectLsm();

  it.skipIf(host.apparmor)('refuses an AppArmor profile: AppArmor is not enabled here', () => {
    expect(() => checkLsm({ apparmorProfile: 'docker-default' }, undefined)).toThrow('process.apparmorProfile: AppArmor is not enabled on this host');
  });

  it.skipIf(host.selinux)('refuses SELinux labels: SELinux is not enabled here', () => {
    expect(() => checkLsm({ selinuxLabel: 'system_u:system_r:container_t:s0' }, undefined)).toThrow('process.selinuxLabel: SELinux is not enabled on this host');
    expect(() => checkLsm(undefined, { mountLabel: 'system_u:object_r:container_file_t:s0' })).toThrow('linux.mountLabel: SELinux is not enabled on this host');
  });
});
