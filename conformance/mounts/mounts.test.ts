// config.md "Mounts", config-linux.md "Default Devices", "Masked Paths", "Readonly Paths" and
// root.readonly: each effect is checked from inside the container.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Mount, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('mounts');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function withArgs(spec: Spec, script: string): Spec {
  return { ...spec, process: { ...spec.process, args: ['sh', '-c', script] } as Spec['process'] };
}

function inside(script: string, spec = baseSpec(), extra: string[] = []): string {
  const r = sb.run(['run', '--bundle', sb.bundle(withArgs(spec, script)), ...extra, uniqueId()]);
  if (r.status !== 0) throw new Error(`run exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function withMounts(extra: Mount[], spec = baseSpec()): Spec {
  return { ...spec, mounts: [...(spec.mounts ?? []), ...extra] };
}

/** "<mount point> <fs type> <options>" for every mount, from /proc/self/mountinfo. */
function mountTable(out: string): Map<string, { type: string; opts: string; super: string; optional: string }> {
  const table = new Map<string, { type: string; opts: string; super: string; optional: string }>();
  for (const line of out.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const f = line.slice(0, sep).split(' ');
    const [type = '', , superOpts = ''] = line.slice(sep + 3).split(' ');
    table.set(f[4] ?? '', { type, opts: f[5] ?? '', super: superOpts, optional: f.slice(6).join(' ') });
  }
  return table;
}

describe('the default mounts of runc spec', () => {
  it('are all there, with their types and options', () => {
    const mounts = mountTable(inside('cat /proc/self/mountinfo'));
    expect(mounts.get('/')?.opts).toMatch(/^ro\b/);
    expect(mounts.get('/proc')?.type).toBe('proc');
    expect(mounts.get('/dev')).toMatchObject({ type: 'tmpfs' });
    expect(mounts.get('/dev')?.opts).toMatch(/nosuid/);
    expect(mounts.get('/dev')?.super).toMatch(/size=65536k,mode=755/);
    expect(mounts.get('/dev/pts')?.type).toBe('devpts');
    expect(mounts.get('/dev/pts')?.super).toMatch(/mode=620,ptmxmode=666/);
    expect(mounts.get('/dev/shm')?.opts).toMatch(/nosuid,nodev,noexec/);
    expect(mounts.get('/dev/mqueue')?.type).toBe('mqueue');
    expect(mounts.get('/sys')).toMatchObject({ type: 'sysfs' });
    expect(mounts.get('/sys')?.opts).toMatch(/^ro,nosuid,nodev,noexec/);
    expect(mounts.get('/sys/fs/cgroup')?.opts).toMatch(/^ro/);
    expect(mounts.get('/tmp')?.opts).toMatch(/^rw,nosuid,nodev/);
    // Nothing of the host's tree is left over after pivot_root.
    expect([...mounts.keys()].filter((m) => m.startsWith('/work') || m === '/run' || m === '/home')).toEqual([]);
  });

  it('tmpfs data options reach the filesystem (mode=1777)', () => {
    expect(inside('stat -c %a /tmp /dev/shm /dev')).toBe('1777\n1777\n755\n');
  });
});

describe('root.readonly', () => {
  it('true: the root cannot be written, the tmpfs mounts can', () => {
    const out = inside('touch /newfile 2>&1; echo rc=$?; touch /tmp/ok && echo tmp-ok');
    expect(out).toMatch(/Read-only file system/);
    expect(out).toMatch(/rc=1\ntmp-ok/);
  });

  it('false: the root is writable', () => {
    const rootfs = sb.rootfsCopy();
    const spec = baseSpec();
    spec.root = { path: rootfs, readonly: false };
    expect(inside('touch /newfile && echo ok', spec)).toBe('ok\n');
    expect(existsSync(join(rootfs, 'newfile'))).toBe(true);
  });
});

describe('bind mounts', () => {
  it('rw and ro binds of a host directory, and of a single file', () => {
    const host = join(sb.dir, uniqueId('hostdir'));
    mkdirSync(host);
    writeFileSync(join(host, 'file'), 'from host\n');
    const spec = withMounts([
      { destination: '/tmp/rw', type: 'bind', source: host, options: ['rbind', 'rw'] },
      { destination: '/tmp/ro', type: 'bind', source: host, options: ['bind', 'ro', 'nosuid'] },
      { destination: '/tmp/one-file', type: 'none', source: join(host, 'file'), options: ['bind', 'ro'] },
    ]);
    const out = inside('cat /tmp/ro/file /tmp/one-file; echo written > /tmp/rw/new && echo rw-ok; echo x > /tmp/ro/other 2>/dev/null || echo ro-refused; grep -E " /tmp/(ro|rw|one-file) " /proc/self/mountinfo', spec);
    expect(out).toMatch(/^from host\nfrom host\nrw-ok\nro-refused\n/);
    expect(readFileSync(join(host, 'new'), 'utf8')).toBe('written\n');
    const mounts = mountTable(out);
    expect(mounts.get('/tmp/ro')?.opts).toMatch(/^ro,nosuid/);
    expect(mounts.get('/tmp/rw')?.opts).toMatch(/^rw/);
    expect(mounts.get('/tmp/one-file')?.opts).toMatch(/^ro/);
  });

  it('rro makes every submount of an rbind read-only; plain ro only the top one', () => {
    const spec = withMounts([
      { destination: '/tmp/rro', type: 'bind', source: '/sys', options: ['rbind', 'rro'] },
      { destination: '/tmp/ro', type: 'bind', source: '/sys', options: ['rbind', 'ro'] },
    ]);
    const mounts = mountTable(inside('cat /proc/self/mountinfo', spec));
    const below = (top: string) => [...mounts.entries()].filter(([point]) => point.startsWith(`${top}/fs/cgroup/`));
    expect(mounts.get('/tmp/rro')?.opts).toMatch(/^ro/);
    expect(mounts.get('/tmp/ro')?.opts).toMatch(/^ro/);
    expect(below('/tmp/rro').length).toBeGreaterThan(0);
    for (const [point, m] of below('/tmp/rro')) expect(m.opts, point).toMatch(/^ro/);
    // The host mounts its cgroup hierarchies rw: without rro they stay so under the ro bind.
    expect(below('/tmp/ro').some(([, m]) => m.opts.startsWith('rw'))).toBe(true);
  });

  it('a relative source is relative to the bundle', () => {
    const bundleName = uniqueId('b');
    const bundle = join(sb.dir, bundleName);
    mkdirSync(join(bundle, 'data'), { recursive: true });
    writeFileSync(join(bundle, 'data', 'f'), 'bundle data\n');
    const spec = withArgs(withMounts([{ destination: '/tmp/data', type: 'bind', source: 'data', options: ['bind'] }]), 'cat /tmp/data/f');
    const r = sb.run(['run', '--bundle', sb.bundle(spec, bundleName), uniqueId()]);
    expect(r).toMatchObject({ status: 0, stdout: 'bundle data\n' });
  });

  it('propagation options: rshared shows as a shared peer group', () => {
    const host = join(sb.dir, uniqueId('prop'));
    mkdirSync(host);
    const spec = withMounts([{ destination: '/tmp/p', type: 'bind', source: host, options: ['rbind', 'rshared'] }, { destination: '/tmp/q', type: 'bind', source: host, options: ['rbind', 'rprivate'] }]);
    const mounts = mountTable(inside('cat /proc/self/mountinfo', spec));
    expect(mounts.get('/tmp/p')?.optional).toMatch(/shared:\d+/);
    expect(mounts.get('/tmp/q')?.optional).not.toMatch(/shared:|master:/);
  });

  it('a destination reached through a symlink pointing out of the rootfs stays inside it', () => {
    const rootfs = sb.rootfsCopy();
    // /escape -> ../../.. would lead to the host's / if followed from the host.
    symlinkSync('../../../../../../../tmp', join(rootfs, 'escape'));
    const spec = withMounts([{ destination: '/escape/marker-dir', type: 'tmpfs', source: 'tmpfs' }]);
    spec.root = { path: rootfs, readonly: false };
    const marker = '/tmp/marker-dir';
    const before = existsSync(marker);
    // Resolved as if the rootfs were /: the mount lands on the container's own /tmp/marker-dir.
    expect(inside('grep -c " /tmp/marker-dir " /proc/self/mountinfo', spec)).toBe('1\n');
    expect(existsSync(marker)).toBe(before);
  });
});

describe('masked and readonly paths', () => {
  it('masked files read as /dev/null, masked directories are empty, readonly paths refuse writes', () => {
    const out = inside([
      'wc -c < /proc/timer_list',
      'ls /sys/firmware | wc -l',
      'echo 1 > /proc/sys/vm/overcommit_memory 2>/dev/null && echo sys-written || echo sys-refused',
      'echo 1 > /proc/sysrq-trigger 2>/dev/null && echo sysrq-written || echo sysrq-refused',
      'grep -E " /proc/(sys|timer_list) | /sys/firmware " /proc/self/mountinfo',
    ].join('; '));
    const lines = out.split('\n');
    expect(lines.slice(0, 4).map((l) => l.trim())).toEqual(['0', '0', 'sys-refused', 'sysrq-refused']);
    const mounts = mountTable(out);
    expect(mounts.get('/proc/sys')?.opts).toMatch(/^ro/);
    expect(mounts.get('/sys/firmware')?.type).toBe('tmpfs');
    expect(mounts.get('/proc/timer_list')).toBeDefined();
  });

  it('a masked or readonly path that does not exist is skipped', () => {
    const spec = baseSpec();
    spec.linux = { ...spec.linux, maskedPaths: ['/proc/does-not-exist'], readonlyPaths: ['/proc/nor-this'] };
    expect(inside('echo ok', spec)).toBe('ok\n');
  });
});

describe('/dev (config-linux.md "Default Devices")', () => {
  it('has the default devices, symlinks and ptmx', () => {
    const out = inside('for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done; for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; head -c 4 /dev/zero | wc -c');
    expect(out.split('\n')).toEqual([
      '/dev/null character special file 1:3 666',
      '/dev/zero character special file 1:5 666',
      '/dev/full character special file 1:7 666',
      '/dev/random character special file 1:8 666',
      '/dev/urandom character special file 1:9 666',
      '/dev/tty character special file 5:0 666',
      'fd -> /proc/self/fd',
      'stdin -> /proc/self/fd/0',
      'stdout -> /proc/self/fd/1',
      'stderr -> /proc/self/fd/2',
      'ptmx -> pts/ptmx',
      '4',
      '',
    ]);
  });

  it('linux.devices adds nodes with their mode and owner', () => {
    const spec = baseSpec();
    spec.linux = { ...spec.linux, devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o640, uid: 1, gid: 2 }, { path: '/dev/sub/mypipe', type: 'p' }] };
    spec.linux.resources = { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }] };
    expect(inside('stat -c "%n %F %t:%T %a %u:%g" /dev/fuse /dev/sub/mypipe', spec)).toBe('/dev/fuse character special file a:e5 640 1:2\n/dev/sub/mypipe fifo 0:0 666 0:0\n');
  });

  it('without a /dev mount the devices are still supplied', () => {
    const rootfs = sb.rootfsCopy();
    const spec = baseSpec();
    spec.root = { path: rootfs, readonly: false };
    spec.mounts = spec.mounts?.filter((m) => !m.destination.startsWith('/dev'));
    expect(inside('stat -c "%n %t:%T" /dev/null /dev/urandom', spec)).toBe('/dev/null 1:3\n/dev/urandom 1:9\n');
  });
});

describe('--no-pivot', () => {
  it('chroots into the rootfs instead of pivot_root, with the same view', () => {
    expect(inside('cat /etc/hostname >/dev/null && ls / | grep -c proc', baseSpec(), ['--no-pivot'])).toBe('1\n');
  });
});
