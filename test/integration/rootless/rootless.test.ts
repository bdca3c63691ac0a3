// Rootless ocirun on this host (cgroup v1 or hybrid): a throw-away unprivileged user runs
// containers from `ocirun spec --rootless` configs, with runc 1.1 as the reference where it has
// the feature. Every error path must give one line, exit 1 and leave nothing: no state dir, no
// cgroup, no process of the user.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectHierarchies } from '../../../src/cgroups/detect.js';
import type { Spec } from '../../../src/spec/types.js';
import { OCIRUN, type Result } from '../../support/ocirun.js';
import { makeTestUser, processesOf, type TestUser } from '../../support/test-user.js';

const isRoot = process.getuid?.() === 0;
const hasRunc = spawnSync('runc', ['--version']).status === 0;
const hierarchies = detectHierarchies();
const v1 = hierarchies.mode !== 'v2';

let user: TestUser;
let baseConfig: Spec;
let n = 0;
const ids: string[] = [];
const cgroupDirs: string[] = [];

function id(tag: string): string {
  n += 1;
  const value = `rl-${tag}-${process.pid}-${n}`;
  ids.push(value);
  return value;
}

function oc(args: string[], env?: NodeJS.ProcessEnv): Result {
  return user.run([OCIRUN, ...args], env ? { env } : {});
}

function runc(args: string[]): Result {
  return user.run(['runc', '--root', join(user.dir, 'runc-state'), ...args]);
}

/** A bundle owned by the user, from its `spec --rootless` config with `change` applied. */
function bundle(name: string, change: (c: Spec) => void = () => undefined): string {
  const dir = join(user.dir, 'bundles', name);
  mkdirSync(dir, { recursive: true });
  const config = structuredClone(baseConfig);
  config.root = { path: user.rootfs, readonly: true };
  change(config);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  chownSync(dir, user.uid, user.gid);
  chownSync(join(dir, 'config.json'), user.uid, user.gid);
  return dir;
}

function args(c: Spec, argv: string[]): void {
  if (c.process) c.process.args = argv;
}

const stateRoot = (): string => join(user.runtimeDir, 'ocirun');

function expectOneLineError(r: Result, pattern: RegExp): void {
  expect(r.status).toBe(1);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('level=warning'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** Nothing of the container may be left: state dir, cgroup dir in any hierarchy, processes. */
function expectNothingLeft(containerId: string): void {
  expect(existsSync(join(stateRoot(), containerId))).toBe(false);
  for (const m of [...hierarchies.v1.values(), ...(hierarchies.unified ? [hierarchies.unified] : [])]) {
    expect(existsSync(join(m.mountpoint, containerId))).toBe(false);
  }
  expect(processesOf(user.uid)).toEqual([]);
}

describe.skipIf(!isRoot)('rootless ocirun as an unprivileged user', () => {
  beforeAll(() => {
    user = makeTestUser('d');
    const specDir = join(user.dir, 'spec');
    mkdirSync(specDir);
    chownSync(specDir, user.uid, user.gid);
    const r = user.run([OCIRUN, 'spec', '--rootless'], { cwd: specDir });
    expect(r.status, r.stderr).toBe(0);
    baseConfig = JSON.parse(readFileSync(join(specDir, 'config.json'), 'utf8')) as Spec;
    if (baseConfig.process) {
      baseConfig.process.terminal = false;
      // runc's spec lists ambient capabilities it cannot raise; the warning is not under test.
      delete baseConfig.process.capabilities?.ambient;
    }
  }, 120_000);

  afterEach(() => {
    for (const c of ids.splice(0)) {
      oc(['delete', '--force', c]);
      runc(['delete', '--force', c]);
    }
  });

  afterAll(() => {
    for (const dir of cgroupDirs) spawnSync('rmdir', [dir]);
    user?.remove();
  });

  it('spec --rootless is runc\'s rootless config: own ids mapped to 0, no network namespace, /sys bound', () => {
    const linux = baseConfig.linux;
    expect(linux?.uidMappings).toEqual([{ containerID: 0, hostID: user.uid, size: 1 }]);
    expect(linux?.gidMappings).toEqual([{ containerID: 0, hostID: user.gid, size: 1 }]);
    expect(linux?.namespaces?.map((ns) => ns.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'user']);
    expect(baseConfig.mounts?.find((m) => m.destination === '/sys')).toEqual({ destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
    expect(linux?.resources).toBeUndefined();
  });

  it('create/start/state/exec/kill/delete: uid 0 inside, the user\'s uid on the host, state under $XDG_RUNTIME_DIR', () => {
    const c = id('life');
    const b = bundle('life', (s) => args(s, ['sleep', '300']));
    let r = oc(['create', '--bundle', b, c]);
    expect(r.status, r.stderr).toBe(0);
    const root = statSync(stateRoot());
    expect(root.uid).toBe(user.uid);
    expect(root.mode & 0o7777).toBe(0o1700);
    r = oc(['start', c]);
    expect(r.status, r.stderr).toBe(0);
    r = oc(['state', c]);
    expect(r.status, r.stderr).toBe(0);
    const state = JSON.parse(r.stdout) as { status: string; pid: number };
    expect(state.status).toBe('running');
    const hostUid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${state.pid}/status`, 'utf8'))?.[1];
    expect(Number(hostUid)).toBe(user.uid);
    r = oc(['exec', c, 'sh', '-c', 'id -u; id -g; cat /proc/self/setgroups; exit 7']);
    expect(r.status, r.stderr).toBe(7);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['0', '0', 'deny']);
    r = oc(['kill', c, 'KILL']);
    expect(r.status, r.stderr).toBe(0);
    for (let i = 0; i < 100 && JSON.parse(oc(['state', c]).stdout).status !== 'stopped'; i++) spawnSync('sleep', ['0.1']);
    r = oc(['delete', c]);
    expect(r.status, r.stderr).toBe(0);
    expectNothingLeft(c);
  }, 120_000);

  it.skipIf(!hasRunc)('run: output and exit code as runc gives them, devices bound from the host', () => {
    const b = bundle('run', (s) => args(s, ['sh', '-c', 'id; echo x > /dev/null && head -c 4 /dev/zero | wc -c; grep -c " /sys " /proc/self/mountinfo; exit 3']));
    const want = runc(['run', '--bundle', b, id('runc')]);
    const c = id('run');
    const got = oc(['run', '--bundle', b, c]);
    expect(want.status, want.stderr).toBe(3);
    expect(got.status, got.stderr).toBe(3);
    expect(got.stdout).toBe(want.stdout);
    expect(got.stdout).toMatch(/^uid=0\(root\) gid=0\(root\)/);
    expectNothingLeft(c);
  }, 120_000);

  it('a sysfs mount without a network namespace of its own: the host\'s /sys, read-only', () => {
    const c = id('sysfs');
    const b = bundle('sysfs', (s) => {
      s.mounts = (s.mounts ?? []).map((m) => (m.destination === '/sys' ? { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev'] } : m));
      args(s, ['sh', '-c', 'grep " /sys " /proc/self/mountinfo; touch /sys/x 2>&1; ls /sys/kernel >/dev/null && echo listed']);
    });
    const r = oc(['run', '--bundle', b, c]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ \/sys ro,nosuid,nodev,noexec\S* .*- sysfs /);
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toMatch(/listed/);
    expectNothingLeft(c);
  }, 120_000);

  it.skipIf(!hasRunc)('a network namespace of its own: lo is up, as runc sets it', () => {
    const b = bundle('netns', (s) => {
      s.linux?.namespaces?.push({ type: 'network' });
      args(s, ['cat', '/sys/class/net/lo/flags']);
    });
    const c = id('netns');
    const got = oc(['run', '--bundle', b, c]);
    const want = runc(['run', '--bundle', b, id('runc')]);
    expect(got.status, got.stderr).toBe(0);
    expect(want.status, want.stderr).toBe(0);
    expect(Number(got.stdout.trim()) & 0x1).toBe(1);
    expect(got.stdout).toBe(want.stdout);
    expectNothingLeft(c);
  }, 120_000);

  it('checkpoint and restore are refused in one line, naming CRIU\'s reason, before anything is done', () => {
    const c = id('criu');
    const b = bundle('criu', (s) => args(s, ['sleep', '300']));
    let r = oc(['run', '-d', '--bundle', b, c]);
    expect(r.status, r.stderr).toBe(0);
    const images = join(user.dir, 'images');
    expectOneLineError(oc(['checkpoint', '--image-path', images, c]), /checkpoint: rootless \(uid \d+\): CRIU checkpoints and restores only for root .*--unprivileged/);
    expect(existsSync(images)).toBe(false);
    r = oc(['state', c]);
    expect(JSON.parse(r.stdout).status).toBe('running');
    r = oc(['delete', '--force', c]);
    expect(r.status, r.stderr).toBe(0);
    expectOneLineError(oc(['restore', '--image-path', images, '--bundle', b, c]), /restore: rootless \(uid \d+\): CRIU checkpoints and restores only for root/);
    expectNothingLeft(c);
  }, 120_000);

  it('a config without a user namespace is refused in one line', () => {
    const c = id('nouserns');
    const b = bundle('nouserns', (s) => {
      if (!s.linux) return;
      s.linux.namespaces = (s.linux.namespaces ?? []).filter((ns) => ns.type !== 'user');
      delete s.linux.uidMappings;
      delete s.linux.gidMappings;
    });
    expectOneLineError(oc(['run', '--bundle', b, c]), /linux\.namespaces: an unprivileged caller \(uid \d+\) needs a user namespace/);
    expectNothingLeft(c);
  }, 60_000);

  it('supplementary groups where setgroups is denied: one line naming the field', () => {
    const c = id('groups');
    const b = bundle('groups', (s) => {
      if (s.process?.user) s.process.user.additionalGids = [5];
    });
    expectOneLineError(oc(['run', '--bundle', b, c]), /process\.user\.additionalGids: groups 5 cannot be set: setgroups is denied/);
    expectNothingLeft(c);
  }, 60_000);

  describe('more than the user\'s own ids (newuidmap/newgidmap)', () => {
    const wide = (s: Spec, start: number): void => {
      if (!s.linux) return;
      s.linux.uidMappings = [{ containerID: 0, hostID: user.uid, size: 1 }, { containerID: 1, hostID: start, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: user.gid, size: 1 }, { containerID: 1, hostID: start, size: 65536 }];
    };

    it('without a range in /etc/subuid: one line naming the user and the file, nothing left', () => {
      user.removeSubids();
      const c = id('nosub');
      const b = bundle('nosub', (s) => wide(s, user.subidStart));
      expectOneLineError(oc(['run', '--bundle', b, c]), new RegExp(`linux\\.uidMappings\\[1\\]: host uids ${user.subidStart}-${user.subidStart + 65535} are not given to ${user.name} \\(uid ${user.uid}\\) in /etc/subuid`));
      expectNothingLeft(c);
    }, 60_000);

    it('without newuidmap in PATH: one line naming the helper and its package, nothing left', () => {
      user.giveSubids();
      const onlyNode = join(user.dir, 'only-node');
      mkdirSync(onlyNode, { recursive: true });
      if (!existsSync(join(onlyNode, 'node'))) symlinkSync(process.execPath, join(onlyNode, 'node'));
      const c = id('nohelper');
      const b = bundle('nohelper', (s) => wide(s, user.subidStart));
      expectOneLineError(oc(['run', '--bundle', b, c], { PATH: onlyNode }), /linux\.uidMappings: mapping more than your own uid \(\d+\) needs newuidmap \(Debian and Ubuntu: package uidmap\), which is not in PATH/);
      expectNothingLeft(c);
    }, 60_000);

    it('with the range: both maps written by the helpers, a container uid 1 file owned by the range on the host', () => {
      user.giveSubids();
      const c = id('wide');
      const out = join(user.dir, 'out');
      mkdirSync(out, { recursive: true });
      spawnSync('chmod', ['0777', out]);
      const b = bundle('wide', (s) => {
        wide(s, user.subidStart);
        s.mounts = [...(s.mounts ?? []), { destination: '/out', type: 'bind', source: out, options: ['rbind'] }];
        if (s.process) s.process.user = { uid: 1, gid: 1 };
        args(s, ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; touch /out/by-uid-1']);
      });
      const r = oc(['run', '--bundle', b, c]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([
        `0 ${user.uid} 1`, `1 ${user.subidStart} 65536`, `0 ${user.gid} 1`, `1 ${user.subidStart} 65536`,
      ]);
      const st = statSync(join(out, 'by-uid-1'));
      expect([st.uid, st.gid]).toEqual([user.subidStart, user.subidStart]);
      rmSync(out, { recursive: true });
      expectNothingLeft(c);
    }, 120_000);
  });

  describe.skipIf(!v1)('cgroups on cgroup v1 (no delegation by default)', () => {
    it('no limits asked: the container runs without a cgroup of its own, as with runc', () => {
      const c = id('nocg');
      const b = bundle('nocg', (s) => args(s, ['true']));
      const r = oc(['run', '--bundle', b, c]);
      expect(r.status, r.stderr).toBe(0);
      expectNothingLeft(c);
    }, 60_000);

    it.skipIf(!hasRunc)('a limit asked without delegation: one line naming the field, nothing left; runc refuses too', () => {
      const b = bundle('limit', (s) => {
        if (s.linux) s.linux.resources = { pids: { limit: 10 } };
      });
      const cr = id('runc');
      expect(runc(['run', '--bundle', b, cr]).stderr).toMatch(/cannot set pids limit: container could not join or create cgroup/);
      const c = id('limit');
      expectOneLineError(oc(['run', '--bundle', b, c]), /linux\.resources\.pids\.limit: cannot set pids\.max: a rootless container gets no cgroup where it may not create one \(failed to create .*: permission denied\); limits need a cgroup delegated to this user/);
      expectNothingLeft(c);
    }, 60_000);

    it('a cgroupsPath the user may not create: one line naming the field, nothing left', () => {
      const c = id('cgpath');
      const b = bundle('cgpath', (s) => {
        if (s.linux) s.linux.cgroupsPath = `/${c}`;
      });
      expectOneLineError(oc(['run', '--bundle', b, c]), /linux\.cgroupsPath: failed to create .*: permission denied: a rootless caller needs this cgroup delegated to it/);
      expectNothingLeft(c);
    }, 60_000);

    it('a delegated cgroup (directories the user owns): limits applied, read back on the host, removed at delete', () => {
      const parent = `rl-deleg-${process.pid}`;
      // Delegation as systemd does it: the directory and its files belong to the user.
      for (const m of hierarchies.v1.values()) {
        const dir = join(m.mountpoint, parent);
        if (existsSync(dir)) continue;
        mkdirSync(dir);
        cgroupDirs.push(dir);
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          if (existsSync(join(dir, f))) writeFileSync(join(dir, f), readFileSync(join(m.mountpoint, f), 'utf8'));
        }
        spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
      }
      const c = id('deleg');
      const b = bundle('deleg', (s) => {
        if (!s.linux) return;
        s.linux.cgroupsPath = `/${parent}/${c}`;
        s.linux.resources = { pids: { limit: 10 }, memory: { limit: 64 * 1024 * 1024 } };
        args(s, ['sleep', '300']);
      });
      let r = oc(['create', '--bundle', b, c]);
      expect(r.status, r.stderr).toBe(0);
      const pids = join(hierarchies.v1.get('pids')?.mountpoint ?? '', parent, c);
      const memory = join(hierarchies.v1.get('memory')?.mountpoint ?? '', parent, c);
      expect(readFileSync(join(pids, 'pids.max'), 'utf8').trim()).toBe('10');
      expect(readFileSync(join(memory, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
      const pid = (JSON.parse(oc(['state', c]).stdout) as { pid: number }).pid;
      expect(readFileSync(join(pids, 'cgroup.procs'), 'utf8').trim().split('\n')).toContain(String(pid));
      r = oc(['delete', '--force', c]);
      expect(r.status, r.stderr).toBe(0);
      for (const m of hierarchies.v1.values()) expect(existsSync(join(m.mountpoint, parent, c)), m.mountpoint).toBe(false);
      expectNothingLeft(c);
    }, 120_000);
  });

  it('a state root another user could change is refused', () => {
    const shared = join(user.dir, 'shared-root');
    mkdirSync(shared, { mode: 0o777 });
    chownSync(shared, user.uid, user.gid);
    spawnSync('chmod', ['0777', shared]);
    expectOneLineError(oc(['--root', shared, 'list']), /--root .*: writable by group or others \(mode 0777\): another user could plant or change container state there/);
    const foreign = join(user.dir, 'foreign-root');
    mkdirSync(foreign, { mode: 0o755 });
    chownSync(foreign, 65534, 65534);
    expectOneLineError(oc(['--root', foreign, 'list']), /--root .*: owned by uid 65534, not by uid \d+ that runs ocirun/);
    expect(readdirSync(foreign)).toEqual([]);
  }, 60_000);

  it('without XDG_RUNTIME_DIR and --root: one line saying which to set', () => {
    expectOneLineError(oc(['list'], { XDG_RUNTIME_DIR: undefined }), /a non-root user keeps container state in \$XDG_RUNTIME_DIR\/ocirun, and XDG_RUNTIME_DIR is not set: set it or pass --root DIR/);
  }, 60_000);

  it('--rootless with a value that is not true, false or auto is refused', () => {
    expectOneLineError(oc(['--rootless', 'maybe', 'list']), /invalid --rootless \\?"maybe\\?": must be true, false or auto/);
  }, 60_000);
});
