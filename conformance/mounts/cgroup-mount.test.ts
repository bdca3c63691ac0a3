// A "cgroup" mount (config.md "Mounts", type cgroup at /sys/fs/cgroup) shows the container its
// own cgroups: each hierarchy's container directory is bound there (runc does so without a cgroup
// namespace; a fresh mount would show the host's root, its limits and every other cgroup). With
// a new cgroup namespace, which the init makes after its mounts, the binds read exactly as fresh
// mounts rooted at the container's cgroup.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { detectHierarchies } from '../../src/cgroups/detect.js';
import { cgroupLayout } from '../../src/init/cgroup-layout.js';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';

const sb = new Sandbox('cgroup-mount');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const hierarchies = detectHierarchies();
const v1Host = cgroupLayout(hierarchies).version === 1;
const MEMORY = 64 * 1024 * 1024;
const PIDS = 77;

function spec(script: string, opts: { cgroupns: boolean; ro?: boolean }): Spec {
  const base = baseSpec(['sh', '-c', script]);
  const mounts = (base.mounts ?? []).map((m) =>
    m.type === 'cgroup' && opts.ro === false ? { ...m, options: (m.options ?? []).filter((o) => o !== 'ro') } : m);
  const namespaces = (base.linux?.namespaces ?? []).filter((n) => opts.cgroupns || n.type !== 'cgroup');
  return {
    ...base,
    mounts,
    linux: { ...base.linux, namespaces, resources: { ...base.linux?.resources, memory: { limit: MEMORY }, pids: { limit: PIDS } } },
  };
}

function inside(script: string, opts: { cgroupns: boolean; ro?: boolean }): string {
  const r = sb.run(['run', '--bundle', sb.bundle(spec(script, opts)), uniqueId()]);
  if (r.status !== 0) throw new Error(`run exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** mountinfo lines below /sys/fs/cgroup, keyed by the directory name: the mount's root and options. */
function cgroupMounts(mountinfo: string): Map<string, { root: string; opts: string }> {
  const found = new Map<string, { root: string; opts: string }>();
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const point = f[4] ?? '';
    if (point.startsWith('/sys/fs/cgroup/')) found.set(point.slice('/sys/fs/cgroup/'.length), { root: f[3] ?? '', opts: f[5] ?? '' });
  }
  return found;
}

/** The process's cgroup in the hierarchy of `controller`, from /proc/self/cgroup. */
function cgroupPath(procCgroup: string, controller: string): string | undefined {
  return procCgroup.split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller))?.split(':')[2];
}

/** Output sections of a script, split at "--" lines. */
function sections(out: string): string[] {
  return out.split('--\n').map((s) => s.trim());
}

const READ = [
  'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; echo --',
  'find /sys/fs/cgroup/memory -mindepth 1 -type d; echo --',
  'cat /proc/self/cgroup; echo --',
  'cat /proc/self/mountinfo',
].join('\n');

describe.runIf(v1Host)('cgroup mount without a cgroup namespace (v1 host)', () => {
  it('each hierarchy is the container own cgroup: its limits, none of the host cgroups', () => {
    const hostSubdirs = readdirSync('/sys/fs/cgroup/memory', { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(hostSubdirs.length).toBeGreaterThan(0);
    const [limits, subdirs, procCgroup, mountinfo] = sections(inside(READ, { cgroupns: false }));
    expect(limits?.split('\n')).toEqual([String(MEMORY), String(PIDS)]);
    expect(subdirs).toBe('');
    const mounts = cgroupMounts(mountinfo ?? '');
    for (const controller of ['memory', 'pids']) {
      const own = cgroupPath(procCgroup ?? '', controller);
      expect(own).toMatch(/^\/./);
      expect(mounts.get(controller)?.root).toBe(own);
    }
  });

  it('the binds are read-only when the mount says ro, writable when not', () => {
    const script = 'grep " /sys/fs/cgroup/" /proc/self/mountinfo; echo --; echo 50 > /sys/fs/cgroup/pids/pids.max; cat /sys/fs/cgroup/pids/pids.max';
    const [ro, roWrite] = sections(inside(`{ ${script}; } 2>&1`, { cgroupns: false }));
    const roMounts = [...cgroupMounts(ro ?? '').values()];
    expect(roMounts.length).toBeGreaterThan(1);
    for (const m of roMounts) expect(m.opts).toMatch(/^ro,nosuid,nodev,noexec\b/);
    expect(roWrite).toMatch(/Read-only file system/);
    expect(roWrite).toMatch(new RegExp(`^${PIDS}$`, 'm'));

    const [rw, rwWrite] = sections(inside(script, { cgroupns: false, ro: false }));
    for (const m of cgroupMounts(rw ?? '').values()) expect(m.opts).toMatch(/^rw,nosuid,nodev,noexec\b/);
    expect(rwWrite).toBe('50');
  });

  /** The hierarchy id of `controller` in /proc/cgroups: 0 when no hierarchy has it. */
  const hierarchyOf = (controller: string): string | undefined =>
    readFileSync('/proc/cgroups', 'utf8').split('\n').find((l) => l.startsWith(`${controller}\t`))?.split('\t')[1];

  /**
   * The kernel keeps an unmounted v1 hierarchy while it still had a (dying) cgroup at the last
   * unmount: mount and unmount it again until it is gone, so the host ends as it began.
   */
  async function releaseNetHierarchy(dir: string): Promise<void> {
    const cycle = `mount -t tmpfs tmpfs "${dir}" && mkdir "${dir}/h" && mount -t cgroup -o net_cls,net_prio cgroup "${dir}/h" && umount "${dir}/h"`;
    await waitFor(() => {
      spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', cycle]);
      return hierarchyOf('net_cls') === '0';
    }, 10_000, 100);
  }

  it('co-mounted controllers are one directory with a link per controller', async (ctx) => {
    // This host mounts every controller alone: co-mount net_cls and net_prio in a private mount
    // namespace, where the runtime runs, and leave the host's mounts untouched.
    const wasFree = hierarchyOf('net_cls') === '0' && hierarchyOf('net_prio') === '0';
    const dir = join(sb.dir, uniqueId('hier'));
    mkdirSync(dir);
    const id = uniqueId();
    const bundle = sb.bundle(spec('ls -l /sys/fs/cgroup; echo --; ls /sys/fs/cgroup/net_cls/', { cgroupns: false }));
    const setup = `mount -t tmpfs tmpfs "${dir}" && mkdir "${dir}/net_cls,net_prio" && mount -t cgroup -o net_cls,net_prio cgroup "${dir}/net_cls,net_prio"`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${setup} || exit 99; exec "$0" "$@"`,
      OCIRUN, '--root', sb.root, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 99) ctx.skip();
    if (wasFree) await releaseNetHierarchy(dir);
    expect(r.status, r.stderr).toBe(0);
    const [listing, comounted] = sections(r.stdout);
    expect(listing).toMatch(/net_cls -> net_cls,net_prio/);
    expect(listing).toMatch(/net_prio -> net_cls,net_prio/);
    expect(listing).toMatch(/^d.* net_cls,net_prio$/m);
    expect(comounted).toMatch(/net_cls\.classid/);
    expect(comounted).toMatch(/net_prio\.ifpriomap/);
  });
});

describe.runIf(v1Host)('cgroup mount with a cgroup namespace (v1 host)', () => {
  it('hierarchies rooted at the container cgroup: its limits, no sub-cgroups, paths from /', () => {
    const [limits, subdirs, procCgroup, mountinfo] = sections(inside(READ, { cgroupns: true }));
    expect(limits?.split('\n')).toEqual([String(MEMORY), String(PIDS)]);
    expect(subdirs).toBe('');
    expect(cgroupPath(procCgroup ?? '', 'memory')).toBe('/');
    const mounts = cgroupMounts(mountinfo ?? '');
    expect(mounts.get('memory')?.root).toBe('/');
    for (const m of mounts.values()) expect(m.opts).toMatch(/^ro,/);
  });
});

/** The host's cgroup2 hierarchy, mounted alone at /sys/fs/cgroup in a private mount namespace. */
const unified = hierarchies.unified !== undefined;

describe.runIf(unified)('cgroup mount on a cgroup v2 host (the host cgroup2 hierarchy alone, in a private mount namespace)', () => {
  const V2_READ = ['cat /proc/self/cgroup; echo --', 'cat /sys/fs/cgroup/cgroup.procs; echo --', 'grep " /sys/fs/cgroup " /proc/self/mountinfo'].join('\n');

  /** Runs the container where ocirun sees a pure v2 host; returns its output sections. */
  function insideV2(cgroupns: boolean): { id: string; out: string[] } {
    const id = uniqueId();
    const base = baseSpec(['sh', '-c', V2_READ]);
    const namespaces = (base.linux?.namespaces ?? []).filter((n) => cgroupns || n.type !== 'cgroup');
    const bundle = sb.bundle({ ...base, linux: { ...base.linux, namespaces } });
    const setup = 'mount --make-rprivate / && umount -R /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup';
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `${setup} || exit 99; exec "$0" "$@"`, OCIRUN, '--root', sb.root, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    return { id, out: sections(r.stdout) };
  }

  it('with a cgroup namespace: the container cgroup at /, its own processes, a cgroup2 mount rooted at /', () => {
    const { out } = insideV2(true);
    // The kernel still lists the v1 hierarchies, mounted or not: the cgroup2 line is the one.
    expect(cgroupPath(out[0] ?? '', '')).toBe('/');
    expect(out[1]?.split('\n')).toContain('1');
    expect(out[2]).toMatch(/^\S+ \S+ \S+ \/ \/sys\/fs\/cgroup .* - cgroup2 /);
  });

  it('without one: the container directory bound at /sys/fs/cgroup, not the host root', () => {
    const { id, out } = insideV2(false);
    expect(cgroupPath(out[0] ?? '', '')).toMatch(new RegExp(`^/(.+/)?${id}$`));
    expect(out[1]?.split('\n')).toContain('1');
    expect(out[2]).toMatch(new RegExp(`^\\S+ \\S+ \\S+ /(.+/)?${id} /sys/fs/cgroup `));
  });
});
