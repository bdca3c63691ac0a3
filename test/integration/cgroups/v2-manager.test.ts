// The cgroup v2 manager on a real cgroup2 hierarchy: /sys/fs/cgroup on a v2 host, the
// cgroup2 mount of a hybrid host (/sys/fs/cgroup/unified here, where only the controllers no
// v1 hierarchy took are offered). Settings whose controller this host offers are applied and
// read back; the others must fail naming the field and the controller. Needs root.
import { existsSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { detectHierarchies } from '../../../src/cgroups/detect.js';
import { statsEventJson } from '../../../src/cgroups/stats.js';
import { deviceFilterCount } from '../../support/device-filters.js';
import { V2Manager } from '../../../src/cgroups/v2/manager.js';
import { CgroupFixtures, openableBlockDevice, type Held } from './fixtures.js';

const mount = (() => {
  try {
    return detectHierarchies().unified?.mountpoint;
  } catch {
    return undefined;
  }
})();
const isRoot = process.getuid?.() === 0;
const skipReason = !isRoot ? 'needs root' : mount === undefined ? 'host has no cgroup2 mount' : '';
const rootControllers = mount ? readFileSync(join(mount, 'cgroup.controllers'), 'utf8').trim().split(/\s+/) : [];
const offers = (c: string): boolean => rootControllers.includes(c);
const subtreeBefore = mount ? readFileSync(join(mount, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/) : [];

const PARENT = `ocirun-itest2-${process.pid}`;
const fx = new CgroupFixtures();
const held = (script: string): Held => fx.held(script);

function manager(name: string): V2Manager {
  return fx.track(new V2Manager(`/${PARENT}/${name}`, join(mount ?? '/nonexistent', PARENT, name), mount ?? '/nonexistent'));
}

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8').trim();

describe.skipIf(skipReason !== '')(`cgroup v2 manager on ${mount ?? 'no cgroup2 mount'} ${skipReason}`, () => {
  afterEach(async () => {
    await fx.cleanUp();
    if (mount && existsSync(join(mount, PARENT))) rmdirSync(join(mount, PARENT));
  });

  afterAll(() => {
    // Give back the controllers create() enabled in the hierarchy's root.
    if (!mount) return;
    const enabled = read(mount, 'cgroup.subtree_control').split(/\s+/).filter((c) => c !== '');
    const added = enabled.filter((c) => !subtreeBefore.includes(c));
    if (added.length > 0) writeFileSync(join(mount, 'cgroup.subtree_control'), added.map((c) => `-${c}`).join(' '));
    expect(readdirSync(mount).filter((e) => e.startsWith('ocirun-itest2'))).toEqual([]);
  });

  it('creates the cgroup with every offered controller enabled, adds a process, removes it', async () => {
    const m = manager('create');
    m.create();
    expect(statSync(m.dir).isDirectory()).toBe(true);
    expect(m.paths).toEqual({ '': m.dir });
    expect(read(m.dir, 'cgroup.controllers').split(/\s+/).filter((c) => c !== '').sort()).toEqual(rootControllers.filter((c) => c !== '').sort());
    const p = held('sleep 30');
    m.addProcess(p.pid);
    expect(readFileSync(`/proc/${p.pid}/cgroup`, 'utf8')).toContain(`0::/${PARENT}/create\n`);
    expect(m.pids()).toEqual([p.pid]);
    m.killAll(9);
    expect((await p.done).signal).toBe('SIGKILL');
    m.destroy();
    expect(m.exists()).toBe(false);
    m.destroy();
  });

  it('freezes and thaws through cgroup.freeze', async () => {
    const m = manager('freeze');
    m.create();
    const p = held('sleep 30');
    m.addProcess(p.pid);
    m.freeze();
    expect(m.frozen()).toBe(true);
    expect(read(m.dir, 'cgroup.events')).toMatch(/^frozen 1$/m);
    m.thaw();
    expect(m.frozen()).toBe(false);
    expect(read(m.dir, 'cgroup.events')).toMatch(/^frozen 0$/m);
  });

  it('kills with a signal other than SIGKILL through freeze, signal, thaw, keeping a pause', async () => {
    const m = manager('term');
    m.create();
    const p = held('sleep 30');
    m.addProcess(p.pid);
    m.freeze();
    m.killAll(15);
    expect(m.frozen()).toBe(true);
    m.thaw();
    expect((await p.done).signal).toBe('SIGTERM');
  });

  it('enforces the device rules with an eBPF program, and replaces it on update', async () => {
    const d = openableBlockDevice();
    const m = manager('devices');
    m.create();
    m.apply({ devices: [{ allow: false, access: 'rwm' }] });
    expect(deviceFilterCount(m.dir)).toBe(1);
    const script = `head -c1 /dev/zero >/dev/null && echo zero-ok; head -c1 ${d?.node ?? '/dev/nonexistent'} >/dev/null 2>&1 && echo disk-ok || echo disk-denied`;
    const p = held(script);
    m.addProcess(p.pid);
    p.release();
    const denied = await p.done;
    expect(denied.out).toContain('zero-ok');
    expect(denied.out).toContain('disk-denied');
    if (!d) return;
    const [major, minor] = d.dev.split(':').map(Number);
    m.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'b', major, minor, access: 'r' }] });
    expect(deviceFilterCount(m.dir)).toBe(1);
    const q = held(script);
    m.addProcess(q.pid);
    q.release();
    expect((await q.done).out).toContain('disk-ok');
  });

  it.skipIf(!offers('hugetlb'))('sets hugepage limits, faults and reservations', () => {
    const m = manager('hugetlb');
    m.create();
    m.apply({ hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }] });
    expect(read(m.dir, 'hugetlb.2MB.max')).toBe('4194304');
    if (existsSync(join(m.dir, 'hugetlb.2MB.rsvd.max'))) expect(read(m.dir, 'hugetlb.2MB.rsvd.max')).toBe('4194304');
  });

  it('writes unified keys of the core interface', () => {
    const m = manager('unified');
    m.create();
    m.apply({ unified: { 'cgroup.max.descendants': '5', 'cgroup.max.depth': '2' } });
    expect(read(m.dir, 'cgroup.max.descendants')).toBe('5');
    expect(read(m.dir, 'cgroup.max.depth')).toBe('2');
  });

  it('applies memory, cpu, pids and io where offered, and names the controller where not', () => {
    const m = manager('resources');
    m.create();
    const cases = [
      { controller: 'memory', apply: () => m.apply({ memory: { limit: 64 << 20, swap: 96 << 20, reservation: 16 << 20 } }), check: () => {
        expect(read(m.dir, 'memory.max')).toBe(String(64 << 20));
        expect(read(m.dir, 'memory.low')).toBe(String(16 << 20));
        if (existsSync(join(m.dir, 'memory.swap.max'))) expect(read(m.dir, 'memory.swap.max')).toBe(String(32 << 20));
      }, field: 'memory\\.(swap|limit)', file: 'memory\\.(swap\\.)?max' },
      { controller: 'cpu', apply: () => m.apply({ cpu: { shares: 1024, quota: 50000, period: 100000 } }), check: () => {
        expect(read(m.dir, 'cpu.weight')).toBe('39');
        expect(read(m.dir, 'cpu.max')).toBe('50000 100000');
      }, field: 'cpu\\.shares', file: 'cpu\\.weight' },
      { controller: 'pids', apply: () => m.apply({ pids: { limit: 10 } }), check: () => {
        expect(read(m.dir, 'pids.max')).toBe('10');
      }, field: 'pids\\.limit', file: 'pids\\.max' },
      { controller: 'cpuset', apply: () => m.apply({ cpu: { cpus: '0', mems: '0' } }), check: () => {
        expect(read(m.dir, 'cpuset.cpus')).toBe('0');
      }, field: 'cpu\\.cpus', file: 'cpuset\\.cpus' },
    ];
    for (const c of cases) {
      if (offers(c.controller)) {
        c.apply();
        c.check();
      } else {
        expect(c.apply).toThrow(
          new RegExp(`^linux\\.resources\\.${c.field}: this host has no ${c.file} \\(the cgroup v2 "${c.controller}" controller is not enabled for `),
        );
      }
    }
  });

  it('refuses the v1-only settings, naming them', () => {
    const m = manager('v1only');
    m.create();
    expect(() => m.apply({ network: { classID: 1 } })).toThrow(/^linux.resources.network.classID: cgroup v2 has no net_cls\/net_prio/);
    expect(() => m.apply({ cpu: { realtimeRuntime: 1000 } })).toThrow(/^linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time/);
    expect(() => m.apply({ memory: { kernelTCP: 1 << 20 } })).toThrow(/^linux.resources.memory.kernelTCP: cgroup v2 has no TCP buffer limit/);
  });

  it('collects stats, counting processes when the pids controller is absent', async () => {
    const m = manager('stats');
    m.create();
    const p = held('sleep 30 & wait');
    m.addProcess(p.pid);
    p.release();
    await new Promise((r) => setTimeout(r, 100));
    const s = m.stats();
    expect(s.pids.current).toBe(2n);
    expect(s.cpu.usage.total).toBeGreaterThan(0n);
    const parsed = JSON.parse(statsEventJson('v2', s)) as { data: Record<string, unknown> };
    expect(Object.keys(parsed.data)).toEqual(['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces']);
    expect(m.oomKillCount()).toBe(0);
  });
});
