// tmpcopyup (podman's --tmpfs and --read-only): the tmpfs starts with the covered directory's content.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('tmpcopyup');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function withTmpfsOnEtc(options: string[], args: string[]): Spec {
  const spec = baseSpec(args);
  spec.mounts = [...(spec.mounts ?? []), { destination: '/etc', type: 'tmpfs', source: 'tmpfs', options }];
  return spec;
}

describe('tmpcopyup', () => {
  it('copies files, modes and symlinks of the covered directory into a writable tmpfs', () => {
    const spec = withTmpfsOnEtc(['nosuid', 'nodev', 'tmpcopyup'], [
      'sh', '-c', 'head -1 /etc/passwd; stat -c "%a %U" /etc/passwd; touch /etc/new && echo writable; grep " /etc " /proc/mounts | cut -d" " -f3',
    ]);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['root:x:0:0:root:/root:/bin/sh', '644 root', 'writable', 'tmpfs', '']);
  });

  it('a read-only tmpfs still gets the copy', () => {
    const spec = withTmpfsOnEtc(['ro', 'tmpcopyup'], ['sh', '-c', 'cat /etc/hostname; touch /etc/x 2>/dev/null || echo read-only']);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('ocirun-rootfs\nread-only\n');
  });

  it('is refused by name on a mount that is not tmpfs', () => {
    const spec = baseSpec();
    spec.mounts = [...(spec.mounts ?? []), { destination: '/mnt', type: 'bind', source: '/tmp', options: ['rbind', 'tmpcopyup'] }];
    const r = sb.run(['create', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status).toBe(1);
  });
});
