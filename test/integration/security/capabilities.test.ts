// Capability plans applied by a forked child exactly as the init does (keep-caps, bounding drop,
// user switch, capset, ambient raise), then read back from /proc/self/status by the exec'd shell.
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleRunner, runScenario, statusField, statusFields } from './helpers/run.js';

const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];
const STATUS = 'grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status';

let bundle: string;
beforeAll(async () => {
  bundle = await bundleRunner();
});

describe('capabilities in a forked init', () => {
  it('root with runc’s default set and no_new_privs: every set is the 14 capabilities', () => {
    const r = runScenario(bundle, {
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS },
      noNewPrivileges: true,
      script: STATUS,
    });
    expect(r.exitCode, r.output).toBe(0);
    const want = { CapBnd: '00000000a80425fb', CapEff: '00000000a80425fb', CapPrm: '00000000a80425fb', CapInh: '0000000000000000', CapAmb: '0000000000000000', NoNewPrivs: '1' };
    expect(statusFields(r.output, want)).toEqual(want);
  });

  it('a capability this host lacks (CAP_SYS_RESOURCE) gives a warning and the rest applies', () => {
    const sets = ['CAP_KILL', 'CAP_SYS_RESOURCE'];
    const r = runScenario(bundle, { capabilities: { bounding: sets, effective: sets, permitted: sets }, script: STATUS });
    expect(r.warnings).toEqual([expect.stringContaining('CAP_SYS_RESOURCE is not in this host')]);
    expect(r.exitCode, r.output).toBe(0);
    const want = { CapBnd: '0000000000000020', CapEff: '0000000000000020' };
    expect(statusFields(r.output, want)).toEqual(want);
  });

  it('no capabilities object: root ends with nothing', () => {
    const r = runScenario(bundle, { capabilities: null, script: STATUS });
    expect(r.exitCode, r.output).toBe(0);
    for (const f of ['CapBnd', 'CapEff', 'CapPrm', 'CapInh', 'CapAmb']) expect(statusField(r.output, f)).toBe('0000000000000000');
  });

  it('a non-root user keeps exactly its ambient capabilities across execve', () => {
    const caps = ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'];
    const r = runScenario(bundle, {
      user: { uid: 1000, gid: 1000, additionalGids: [10] },
      capabilities: { bounding: [...caps, 'CAP_KILL'], effective: caps, permitted: caps, inheritable: caps, ambient: caps },
      noNewPrivileges: true,
      script: `${STATUS}; id -u; id -G`,
    });
    expect(r.exitCode, r.output).toBe(0);
    const want = { CapBnd: '0000000000000421', CapAmb: '0000000000000401', CapEff: '0000000000000401', CapPrm: '0000000000000401', CapInh: '0000000000000401' };
    expect(statusFields(r.output, want)).toEqual(want);
    expect(r.output).toMatch(/^1000$/m);
    expect(r.output).toMatch(/^1000 10$/m);
  });

  it('a non-root user without ambient capabilities has none after execve', () => {
    const r = runScenario(bundle, {
      user: { uid: 1000, gid: 1000 },
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS },
      script: STATUS,
    });
    expect(r.exitCode, r.output).toBe(0);
    const want = { CapBnd: '00000000a80425fb', CapEff: '0000000000000000', CapPrm: '0000000000000000' };
    expect(statusFields(r.output, want)).toEqual(want);
  });
});

describe('seccomp without no_new_privs', () => {
  const seccomp = { defaultAction: 'SCMP_ACT_ALLOW' as const, syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' as const }] };
  const caps = { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };

  it('loads: the init holds CAP_SYS_ADMIN until execve, and the container never has it', () => {
    const r = runScenario(bundle, { capabilities: caps, seccomp, script: `${STATUS}; mkdir /tmp/ocirun-hold-test; echo rc=$?` });
    expect(r.exitCode, r.output).toBe(0);
    const want = { NoNewPrivs: '0', Seccomp: '2', CapBnd: '0000000000000020', CapEff: '0000000000000020', CapPrm: '0000000000000020' };
    expect(statusFields(r.output, want)).toEqual(want);
    expect(r.output).toContain('rc=1');
  });

  it('is refused by the kernel (EACCES) when the init does not hold it — why the hold exists', () => {
    const r = runScenario(bundle, { capabilities: caps, seccomp, holdForSeccomp: false, script: 'true' });
    expect(r.exitCode).toBe(120);
    expect(r.output).toContain('seccomp(1, 0): permission denied');
  });
});
