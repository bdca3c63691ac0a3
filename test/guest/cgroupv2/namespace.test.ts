// The container's view of cgroup v2 and the cgroups it makes itself: inside its cgroup namespace
// the container's cgroup is the root ("0::/") with its own limits at /sys/fs/cgroup; a container
// that moves its init into a child cgroup and enables controllers (as systemd in a container
// does) can still be exec'd into (the exec joins the init's cgroup, as runc does, where the
// container's own cgroup refuses processes with EBUSY); delete removes the nested cgroups too.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { leftoversOf, Sandbox, uniqueId, waitFor } from '../../support/ocirun.js';
import { cgroupDir, MiB, Runc, withResources } from './support.js';

const sb = new Sandbox('guest-v2-namespace');
const runc = new Runc(sb.dir);
afterEach(() => {
  runc.cleanup();
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => sb.destroy());

/** The spec with /sys/fs/cgroup mounted read-write (the container manages its own subtree). */
function writableCgroup(spec: Spec): Spec {
  spec.mounts = spec.mounts?.map((m) => (m.type === 'cgroup' ? { ...m, options: (m.options ?? []).map((o) => (o === 'ro' ? 'rw' : o)) } : m));
  return spec;
}

describe('the cgroup namespace view', () => {
  it('the container sees its own cgroup as the root, with its limits, and nothing of the host', () => {
    const probe = ['sh', '-c', 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; ls /sys/fs/cgroup | grep -c slice; echo x > /sys/fs/cgroup/pids.max || echo read-only'];
    const r = sb.run(['run', '--bundle', sb.bundle(withResources({ memory: { limit: 64 * MiB }, pids: { limit: 30 } }, probe)), uniqueId()]);
    expect(r.stdout).toBe(`0::/\n${64 * MiB}\n30\n0\nread-only\n`);
  });

  it('matches runc: the same probe prints the same under both', () => {
    const probe = ['sh', '-c', 'cat /proc/self/cgroup; ls /sys/fs/cgroup | sort | tr "\\n" " "'];
    const spec = withResources({ pids: { limit: 30 } }, probe);
    const ours = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]).stdout;
    const theirs = runcRunOutput(sb.bundle(spec));
    expect(ours).toBe(theirs);
  });

  it('without a cgroup namespace, /proc/self/cgroup shows the container\'s path from the root', () => {
    const spec = withResources({}, ['cat', '/proc/self/cgroup']);
    spec.linux = { ...spec.linux, namespaces: spec.linux?.namespaces?.filter((n) => n.type !== 'cgroup') };
    const id = uniqueId();
    const r = sb.run(['run', '--bundle', sb.bundle(spec), id]);
    expect(r.stdout).toMatch(new RegExp(`^0::/.*/${id}\\n$`));
  });
});

/** runc run of a bundle, foreground, its stdout. */
function runcRunOutput(bundle: string): string {
  const out = join(sb.dir, `${uniqueId('out')}`);
  const r = runc.run(['run', '--bundle', bundle, uniqueId('runc')], out);
  if (r.status !== 0) throw new Error(`runc run: ${r.stderr}`);
  return readFileSync(out, 'utf8');
}

describe('a container that nests cgroups', () => {
  const nest = [
    'sh', '-c',
    'mkdir /sys/fs/cgroup/init /sys/fs/cgroup/init/nested && echo $$ > /sys/fs/cgroup/init/cgroup.procs && ' +
      'echo +pids +memory > /sys/fs/cgroup/cgroup.subtree_control && echo nested > /tmp/ready; exec sleep 1000',
  ];

  it('exec joins the init\'s cgroup where the container\'s own refuses processes, as runc', async () => {
    const id = sb.create(writableCgroup(withResources({ pids: { limit: 100 } }, nest)));
    sb.ok(['start', id]);
    const pid = sb.state(id).pid;
    expect(await waitFor(() => existsSync(`/proc/${pid}/root/tmp/ready`), 60_000, 100)).toBe(true);
    const dir = join(cgroupDir(pid), '..');
    expect(readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8')).toMatch(/pids/);
    expect(sb.ok(['exec', id, 'cat', '/proc/self/cgroup'])).toBe('0::/init\n');
    // The exec'd process counts against the container's limits all the same.
    expect(sb.ok(['exec', id, 'cat', '/sys/fs/cgroup/pids.max'])).toBe('100\n');
  });

  it('delete removes the container\'s cgroup with every cgroup the container made below it', async () => {
    const id = sb.create(writableCgroup(withResources({}, nest)));
    sb.ok(['start', id]);
    const pid = sb.state(id).pid;
    expect(await waitFor(() => existsSync(`/proc/${pid}/root/tmp/ready`), 60_000, 100)).toBe(true);
    const dir = join(cgroupDir(pid), '..');
    expect(existsSync(join(dir, 'init/nested'))).toBe(true);
    sb.ok(['kill', id, 'KILL']);
    expect(await waitFor(() => sb.state(id).status === 'stopped', 60_000, 100)).toBe(true);
    sb.ok(['delete', id]);
    expect(existsSync(dir)).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });
});
