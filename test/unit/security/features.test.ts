import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN_MOUNT_OPTIONS } from '../../../src/init/mount-options.js';
import { buildFeatures, type FeatureHost } from '../../../src/security/features.js';
import { validateFeatures } from '../../../src/spec/validate.js';

const HOST: FeatureHost = {
  libseccomp: {
    version: '2.5.4',
    archs: ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'],
    actions: ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRACE', 'SCMP_ACT_TRAP'],
  },
  seccompFlags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
  apparmor: false,
  selinux: true,
  timeNamespace: true,
  idmappedMounts: true,
};

describe('buildFeatures', () => {
  it('validates against the spec’s features schema', () => {
    expect(validateFeatures(buildFeatures(HOST))).toEqual([]);
    expect(validateFeatures(buildFeatures({ ...HOST, libseccomp: null, seccompFlags: [] }))).toEqual([]);
  });

  it('declares the spec versions it accepts', () => {
    const f = buildFeatures(HOST);
    expect(f.ociVersionMin).toBe('1.0.0');
    expect(f.ociVersionMax).toBe('1.2.0');
  });

  it('lists the six hooks and every capability', () => {
    const f = buildFeatures(HOST);
    expect(f.hooks).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
    expect(f.linux?.capabilities).toHaveLength(41);
  });

  it('lists exactly the mount options the parser knows: every config.md option', () => {
    // The option names in the first column of config.md's "Linux mount options" table.
    const doc = readFileSync(new URL('../../golden/runtime-spec/config.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('Linux mount options'), doc.indexOf('[^1]:'));
    const fromSpec = [...table.matchAll(/^ `([a-z]+)\s*`/gm)].map((m) => m[1]);
    expect(fromSpec.length).toBeGreaterThan(60);
    const f = buildFeatures(HOST);
    expect(f.mountOptions).toEqual([...KNOWN_MOUNT_OPTIONS]);
    for (const option of fromSpec) expect(f.mountOptions).toContain(option);
  });

  it('adds the time namespace only where the kernel has it', () => {
    expect(buildFeatures(HOST).linux?.namespaces).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts', 'time']);
    expect(buildFeatures({ ...HOST, timeNamespace: false }).linux?.namespaces).not.toContain('time');
  });

  it('reports seccomp from what the host offers', () => {
    const s = buildFeatures(HOST).linux?.seccomp;
    expect(s?.enabled).toBe(true);
    expect(s?.actions).toEqual(HOST.libseccomp?.actions);
    expect(s?.operators).toHaveLength(7);
    expect(s?.archs).toEqual(HOST.libseccomp?.archs);
    expect(s?.knownFlags).toContain('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV');
    expect(s?.supportedFlags).toEqual(HOST.seccompFlags);
    expect(buildFeatures({ ...HOST, libseccomp: null }).linux?.seccomp).toEqual({ enabled: false });
  });

  it('reports the LSMs and idmapped mounts as the host has them', () => {
    const linux = buildFeatures(HOST).linux;
    expect(linux?.apparmor).toEqual({ enabled: false });
    expect(linux?.selinux).toEqual({ enabled: true });
    expect(linux?.mountExtensions).toEqual({ idmap: { enabled: true } });
    expect(buildFeatures({ ...HOST, idmappedMounts: false }).linux?.mountExtensions).toEqual({ idmap: { enabled: false } });
  });

  it('carries the libseccomp version as runc does', () => {
    expect(buildFeatures(HOST).annotations).toEqual({ 'io.github.seccomp.libseccomp.version': '2.5.4' });
  });

  it('has no property the vendored spec lacks', () => {
    const linux = buildFeatures(HOST).linux ?? {};
    expect(Object.keys(linux).sort()).toEqual(['apparmor', 'capabilities', 'cgroup', 'intelRdt', 'mountExtensions', 'namespaces', 'netDevices', 'seccomp', 'selinux']);
  });
});
