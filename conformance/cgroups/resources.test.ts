// config-linux.md "Control groups": every resource this host supports is written to the
// container's cgroup and read back from the files of its init's cgroup; the ones it lacks fail
// `create` naming the field and the file, leaving nothing behind. Effects where cheap: a pids
// limit stops a fork loop, device rules apply in config order.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxResources, Spec } from '../../src/spec/types.js';
import { baseSpec, leftoversOf, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { cgroupHas, cgroupValue, hasV1, hierarchies, MiB } from './support.js';

const sb = new Sandbox('cgroups-resources');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function withResources(resources: LinuxResources, args?: string[]): Spec {
  const spec = baseSpec(args ?? ['sleep', '100']);
  spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, ...resources } };
  return spec;
}

/** Creates the container and returns its init's pid (the cgroup is set up by then). */
function createdPid(resources: LinuxResources): number {
  const id = sb.create(withResources(resources));
  return sb.state(id).pid;
}

/** A create that must fail: its error, and proof that nothing of it is left. */
function failedCreate(resources: LinuxResources): string {
  const id = uniqueId();
  const r = sb.run(['create', '--bundle', sb.bundle(withResources(resources)), id]);
  expect(r.status).toBe(1);
  expect(leftoversOf(id)).toEqual([]);
  expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  return r.stderr;
}

describe.skipIf(!hasV1('memory'))('memory (v1)', () => {
  it('sets limit, reservation, memory+swap and swappiness', () => {
    const pid = createdPid({ memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB, swappiness: 10 } });
    expect(cgroupValue(pid, 'memory', 'memory.limit_in_bytes')).toBe(String(64 * MiB));
    expect(cgroupValue(pid, 'memory', 'memory.soft_limit_in_bytes')).toBe(String(32 * MiB));
    if (cgroupHas(pid, 'memory', 'memory.memsw.limit_in_bytes')) {
      expect(cgroupValue(pid, 'memory', 'memory.memsw.limit_in_bytes')).toBe(String(96 * MiB));
    }
    expect(cgroupValue(pid, 'memory', 'memory.swappiness')).toBe('10');
  });

  it('disables the OOM killer when asked', () => {
    const pid = createdPid({ memory: { limit: 64 * MiB, disableOOMKiller: true } });
    expect(cgroupValue(pid, 'memory', 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m);
  });
});

describe.skipIf(!hasV1('cpu'))('cpu (v1)', () => {
  it('sets shares, quota and period', () => {
    const pid = createdPid({ cpu: { shares: 512, quota: 25000, period: 50000 } });
    expect(cgroupValue(pid, 'cpu', 'cpu.shares')).toBe('512');
    expect(cgroupValue(pid, 'cpu', 'cpu.cfs_quota_us')).toBe('25000');
    expect(cgroupValue(pid, 'cpu', 'cpu.cfs_period_us')).toBe('50000');
  });

  it.skipIf(!hasV1('cpuset'))('sets cpus and mems', () => {
    const pid = createdPid({ cpu: { cpus: '0', mems: '0' } });
    expect(cgroupValue(pid, 'cpuset', 'cpuset.cpus')).toBe('0');
    expect(cgroupValue(pid, 'cpuset', 'cpuset.mems')).toBe('0');
  });
});

describe.skipIf(!hasV1('pids'))('pids (v1)', () => {
  it('sets pids.max', () => {
    const pid = createdPid({ pids: { limit: 42 } });
    expect(cgroupValue(pid, 'pids', 'pids.max')).toBe('42');
  });

  it('limit 0 is a limit (runtime-spec 1.3): pids.max is 0 and the container\'s shell cannot fork', () => {
    const r = sb.run(['run', '--bundle', sb.bundle(withResources({ pids: { limit: 0 } }, ['sh', '-c', '/bin/true && echo forked'])), uniqueId()]);
    expect(r.stdout).not.toContain('forked');
    expect(r.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    expect(cgroupValue(createdPid({ pids: { limit: 0 } }), 'pids', 'pids.max')).toBe('0');
  });

  it('stops a fork loop at the limit, and the same loop runs to its end without one', () => {
    const loop = ['sh', '-c', 'i=0; while [ $i -lt 30 ]; do sleep 100 & i=$((i+1)); done; echo started-all'];
    const limited = sb.run(['run', '--bundle', sb.bundle(withResources({ pids: { limit: 10 } }, loop)), uniqueId()]);
    expect(limited.stdout).not.toContain('started-all');
    expect(limited.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
    const free = sb.run(['run', '--bundle', sb.bundle(withResources({}, loop)), uniqueId()]);
    expect(free.stdout).toContain('started-all');
  });
});

describe.skipIf(!hasV1('devices'))('devices (v1)', () => {
  // /dev/kmsg (c 1:11) is not in the default allow-list, so only these rules decide.
  const kmsg = { path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 };
  const probe = ['sh', '-c', 'head -c0 /dev/kmsg && echo read-ok; (echo x > /dev/kmsg) 2>/dev/null && echo write-ok || echo write-denied'];

  /** devices.list of a container created with the default deny-all and then `rules`. */
  function devicesList(rules: NonNullable<LinuxResources['devices']>): string[] {
    const spec = withResources({ devices: [{ allow: false, access: 'rwm' }, ...rules] });
    spec.linux = { ...spec.linux, devices: [kmsg] };
    const id = sb.create(spec);
    return cgroupValue(sb.state(id).pid, 'devices', 'devices.list').split('\n');
  }

  it('applies allow and deny rules in config order', () => {
    const narrowed = devicesList([
      { allow: true, type: 'c', major: 1, minor: 11, access: 'rw' },
      { allow: false, type: 'c', major: 1, minor: 11, access: 'w' },
    ]);
    expect(narrowed).toContain('c 1:11 r');
    const widened = devicesList([
      { allow: false, type: 'c', major: 1, minor: 11, access: 'w' },
      { allow: true, type: 'c', major: 1, minor: 11, access: 'rw' },
    ]);
    expect(widened).toContain('c 1:11 rw');
  });

  it('the kernel enforces them inside the container', () => {
    // Opening /dev/kmsg for writing needs no capability: only the device rules can refuse it.
    const probe = ['sh', '-c', '(: > /dev/kmsg) 2>/dev/null && echo write-ok || echo write-denied'];
    const runWith = (access: string): string => {
      const spec = withResources({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 11, access }] }, probe);
      spec.linux = { ...spec.linux, devices: [kmsg] };
      return sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]).stdout;
    };
    expect(runWith('r')).toContain('write-denied');
    expect(runWith('rw')).toContain('write-ok');
  });
});

const blkioMount = hierarchies.v1.get('blkio')?.mountpoint;

describe.skipIf(!blkioMount)('blockIO (v1)', () => {
  // The weight files exist only below the root, and only with CFQ (blkio.weight) or BFQ.
  it('sets the weight in blkio.weight or blkio.bfq.weight, or names both when the host has neither', () => {
    const id = uniqueId();
    const r = sb.run(['create', '--bundle', sb.bundle(withResources({ blockIO: { weight: 500 } })), id]);
    if (r.status !== 0) {
      expect(r.stderr).toMatch(/linux\.resources\.blockIO\.weight: this host has no blkio\.weight/);
      return;
    }
    const pid = sb.state(id).pid;
    const file = cgroupHas(pid, 'blkio', 'blkio.weight') ? 'blkio.weight' : 'blkio.bfq.weight';
    expect(cgroupValue(pid, 'blkio', file)).toMatch(/^(default )?500$/m);
  });
});

const unifiedOffers = (c: string): boolean =>
  hierarchies.unified !== undefined && readFileSync(join(hierarchies.unified.mountpoint, 'cgroup.controllers'), 'utf8').split(/\s+/).includes(c);

describe('hugepage limits', () => {
  it.skipIf(hasV1('hugetlb') || !unifiedOffers('hugetlb') || !existsSync('/sys/kernel/mm/hugepages/hugepages-2048kB'))(
    'go to the cgroup2 side of a hybrid host that has no v1 hugetlb hierarchy',
    () => {
      const pid = createdPid({ hugepageLimits: [{ pageSize: '2MB', limit: 4 * 2 * MiB }] });
      expect(cgroupValue(pid, '', 'hugetlb.2MB.max')).toBe(String(8 * MiB));
    },
  );
});

describe('resources the host lacks fail create, naming the field and the file, and leave nothing', () => {
  it.skipIf(!blkioMount || existsSync(join(blkioMount, 'blkio.leaf_weight')))('blockIO.leafWeight without blkio.leaf_weight (CFQ only)', () => {
    const err = failedCreate({ blockIO: { leafWeight: 500 } });
    expect(err).toMatch(/linux\.resources\.blockIO\.leafWeight: this host has no blkio\.leaf_weight/);
  });

  it.skipIf(hasV1('hugetlb') || unifiedOffers('hugetlb'))('hugepageLimits without any hugetlb controller', () => {
    const err = failedCreate({ hugepageLimits: [{ pageSize: '2MB', limit: 2 * MiB }] });
    expect(err).toMatch(/linux\.resources\.hugepageLimits\[0\].*hugetlb\.2MB/);
  });

  it.skipIf(hasV1('net_cls'))('network.classID without a net_cls hierarchy', () => {
    const err = failedCreate({ network: { classID: 0x100001 } });
    expect(err).toMatch(/linux\.resources\.network\.classID: this host has no net_cls\.classid/);
  });

  it.skipIf(hierarchies.mode !== 'hybrid')('unified keys of a controller bound to v1 (hybrid host)', () => {
    const err = failedCreate({ unified: { 'memory.high': String(64 * MiB) } });
    expect(err).toMatch(/linux\.resources\.unified\.memory\.high: the \\?"memory\\?" controller is mounted as cgroup v1/);
  });

  it.skipIf(hierarchies.mode !== 'v1')('unified keys on a v1-only host', () => {
    const err = failedCreate({ unified: { 'cgroup.max.descendants': '5' } });
    expect(err).toMatch(/unified keys need cgroup v2/);
  });
});
