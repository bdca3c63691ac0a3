// config.md "capabilities" and "noNewPrivileges"; config.md/config-linux.md "apparmorProfile",
// "selinuxLabel", "mountLabel". Checked from inside: /proc/self/status after execve, where the
// kernel has recomputed the sets from what the init left (capabilities(7), "Transformation of
// capabilities during execve()"), and a chown that only CAP_CHOWN allows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readHostBounding } from '../../src/security/capabilities.js';
import { detectLsm } from '../../src/security/lsm.js';
import type { LinuxCapabilities, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('security-caps');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const CAP = { CHOWN: 0, KILL: 5, SETUID: 7, NET_BIND_SERVICE: 10, NET_RAW: 13, SYS_RESOURCE: 24, AUDIT_WRITE: 29 } as const;
type CapName = keyof typeof CAP;
const mask = (...names: CapName[]): string => names.reduce((m, n) => m | (1n << BigInt(CAP[n])), 0n).toString(16).padStart(16, '0');
const caps = (...names: CapName[]): string[] => names.map((n) => `CAP_${n}`);

const STATUS = 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status';

function status(output: string): Record<string, string> {
  return Object.fromEntries([...output.matchAll(/^(\w+):\s+(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

/** Runs `script` in a container with the given process settings; returns its stdout. */
function runScript(script: string, tweak: (spec: Spec) => void): string {
  const spec = baseSpec(['sh', '-c', script]);
  tweak(spec);
  const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return r.stdout;
}

function withCaps(c: LinuxCapabilities, user?: { uid: number; gid: number }, noNewPrivileges = true): (spec: Spec) => void {
  return (spec) => {
    if (!spec.process) throw new Error('baseSpec has a process');
    spec.process.capabilities = c;
    spec.process.noNewPrivileges = noNewPrivileges;
    if (user) spec.process.user = user;
  };
}

describe('capability sets, from inside the container', () => {
  it('root: bounding and inheritable as configured; with no_new_privs execve keeps permitted to the configured set', () => {
    const out = runScript(STATUS, withCaps({
      bounding: caps('CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SETUID'),
      permitted: caps('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      effective: caps('CHOWN', 'KILL'),
      inheritable: caps('KILL'),
    }));
    // Root gains inheritable | bounding at execve, capped by the old permitted set under no_new_privs;
    // root's effective set is then the whole permitted set.
    expect(status(out)).toEqual({
      CapInh: mask('KILL'),
      CapPrm: mask('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      CapEff: mask('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      CapBnd: mask('CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SETUID'),
      CapAmb: mask(),
      NoNewPrivs: '1',
    });
  });

  it('root without no_new_privs: execve grants the bounding set (as with runc)', () => {
    const out = runScript(STATUS, withCaps({ bounding: caps('CHOWN', 'KILL'), permitted: caps('KILL'), effective: caps('KILL') }, undefined, false));
    expect(status(out)).toMatchObject({ CapPrm: mask('CHOWN', 'KILL'), CapEff: mask('CHOWN', 'KILL'), CapBnd: mask('CHOWN', 'KILL'), NoNewPrivs: '0' });
  });

  it('non-root with ambient capabilities: they survive execve as permitted and effective, and work', () => {
    const c = {
      bounding: caps('CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SETUID'),
      permitted: caps('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      effective: caps('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      inheritable: caps('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      ambient: caps('CHOWN', 'NET_BIND_SERVICE'),
    };
    // Only CAP_CHOWN lets uid 1000 give its file to root.
    const out = runScript(`${STATUS}; id -u; touch /tmp/f && chown 0 /tmp/f && echo chown=ok`, withCaps(c, { uid: 1000, gid: 1000 }));
    expect(status(out)).toEqual({
      CapInh: mask('CHOWN', 'KILL', 'NET_BIND_SERVICE'),
      CapPrm: mask('CHOWN', 'NET_BIND_SERVICE'),
      CapEff: mask('CHOWN', 'NET_BIND_SERVICE'),
      CapBnd: mask('CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SETUID'),
      CapAmb: mask('CHOWN', 'NET_BIND_SERVICE'),
      NoNewPrivs: '1',
    });
    expect(out).toContain('1000\n');
    expect(out).toContain('chown=ok');
  });

  it('non-root without ambient capabilities: nothing effective after execve, and chown is refused', () => {
    const c = { bounding: caps('CHOWN', 'KILL'), permitted: caps('CHOWN', 'KILL'), effective: caps('CHOWN', 'KILL'), inheritable: caps('CHOWN') };
    const out = runScript(`${STATUS}; touch /tmp/f; chown 0 /tmp/f 2>&1; echo rc=$?`, withCaps(c, { uid: 1000, gid: 1000 }));
    expect(status(out)).toMatchObject({ CapInh: mask('CHOWN'), CapPrm: mask(), CapEff: mask(), CapBnd: mask('CHOWN', 'KILL'), CapAmb: mask() });
    expect(out).toMatch(/Operation not permitted/);
    expect(out).toContain('rc=1');
  });

  it('an empty capabilities object leaves the process with none at all', () => {
    const out = runScript(STATUS, withCaps({}));
    expect(status(out)).toMatchObject({ CapInh: mask(), CapPrm: mask(), CapEff: mask(), CapBnd: mask(), CapAmb: mask() });
  });
});

describe('capability names', () => {
  it('an unknown name is an error naming its place in config.json, and nothing is left behind', () => {
    const spec = baseSpec(['/bin/true']);
    if (spec.process?.capabilities) spec.process.capabilities.effective = ['CAP_KILL', 'CAP_TEST'];
    const id = uniqueId();
    const r = sb.run(['--log-format', 'json', 'create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('process.capabilities.effective[1]: unknown capability \\"CAP_TEST\\"');
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
    expect(sb.ok(['list', '-q']).trim()).toBe('');
  });

  const hostLacksSysResource = (readHostBounding() & (1n << BigInt(CAP.SYS_RESOURCE))) === 0n;
  it.runIf(hostLacksSysResource)('a capability missing from the host’s bounding set (CAP_SYS_RESOURCE): a warning, and the rest applied', () => {
    const log = join(sb.dir, `${uniqueId('log')}.json`);
    const spec = baseSpec(['sh', '-c', STATUS]);
    const want = caps('KILL', 'NET_RAW', 'SYS_RESOURCE');
    if (spec.process) spec.process.capabilities = { bounding: want, permitted: want, effective: want };
    const r = sb.run(['--log', log, '--log-format', 'json', 'run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(status(r.stdout)).toMatchObject({ CapBnd: mask('KILL', 'NET_RAW'), CapPrm: mask('KILL', 'NET_RAW'), CapEff: mask('KILL', 'NET_RAW') });
    const warnings = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warning');
    expect(warnings).toEqual([expect.objectContaining({ msg: expect.stringMatching(/CAP_SYS_RESOURCE is not in this host's bounding set/) })]);
  });
});

describe('noNewPrivileges', () => {
  it.each([true, false])('noNewPrivileges: %s is what the process sees', (nnp) => {
    const out = runScript('grep ^NoNewPrivs: /proc/self/status', (spec) => {
      if (spec.process) spec.process.noNewPrivileges = nnp;
    });
    expect(status(out).NoNewPrivs).toBe(nnp ? '1' : '0');
  });
});

// The choice (src/security/lsm.ts): a label for an LSM the host does not run is an error, never
// silently dropped, because running unconfined when confinement was asked for is the worse
// failure. This host has neither AppArmor nor SELinux.
describe('LSM labels on a host without the LSM', () => {
  // The host's LSMs, not `features` (which reports what ocirun implements, whatever the host).
  const lsm = detectLsm();
  const cases: Array<[string, boolean, (spec: Spec) => void, string]> = [
    ['apparmorProfile', lsm.apparmor, (s) => { if (s.process) s.process.apparmorProfile = 'docker-default'; }, 'process.apparmorProfile: AppArmor is not enabled on this host'],
    ['selinuxLabel', lsm.selinux, (s) => { if (s.process) s.process.selinuxLabel = 'system_u:system_r:container_t:s0'; }, 'process.selinuxLabel: SELinux is not enabled on this host'],
    ['mountLabel', lsm.selinux, (s) => { if (s.linux) s.linux.mountLabel = 'system_u:object_r:container_file_t:s0'; }, 'linux.mountLabel: SELinux is not enabled on this host'],
  ];
  it.each(cases)('%s: create fails with an error naming the field, nothing left', (_field, enabled, tweak, message) => {
    if (enabled) return;
    const spec = baseSpec(['/bin/true']);
    tweak(spec);
    const id = uniqueId();
    const r = sb.run(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });
});
