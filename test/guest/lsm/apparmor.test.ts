// process.apparmorProfile and `exec --apparmor` on a host with AppArmor (the guest: Debian's
// kernel enables it): a profile loaded with apparmor_parser that denies writing one file, and a
// container process that tries. The host this suite usually runs on has no AppArmor, so this is
// the only place the applying code (security/lsm.ts) meets a real LSM.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../support/ocirun.js';

// Only in the guest (test/vm/run.sh sets OCIRUN_GUEST=1): elsewhere there is no AppArmor to prove it with.
describe.runIf(process.env['OCIRUN_GUEST'] === '1')('AppArmor in the cgroup v2 + systemd guest', () => {
  // Made in beforeAll: a skipped set must not leave a sandbox behind.
  let sb: Sandbox;
  const PROFILE = `ocirun-test-${process.pid}`;

  function sh(cmd: string, args: string[]): string {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  beforeAll(() => {
    sb = new Sandbox('apparmor');
    expect(readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim()).toBe('Y');
    // Everything a container needs, except writing /tmp/denied.
    const profile = join(sb.dir, 'profile');
    writeFileSync(profile, `
  abi <abi/3.0>,
  profile ${PROFILE} flags=(attach_disconnected,mediate_deleted) {
    file,
    capability,
    network,
    signal,
    unix,
    mount,
    umount,
    pivot_root,
    ptrace,
    deny /tmp/denied w,
  }
  `);
    sh('apparmor_parser', ['-r', '-W', profile]);
  });

  afterEach(() => expect(sb.cleanup()).toEqual([]));
  afterAll(() => {
    spawnSync('apparmor_parser', ['-R', join(sb.dir, 'profile')]);
    sb.destroy();
  });

  const TRY = 'cat /proc/self/attr/current; echo x > /tmp/allowed && echo allowed-ok; (echo x > /tmp/denied) 2>/dev/null && echo denied-ok || echo denied-refused';

  function withArgs(spec: Spec, script: string): Spec {
    return { ...spec, process: { ...spec.process, args: ['sh', '-c', script] } as Spec['process'] };
  }

  describe('process.apparmorProfile', () => {
    it('confines the container process: the profile is its label, the denied write fails', () => {
      const spec = withArgs(baseSpec(), TRY);
      if (spec.process) spec.process.apparmorProfile = PROFILE;
      const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${PROFILE} (enforce)\nallowed-ok\ndenied-refused\n`);
    });

    it('without one the process is unconfined and the write succeeds', () => {
      const r = sb.run(['run', '--bundle', sb.bundle(withArgs(baseSpec(), TRY)), uniqueId()]);
      expect(r.stdout).toBe('unconfined\nallowed-ok\ndenied-ok\n');
    });

    it('a profile that is not loaded fails create with an error naming it', () => {
      const spec = baseSpec();
      if (spec.process) spec.process.apparmorProfile = `ocirun-missing-${process.pid}`;
      expect(sb.refusedCreate(spec)).toMatch(/AppArmor profile \\?"ocirun-missing-\d+\\?" cannot be applied: no profile of that name is loaded/);
    });
  });

  describe('exec --apparmor', () => {
    it('confines the exec\'d process only', () => {
      const id = sb.create(baseSpec(['sleep', '100']));
      sb.ok(['start', id]);
      expect(sb.ok(['exec', '--apparmor', PROFILE, id, 'sh', '-c', TRY])).toBe(`${PROFILE} (enforce)\nallowed-ok\ndenied-refused\n`);
      expect(sb.ok(['exec', id, 'sh', '-c', 'cat /proc/self/attr/current'])).toBe('unconfined\n');
    });
  });
});
