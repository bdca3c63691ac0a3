// Paths from config.json and from the rootfs must never lead outside the rootfs or --root:
// mount destinations through symlinks (CVE-2021-30465 family), ".." in destinations and device
// paths, container ids with path separators. Each test uses its own copy of the rootfs under the
// sandbox, plants the trap there, and checks the host side is untouched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Mount, Spec } from '../../src/spec/types.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('security-paths');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/** A host directory with one file, to see whether anything changed it. */
function hostTarget(): string {
  const dir = join(sb.dir, uniqueId('host'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'marker'), 'host\n');
  return dir;
}

function hostUntouched(dir: string): void {
  expect(readdirSync(dir)).toEqual(['marker']);
  expect(readFileSync(join(dir, 'marker'), 'utf8')).toBe('host\n');
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
}

function specWith(rootfs: string, script: string, mounts: Mount[]): Spec {
  const spec = baseSpec(['sh', '-c', script]);
  spec.root = { path: rootfs, readonly: false };
  spec.mounts = [...(spec.mounts ?? []), ...mounts];
  return spec;
}

const payload = (): string => {
  const dir = join(sb.dir, uniqueId('payload'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'payload'), 'payload\n');
  return dir;
};

describe('mount destinations through symlinks land inside the rootfs (CVE-2021-30465 family)', () => {
  it('a destination whose parent is a symlink to "/"', () => {
    const rootfs = sb.rootfsCopy();
    symlinkSync('/', join(rootfs, 'to-root'));
    const src = payload();
    const spec = specWith(rootfs, 'cat /srv/landed/payload', [{ destination: '/to-root/srv/landed', type: 'bind', source: src, options: ['rbind'] }]);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('payload\n');
    expect(existsSync('/srv/landed')).toBe(false);
  });

  it('a destination whose parent is a relative symlink climbing out ("../../../..")', () => {
    const rootfs = sb.rootfsCopy();
    const host = hostTarget();
    // From <rootfs>/a, enough ".." to reach the host "/", then down to the host target.
    symlinkSync(`${'../'.repeat(12)}${host.slice(1)}`, join(rootfs, 'a'));
    const spec = specWith(rootfs, `ls ${host}`, [{ destination: '/a/pwned', type: 'tmpfs', source: 'tmpfs' }]);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    // The climb stops at the rootfs: the mount is made at <rootfs><host>/pwned, or refused.
    if (r.status === 0) expect(r.stdout.trim()).toBe('pwned');
    else expect(r.stderr).toMatch(/\/a\/pwned/);
    hostUntouched(host);
  });

  it('a destination that is itself an absolute symlink to a host directory', () => {
    const rootfs = sb.rootfsCopy();
    const host = hostTarget();
    mkdirSync(join(rootfs, host), { recursive: true });
    symlinkSync(host, join(rootfs, 'evil'));
    const spec = specWith(rootfs, `cat ${host}/payload`, [{ destination: '/evil', type: 'bind', source: payload(), options: ['rbind'] }]);
    // The host target lives under /tmp: keep the rootfs's own /tmp so the copy of the path exists.
    spec.mounts = spec.mounts?.filter((m) => m.destination !== '/tmp');
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('payload\n');
    hostUntouched(host);
  });

  it('a dangling symlink to a host path is refused with an error naming the destination', () => {
    const rootfs = sb.rootfsCopy();
    const host = hostTarget();
    symlinkSync(join(host, 'missing'), join(rootfs, 'dangling'));
    const id = uniqueId();
    const spec = specWith(rootfs, 'true', [{ destination: '/dangling/x', type: 'tmpfs', source: 'tmpfs' }]);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/dangling/x');
    hostUntouched(host);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });

  it('a file bind whose destination is a symlink to a host file replaces nothing on the host', () => {
    const rootfs = sb.rootfsCopy();
    const host = hostTarget();
    symlinkSync(join(host, 'marker'), join(rootfs, 'etc', 'evil-file'));
    const spec = specWith(rootfs, `cat ${host}/marker`, [{ destination: '/etc/evil-file', type: 'bind', source: join(payload(), 'payload'), options: ['bind'] }]);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    if (r.status === 0) expect(r.stdout).toBe('payload\n');
    hostUntouched(host);
  });

  it('".." in a destination is clamped at the rootfs', () => {
    const rootfs = sb.rootfsCopy();
    const name = uniqueId('dotdot');
    const spec = specWith(rootfs, `grep -c " /${name} " /proc/self/mountinfo`, [{ destination: `/../../../../../../../${name}`, type: 'tmpfs', source: 'tmpfs' }]);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('1');
    expect(existsSync(`/${name}`)).toBe(false);
    expect(existsSync(join(dirname(rootfs), name))).toBe(false);
  });

  it('".." in a device path is clamped at the rootfs', () => {
    const rootfs = sb.rootfsCopy();
    const name = uniqueId('devnull');
    const spec = specWith(rootfs, `ls -l /${name}`, []);
    if (spec.linux) spec.linux.devices = [{ path: `/dev/../../../../../../${name}`, type: 'c', major: 1, minor: 3, fileMode: 0o666 }];
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^c/);
    expect(existsSync(`/${name}`)).toBe(false);
    expect(existsSync(join(dirname(rootfs), name))).toBe(false);
  });
});

describe('root.path', () => {
  it('a relative root.path is resolved against the bundle, not the caller’s cwd', () => {
    const rootfs = sb.rootfsCopy();
    const bundleDir = join(sb.dir, uniqueId('bundle'));
    mkdirSync(bundleDir);
    const spec = specWith(relative(bundleDir, rootfs), 'true', []);
    const id = uniqueId();
    sb.ok(['create', '--bundle', sb.bundle(spec, relative(sb.dir, bundleDir)), id], { cwd: '/' });
    expect(sb.state(id)['rootfs']).toBe(rootfs);
  });

  it('a root.path that does not exist is an error naming it', () => {
    const spec = baseSpec(['true']);
    spec.root = { path: join(sb.dir, 'no-such-rootfs') };
    const r = sb.run(['create', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no-such-rootfs/);
  });
});

describe('container ids never name a path outside --root', () => {
  /** Not through sb.run: the sandbox would try to force-delete the invalid id afterwards. */
  function rawRun(args: string[]): { status: number | null; stderr: string } {
    const r = spawnSync(OCIRUN, ['--root', sb.root, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
    return { status: r.status, stderr: r.stderr };
  }

  const bad = ['..', '.', '../escape', 'a/b', '/abs', 'x/../../escape', 'with space', '.hidden/../..'];
  it.each(bad)('id %j is refused by create, and nothing is made', (id) => {
    const before = readdirSync(sb.dir).sort();
    const bundle = sb.bundle(baseSpec(['true']));
    const r = rawRun(['create', '--bundle', bundle, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/container id/);
    expect(readdirSync(sb.dir).filter((e) => !before.includes(e) && join(sb.dir, e) !== bundle && e !== 'state')).toEqual([]);
    expect(existsSync(sb.root) ? readdirSync(sb.root) : []).toEqual([]);
    expect(existsSync(join(dirname(sb.root), 'escape'))).toBe(false);
  });

  it('an empty id is refused', () => {
    const r = rawRun(['create', '--bundle', sb.bundle(baseSpec(['true'])), '']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/container id cannot be empty/);
  });

  it.each(['state', 'delete', 'kill', 'start', 'pause', 'resume', 'ps', 'events'])('%s ../<dir> does not act on a directory outside --root', (cmd) => {
    // A directory that looks like a container state dir, next to --root.
    const outside = join(sb.dir, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'state.json'), '{}');
    const r = rawRun([cmd, '../outside']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/container id|does not exist|unknown command/);
    expect(readdirSync(outside)).toEqual(['state.json']);
    expect(readFileSync(join(outside, 'state.json'), 'utf8')).toBe('{}');
  });
});
