// The cgroup manager on this host's real v1 (or hybrid) hierarchies: each resource is applied,
// then read back from the cgroup files of a real process, with its effect shown where cheap.
// Needs root and a v1/hybrid host; every cgroup and process it makes is removed in afterEach.
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectHierarchies, type CgroupHierarchies } from '../../../src/cgroups/detect.js';
import { createCgroupManager, openCgroupManager, type CgroupManager } from '../../../src/cgroups/manager.js';
import { statsEventJson } from '../../../src/cgroups/stats.js';
import { CgroupFixtures, openableBlockDevice, type Held } from './fixtures.js';

const hierarchies: CgroupHierarchies | undefined = (() => {
  try {
    return detectHierarchies();
  } catch {
    return undefined;
  }
})();
const isRoot = process.getuid?.() === 0;
const v1Host = hierarchies !== undefined && hierarchies.mode !== 'v2';
const skipReason = !isRoot ? 'needs root' : !v1Host ? 'host has no cgroup v1 hierarchies' : '';
const has = (controller: string): boolean => hierarchies?.v1.has(controller) ?? false;

const PARENT = `/ocirun-itest-${process.pid}`;
const fx = new CgroupFixtures();
const held = (script: string): Held => fx.held(script);

function manager(name: string, cgroupsPath = `${PARENT}/${name}`): CgroupManager {
  return fx.track(createCgroupManager({ cgroupsPath, id: name }));
}

const read = (dir: string | undefined, file: string): string => readFileSync(join(dir ?? '/nonexistent', file), 'utf8').trim();

function leftovers(): string[] {
  const found: string[] = [];
  for (const mount of [...(hierarchies?.v1.values() ?? []), ...(hierarchies?.unified ? [hierarchies.unified] : [])]) {
    for (const entry of readdirSync(mount.mountpoint)) {
      if (entry.startsWith(PARENT.slice(1))) found.push(join(mount.mountpoint, entry));
    }
  }
  return [...new Set(found)];
}

const unifiedRoot = hierarchies?.unified?.mountpoint;
const subtreeBefore = unifiedRoot && existsSync(unifiedRoot) ? read(unifiedRoot, 'cgroup.subtree_control') : '';

describe.skipIf(skipReason !== '')(`cgroup v1 manager on this host ${skipReason}`, () => {
  beforeAll(() => {
    expect(leftovers()).toEqual([]);
  });

  afterEach(async () => {
    await fx.cleanUp();
    for (const dir of leftovers()) rmdirSync(dir);
  });

  afterAll(() => {
    // The hybrid hugetlb test enabled hugetlb in the cgroup2 root; give it back.
    if (unifiedRoot && !subtreeBefore.includes('hugetlb') && read(unifiedRoot, 'cgroup.subtree_control').includes('hugetlb')) {
      writeFileSync(join(unifiedRoot, 'cgroup.subtree_control'), '-hugetlb');
    }
    expect(leftovers()).toEqual([]);
  });

  it('creates the cgroup in every hierarchy, with cpus and mems filled in, and removes it', () => {
    const m = manager('create');
    expect(m.version).toBe(1);
    expect(m.path).toBe(`${PARENT}/create`);
    expect(m.exists()).toBe(false);
    m.create();
    for (const dir of Object.values(m.paths)) expect(statSync(dir).isDirectory()).toBe(true);
    expect(Object.keys(m.paths)).toEqual(expect.arrayContaining(['memory', 'cpu', 'pids', 'devices', 'freezer']));
    if (has('cpuset')) {
      expect(read(m.paths.cpuset, 'cpuset.cpus')).not.toBe('');
      expect(read(m.paths.cpuset, 'cpuset.mems')).not.toBe('');
    }
    m.destroy();
    expect(m.exists()).toBe(false);
    for (const dir of Object.values(m.paths)) expect(existsSync(dir)).toBe(false);
    m.destroy(); // idempotent
  });

  it('moves a process into every hierarchy and lists it', async () => {
    const m = manager('procs');
    m.create();
    const p = held('sleep 30');
    m.addProcess(p.pid);
    for (const dir of new Set(Object.values(m.paths))) expect(read(dir, 'cgroup.procs').split('\n')).toContain(String(p.pid));
    expect(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8')).toContain(`:pids:${PARENT}/procs\n`);
    expect(m.pids()).toEqual([p.pid]);
    const reopened = openCgroupManager(m.path, m.paths);
    expect(reopened.pids()).toEqual([p.pid]);
    expect(openCgroupManager(m.path).paths).toEqual(m.paths);
  });

  it('places the default cgroup below the runtime own cgroups, and finds it again from the saved path', () => {
    const id = `${PARENT.slice(1)}-default`;
    const m = fx.track(createCgroupManager({ id }));
    const own = readFileSync('/proc/self/cgroup', 'utf8');
    const ownMemory = /^\d+:memory:(.*)$/m.exec(own)?.[1] ?? '/';
    expect(m.path).toBe(`/${id}`);
    if (has('memory')) expect(m.paths.memory).toBe(join(hierarchies?.v1.get('memory')?.mountpoint ?? '', ownMemory, id));
    m.create();
    const reopened = openCgroupManager(m.path);
    expect(reopened.paths).toEqual(m.paths);
    reopened.destroy();
    for (const dir of Object.values(m.paths)) expect(existsSync(dir)).toBe(false);
  });

  it('refuses --systemd-cgroup where systemd is not running, naming the flag', () => {
    expect(() => createCgroupManager({ id: 'x', systemd: true })).toThrow(/^--systemd-cgroup: systemd is not running on this host/);
  });

  describe.skipIf(!has('memory'))('memory', () => {
    it('sets limit, swap, reservation, kernelTCP, swappiness, disableOOMKiller, useHierarchy', () => {
      const m = manager('memory');
      m.create();
      m.apply({
        memory: { limit: 64 << 20, swap: 96 << 20, reservation: 32 << 20, kernelTCP: 16 << 20, swappiness: 10, disableOOMKiller: true, useHierarchy: true },
      });
      const dir = m.paths.memory;
      expect(read(dir, 'memory.limit_in_bytes')).toBe(String(64 << 20));
      expect(read(dir, 'memory.memsw.limit_in_bytes')).toBe(String(96 << 20));
      expect(read(dir, 'memory.soft_limit_in_bytes')).toBe(String(32 << 20));
      expect(read(dir, 'memory.kmem.tcp.limit_in_bytes')).toBe(String(16 << 20));
      expect(read(dir, 'memory.swappiness')).toBe('10');
      expect(read(dir, 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m);
      expect(read(dir, 'memory.use_hierarchy')).toBe('1');
      // Lowering both in one update works in either order.
      m.apply({ memory: { limit: 32 << 20, swap: 48 << 20, disableOOMKiller: false } });
      expect(read(dir, 'memory.limit_in_bytes')).toBe(String(32 << 20));
      expect(read(dir, 'memory.memsw.limit_in_bytes')).toBe(String(48 << 20));
      m.apply({ memory: { limit: -1 } });
      expect(read(dir, 'memory.limit_in_bytes')).toBe('9223372036854771712');
      expect(read(dir, 'memory.memsw.limit_in_bytes')).toBe('9223372036854771712');
    });

    it('reports a kernel memory limit the kernel ignores, and useHierarchy=false the kernel refuses', () => {
      const m = manager('kmem');
      m.create();
      let kernelError: unknown;
      try {
        m.apply({ memory: { kernel: 32 << 20 } });
      } catch (err) {
        kernelError = err;
      }
      const kept = read(m.paths.memory, 'memory.kmem.limit_in_bytes');
      if (kept === String(32 << 20)) expect(kernelError).toBeUndefined();
      else expect(String(kernelError)).toMatch(/linux.resources.memory.kernel: .*memory.kmem.limit_in_bytes: this kernel ignores kernel memory limits/);
      expect(() => m.apply({ memory: { useHierarchy: false } })).toThrow(/^linux.resources.memory.useHierarchy: failed to write "0" to ".*memory.use_hierarchy": invalid argument/);
    });

    it('OOM-kills a process above the limit and counts it', async () => {
      const m = manager('oom');
      m.create();
      m.apply({ memory: { limit: 16 << 20 } });
      const p = held('exec tail /dev/zero');
      m.addProcess(p.pid);
      expect(m.oomKillCount()).toBe(0);
      p.release();
      const r = await p.done;
      expect(r.signal).toBe('SIGKILL');
      expect(m.oomKillCount()).toBeGreaterThanOrEqual(1);
      const s = m.stats();
      expect(s.memory.usage.limit).toBe(BigInt(16 << 20));
      expect(s.memory.usage.failcnt).toBeGreaterThan(0n);
    });

    it('checkBeforeUpdate refuses a limit not above the usage', async () => {
      const m = manager('check');
      m.create();
      const p = held('exec tail -c 4000000 /dev/zero | sleep 30');
      m.addProcess(p.pid);
      p.release();
      await new Promise((r) => setTimeout(r, 200));
      const usage = Number(read(m.paths.memory, 'memory.usage_in_bytes'));
      expect(usage).toBeGreaterThan(0);
      expect(() => m.apply({ memory: { limit: Math.floor(usage / 2), checkBeforeUpdate: true } })).toThrow(/checkBeforeUpdate/);
      expect(read(m.paths.memory, 'memory.limit_in_bytes')).toBe('9223372036854771712');
    });
  });

  describe.skipIf(!has('cpu') || !has('cpuset'))('cpu', () => {
    it('sets shares, quota, period, burst, idle, cpus and mems', () => {
      const m = manager('cpu');
      m.create();
      m.apply({ cpu: { shares: 512, quota: 25000, period: 50000, burst: 1000, idle: 0, cpus: '0', mems: '0' } });
      expect(read(m.paths.cpu, 'cpu.shares')).toBe('512');
      expect(read(m.paths.cpu, 'cpu.cfs_quota_us')).toBe('25000');
      expect(read(m.paths.cpu, 'cpu.cfs_period_us')).toBe('50000');
      expect(read(m.paths.cpu, 'cpu.cfs_burst_us')).toBe('1000');
      expect(read(m.paths.cpu, 'cpu.idle')).toBe('0');
      expect(read(m.paths.cpuset, 'cpuset.cpus')).toBe('0');
      expect(read(m.paths.cpuset, 'cpuset.mems')).toBe('0');
      // A shorter period that only fits with the new quota.
      m.apply({ cpu: { quota: 1000, period: 1000 } });
      expect(read(m.paths.cpu, 'cpu.cfs_period_us')).toBe('1000');
      m.apply({ cpu: { idle: 1 } });
      expect(read(m.paths.cpu, 'cpu.idle')).toBe('1');
    });

    it('sets the real-time budget below a parent that has one, and explains the refusal below one that has none', () => {
      const rootRuntime = Number(read(hierarchies?.v1.get('cpu')?.mountpoint, 'cpu.rt_runtime_us'));
      const top = manager('rt', `${PARENT}-rt`);
      top.create();
      top.apply({ cpu: { realtimePeriod: 1000000, realtimeRuntime: Math.min(10000, rootRuntime) } });
      expect(read(top.paths.cpu, 'cpu.rt_period_us')).toBe('1000000');
      expect(read(top.paths.cpu, 'cpu.rt_runtime_us')).toBe(String(Math.min(10000, rootRuntime)));
      const nested = manager('rt-nested');
      nested.create();
      expect(() => nested.apply({ cpu: { realtimeRuntime: 1000 } })).toThrow(/cpu.realtimeRuntime: .*invalid argument \(the parent cgroup must have/);
    });
  });

  describe.skipIf(!has('pids'))('pids', () => {
    it('sets the limit and a fork beyond it fails', async () => {
      const m = manager('pids');
      m.create();
      m.apply({ pids: { limit: 1 } });
      expect(read(m.paths.pids, 'pids.max')).toBe('1');
      const p = held('/bin/true; echo survived');
      m.addProcess(p.pid);
      p.release();
      const r = await p.done;
      expect(r.out).not.toContain('survived');
      expect(r.err).toMatch(/fork/i);
      expect(Number(read(m.paths.pids, 'pids.events').split(' ')[1])).toBeGreaterThan(0);
      m.apply({ pids: { limit: -1 } });
      expect(read(m.paths.pids, 'pids.max')).toBe('max');
    });
  });

  describe.skipIf(!has('blkio'))('blockIO', () => {
    const dev = openableBlockDevice()?.dev;

    it.skipIf(dev === undefined)('sets throttles on a real device, and the weight where the scheduler has one', () => {
      const [major, minor] = (dev ?? '0:0').split(':').map(Number) as [number, number];
      const m = manager('blkio');
      m.create();
      m.apply({
        blockIO: {
          throttleReadBpsDevice: [{ major, minor, rate: 1048576 }],
          throttleWriteBpsDevice: [{ major, minor, rate: 2097152 }],
          throttleReadIOPSDevice: [{ major, minor, rate: 100 }],
          throttleWriteIOPSDevice: [{ major, minor, rate: 50 }],
        },
      });
      expect(read(m.paths.blkio, 'blkio.throttle.read_bps_device')).toBe(`${dev} 1048576`);
      expect(read(m.paths.blkio, 'blkio.throttle.write_bps_device')).toBe(`${dev} 2097152`);
      expect(read(m.paths.blkio, 'blkio.throttle.read_iops_device')).toBe(`${dev} 100`);
      expect(read(m.paths.blkio, 'blkio.throttle.write_iops_device')).toBe(`${dev} 50`);

      const weightFile = ['blkio.weight', 'blkio.bfq.weight'].find((f) => existsSync(join(m.paths.blkio ?? '', f)));
      if (weightFile) {
        m.apply({ blockIO: { weight: 300 } });
        expect(read(m.paths.blkio, weightFile)).toMatch(/^(default )?300$/m);
      } else {
        expect(() => m.apply({ blockIO: { weight: 300 } })).toThrow(/blockIO.weight: this host has no blkio.weight \(cgroup v1 blkio without CFQ\/BFQ\)/);
      }
      if (!existsSync(join(m.paths.blkio ?? '', 'blkio.leaf_weight'))) {
        expect(() => m.apply({ blockIO: { leafWeight: 300 } })).toThrow(/blockIO.leafWeight: this host has no blkio.leaf_weight/);
      }
    });

    it.skipIf(dev === undefined)('reports a per-device weight the device scheduler refuses', () => {
      const [major, minor] = (dev ?? '0:0').split(':').map(Number) as [number, number];
      const m = manager('weightdev');
      m.create();
      let error: unknown;
      try {
        m.apply({ blockIO: { weightDevice: [{ major, minor, weight: 200 }] } });
      } catch (err) {
        error = err;
      }
      const file = existsSync(join(m.paths.blkio ?? '', 'blkio.weight_device')) ? 'blkio.weight_device' : 'blkio.bfq.weight_device';
      if (error === undefined) expect(read(m.paths.blkio, file)).toContain(`${dev} 200`);
      else expect(String(error)).toMatch(/blockIO.weightDevice\[0\].weight: /);
    });
  });

  it('applies hugepage limits through the v1 hierarchy, or the cgroup2 side of a hybrid host', () => {
    const m = manager('hugetlb');
    m.create();
    const unifiedDir = m.paths[''];
    const unifiedHas = unifiedRoot !== undefined && read(unifiedRoot, 'cgroup.controllers').split(' ').includes('hugetlb');
    if (!has('hugetlb') && !unifiedHas) {
      expect(() => m.apply({ hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }] })).toThrow(/hugepageLimits\[0\]: this host has no hugetlb.2MB.limit_in_bytes/);
      return;
    }
    m.apply({ hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }] });
    if (has('hugetlb')) expect(read(m.paths.hugetlb, 'hugetlb.2MB.limit_in_bytes')).toBe('4194304');
    else {
      expect(read(unifiedDir, 'hugetlb.2MB.max')).toBe('4194304');
      expect(read(unifiedDir, 'hugetlb.2MB.rsvd.max')).toBe('4194304');
      expect(m.stats().hugetlb['2MB']).toEqual({ usage: 0n, max: 0n, failcnt: 0n });
    }
    expect(() => m.apply({ hugepageLimits: [{ pageSize: '64KB', limit: 1 }] })).toThrow(/hugepageLimits\[0\]: this host has no hugetlb.64KB.*this kernel has/);
  });

  it('sets net_cls and net_prio, or names the missing hierarchy', () => {
    const m = manager('net');
    m.create();
    if (has('net_cls')) {
      m.apply({ network: { classID: 1048577 } });
      expect(read(m.paths.net_cls, 'net_cls.classid')).toBe('1048577');
    } else {
      expect(() => m.apply({ network: { classID: 1048577 } })).toThrow(
        /^linux.resources.network.classID: this host has no net_cls.classid \(no cgroup v1 net_cls hierarchy is mounted\)$/,
      );
    }
    if (has('net_prio')) {
      m.apply({ network: { priorities: [{ name: 'lo', priority: 5 }] } });
      expect(read(m.paths.net_prio, 'net_prio.ifpriomap')).toMatch(/^lo 5$/m);
    } else {
      expect(() => m.apply({ network: { priorities: [{ name: 'lo', priority: 5 }] } })).toThrow(/network.priorities\[0\]: this host has no net_prio.ifpriomap/);
    }
  });

  it.skipIf(has('rdma'))('names the missing rdma controller', () => {
    const m = manager('rdma');
    m.create();
    expect(() => m.apply({ rdma: { mlx5_1: { hcaHandles: 3 } } })).toThrow(/^linux.resources.rdma.mlx5_1: this host has no rdma.max/);
  });

  it('writes unified keys to the cgroup2 side of a hybrid host, refusing controllers bound to v1', () => {
    const m = manager('unified');
    m.create();
    if (hierarchies?.mode !== 'hybrid') {
      expect(() => m.apply({ unified: { 'memory.high': '1' } })).toThrow(/unified.memory.high: this host has no memory.high \(this host has only cgroup v1/);
      return;
    }
    m.apply({ unified: { 'cgroup.max.descendants': '5' } });
    expect(read(m.paths[''], 'cgroup.max.descendants')).toBe('5');
    expect(() => m.apply({ unified: { 'memory.high': '1' } })).toThrow(/unified.memory.high: the "memory" controller is mounted as cgroup v1/);
  });

  describe.skipIf(!has('devices'))('devices', () => {
    it('writes the rules in order, then runc defaults, and the kernel enforces them', async () => {
      const m = manager('devices');
      m.create();
      m.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }] });
      const list = read(m.paths.devices, 'devices.list').split('\n');
      expect(list).toEqual(expect.arrayContaining(['c 1:11 r', 'c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 136:* rwm', 'c 10:200 rwm']));
      expect(list).toHaveLength(12);
      const disk = openableBlockDevice();
      const script = `head -c1 /dev/zero >/dev/null && echo zero-ok; head -c1 ${disk?.node ?? '/dev/nonexistent'} >/dev/null 2>&1 && echo block-ok || echo block-denied`;
      const p = held(script);
      m.addProcess(p.pid);
      p.release();
      const r = await p.done;
      expect(r.out).toContain('zero-ok');
      expect(r.out).toContain('block-denied');
      if (!disk) return;
      // An update re-applies the whole list; the new rule lets the disk be read.
      const [major, minor] = disk.dev.split(':').map(Number);
      m.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'b', major, minor, access: 'r' }] });
      expect(read(m.paths.devices, 'devices.list').split('\n')).toContain(`b ${disk.dev} r`);
      const q = held(script);
      m.addProcess(q.pid);
      q.release();
      expect((await q.done).out).toContain('block-ok');
    });

    it('refuses a rule v1 would silently ignore', () => {
      const m = manager('devhole');
      m.create();
      expect(() =>
        m.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'w' }] }),
      ).toThrow(/^linux.resources.devices\[2\]: cannot deny c 1:3 w inside the wider c \*:\* rwm/);
    });
  });

  describe.skipIf(!has('freezer'))('freezer', () => {
    it('pause stops a counter, resume lets it go on', async () => {
      const m = manager('freezer');
      m.create();
      const counter = `/tmp/ocirun-itest-${process.pid}-counter`;
      try {
        const p = held(`while :; do echo x >> ${counter}; sleep 0.01; done`);
        m.addProcess(p.pid);
        p.release();
        await new Promise((r) => setTimeout(r, 200));
        m.freeze();
        expect(m.frozen()).toBe(true);
        expect(openCgroupManager(m.path, m.paths).frozen()).toBe(true);
        const before = statSync(counter).size;
        await new Promise((r) => setTimeout(r, 200));
        expect(statSync(counter).size).toBe(before);
        m.thaw();
        expect(m.frozen()).toBe(false);
        await new Promise((r) => setTimeout(r, 200));
        expect(statSync(counter).size).toBeGreaterThan(before);
        m.killAll(9);
        await p.done;
      } finally {
        rmSync(counter, { force: true });
      }
    });
  });

  it('signals every process, frozen or not, and leaves a paused container paused', async () => {
    const m = manager('kill');
    m.create();
    const a = held('sleep 30');
    const b = held('sleep 30 & wait');
    m.addProcess(a.pid);
    m.addProcess(b.pid);
    b.release();
    await new Promise((r) => setTimeout(r, 100));
    expect(m.pids()).toHaveLength(3);
    if (has('freezer')) {
      m.freeze();
      m.killAll(15);
      expect(m.frozen()).toBe(true);
      m.thaw();
    } else {
      m.killAll(15);
    }
    const [ra] = await Promise.all([a.done, b.done]);
    expect(ra.signal).toBe('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    expect(m.pids()).toEqual([]);
  });

  it('retries a busy cgroup for about a second, then says which processes are left', async () => {
    const m = manager('busy');
    m.create();
    const p = held('sleep 30');
    m.addProcess(p.pid);
    const started = Date.now();
    expect(() => m.destroy()).toThrow(new RegExp(`device or resource busy \\(processes still in it: ${p.pid}\\)`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    m.killAll(9);
    await p.done;
    m.destroy();
    expect(m.exists()).toBe(false);
  });

  it('collects stats in runc shape', async () => {
    const m = manager('stats');
    m.create();
    m.apply({ memory: { limit: 64 << 20 }, pids: { limit: 10 } });
    const p = held('exec tail -c 1000000 /dev/zero | sleep 30');
    m.addProcess(p.pid);
    p.release();
    await new Promise((r) => setTimeout(r, 300));
    const s = m.stats();
    expect(s.pids).toEqual({ current: 3n, limit: 10n });
    expect(s.memory.usage.limit).toBe(BigInt(64 << 20));
    expect(s.memory.usage.usage).toBeGreaterThan(0n);
    expect(s.cpu.usage.total).toBeGreaterThan(0n);
    expect(s.cpuset.cpus.length).toBeGreaterThan(0);
    const line = statsEventJson('stats', s);
    const parsed = JSON.parse(line) as { type: string; data: Record<string, unknown> };
    expect(parsed.type).toBe('stats');
    expect(Object.keys(parsed.data)).toEqual(['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces']);
    expect(line).toContain(`"limit":${64 << 20}`);
  });
});
