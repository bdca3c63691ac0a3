// config-linux.md "rootfsPropagation": each value, with pivot_root and with --no-pivot, gives the
// container's "/" the propagation the spec describes. The rootfs is a shared bind mount on the
// host, so "slave" has a master to receive from and the others must cut that tie.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RootfsPropagation, Spec } from '../../src/spec/types.js';
import { baseSpec, ROOTFS, Sandbox } from '../../test/support/ocirun.js';

const sb = new Sandbox('rootprop');
let rootfs = '';
const hostMounts: string[] = [];

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
}

beforeAll(() => {
  // Not sb.rootfsCopy(): that one goes at the first cleanup, this one outlives every test.
  rootfs = join(sb.dir, 'rootfs');
  sh('cp', ['-a', ROOTFS, rootfs]);
  for (const d of ['mnt/host', 'mnt/peer', 'opt']) mkdirSync(join(rootfs, d), { recursive: true });
  sh('mount', ['--bind', rootfs, rootfs]);
  hostMounts.push(rootfs);
  sh('mount', ['--make-shared', rootfs]);
});

afterEach(() => {
  expect(sb.cleanup()).toEqual([]);
  while (hostMounts.length > 1) sh('umount', [hostMounts.pop() as string]);
});

afterAll(() => {
  for (const m of hostMounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(rootfs, { recursive: true, force: true });
  sb.destroy();
});

function spec(value: RootfsPropagation): Spec {
  const s = baseSpec(['sleep', '600']);
  s.root = { path: rootfs, readonly: false };
  s.mounts = [{ destination: '/proc', type: 'proc', source: 'proc' }];
  const caps = ['CAP_SYS_ADMIN'];
  s.process = { ...s.process, capabilities: { bounding: caps, effective: caps, permitted: caps } } as Spec['process'];
  s.linux = { ...s.linux, rootfsPropagation: value, maskedPaths: [], readonlyPaths: [] };
  return s;
}

/** The optional fields (shared:N, master:N, unbindable) of the container's "/" in its init's mountinfo. */
function rootOptional(pid: number): string {
  const line = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === '/');
  if (!line) throw new Error('no "/" in the init\'s mountinfo');
  return line.slice(0, line.indexOf(' - ')).split(' ').slice(6).join(' ');
}

/** Mounts a tmpfs under the rootfs on the host: does the container see it? */
function hostMountReachesContainer(pid: number): boolean {
  const target = join(rootfs, 'mnt/host');
  sh('mount', ['-t', 'tmpfs', 'prop-test', target]);
  hostMounts.push(target);
  writeFileSync(join(target, 'marker'), '');
  return existsSync(`/proc/${pid}/root/mnt/host/marker`);
}

/** Inside: binds "/" at /mnt/peer, mounts a tmpfs on /opt: does it show under the bind too? */
function containerMountReachesPeer(id: string): string {
  const r = sb.run(['exec', id, 'sh', '-c', 'mount --bind / /mnt/peer || exit 3; mount -t tmpfs t /opt; grep -c " /mnt/peer/opt " /proc/self/mountinfo']);
  return `${r.status}:${r.stdout.trim()}`;
}

describe.each([[[]], [['--no-pivot']]])('linux.rootfsPropagation %j', (extra: string[]) => {
  it('shared: a new peer group, no longer the host\'s; a bind of "/" inside receives mounts made under "/"', () => {
    const id = sb.create(spec('shared'), extra);
    const pid = sb.state(id).pid;
    expect(rootOptional(pid)).toMatch(/^shared:\d+$/);
    expect(hostMountReachesContainer(pid)).toBe(false);
    expect(containerMountReachesPeer(id)).toBe('0:1');
  });

  it('slave: receives mounts made on the host, sends nothing back', () => {
    const id = sb.create(spec('slave'), extra);
    const pid = sb.state(id).pid;
    expect(rootOptional(pid)).toMatch(/^master:\d+$/);
    expect(hostMountReachesContainer(pid)).toBe(true);
    expect(containerMountReachesPeer(id)).toBe('1:0');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${rootfs}/mnt/peer `);
  });

  it('private: neither receives from the host nor propagates to a bind of itself', () => {
    const id = sb.create(spec('private'), extra);
    const pid = sb.state(id).pid;
    expect(rootOptional(pid)).toBe('');
    expect(hostMountReachesContainer(pid)).toBe(false);
    expect(containerMountReachesPeer(id)).toBe('1:0');
  });

  it('unbindable: private, and "/" cannot be bind-mounted', () => {
    const id = sb.create(spec('unbindable'), extra);
    const pid = sb.state(id).pid;
    expect(rootOptional(pid)).toBe('unbindable');
    expect(hostMountReachesContainer(pid)).toBe(false);
    expect(containerMountReachesPeer(id)).toBe('3:');
  });
});
