import type { LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxResources, LinuxThrottleDevice, LinuxWeightDevice } from '../spec/types.js';
import { parseJson } from '../spec/json-syntax.js';
import { ramInBytes } from './units.js';

// `update`: what a request changes, as runc 1.1 reads it. The request is LinuxResources (JSON
// from --resources, or built from the flags); a zero or empty value means "leave as is", since
// engines send whole objects with zeros for what they do not change. The fields runc updates
// are taken; the rest (devices above all: rewriting a running container's device list would
// deny it every device for a moment) are left out. The change is applied to the cgroup, and
// merged into the saved config so later commands see the container's real limits.

/** Flag name → field, for the flags that take a memory size (or -1 for unlimited). */
const MEMORY_FLAGS = {
  memory: 'limit',
  'memory-reservation': 'reservation',
  'memory-swap': 'swap',
  'kernel-memory': 'kernel',
  'kernel-memory-tcp': 'kernelTCP',
} as const satisfies Record<string, keyof LinuxMemory>;

/** Flag name → field, for the flags that take a non-negative integer. */
const CPU_UNSIGNED_FLAGS = { 'cpu-period': 'period', 'cpu-rt-period': 'realtimePeriod', 'cpu-share': 'shares', 'cpu-burst': 'burst' } as const satisfies Record<
  string,
  keyof LinuxCPU
>;
/** Flag name → field, for the flags that take an integer (-1 for no limit). */
const CPU_SIGNED_FLAGS = { 'cpu-quota': 'quota', 'cpu-rt-runtime': 'realtimeRuntime', 'cpu-idle': 'idle' } as const satisfies Record<string, keyof LinuxCPU>;

function integer(flag: string, text: string, signed: boolean): number {
  const ok = signed ? /^-?\d+$/.test(text) : /^\d+$/.test(text);
  if (!ok) throw new Error(`invalid value for ${flag}: ${JSON.stringify(text)} is not ${signed ? 'an integer' : 'a non-negative integer'}`);
  return Number(text);
}

/** The request the flags make; flags not given are absent. `get` returns a flag's text. */
export function resourcesFromFlags(get: (flag: string) => string | undefined): LinuxResources {
  const memory: LinuxMemory = {};
  for (const [flag, field] of Object.entries(MEMORY_FLAGS)) {
    const text = get(flag);
    if (text === undefined || text === '') continue;
    try {
      memory[field] = text === '-1' ? -1 : ramInBytes(text);
    } catch (err) {
      throw new Error(`invalid value for ${flag}: ${(err as Error).message}`);
    }
  }
  const cpu: LinuxCPU = {};
  for (const [flag, field] of Object.entries(CPU_UNSIGNED_FLAGS)) {
    const text = get(flag);
    if (text !== undefined && text !== '') cpu[field] = integer(flag, text, false);
  }
  for (const [flag, field] of Object.entries(CPU_SIGNED_FLAGS)) {
    const text = get(flag);
    if (text !== undefined && text !== '') cpu[field] = integer(flag, text, true);
  }
  const cpus = get('cpuset-cpus');
  if (cpus) cpu.cpus = cpus;
  const mems = get('cpuset-mems');
  if (mems) cpu.mems = mems;

  const r: LinuxResources = {};
  if (Object.keys(memory).length > 0) r.memory = memory;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  const weight = get('blkio-weight');
  if (weight !== undefined) r.blockIO = { weight: integer('blkio-weight', weight, false) };
  const pids = get('pids-limit');
  if (pids !== undefined) r.pids = { limit: integer('pids-limit', pids, true) };
  return r;
}

/** --resources content: a LinuxResources object. */
export function parseResourcesJson(text: string, source: string): LinuxResources {
  // The documents' JSON reader (spec/json-syntax.ts): line and column, and the nesting limit.
  const parsed = parseJson(text);
  if (!parsed.ok) throw new Error(`${source}: ${parsed.reason}`);
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source}: resources must be a JSON object (LinuxResources), got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  checkNumbers(value as Record<string, unknown>, source);
  return value as LinuxResources;
}

const NUMERIC: Readonly<Record<string, readonly string[]>> = {
  memory: ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP'],
  cpu: ['shares', 'quota', 'burst', 'period', 'realtimeRuntime', 'realtimePeriod', 'idle'],
  blockIO: ['weight', 'leafWeight'],
  pids: ['limit'],
};

const DEVICE_LISTS = ['weightDevice', 'throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'] as const;

/** The fields update reads must have the JSON type LinuxResources gives them. */
function checkNumbers(r: Record<string, unknown>, source: string): void {
  for (const [group, fields] of Object.entries(NUMERIC)) {
    const obj = r[group];
    if (obj === undefined || obj === null) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${source}: ${group} must be an object`);
    for (const f of fields) {
      const v = (obj as Record<string, unknown>)[f];
      if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v))) {
        throw new Error(`${source}: ${group}.${f} must be an integer, got ${JSON.stringify(v)}`);
      }
    }
  }
  const blockIO = r.blockIO as Record<string, unknown> | undefined | null;
  for (const list of DEVICE_LISTS) {
    const entries = blockIO?.[list];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) throw new Error(`${source}: blockIO.${list} must be an array`);
    entries.forEach((e: unknown, i) => {
      const entry = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
      const numbers = list === 'weightDevice' ? ['major', 'minor', 'weight', 'leafWeight'] : ['major', 'minor', 'rate'];
      for (const f of numbers) {
        const v = entry[f];
        const required = f === 'major' || f === 'minor' || f === 'rate';
        if ((v === undefined && required) || (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0))) {
          throw new Error(`${source}: blockIO.${list}[${i}].${f} must be a non-negative integer, got ${JSON.stringify(v)}`);
        }
      }
    });
  }
  for (const f of ['cpus', 'mems']) {
    const v = (r.cpu as Record<string, unknown> | undefined)?.[f];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new Error(`${source}: cpu.${f} must be a string`);
  }
  if (r.unified !== undefined && r.unified !== null) {
    const u = r.unified;
    if (typeof u !== 'object' || Array.isArray(u) || Object.values(u).some((v) => typeof v !== 'string')) {
      throw new Error(`${source}: unified must be an object of strings`);
    }
  }
}

export interface ResourceUpdate {
  /** What to write to the cgroup now: only the values the request changes. */
  apply: LinuxResources;
  /** The container's resources after the update, for state.json. */
  saved: LinuxResources;
}

const set = (n: number | undefined): n is number => n !== undefined && n !== null && n !== 0;

function memoryChange(m: LinuxMemory | undefined): LinuxMemory | undefined {
  if (!m) return undefined;
  const out: LinuxMemory = {};
  for (const k of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP'] as const) if (set(m[k])) out[k] = m[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

function cpuChange(c: LinuxCPU | undefined): LinuxCPU | undefined {
  if (!c) return undefined;
  const out: LinuxCPU = {};
  for (const k of ['shares', 'quota', 'period', 'realtimeRuntime', 'realtimePeriod'] as const) if (set(c[k])) out[k] = c[k];
  // burst and idle have meaningful zeros; they count when present at all.
  for (const k of ['burst', 'idle'] as const) if (c[k] !== undefined && c[k] !== null) out[k] = c[k];
  if (c.cpus) out.cpus = c.cpus;
  if (c.mems) out.mems = c.mems;
  return Object.keys(out).length > 0 ? out : undefined;
}

type DeviceEntry = LinuxWeightDevice | LinuxThrottleDevice;

/** runc's upsert: an entry for a device already listed replaces it, a new device is added. */
function upsertDevices<T extends DeviceEntry>(current: readonly T[] | undefined, changes: readonly T[]): T[] {
  const out = [...(current ?? [])];
  for (const c of changes) {
    const i = out.findIndex((d) => d.major === c.major && d.minor === c.minor);
    if (i >= 0) out[i] = { ...out[i], ...c };
    else out.push(c);
  }
  return out;
}

function blockIOChange(b: LinuxBlockIO | undefined): LinuxBlockIO | undefined {
  if (!b) return undefined;
  const out: LinuxBlockIO = {};
  if (set(b.weight)) out.weight = b.weight;
  if (set(b.leafWeight)) out.leafWeight = b.leafWeight;
  for (const list of DEVICE_LISTS) {
    const entries = b[list];
    if (entries && entries.length > 0) (out as Record<string, DeviceEntry[]>)[list] = entries;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The values of `req` that change something, and the container's resources once they have. */
export function planUpdate(current: LinuxResources | undefined, req: LinuxResources): ResourceUpdate {
  const apply: LinuxResources = {};
  const memory = memoryChange(req.memory);
  if (memory) {
    // memory+swap alone is relative to the memory limit (v2 writes swap - limit): carry the
    // container's limit along.
    const limit = current?.memory?.limit;
    if (memory.swap !== undefined && memory.limit === undefined && set(limit)) memory.limit = limit;
    apply.memory = memory;
  }
  const cpu = cpuChange(req.cpu);
  if (cpu) apply.cpu = cpu;
  const blockIO = blockIOChange(req.blockIO);
  if (blockIO) apply.blockIO = blockIO;
  // config-linux.md (1.3): 0 is a valid pids limit, not "unchanged"; absent is unchanged.
  const pids = req.pids?.limit;
  if (pids !== undefined && pids !== null) apply.pids = { limit: pids };
  if (req.unified && Object.keys(req.unified).length > 0) apply.unified = { ...req.unified };

  const saved: LinuxResources = { ...current };
  if (apply.memory) saved.memory = { ...current?.memory, ...apply.memory };
  if (apply.cpu) saved.cpu = { ...current?.cpu, ...apply.cpu };
  if (apply.blockIO) {
    const merged: LinuxBlockIO = { ...current?.blockIO, ...apply.blockIO };
    for (const list of DEVICE_LISTS) {
      const changes = apply.blockIO[list];
      if (changes) (merged as Record<string, DeviceEntry[]>)[list] = upsertDevices<DeviceEntry>(current?.blockIO?.[list], changes);
    }
    saved.blockIO = merged;
  }
  if (apply.pids) saved.pids = apply.pids;
  if (apply.unified) saved.unified = { ...current?.unified, ...apply.unified };
  return { apply, saved };
}
