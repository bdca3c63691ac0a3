import type { LinuxBlockIO, LinuxResources, LinuxThrottleDevice } from '../../spec/types.js';
import { deviceRulesFromConfig } from '../devices.js';
import { ANY } from '../devices.js';
import { ACC_MKNOD, ACC_READ, ACC_WRITE, emulateDeviceRules } from '../devices-emulator.js';
import { CgroupResourceError } from '../plan.js';
import { blkioWeightToIoWeight, sharesToWeight, swapToV2 } from '../values.js';
import { prop, type UnitProperty } from './unit-property.js';

// LinuxResources → the unit properties systemd knows (systemd.resource-control(5)), as runc's
// systemd driver translates them on cgroup v2 (docs/systemd.md there), plus the io weights and
// throttles. systemd writes these into the scope's cgroup itself and keeps them when it
// re-applies a unit's settings (daemon-reload); the cgroupfs writes that follow set
// everything, systemd-known or not, so the two agree. Properties newer than the host's systemd
// are left to the cgroupfs writes, as runc does.

const INFINITY = 2n ** 64n - 1n;
const DEFAULT_CPU_PERIOD = 100_000;
const USEC_PER_SEC = 1_000_000;

/** Minimum systemd versions of properties (systemd NEWS). */
const SINCE = { cpuQuotaPeriod: 242, allowedCpus: 244, cpuIdle: 252, oomPolicy: 253 } as const;

export interface ResourceProperties {
  properties: UnitProperty[];
  /**
   * The resources for the cgroupfs writes: a CPU quota systemd can only hold in whole percent
   * is rounded up the way it is sent, so both write the same cpu.max.
   */
  resources: LinuxResources;
}

function limit(n: number): bigint {
  return n < 0 ? INFINITY : BigInt(Math.trunc(n));
}

/** "0-2,7" → systemd's CPU/NUMA mask: little-endian bytes, bit i for cpu i (runc's RangeToBits). */
export function cpuListToMask(list: string, field: string): Uint8Array {
  const bits: number[] = [];
  for (const raw of list.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new CgroupResourceError(field, `${JSON.stringify(list)} is not a list of numbers and ranges like "0-2,7"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > hi) throw new CgroupResourceError(field, `invalid range ${JSON.stringify(part)}`);
    for (let i = lo; i <= hi; i++) bits.push(i);
  }
  if (bits.length === 0) throw new CgroupResourceError(field, `${JSON.stringify(list)} names no CPU or node`);
  const mask = new Uint8Array(Math.floor(Math.max(...bits) / 8) + 1);
  for (const b of bits) mask[b >> 3] = (mask[b >> 3] as number) | (1 << (b & 7));
  return mask;
}

/**
 * CPUQuotaPerSecUSec holds whole percents of a CPU (10 ms per second): a finer quota is rounded
 * up to the next percent and the quota recomputed from it (runc's addCPUQuota).
 */
export function cpuQuotaProperties(quota: number, period: number, version: number): { properties: UnitProperty[]; quota: number } {
  const properties: UnitProperty[] = [];
  if (period !== 0 && version >= SINCE.cpuQuotaPeriod) properties.push(prop('CPUQuotaPeriodUSec', 't', BigInt(period)));
  if (quota === 0 && period === 0) return { properties, quota };
  let perSec = INFINITY;
  let adjusted = quota;
  if (quota > 0) {
    const p = period === 0 ? DEFAULT_CPU_PERIOD : period;
    let usec = Math.floor((quota * USEC_PER_SEC) / p);
    if (usec % 10_000 !== 0) {
      usec = (Math.floor(usec / 10_000) + 1) * 10_000;
      adjusted = Math.floor((usec * p) / USEC_PER_SEC);
    }
    perSec = BigInt(usec);
  }
  properties.push(prop('CPUQuotaPerSecUSec', 't', perSec));
  return { properties, quota: adjusted };
}

/**
 * DevicePolicy + DeviceAllow for the config's rules (followed by the default allow-list). systemd
 * has only allow lists: a deny-list config gets "strict" with nothing allowed here, and the
 * cgroupfs step replaces systemd's device program with ours, which has the exceptions (as runc).
 * A "*:N" rule has no systemd form either and is left to our program.
 */
export function deviceProperties(r: LinuxResources): UnitProperty[] {
  if (!r.devices) return [];
  const state = emulateDeviceRules(deviceRulesFromConfig(r.devices));
  if (state.defaultAllow) {
    const allowAll = state.exceptions.length === 0;
    return [prop('DeviceAllow', 'a(ss)', []), prop('DevicePolicy', 's', allowAll ? 'auto' : 'strict')];
  }
  const allow: [string, string][] = [];
  for (const e of state.exceptions) {
    const perms = `${e.access & ACC_READ ? 'r' : ''}${e.access & ACC_WRITE ? 'w' : ''}${e.access & ACC_MKNOD ? 'm' : ''}`;
    const group = e.type === 'b' ? 'block' : 'char';
    if (e.major === ANY) {
      if (e.minor === ANY) allow.push([`${group}-*`, perms]);
      continue;
    }
    allow.push([e.minor === ANY ? `${group}-${e.major}` : `/dev/${group}/${e.major}:${e.minor}`, perms]);
  }
  return [prop('DeviceAllow', 'a(ss)', []), prop('DevicePolicy', 's', 'strict'), prop('DeviceAllow', 'a(ss)', allow)];
}

function ioProperties(io: LinuxBlockIO | undefined): UnitProperty[] {
  if (!io) return [];
  const out: UnitProperty[] = [];
  if (io.weight) out.push(prop('IOWeight', 't', BigInt(blkioWeightToIoWeight(io.weight))));
  const weights = (io.weightDevice ?? []).filter((d) => d.weight);
  if (weights.length > 0) out.push(prop('IODeviceWeight', 'a(st)', weights.map((d) => [blockPath(d), BigInt(blkioWeightToIoWeight(d.weight as number))])));
  const throttle = (name: string, list: readonly LinuxThrottleDevice[] | undefined): void => {
    if (list?.length) out.push(prop(name, 'a(st)', list.map((d) => [blockPath(d), d.rate ? BigInt(Math.trunc(d.rate)) : INFINITY])));
  };
  throttle('IOReadBandwidthMax', io.throttleReadBpsDevice);
  throttle('IOWriteBandwidthMax', io.throttleWriteBpsDevice);
  throttle('IOReadIOPSMax', io.throttleReadIOPSDevice);
  throttle('IOWriteIOPSMax', io.throttleWriteIOPSDevice);
  return out;
}

function blockPath(d: { major: number; minor: number }): string {
  return `/dev/block/${Math.trunc(d.major)}:${Math.trunc(d.minor)}`;
}

function uintOrMax(key: string, v: string): bigint {
  if (v === 'max') return INFINITY;
  if (!/^\d+$/.test(v)) throw new CgroupResourceError(`linux.resources.unified["${key}"]`, `${JSON.stringify(v)} is not a number or "max"`);
  return BigInt(v);
}

const UNIFIED_MEMORY: Readonly<Record<string, string>> = {
  'memory.high': 'MemoryHigh',
  'memory.low': 'MemoryLow',
  'memory.min': 'MemoryMin',
  'memory.max': 'MemoryMax',
  'memory.swap.max': 'MemorySwapMax',
};

/** linux.resources.unified keys systemd has a property for; the others go to cgroupfs only. */
function unifiedProperties(unified: Readonly<Record<string, string>>, version: number): UnitProperty[] {
  const out: UnitProperty[] = [];
  const idle = unified['cpu.idle']?.trim() === '1' && version >= SINCE.cpuIdle;
  for (const [key, raw] of Object.entries(unified)) {
    const v = raw.trim();
    const field = `linux.resources.unified["${key}"]`;
    if (key === 'cpu.idle' && idle) out.push(prop('CPUWeight', 't', 0n));
    else if (key === 'cpu.weight' && !idle) out.push(prop('CPUWeight', 't', uintOrMax(key, v)));
    else if (key === 'cpu.max') {
      const [q, p, extra] = v.split(/\s+/);
      if (q === undefined || extra !== undefined) throw new CgroupResourceError(field, `${JSON.stringify(v)} is not "QUOTA [PERIOD]"`);
      const quota = q === 'max' ? 0 : Number(uintOrMax(key, q));
      const period = p === undefined ? DEFAULT_CPU_PERIOD : Number(uintOrMax(key, p));
      out.push(...cpuQuotaProperties(quota, period, version).properties);
    } else if ((key === 'cpuset.cpus' || key === 'cpuset.mems') && version >= SINCE.allowedCpus) {
      out.push(prop(key === 'cpuset.cpus' ? 'AllowedCPUs' : 'AllowedMemoryNodes', 'ay', cpuListToMask(v, field)));
    } else if (UNIFIED_MEMORY[key] !== undefined) out.push(prop(UNIFIED_MEMORY[key], 't', uintOrMax(key, v)));
    else if (key === 'pids.max') {
      const n = uintOrMax(key, v);
      out.push(prop('TasksMax', 't', n === 0n ? 1n : n));
    }
  }
  return out;
}

/** Properties for `resources` on a host running systemd `version`. */
export function resourceProperties(r: LinuxResources, version: number): ResourceProperties {
  const properties: UnitProperty[] = [...deviceProperties(r)];
  const resources: LinuxResources = { ...r };
  const m = r.memory;
  if (m?.limit) properties.push(prop('MemoryMax', 't', limit(m.limit)));
  if (m?.reservation) properties.push(prop('MemoryLow', 't', limit(m.reservation)));
  if (m) {
    let swap: string | undefined;
    try {
      swap = swapToV2(m.swap ?? 0, m.limit ?? 0);
    } catch (err) {
      throw new CgroupResourceError('linux.resources.memory.swap', (err as Error).message);
    }
    if (swap !== undefined) properties.push(prop('MemorySwapMax', 't', swap === 'max' ? INFINITY : BigInt(swap)));
  }
  const cpu = r.cpu;
  const idle = cpu?.idle === 1 && version >= SINCE.cpuIdle;
  if (idle) properties.push(prop('CPUWeight', 't', 0n));
  else if (cpu?.shares) properties.push(prop('CPUWeight', 't', BigInt(sharesToWeight(cpu.shares))));
  if (cpu) {
    const q = cpuQuotaProperties(cpu.quota ?? 0, cpu.period ?? 0, version);
    properties.push(...q.properties);
    if (q.quota !== (cpu.quota ?? 0)) resources.cpu = { ...cpu, quota: q.quota };
  }
  if (r.pids) properties.push(prop('TasksMax', 't', r.pids.limit < 0 ? INFINITY : r.pids.limit === 0 ? 1n : BigInt(Math.trunc(r.pids.limit))));
  if (version >= SINCE.allowedCpus) {
    if (cpu?.cpus) properties.push(prop('AllowedCPUs', 'ay', cpuListToMask(cpu.cpus, 'linux.resources.cpu.cpus')));
    if (cpu?.mems) properties.push(prop('AllowedMemoryNodes', 'ay', cpuListToMask(cpu.mems, 'linux.resources.cpu.mems')));
  }
  properties.push(...ioProperties(r.blockIO));
  if (r.unified) properties.push(...unifiedProperties(r.unified, version));
  return { properties, resources };
}

/**
 * memory.oom.group as OOMPolicy: systemd sets it only when the unit starts (a running scope
 * refuses the change), so it is a start property, not an update one.
 */
export function oomPolicyProperty(r: LinuxResources | undefined, version: number): UnitProperty[] {
  const v = r?.unified?.['memory.oom.group']?.trim();
  if (v === undefined || version < SINCE.oomPolicy) return [];
  if (v === '0') return [prop('OOMPolicy', 's', 'continue')];
  if (v === '1') return [prop('OOMPolicy', 's', 'kill')];
  return [];
}

/** What every container scope gets at start (runc's Apply): placement, delegation, accounting. */
export function scopeProperties(o: { slice: string; description: string; pid: number }): UnitProperty[] {
  return [
    prop('Description', 's', o.description),
    prop('Slice', 's', o.slice),
    prop('Delegate', 'b', true),
    prop('PIDs', 'au', [o.pid]),
    prop('MemoryAccounting', 'b', true),
    prop('CPUAccounting', 'b', true),
    prop('IOAccounting', 'b', true),
    prop('TasksAccounting', 'b', true),
    prop('DefaultDependencies', 'b', false),
  ];
}
