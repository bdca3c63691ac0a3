// features.md: `ocirun features` prints what this build supports on this host, as JSON valid
// against features-schema.json, shaped like runc's output (../shared/golden/runc-1.1.5).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { validateFeatures } from '../../src/spec/validate-documents.js';
import { baseSpec, Sandbox, uniqueId, withUserNamespace } from '../../test/support/ocirun.js';
import { GOLDEN_DIR } from '../../test/support/golden.js';

const sb = new Sandbox('security-features');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

interface FeaturesDoc {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  annotations?: Record<string, string>;
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: Record<string, boolean>;
    seccomp: { enabled: boolean; actions: string[]; operators: string[]; archs: string[]; knownFlags: string[]; supportedFlags: string[] };
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    mountExtensions: { idmap: { enabled: boolean } };
  };
}

const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, 'runc-features.json'), 'utf8')) as FeaturesDoc;

function features(): { doc: FeaturesDoc; text: string } {
  const r = sb.run(['features']);
  expect(r.status, r.stderr).toBe(0);
  return { doc: JSON.parse(r.stdout) as FeaturesDoc, text: r.stdout };
}

describe('ocirun features', () => {
  it('prints a document valid against features-schema.json, indented like runc', () => {
    const { doc, text } = features();
    expect(validateFeatures(doc)).toEqual([]);
    expect(text.split('\n')[1]).toBe('    "ociVersionMin": "1.0.0",');
    expect(doc.ociVersionMax).toBe('1.3.0');
  });

  it('has runc’s top-level shape, hooks, capabilities and seccomp operators', () => {
    const { doc } = features();
    // runc 1.1.5 predates potentiallyUnsafeConfigAnnotations (runtime-spec 1.2).
    expect(Object.keys(doc).sort()).toEqual([...Object.keys(golden), 'potentiallyUnsafeConfigAnnotations'].sort());
    expect(doc.hooks).toEqual(golden.hooks);
    expect(doc.linux.capabilities).toEqual(golden.linux.capabilities);
    expect(doc.linux.seccomp.operators).toEqual(golden.linux.seccomp.operators);
  });

  it('lists runc\'s namespaces and the time namespace, and a container runs with each of them', () => {
    const { doc } = features();
    expect(doc.linux.namespaces).toEqual(expect.arrayContaining([...golden.linux.namespaces, 'time']));
    const spec = withUserNamespace(baseSpec(['/bin/true']));
    spec.linux = { ...spec.linux, namespaces: doc.linux.namespaces.map((type) => ({ type: type as 'pid' })) };
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('lists only mount options this build applies, each accepted by a real mount', () => {
    const { doc } = features();
    // Idmapped mounts need a mapping: conformance/mounts/idmapped.test.ts makes them for real.
    expect(doc.mountOptions).toEqual(expect.arrayContaining(['idmap', 'ridmap']));
    expect(doc.linux.mountExtensions.idmap.enabled).toBe(true);
    // Each option a bind mount can take, each on its own mount of one container: the runtime knows
    // the word (it would otherwise pass it to the kernel as data, which a bind mount refuses).
    const notForBinds = ['idmap', 'ridmap', 'remount', 'tmpcopyup', 'mand', 'nomand', 'sync', 'dirsync', 'lazytime', 'nolazytime', 'iversion', 'noiversion', 'silent', 'loud'];
    const spec = baseSpec(['/bin/true']);
    // An empty source of its own: an rbind of the host's /tmp would repeat every mount below it,
    // the rootfs too when the checkout lives there, a hundred times over.
    const source = join(sb.dir, 'bind-source');
    mkdirSync(source, { recursive: true });
    for (const option of doc.mountOptions.filter((o) => !notForBinds.includes(o))) {
      spec.mounts?.push({ destination: `/tmp/${option}`, type: 'bind', source, options: ['rbind', option] });
    }
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('reports seccomp: libseccomp version, all nine actions, every architecture name, the flags the kernel takes', () => {
    const { doc } = features();
    const s = doc.linux.seccomp;
    expect(s.enabled).toBe(true);
    expect(doc.annotations?.['io.github.seccomp.libseccomp.version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(s.actions).toEqual(golden.linux.seccomp.actions);
    expect(s.archs).toEqual(expect.arrayContaining(golden.linux.seccomp.archs));
    expect(s.knownFlags).toEqual(expect.arrayContaining(['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']));
    for (const f of s.supportedFlags) expect(s.knownFlags).toContain(f);
  });

  it('reports the LSMs as implemented (features-linux.md: whatever the host has), both cgroup versions and the systemd driver, system and user', () => {
    const { doc } = features();
    expect(doc.linux.apparmor.enabled).toBe(true);
    expect(doc.linux.selinux.enabled).toBe(true);
    expect(doc.linux.cgroup).toMatchObject({ v1: true, v2: true, systemd: true, systemdUser: true, rdma: true });
  });

  it('reports the 1.3 features: Intel RDT, every memory policy mode and flag, netDevices', () => {
    const { doc } = features();
    const linux = doc.linux as FeaturesDoc['linux'] & Record<string, unknown>;
    expect(linux['intelRdt']).toEqual({ enabled: true, schemata: true, monitoring: true });
    expect(linux['memoryPolicy']).toEqual({
      modes: ['MPOL_DEFAULT', 'MPOL_PREFERRED', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_LOCAL', 'MPOL_PREFERRED_MANY', 'MPOL_WEIGHTED_INTERLEAVE'],
      flags: ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'],
    });
    expect(linux['netDevices']).toEqual({ enabled: true });
    expect((doc as FeaturesDoc & Record<string, unknown>)['potentiallyUnsafeConfigAnnotations']).toEqual(['org.criu.config', 'org.systemd.property.']);
    expect(doc.annotations?.['org.opencontainers.runc.checkpoint.enabled']).toBe('true');
  });
});
