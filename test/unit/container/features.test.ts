import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN_MOUNT_OPTIONS } from '../../../src/init/mount-options.js';
import { buildFeatures, type FeatureHost } from '../../../src/container/features.js';
import { validateFeatures } from '../../../src/spec/validate-documents.js';

const HOST: FeatureHost = {
  libseccomp: { version: '2.5.4' },
  seccompFlags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
};

describe('buildFeatures', () => {
  it('validates against the spec’s features schema', () => {
    expect(validateFeatures(buildFeatures(HOST))).toEqual([]);
    expect(validateFeatures(buildFeatures({ ...HOST, libseccomp: null, seccompFlags: [] }))).toEqual([]);
  });

  it('declares the spec versions it accepts', () => {
    const f = buildFeatures(HOST);
    expect(f.ociVersionMin).toBe('1.0.0');
    expect(f.ociVersionMax).toBe('1.3.0');
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
    for (const option of fromSpec) {
      expect(f.mountOptions).toContain(option);
    }
  });

  it('lists every namespace type it recognizes, time included (features-linux.md: whatever the host has)', () => {
    expect(buildFeatures(HOST).linux?.namespaces).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts']);
  });

  it('seccomp: every recognized action, operator, architecture and flag; the flags this host supports', () => {
    const s = buildFeatures(HOST).linux?.seccomp;
    expect(s?.enabled).toBe(true);
    expect(s?.actions).toEqual(['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE', 'SCMP_ACT_TRAP']);
    expect(s?.operators).toHaveLength(7);
    expect(s?.archs).toHaveLength(23);
    expect(s?.archs).toContain('SCMP_ARCH_LOONGARCH64');
    expect(s?.knownFlags).toContain('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV');
    expect(s?.supportedFlags).toEqual(HOST.seccompFlags);
    expect(buildFeatures({ ...HOST, libseccomp: null }).linux?.seccomp).toEqual({ enabled: false });
  });

  it('reports what this build applies: both LSMs, Intel RDT with schemata and monitoring, every memory policy, idmapped mounts and netDevices', () => {
    const linux = buildFeatures(HOST).linux;
    expect(linux?.apparmor).toEqual({ enabled: true });
    expect(linux?.selinux).toEqual({ enabled: true });
    expect(linux?.intelRdt).toEqual({ enabled: true, schemata: true, monitoring: true });
    expect(linux?.memoryPolicy).toEqual({
      modes: ['MPOL_DEFAULT', 'MPOL_PREFERRED', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_LOCAL', 'MPOL_PREFERRED_MANY', 'MPOL_WEIGHTED_INTERLEAVE'],
      flags: ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'],
    });
    expect(linux?.mountExtensions).toEqual({ idmap: { enabled: true } });
    expect(linux?.netDevices).toEqual({ enabled: true });
    expect(linux?.cgroup).toEqual({ v1: true, v2: true, systemd: true, systemdUser: true, rdma: true });
  });

  it('names org.criu.config (a CRIU configuration file) and org.systemd.property.* (unit properties) as potentially unsafe, as runc does', () => {
    expect(buildFeatures(HOST).potentiallyUnsafeConfigAnnotations).toEqual(['org.criu.config', 'org.systemd.property.']);
  });

  it('carries the libseccomp version and checkpoint support under runc\'s keys', () => {
    expect(buildFeatures(HOST).annotations).toEqual({ 'org.opencontainers.runc.checkpoint.enabled': 'true', 'io.github.seccomp.libseccomp.version': '2.5.4' });
  });

  it('has every property of the 1.3 features schema', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../spec-schemas/features-linux.json', import.meta.url), 'utf8')) as { linux: { properties: Record<string, unknown> } };
    const linux = buildFeatures(HOST).linux ?? {};
    // features-linux.md defines memoryPolicy; the vendored features-linux.json does not have it yet.
    expect(Object.keys(linux).sort()).toEqual([...Object.keys(schema.linux.properties), 'memoryPolicy'].sort());
    const top = JSON.parse(readFileSync(new URL('../../../spec-schemas/features-schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(buildFeatures(HOST)).sort()).toEqual(Object.keys(top.properties).sort());
  });
});
