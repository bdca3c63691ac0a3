// The rootless guest set's user: a throw-away user with a lingering systemd user manager (its
// cgroup subtree user@UID.service delegated to it), the session environment that reaches that
// manager, and bundles of a `spec --rootless` config over the user's own rootfs.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spec } from '../../../src/spec/types.js';
import { OCIRUN, type Result } from '../../support/ocirun.js';
import { makeTestUser, type TestUser } from '../../support/test-user.js';

export interface LingeringUser {
  user: TestUser;
  /** XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS of the user's manager. */
  sessionEnv: NodeJS.ProcessEnv;
  /** The user manager's cgroup directory. */
  managerDir: string;
  /** A bundle the user owns: the rootless spec over the user's rootfs, changed by `change`. */
  bundle(change: (c: Spec) => void): string;
  /** Stops the manager and removes the user with everything it left. */
  remove(): void;
}

export function sh(cmd: string): Result {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function lingeringUser(tag: string): Promise<LingeringUser> {
  const user = makeTestUser(tag);
  user.giveSubids();
  if (sh(`loginctl enable-linger ${user.name}`).status !== 0) throw new Error(`loginctl enable-linger ${user.name} failed`);
  const bus = `/run/user/${user.uid}/bus`;
  for (let i = 0; i < 1200 && !(existsSync(bus) && sh(`systemctl is-active user@${user.uid}.service`).stdout.trim() === 'active'); i++) await pause(100);
  const specDir = join(user.dir, 'spec');
  mkdirSync(specDir);
  chownSync(specDir, user.uid, user.gid);
  const spec = await user.runAsync([OCIRUN, 'spec', '--rootless'], { cwd: specDir, timeoutMs: 150_000 });
  if (spec.status !== 0) throw new Error(`ocirun spec --rootless: ${spec.stderr}`);
  const base = JSON.parse(readFileSync(join(specDir, 'config.json'), 'utf8')) as Spec;
  if (base.process) {
    base.process.terminal = false;
    delete base.process.capabilities?.ambient;
  }
  let n = 0;
  return {
    user,
    sessionEnv: { XDG_RUNTIME_DIR: `/run/user/${user.uid}`, DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}` },
    managerDir: `/sys/fs/cgroup/user.slice/user-${user.uid}.slice/user@${user.uid}.service`,
    bundle(change) {
      n += 1;
      const dir = join(user.dir, `b${n}`);
      mkdirSync(dir);
      const c = structuredClone(base);
      c.root = { path: user.rootfs, readonly: true };
      change(c);
      writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
      chownSync(dir, user.uid, user.gid);
      return dir;
    },
    remove() {
      sh(`loginctl disable-linger ${user.name}; systemctl stop user@${user.uid}.service`);
      user.remove();
    },
  };
}
