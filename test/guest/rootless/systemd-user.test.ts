// Rootless --systemd-cgroup in the guest (cgroup v2, systemd): a lingering user's own systemd
// manager makes each container's scope, under user@UID.service/user.slice/, with its limits as
// unit properties and in the delegated cgroup's files. Directly (ocirun run as the user, from a
// scope of the user's manager, as a login session's podman would) and under rootless podman with
// its default cgroup_manager = "systemd"; runc beside ocirun as the reference each time. Then
// the error paths: no user bus, a limit whose controller the user manager was not delegated.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { OCIRUN, REPO, type Result } from '../../support/ocirun.js';
import type { TestUser } from '../../support/test-user.js';
import { runtimes, scenarioRunner, type Runtime } from '../../e2e/support/runtimes.js';
import { lingeringUser, type LingeringUser } from './support.js';

const inGuest = process.env.OCIRUN_GUEST === '1';
const MiB = 1024 * 1024;
const IMAGE = 'localhost/ocirun-busybox:sd';
/** Forks until the kernel refuses: the shell dies of the refusal (exit 2); then the scope's count. */
const FORK_LOOP = '( i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done ); echo loop=$?; read c < /sys/fs/cgroup/pids.current; echo current=$c';

let lingering: LingeringUser;
let user: TestUser;
let sessionEnv: NodeJS.ProcessEnv;
let podmanEnv: NodeJS.ProcessEnv;
let managerDir: string;

const show = (what: string, r: Result): string => `${what}: exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const read = (path: string): string => readFileSync(path, 'utf8').trim();
const bundle = (change: (c: Spec) => void): string => lingering.bundle(change);

/** argv as the user, in a new scope of the user's systemd (moving processes between cgroups needs a common ancestor the user owns). */
function inScope(argv: string[], env: NodeJS.ProcessEnv = sessionEnv): Promise<Result> {
  return user.runAsync(['systemd-run', '--user', '--scope', '--quiet', '--', ...argv], { env, timeoutMs: 300_000 });
}

/** argv as the user with the session's environment, from this test's cgroup. */
function asUser(argv: string[], env: NodeJS.ProcessEnv = sessionEnv): Promise<Result> {
  return user.runAsync(argv, { env, timeoutMs: 300_000 });
}

/** `systemctl --user show` of the user's manager, as a map. */
async function userUnitProps(unit: string, props: readonly string[]): Promise<Record<string, string>> {
  const r = await asUser(['systemctl', '--user', 'show', unit, '-p', props.join(',')]);
  if (r.status !== 0) throw new Error(show(`systemctl --user show ${unit}`, r));
  return Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** The user's units matching a pattern, loaded in any state. */
async function userUnits(pattern: string): Promise<string> {
  const r = await asUser(['systemctl', '--user', 'list-units', '--all', '--no-legend', '--plain', pattern]);
  if (r.status !== 0) throw new Error(show('systemctl --user list-units', r));
  return r.stdout.trim();
}

const podman = (args: string[]): Promise<Result> => inScope(['podman', ...args], podmanEnv);
const runcPath = (): string | undefined => runtimes().find((rt) => rt.name === 'runc')?.path;

describe.skipIf(!inGuest)('rootless --systemd-cgroup: scopes of the user\'s own systemd manager', () => {
  const scenario = scenarioRunner(runtimes(), 900_000);

  beforeAll(async () => {
    lingering = await lingeringUser('s');
    ({ user, sessionEnv, managerDir } = lingering);
    const setup = await asUser(['bash', join(REPO, 'test/e2e/setup-podman.sh'), join(user.dir, 'podman'), 'systemd']);
    if (setup.status !== 0) throw new Error(show('setup-podman.sh', setup));
    podmanEnv = { ...sessionEnv };
    for (const [, key, value] of setup.stdout.matchAll(/(\w+)='([^']*)'/g)) podmanEnv[key as string] = value;
    const imported = await inScope(['bash', '-o', 'pipefail', '-c', 'tar -C "$1" --exclude=./.built-from -c . | podman import -q - "$2"', '_', user.rootfs, IMAGE], podmanEnv);
    if (imported.status !== 0) throw new Error(show('podman import', imported));
  }, 900_000);

  afterAll(async () => {
    if (!lingering) return;
    if (podmanEnv) {
      await podman(['rm', '--all', '--force', '--time', '0']);
      await podman(['system', 'reset', '--force']);
    }
    lingering.remove();
  }, 900_000);

  it('the user manager is delegated memory and pids', () => {
    const controllers = read(join(managerDir, 'cgroup.controllers')).split(' ');
    console.log(`user@${user.uid}.service is delegated: ${controllers.join(' ')}`);
    expect(controllers).toContain('memory');
    expect(controllers).toContain('pids');
  });

  scenario('run as the user: the scope under user@UID.service/user.slice, limits read back and enforced, gone at delete', async (rt) => {
    const id = `rsd-${rt.name}-${process.pid}`;
    const unit = `${rt.name}-${id}.scope`;
    const b = bundle((c) => {
      if (c.linux) c.linux.resources = { memory: { limit: 64 * MiB }, pids: { limit: 20 } };
      if (c.process) c.process.args = ['sleep', '300'];
    });
    const r = await inScope([rt.path, '--systemd-cgroup', 'run', '--detach', '--bundle', b, id]);
    expect(r.status, show('run --detach', r)).toBe(0);
    try {
      const dir = join(managerDir, 'user.slice', unit);
      expect(await userUnitProps(unit, ['ActiveState', 'Delegate', 'Slice', 'ControlGroup', 'MemoryMax', 'TasksMax'])).toEqual({
        ActiveState: 'active',
        Delegate: 'yes',
        Slice: 'user.slice',
        ControlGroup: dir.slice('/sys/fs/cgroup'.length),
        MemoryMax: String(64 * MiB),
        TasksMax: '20',
      });
      expect(read(join(dir, 'memory.max'))).toBe(String(64 * MiB));
      expect(read(join(dir, 'pids.max'))).toBe('20');
      const e = await inScope([rt.path, 'exec', id, 'sh', '-c', FORK_LOOP]);
      expect(e.stdout, show('exec fork loop', e)).toMatch(/^loop=2\ncurrent=(1\d|20)\n$/);
      expect(e.stderr).toMatch(/can't fork/);
    } finally {
      const d = await asUser([rt.path, 'delete', '--force', id]);
      expect(d.status, show('delete --force', d)).toBe(0);
    }
    expect(await userUnits(unit)).toBe('');
    expect(existsSync(join(managerDir, 'user.slice', unit))).toBe(false);
  });

  scenario('rootless podman, cgroup_manager = "systemd": run -d --memory 64m --pids-limit 32, limits read back from the scope and enforced', async (rt: Runtime) => {
    const name = `rsdp-${rt.name}-${process.pid}`;
    // setup-podman.sh's default ulimits exceed the hard limits a user manager's processes get here.
    const ulimits = ['--ulimit', 'nproc=1024:1024', '--ulimit', 'nofile=1024:1024'];
    const started = await podman(['--runtime', rt.path, 'run', '-d', '--name', name, ...ulimits, '--memory', '64m', '--pids-limit', '32', IMAGE, 'sleep', '300']);
    expect(started.status, show('podman run -d', started)).toBe(0);
    const cid = started.stdout.trim().split('\n').pop() ?? '';
    const unit = `libpod-${cid}.scope`;
    try {
      const props = await userUnitProps(unit, ['ActiveState', 'Delegate', 'ControlGroup', 'MemoryMax', 'TasksMax']);
      expect(props, JSON.stringify(props)).toMatchObject({ ActiveState: 'active', Delegate: 'yes', MemoryMax: String(64 * MiB), TasksMax: '32' });
      const cgroup = props.ControlGroup ?? '';
      expect(cgroup.startsWith(`/user.slice/user-${user.uid}.slice/user@${user.uid}.service/`), cgroup).toBe(true);
      expect(read(`/sys/fs/cgroup${cgroup}/memory.max`)).toBe(String(64 * MiB));
      expect(read(`/sys/fs/cgroup${cgroup}/pids.max`)).toBe('32');
      const e = await podman(['exec', name, 'sh', '-c', FORK_LOOP]);
      expect(e.stdout, show('podman exec fork loop', e)).toMatch(/^loop=2\ncurrent=(2\d|3[0-2])\n$/);
    } finally {
      const rm = await podman(['rm', '--force', '--time', '0', name]);
      expect(rm.status, show('podman rm', rm)).toBe(0);
    }
    expect(await userUnits(unit)).toBe('');
  });

  it('without a user bus: a one-line error naming what is missing, nothing left', async () => {
    const id = `rsd-nobus-${process.pid}`;
    // The test user's private XDG_RUNTIME_DIR: no bus socket there, and no DBUS_SESSION_BUS_ADDRESS.
    const b = bundle((c) => {
      if (c.process) c.process.args = ['true'];
    });
    const r = await asUser([OCIRUN, '--systemd-cgroup', 'run', '--bundle', b, id], { XDG_RUNTIME_DIR: user.runtimeDir });
    expect(r.status, show('run', r)).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--systemd-cgroup: a rootless caller needs its user's D-Bus session bus, but DBUS_SESSION_BUS_ADDRESS is not set, and there is no .*\/bus/);
    expect(existsSync(join(user.runtimeDir, 'ocirun', id))).toBe(false);
    expect(await userUnits(`ocirun-${id}.scope`)).toBe('');
    // The reference refuses too, on its way to the bus.
    const runc = runcPath();
    if (runc) {
      const rr = await asUser([runc, '--systemd-cgroup', 'run', '--bundle', b, `${id}-runc`], { XDG_RUNTIME_DIR: user.runtimeDir });
      expect(rr.status, show('runc run', rr)).not.toBe(0);
      expect(rr.stderr, show('runc run', rr)).toMatch(/dbus/i);
      console.log(`runc without a user bus: exit ${rr.status}: ${rr.stderr.trim()}`);
    }
  });

  it('a limit whose controller the user manager was not delegated: a one-line error naming the field, no unit, nothing left', async () => {
    const delegated = new Set(read(join(managerDir, 'cgroup.controllers')).split(' '));
    const asks: Array<[string, string, (c: Spec) => void]> = [
      ['cpuset', 'linux.resources.cpu.cpus', (c) => (c.linux ? (c.linux.resources = { cpu: { cpus: '0' } }) : undefined)],
      ['io', 'linux.resources.blockIO.weight', (c) => (c.linux ? (c.linux.resources = { blockIO: { weight: 100 } }) : undefined)],
    ];
    const ask = asks.find(([controller]) => !delegated.has(controller));
    expect(ask, `the user manager is delegated ${[...delegated].join(' ')}`).toBeDefined();
    const [controller, field, change] = ask as [string, string, (c: Spec) => void];
    const id = `rsd-undel-${process.pid}`;
    const b = bundle((c) => {
      change(c);
      if (c.process) c.process.args = ['true'];
    });
    const r = await inScope([OCIRUN, '--systemd-cgroup', 'run', '--bundle', b, id]);
    expect(r.status, show('run', r)).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // The message is runc's logrus line: its quotes come escaped.
    expect(r.stderr).toMatch(new RegExp(`${field.replace(/\./g, '\\.')}: the user's systemd manager does not delegate the \\\\?"${controller}\\\\?" controller`));
    expect(existsSync(join(`/run/user/${user.uid}`, 'ocirun', id))).toBe(false);
    expect(await userUnits(`ocirun-${id}.scope`)).toBe('');
    expect(existsSync(join(managerDir, 'user.slice', `ocirun-${id}.scope`))).toBe(false);
    // runc, for the closing note's list of differences: what it does with the same config.
    const runc = runcPath();
    if (runc) {
      const rr = await inScope([runc, '--systemd-cgroup', 'run', '--bundle', b, `${id}-runc`]);
      await asUser([runc, 'delete', '--force', `${id}-runc`]);
      const left = await userUnits(`runc-${id}-runc.scope`);
      console.log(`runc with ${field} on an undelegated ${controller}: exit ${rr.status}: ${rr.stderr.trim()}; its unit afterwards: ${left || 'none'}`);
    }
  });
});
