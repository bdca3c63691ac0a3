// config.md "idmap"/"ridmap" and mounts[].uidMappings/gidMappings: owners seen through an
// idmapped bind mount from inside a user-namespaced container, on ext4 (the sandbox is on the
// root filesystem) and on tmpfs, and the owner a file written through it gets on disk.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Mount, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('idmap');
const hostMounts: string[] = [];
/** The container's user namespace: its root is host uid/gid 200000. */
const CONTAINER_MAP = [{ containerID: 0, hostID: 200000, size: 65536 }];
/** A mount mapping under which files of host uid 100000 belong to the container's root. */
const MOUNT_MAP = [{ containerID: 100000, hostID: 200000, size: 65536 }];

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A directory holding `file` owned by uid:gid, and a submount `sub` (a tmpfs) holding the same. */
function source(name: string, owner: number): string {
  const dir = join(sb.dir, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'file'), 'x');
  chownSync(join(dir, 'file'), owner, owner);
  chownSync(dir, owner, owner);
  sh('mount', ['-t', 'tmpfs', `idmap-${process.pid}`, join(dir, 'sub')]);
  hostMounts.push(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub/file'), 'x');
  chownSync(join(dir, 'sub/file'), owner, owner);
  chownSync(join(dir, 'sub'), owner, owner);
  return dir;
}

let ext4Src = '';
let ext4Root = '';
let tmpfsSrc = '';

beforeAll(() => {
  // The plain binds (the controls) are made from inside the user namespace: "other" must reach them.
  chmodSync(sb.dir, 0o755);
  ext4Src = source('ext4-src', 100000);
  ext4Root = source('ext4-root-owned', 0);
  // A tmpfs as the source itself, with its own tmpfs submount.
  const tmpfsDir = join(sb.dir, 'tmpfs-src');
  mkdirSync(tmpfsDir);
  sh('mount', ['-t', 'tmpfs', `idmap-${process.pid}`, tmpfsDir]);
  hostMounts.push(tmpfsDir);
  tmpfsSrc = source('tmpfs-src/inner', 100000);
  expect(sh('stat', ['-f', '-c', '%T', ext4Src]).trim()).toBe('ext2/ext3');
  expect(sh('stat', ['-f', '-c', '%T', tmpfsSrc]).trim()).toBe('tmpfs');
});

afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => {
  for (const m of hostMounts.reverse()) spawnSync('umount', ['-l', m]);
  sb.destroy();
});

function userSpec(script: string, mounts: Mount[]): Spec {
  const s = baseSpec(['sh', '-c', script]);
  s.mounts = [...(s.mounts ?? []), ...mounts];
  s.linux = { ...s.linux, namespaces: [...(s.linux?.namespaces ?? []), { type: 'user' }], uidMappings: CONTAINER_MAP, gidMappings: CONTAINER_MAP };
  return s;
}

function inside(script: string, mounts: Mount[]): string {
  const r = sb.run(['run', '--bundle', sb.bundle(userSpec(script, mounts)), uniqueId()]);
  if (r.status !== 0) throw new Error(`run exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const OWNERS = 'stat -c %u:%g /home/file /home/sub/file';

describe.each([['ext4', () => ext4Src], ['tmpfs', () => tmpfsSrc]])('idmapped bind mounts on %s', (_fs, src) => {
  it('the mount\'s own mapping: host uid 100000 is root inside; a plain bind shows nobody', () => {
    const mapped = inside(`${OWNERS}; touch /home/new`, [{ destination: '/home', type: 'bind', source: src(), options: ['rbind', 'ridmap'], uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP }]);
    expect(mapped).toBe('0:0\n0:0\n');
    // Written as the container's root, stored as the mapping's host id.
    expect(statSync(join(src(), 'new'))).toMatchObject({ uid: 100000, gid: 100000 });
    expect(inside(OWNERS, [{ destination: '/home', type: 'bind', source: src(), options: ['rbind'] }])).toBe('65534:65534\n65534:65534\n');
  });

  it('idmap is not recursive: the submount of an rbind keeps its owners, ridmap maps it too', () => {
    const mount = (word: string): Mount => ({ destination: '/home', type: 'bind', source: src(), options: ['rbind', word], uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP });
    expect(inside(OWNERS, [mount('idmap')])).toBe('0:0\n65534:65534\n');
    expect(inside(OWNERS, [mount('ridmap')])).toBe('0:0\n0:0\n');
  });
});

describe('idmap without mappings', () => {
  it('takes the container\'s mapping: files the host\'s root owns are the container root\'s', () => {
    expect(inside(OWNERS, [{ destination: '/home', type: 'bind', source: ext4Root, options: ['rbind', 'ridmap'] }])).toBe('0:0\n0:0\n');
    expect(inside(OWNERS, [{ destination: '/home', type: 'bind', source: ext4Root, options: ['rbind'] }])).toBe('65534:65534\n65534:65534\n');
  });
});

describe('idmap in a joined user namespace', () => {
  it('takes that namespace as the mapping', () => {
    const first = sb.create(userSpec('sleep 100', []));
    const userns = `/proc/${sb.state(first).pid}/ns/user`;
    const s = baseSpec(['sh', '-c', OWNERS]);
    s.mounts = [...(s.mounts ?? []), { destination: '/home', type: 'bind', source: ext4Root, options: ['rbind', 'ridmap'] }];
    s.linux = { ...s.linux, namespaces: [...(s.linux?.namespaces ?? []), { type: 'user', path: userns }] };
    const r = sb.run(['run', '--bundle', sb.bundle(s), uniqueId()]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0:0\n0:0\n');
  });
});

describe('errors', () => {

  it('idmap with no mapping and no user namespace', () => {
    const spec = baseSpec();
    spec.mounts = [...(spec.mounts ?? []), { destination: '/home', type: 'bind', source: ext4Root, options: ['bind', 'idmap'] }];
    expect(sb.refusedCreate(spec)).toMatch(/mounts\[8\]\.options: idmap: needs uidMappings and gidMappings on the mount, or a user namespace/);
  });

  it('a filesystem without idmapped mounts (procfs)', () => {
    const err = sb.refusedCreate(userSpec('true', [{ destination: '/home', type: 'bind', source: '/proc/sys', options: ['bind', 'idmap'] }]));
    expect(err).toMatch(/mounts\[8\]: the filesystem of \\?"\/proc\/sys\\?" does not support idmapped mounts/);
  });
});

describe('features', () => {
  it('reports idmapped mounts as implemented, and the option words', () => {
    const f = JSON.parse(sb.ok(['features'])) as { mountOptions: string[]; linux: { mountExtensions: { idmap: { enabled: boolean } } } };
    expect(f.linux.mountExtensions.idmap.enabled).toBe(true);
    expect(f.mountOptions).toEqual(expect.arrayContaining(['idmap', 'ridmap']));
  });
});
