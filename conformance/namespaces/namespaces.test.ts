// config-linux.md "Namespaces": a namespace in the config is new (or joined by path); one absent
// from it is shared with the runtime. Checked from the host through /proc/<pid>/ns and from inside.
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxNamespace, NamespaceType, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('namespaces');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const PROC_NAME: Record<string, string> = { pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', cgroup: 'cgroup', user: 'user', time: 'time' };

function nsOf(pid: number | 'self', type: string): string {
  return readlinkSync(`/proc/${pid}/ns/${PROC_NAME[type]}`);
}

function withNamespaces(spec: Spec, namespaces: LinuxNamespace[]): Spec {
  return { ...spec, linux: { ...spec.linux, namespaces } };
}

/** Runs `script` in a fresh container and returns its stdout (the container inherits run's stdio). */
function inside(script: string, spec = baseSpec()): string {
  const r = sb.run(['run', '--bundle', sb.bundle({ ...spec, process: { ...spec.process, args: ['sh', '-c', script] } as Spec['process'] }), uniqueId()]);
  if (r.status !== 0) throw new Error(`run exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe('new namespaces', () => {
  it('every configured namespace is new; pid, uts, net, cgroup look right from inside', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const pid = sb.state(id).pid;
    for (const type of ['pid', 'network', 'mount', 'ipc', 'uts', 'cgroup']) {
      expect(nsOf(pid, type), type).not.toBe(nsOf('self', type));
    }
    // Not in the config: shared with the host.
    expect(nsOf(pid, 'user')).toBe(nsOf('self', 'user'));
    expect(nsOf(pid, 'time')).toBe(nsOf('self', 'time'));

    const out = inside('echo pid=$$; hostname; ls /sys/class/net; cat /proc/self/cgroup; grep -c . /proc/net/dev').split('\n');
    expect(out[0]).toBe('pid=1');
    expect(out[1]).toBe('ocirun');
    expect(out[2]).toBe('lo');
    // cgroup namespace: the container's cgroup is the root of every hierarchy.
    const cgroupLines = out.slice(3, -2);
    expect(cgroupLines.length).toBeGreaterThan(0);
    for (const line of cgroupLines) expect(line, line).toMatch(/:\/$/);
    // Header (2 lines) + lo.
    expect(out.at(-2)).toBe('3');
  });

  it('a namespace left out of the config is the host\'s', () => {
    const keep: NamespaceType[] = ['pid', 'mount'];
    const spec = withNamespaces(baseSpec(['sleep', '100']), keep.map((type) => ({ type })));
    delete spec.hostname;
    const id = sb.create(spec);
    const pid = sb.state(id).pid;
    for (const type of ['network', 'ipc', 'uts', 'cgroup']) expect(nsOf(pid, type), type).toBe(nsOf('self', type));
    for (const type of keep) expect(nsOf(pid, type), type).not.toBe(nsOf('self', type));
  });

  it('domainname is set in the new uts namespace', () => {
    expect(inside('cat /proc/sys/kernel/domainname', { ...baseSpec(), domainname: 'example.org' })).toBe('example.org\n');
  });
});

describe('joining namespaces by path', () => {
  it('a second container joins the first one\'s network, ipc and uts namespaces', () => {
    const first = sb.create(baseSpec(['sleep', '100']));
    const pid = sb.state(first).pid;
    const spec = withNamespaces(baseSpec(['sleep', '100']), [
      { type: 'pid' }, { type: 'mount' },
      { type: 'network', path: `/proc/${pid}/ns/net` },
      { type: 'ipc', path: `/proc/${pid}/ns/ipc` },
      { type: 'uts', path: `/proc/${pid}/ns/uts` },
    ]);
    delete spec.hostname;
    const second = sb.create(spec);
    const pid2 = sb.state(second).pid;
    for (const type of ['network', 'ipc', 'uts']) expect(nsOf(pid2, type), type).toBe(nsOf(pid, type));
    expect(nsOf(pid2, 'pid')).not.toBe(nsOf(pid, 'pid'));
    expect(nsOf(pid2, 'mount')).not.toBe(nsOf(pid, 'mount'));
  });

  it('a pod-style container joins uts and network by path and still sets hostname and net sysctls (as runc allows)', () => {
    const first = sb.create(baseSpec(['sleep', '100']));
    const pid = sb.state(first).pid;
    const spec = withNamespaces(baseSpec(), [
      { type: 'pid' }, { type: 'mount' }, { type: 'ipc' },
      { type: 'network', path: `/proc/${pid}/ns/net` },
      { type: 'uts', path: `/proc/${pid}/ns/uts` },
    ]);
    spec.hostname = 'pod-host';
    spec.linux = { ...spec.linux, sysctl: { 'net.ipv4.ip_forward': '1' } };
    expect(inside('hostname; cat /proc/sys/net/ipv4/ip_forward', spec)).toBe('pod-host\n1\n');
  });

  it('joining the pid namespace of a running container makes the process visible there', () => {
    const first = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', first]);
    const pid = sb.state(first).pid;
    const spec = withNamespaces(baseSpec(), [{ type: 'mount' }, { type: 'pid', path: `/proc/${pid}/ns/pid` }]);
    delete spec.hostname;
    const out = inside('echo $$; cat /proc/1/cmdline | tr "\\0" " "', spec).split('\n');
    expect(Number(out[0])).toBeGreaterThan(1);
    expect(out[1]).toBe('sleep 100 ');
  });
});

describe('user namespace (config-linux.md "User namespace mappings")', () => {
  it('the parent writes uid_map and gid_map; the process is root inside', () => {
    const spec = withNamespaces(baseSpec(), [...(baseSpec().linux?.namespaces ?? []), { type: 'user' }]);
    spec.linux = { ...spec.linux, uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }] };
    const out = inside('id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; ls /sys/fs/cgroup | grep -c .', spec).split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
    expect(out.slice(0, 4)).toEqual(['0', '0', '0 100000 65536', '0 200000 65536']);
    // sysfs and cgroupfs mounts work from inside the user namespace too.
    expect(Number(out[4])).toBeGreaterThan(0);
  });

  it('the bounding set is the config\'s, not the new namespace\'s full set (host lacks CAP_SYS_RESOURCE)', () => {
    const spec = withNamespaces(baseSpec(), [...(baseSpec().linux?.namespaces ?? []), { type: 'user' }]);
    spec.linux = { ...spec.linux, uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
    // CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE: baseSpec's set, exactly as runc gives it.
    expect(inside('grep CapBnd /proc/self/status', spec).trim()).toBe('CapBnd:\t0000000020000420');
  });
});

describe('time namespace (config-linux.md "timeOffsets")', () => {
  it('boottime offset moves /proc/uptime', () => {
    const spec = withNamespaces(baseSpec(), [...(baseSpec().linux?.namespaces ?? []), { type: 'time' }]);
    spec.linux = { ...spec.linux, timeOffsets: { boottime: { secs: 864000, nanosecs: 0 } } };
    const uptime = Number(inside('cat /proc/uptime', spec).split(' ')[0]);
    const hostUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    expect(uptime).toBeGreaterThan(hostUptime + 864000 - 60);
  });

  it('monotonic offset, seconds and nanoseconds, is the namespace\'s', () => {
    const spec = withNamespaces(baseSpec(), [...(baseSpec().linux?.namespaces ?? []), { type: 'time' }]);
    spec.linux = { ...spec.linux, timeOffsets: { monotonic: { secs: 3600, nanosecs: 500 } } };
    // The kernel's own record of the namespace's offsets, read from inside it.
    expect(inside('cat /proc/self/timens_offsets', spec).split('\n').map((l) => l.trim().split(/\s+/))).toContainEqual(['monotonic', '3600', '500']);
  });
});
