// Rootless ocirun on cgroup v2 with systemd (the guest): an unprivileged user with a lingering
// systemd user manager, whose cgroup subtree (user@UID.service) is delegated to it. Run from a
// delegated scope of that manager (systemd-run --user --scope), the container's cgroup is made in
// the user's own subtree and its limits are applied and enforced; run from a cgroup the user does
// not own, runc's rules apply (no limits: no cgroup; a limit: a one-line error, nothing left).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { OCIRUN, type Result } from '../../support/ocirun.js';
import { makeTestUser, type TestUser } from '../../support/test-user.js';

const inGuest = process.env.OCIRUN_GUEST === '1';

let user: TestUser;
let base: Spec;
let sessionEnv: NodeJS.ProcessEnv;
let n = 0;

function sh(cmd: string): Result {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function bundle(change: (c: Spec) => void): string {
  n += 1;
  const dir = join(user.dir, `b${n}`);
  mkdirSync(dir);
  const c = structuredClone(base);
  c.root = { path: user.rootfs, readonly: true };
  change(c);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  chownSync(dir, user.uid, user.gid);
  return dir;
}

const limits = (c: Spec, argv: string[]): void => {
  if (c.linux) c.linux.resources = { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 20 } };
  if (c.process) c.process.args = argv;
};

/** ocirun as the user inside a new delegated scope of the user's systemd. */
function inScope(args: string[]): Result {
  return user.run(['systemd-run', '--user', '--scope', '--quiet', '-p', 'Delegate=yes', '--', OCIRUN, ...args], { env: sessionEnv });
}

describe.skipIf(!inGuest)('rootless on cgroup v2 with a systemd user manager', () => {
  beforeAll(() => {
    user = makeTestUser('g');
    user.giveSubids();
    expect(sh(`loginctl enable-linger ${user.name}`).status).toBe(0);
    const bus = `/run/user/${user.uid}/bus`;
    for (let i = 0; i < 600 && !(existsSync(bus) && sh(`systemctl is-active user@${user.uid}.service`).stdout.trim() === 'active'); i++) sh('sleep 0.1');
    sessionEnv = { XDG_RUNTIME_DIR: `/run/user/${user.uid}`, DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}` };
    const specDir = join(user.dir, 'spec');
    mkdirSync(specDir);
    chownSync(specDir, user.uid, user.gid);
    expect(user.run([OCIRUN, 'spec', '--rootless'], { cwd: specDir }).status).toBe(0);
    base = JSON.parse(readFileSync(join(specDir, 'config.json'), 'utf8')) as Spec;
    if (base.process) {
      base.process.terminal = false;
      delete base.process.capabilities?.ambient;
    }
  });

  afterAll(() => {
    if (!user) return;
    sh(`loginctl disable-linger ${user.name}; systemctl stop user@${user.uid}.service`);
    user.remove();
  });

  it('the user manager delegates memory and pids to the user\'s subtree', () => {
    const dir = `/sys/fs/cgroup/user.slice/user-${user.uid}.slice/user@${user.uid}.service`;
    expect(readFileSync(join(dir, 'cgroup.controllers'), 'utf8')).toMatch(/memory/);
    expect(readFileSync(join(dir, 'cgroup.controllers'), 'utf8')).toMatch(/pids/);
  });

  it('from a delegated scope: the container\'s cgroup lies in the user\'s subtree, limits applied and enforced', () => {
    // Only builtins after the sleeps: once the pids limit is reached no fork succeeds.
    const b = bundle((c) => limits(c, ['sh', '-c', [
      'cat /proc/self/cgroup', 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max',
      'i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done',
      'read c < /sys/fs/cgroup/pids.current; echo current $c; exit 0',
    ].join('; ')]));
    const r = inScope(['run', '--bundle', b, `rl-v2-${process.pid}`]);
    const shown = `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    expect(r.status, shown).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0], shown).toMatch(new RegExp(`^0::/user\\.slice/user-${user.uid}\\.slice/user@${user.uid}\\.service/.*/rl-v2-${process.pid}$`));
    expect(lines.slice(1, 3), shown).toEqual([String(64 * 1024 * 1024), '20']);
    // The kernel refused the forks past the limit.
    expect(lines[3], shown).toBe('current 20');
    expect(r.stderr, shown).toMatch(/can't fork/);
  });

  it('without delegation (a cgroup the user does not own): no limits runs, a limit is a one-line error and nothing is left', () => {
    const ok = user.run([OCIRUN, 'run', '--bundle', bundle((c) => {
      if (c.process) c.process.args = ['true'];
    }), `rl-v2n-${process.pid}`]);
    expect(ok.status, ok.stderr).toBe(0);
    const id = `rl-v2l-${process.pid}`;
    const r = user.run([OCIRUN, 'run', '--bundle', bundle((c) => limits(c, ['true'])), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/linux\.resources\.(memory\.limit|pids\.limit): cannot set (memory|pids)\.max: a rootless container gets no cgroup/);
    expect(existsSync(join(user.runtimeDir, 'ocirun', id))).toBe(false);
    expect(sh(`find /sys/fs/cgroup -name ${id}`).stdout).toBe('');
  });
});
