// Rootless ocirun on cgroup v2 with systemd (the guest): an unprivileged user with a lingering
// systemd user manager, whose cgroup subtree (user@UID.service) is delegated to it. Run from a
// delegated scope of that manager (systemd-run --user --scope), the container's cgroup is made in
// the user's own subtree and its limits are applied and enforced; run from a cgroup the user does
// not own, runc's rules apply (no limits: no cgroup; a limit: a one-line error, nothing left).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { OCIRUN, type Result } from '../../support/ocirun.js';
import type { TestUser } from '../../support/test-user.js';
import { lingeringUser, sh, type LingeringUser } from './support.js';

const inGuest = process.env.OCIRUN_GUEST === '1';

let lingering: LingeringUser;
let user: TestUser;
let sessionEnv: NodeJS.ProcessEnv;
const bundle = (change: (c: Spec) => void): string => lingering.bundle(change);

const limits = (c: Spec, argv: string[]): void => {
  if (c.linux) c.linux.resources = { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 20 } };
  if (c.process) c.process.args = argv;
};

/** ocirun as the user inside a new delegated scope of the user's systemd. */
function inScope(args: string[]): Promise<Result> {
  return user.runAsync(['systemd-run', '--user', '--scope', '--quiet', '-p', 'Delegate=yes', '--', OCIRUN, ...args], { env: sessionEnv, timeoutMs: 150_000 });
}

/** ocirun as the user, from the cgroup this test runs in (not the user's). */
function direct(args: string[]): Promise<Result> {
  return user.runAsync([OCIRUN, ...args], { timeoutMs: 150_000 });
}

describe.skipIf(!inGuest)('rootless on cgroup v2 with a systemd user manager', () => {
  beforeAll(async () => {
    lingering = await lingeringUser('g');
    ({ user, sessionEnv } = lingering);
  }, 300_000);

  afterAll(() => {
    lingering?.remove();
  });

  it('the user manager delegates memory and pids to the user\'s subtree', () => {
    const dir = `/sys/fs/cgroup/user.slice/user-${user.uid}.slice/user@${user.uid}.service`;
    expect(readFileSync(join(dir, 'cgroup.controllers'), 'utf8')).toMatch(/memory/);
    expect(readFileSync(join(dir, 'cgroup.controllers'), 'utf8')).toMatch(/pids/);
  });

  it('from a delegated scope: the container\'s cgroup lies in the user\'s subtree, limits applied and enforced', async () => {
    const id = `rl-v2-${process.pid}`;
    const b = bundle((c) => limits(c, ['sleep', '300']));
    const r = await inScope(['run', '--detach', '--bundle', b, id]);
    expect(r.status, r.stderr).toBe(0);
    // The record names the cgroup as ocirun made it, below its own (the scope's parent).
    const rec = JSON.parse(readFileSync(`/run/user/${user.uid}/ocirun/${id}/state.json`, 'utf8')) as { cgroupPath?: string };
    expect(rec.cgroupPath).toMatch(new RegExp(`^/user\\.slice/user-${user.uid}\\.slice/user@${user.uid}\\.service/.*/${id}$`));
    const dir = join('/sys/fs/cgroup', rec.cgroupPath ?? '');
    expect(readFileSync(join(dir, 'memory.max'), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
    expect(readFileSync(join(dir, 'pids.max'), 'utf8').trim()).toBe('20');
    // A shell that forks until the kernel refuses: it dies of the refusal (exit 2), the caller
    // needs no fork to report it.
    // From a scope of the user's too: moving a process between cgroups needs write access to
    // their common ancestor, which must be within the user's subtree.
    const e = await inScope(['exec', id, 'sh', '-c', '( i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done ); echo loop=$?; read c < /sys/fs/cgroup/pids.current; echo current=$c']);
    const shown = `exit ${e.status}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`;
    expect(e.stdout, shown).toMatch(/^loop=2\ncurrent=(1\d|20)\n$/);
    expect(e.stderr, shown).toMatch(/can't fork/);
    const d = await user.runAsync([OCIRUN, 'delete', '--force', id], { env: sessionEnv, timeoutMs: 150_000 });
    expect(d.status, d.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('without delegation (a cgroup the user does not own): no limits runs, a limit is a one-line error and nothing is left', async () => {
    const ok = await direct(['run', '--bundle', bundle((c) => {
      if (c.process) c.process.args = ['true'];
    }), `rl-v2n-${process.pid}`]);
    expect(ok.status, ok.stderr).toBe(0);
    const id = `rl-v2l-${process.pid}`;
    const r = await direct(['run', '--bundle', bundle((c) => limits(c, ['true'])), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/linux\.resources\.(memory\.limit|pids\.limit): cannot set (memory|pids)\.max: a rootless container gets no cgroup/);
    expect(existsSync(join(user.runtimeDir, 'ocirun', id))).toBe(false);
    expect(sh(`find /sys/fs/cgroup -name ${id}`).stdout).toBe('');
  });
});
