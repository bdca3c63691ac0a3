// A config without "mount" in linux.namespaces shares the runtime's mount namespace (runc and
// crun run it): the init chroots into the rootfs and changes nothing in the host's mount table;
// the fields that would need mounts are refused (README "What works").
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NamespaceType, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('nomntns');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const FILES = ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup', 'user', 'time'];

function nsOf(pid: number | 'self', file: string): string {
  return readlinkSync(`/proc/${pid}/ns/${file}`);
}

/** baseSpec without what needs a mount namespace, on a private rootfs copy with a marker file. */
function sharedMountSpec(namespaces: NamespaceType[], args: string[]): Spec {
  const rootfs = sb.rootfsCopy();
  writeFileSync(join(rootfs, 'marker'), 'in the rootfs\n');
  const s = baseSpec(args);
  delete s.hostname;
  s.root = { path: rootfs };
  s.mounts = [];
  s.linux = { namespaces: namespaces.map((type) => ({ type })) };
  return s;
}

/** Mounts of the host under this sandbox (other tests on the machine mount elsewhere meanwhile). */
function hostMountsHere(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(sb.dir));
}

describe('no mount namespace in the config', () => {
  it('every namespace left out is the caller\'s; the process runs in the rootfs; the host\'s mounts are untouched', () => {
    const id = sb.create(sharedMountSpec([], ['sleep', '100']));
    const pid = sb.state(id).pid;
    for (const file of FILES) expect(nsOf(pid, file), file).toBe(nsOf('self', file));
    expect(readlinkSync(`/proc/${pid}/root`)).toBe(sb.state(id)['rootfs']);
    expect(hostMountsHere()).toEqual([]);
    expect(sb.ok(['exec', id, 'cat', '/marker'])).toBe('in the rootfs\n');
  });

  it('with the others new: only the mount namespace is the caller\'s', () => {
    const fresh: NamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'cgroup'];
    const r = sb.run(['run', '--bundle', sb.bundle(sharedMountSpec(fresh, ['sh', '-c', 'echo $$; cat /marker'])), uniqueId()]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\nin the rootfs\n');
    const id = sb.create(sharedMountSpec(fresh, ['sleep', '100']));
    const pid = sb.state(id).pid;
    expect(nsOf(pid, 'mnt')).toBe(nsOf('self', 'mnt'));
    for (const file of ['pid', 'net', 'ipc', 'uts', 'cgroup']) expect(nsOf(pid, file), file).not.toBe(nsOf('self', file));
  });

  it('refuses a mount with a one-line error naming the field, and leaves nothing', () => {
    const spec = sharedMountSpec(['pid'], ['true']);
    spec.mounts = [{ destination: '/proc', type: 'proc', source: 'proc' }];
    expect(sb.refusedCreate(spec)).toMatch(/mounts: requires a private mount namespace/);
    expect(hostMountsHere()).toEqual([]);
  });
});
