// The "data" object of runc's `events --stats` (runc types/events.go), and the parsers of the
// cgroup stat files it is read from. Counters are bigint: memory limits (9223372036854771712,
// 18446744073709551615) and nanosecond totals do not fit a double, and runc prints them exactly.

export interface MemoryEntry {
  limit: bigint;
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface BlkioEntry {
  major: bigint;
  minor: bigint;
  op: string;
  value: bigint;
}

export interface BlkioStats {
  ioServiceBytesRecursive: BlkioEntry[];
  ioServicedRecursive: BlkioEntry[];
  ioQueueRecursive: BlkioEntry[];
  ioServiceTimeRecursive: BlkioEntry[];
  ioWaitTimeRecursive: BlkioEntry[];
  ioMergedRecursive: BlkioEntry[];
  ioTimeRecursive: BlkioEntry[];
  sectorsRecursive: BlkioEntry[];
}

export interface HugetlbStats {
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface CgroupStats {
  cpu: {
    usage: {
      /** Nanoseconds. */
      total: bigint;
      percpu: bigint[];
      percpu_kernel: bigint[];
      percpu_user: bigint[];
      kernel: bigint;
      user: bigint;
    };
    throttling: { periods: bigint; throttledPeriods: bigint; throttledTime: bigint };
  };
  cpuset: {
    cpus: number[];
    cpu_exclusive: bigint;
    mems: number[];
    mem_hardwall: bigint;
    mem_exclusive: bigint;
    memory_migrate: bigint;
    memory_spread_page: bigint;
    memory_spread_slab: bigint;
    memory_pressure: bigint;
    sched_load_balance: bigint;
    sched_relax_domain_level: bigint;
  };
  memory: {
    cache: bigint;
    usage: MemoryEntry;
    /** memory+swap, as v1 counts it (v2 numbers are added up to match). */
    swap: MemoryEntry;
    kernel: MemoryEntry;
    kernelTCP: MemoryEntry;
    raw: Record<string, bigint>;
  };
  pids: { current: bigint; limit: bigint };
  blkio: BlkioStats;
  /** Keyed by page size, "2MB". */
  hugetlb: Record<string, HugetlbStats>;
}

export const UINT64_MAX = 18446744073709551615n;

export function emptyMemoryEntry(): MemoryEntry {
  return { limit: 0n, usage: 0n, max: 0n, failcnt: 0n };
}

export function emptyStats(): CgroupStats {
  return {
    cpu: {
      usage: { total: 0n, percpu: [], percpu_kernel: [], percpu_user: [], kernel: 0n, user: 0n },
      throttling: { periods: 0n, throttledPeriods: 0n, throttledTime: 0n },
    },
    cpuset: {
      cpus: [],
      cpu_exclusive: 0n,
      mems: [],
      mem_hardwall: 0n,
      mem_exclusive: 0n,
      memory_migrate: 0n,
      memory_spread_page: 0n,
      memory_spread_slab: 0n,
      memory_pressure: 0n,
      sched_load_balance: 0n,
      sched_relax_domain_level: 0n,
    },
    memory: { cache: 0n, usage: emptyMemoryEntry(), swap: emptyMemoryEntry(), kernel: emptyMemoryEntry(), kernelTCP: emptyMemoryEntry(), raw: {} },
    pids: { current: 0n, limit: 0n },
    blkio: {
      ioServiceBytesRecursive: [],
      ioServicedRecursive: [],
      ioQueueRecursive: [],
      ioServiceTimeRecursive: [],
      ioWaitTimeRecursive: [],
      ioMergedRecursive: [],
      ioTimeRecursive: [],
      sectorsRecursive: [],
    },
    hugetlb: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Parsers

/** A single-value file: a number, or "max" (no limit) as UINT64_MAX, as runc reads it. */
export function parseUint(text: string): bigint {
  const t = text.trim();
  if (t === 'max') return UINT64_MAX;
  return /^\d+$/.test(t) ? BigInt(t) : 0n;
}

/** A signed single-value file (sched_relax_domain_level is -1 by default). */
export function parseInt64(text: string): bigint {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? BigInt(t) : 0n;
}

/** "key value" lines (memory.stat, cpu.stat, memory.events): key to number. */
export function parseFlatKeyed(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out.set(key, BigInt(value));
  }
  return out;
}

/** Space-separated numbers (cpuacct.usage_percpu). */
export function parseUintList(text: string): bigint[] {
  return text.trim().split(/\s+/).filter((s) => /^\d+$/.test(s)).map((s) => BigInt(s));
}

/**
 * A v1 blkio stat file: "MAJ:MIN Op value" or "MAJ:MIN value" lines, and a "Total value" line
 * that is skipped.
 */
export function parseBlkioFile(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/[\s:]+/).filter((f) => f !== '');
    if (fields.length < 3) continue;
    const [major, minor] = fields;
    const op = fields.length === 4 ? (fields[2] ?? '') : '';
    const value = fields[fields.length - 1] ?? '';
    if (!/^\d+$/.test(major ?? '') || !/^\d+$/.test(minor ?? '') || !/^\d+$/.test(value)) continue;
    out.push({ major: BigInt(major ?? 0), minor: BigInt(minor ?? 0), op, value: BigInt(value) });
  }
  return out;
}

/** v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." per device, mapped to the v1 tables as runc maps them. */
export function parseIoStat(text: string): Pick<BlkioStats, 'ioServiceBytesRecursive' | 'ioServicedRecursive'> {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  const tables: Readonly<Record<string, [BlkioEntry[], string]>> = {
    rbytes: [bytes, 'Read'],
    wbytes: [bytes, 'Write'],
    rios: [ios, 'Read'],
    wios: [ios, 'Write'],
  };
  for (const line of text.split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      const target = tables[key ?? ''];
      if (!target || !/^\d+$/.test(value ?? '')) continue;
      target[0].push({ major: BigInt(m[1] ?? 0), minor: BigInt(m[2] ?? 0), op: target[1], value: BigInt(value ?? 0) });
    }
  }
  return { ioServiceBytesRecursive: bytes, ioServicedRecursive: ios };
}

// ---------------------------------------------------------------------------------------------
// JSON, in runc's field order and with its omitempty fields left out when zero or empty

type Json = bigint | number | string | null | Json[] | { [key: string]: Json | undefined };

function encode(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(encode).join(',')}]`;
  const parts: string[] = [];
  for (const [k, val] of Object.entries(v)) if (val !== undefined) parts.push(`${JSON.stringify(k)}:${encode(val)}`);
  return `{${parts.join(',')}}`;
}

const nz = (n: bigint): bigint | undefined => (n === 0n ? undefined : n);
const nonEmpty = <T extends Json>(a: T[]): T[] | undefined => (a.length === 0 ? undefined : a);

/** Go encodes maps with sorted keys. */
function sortedMap<T>(m: Readonly<Record<string, T>>, f: (v: T) => Json): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const k of Object.keys(m).sort()) out[k] = f(m[k] as T);
  return out;
}

const memoryEntry = (e: MemoryEntry): Json => ({ limit: e.limit, usage: nz(e.usage), max: nz(e.max), failcnt: e.failcnt });
const blkioEntries = (a: BlkioEntry[]): Json =>
  nonEmpty(a.map((e) => ({ major: nz(e.major), minor: nz(e.minor), op: e.op === '' ? undefined : e.op, value: nz(e.value) }))) ?? null;

function statsJson(s: CgroupStats): { [key: string]: Json | undefined } {
  const u = s.cpu.usage;
  const t = s.cpu.throttling;
  const c = s.cpuset;
  const m = s.memory;
  const b = s.blkio;
  const blkio: { [key: string]: Json | undefined } = {};
  for (const [k, entries] of Object.entries(b) as Array<[string, BlkioEntry[]]>) {
    if (entries.length > 0) blkio[k] = blkioEntries(entries);
  }
  return {
    cpu: {
      usage: {
        total: nz(u.total),
        percpu: nonEmpty(u.percpu),
        percpu_kernel: nonEmpty(u.percpu_kernel),
        percpu_user: nonEmpty(u.percpu_user),
        kernel: u.kernel,
        user: u.user,
      },
      throttling: { periods: nz(t.periods), throttledPeriods: nz(t.throttledPeriods), throttledTime: nz(t.throttledTime) },
    },
    cpuset: {
      cpus: nonEmpty(c.cpus),
      cpu_exclusive: c.cpu_exclusive,
      mems: nonEmpty(c.mems),
      mem_hardwall: c.mem_hardwall,
      mem_exclusive: c.mem_exclusive,
      memory_migrate: c.memory_migrate,
      memory_spread_page: c.memory_spread_page,
      memory_spread_slab: c.memory_spread_slab,
      memory_pressure: c.memory_pressure,
      sched_load_balance: c.sched_load_balance,
      sched_relax_domain_level: c.sched_relax_domain_level,
    },
    memory: {
      cache: nz(m.cache),
      usage: memoryEntry(m.usage),
      swap: memoryEntry(m.swap),
      kernel: memoryEntry(m.kernel),
      kernelTCP: memoryEntry(m.kernelTCP),
      raw: Object.keys(m.raw).length === 0 ? undefined : sortedMap(m.raw, (v) => v),
    },
    pids: { current: nz(s.pids.current), limit: nz(s.pids.limit) },
    blkio,
    hugetlb: sortedMap(s.hugetlb, (h) => ({ usage: nz(h.usage), max: nz(h.max), failcnt: h.failcnt })),
    // Not cgroup data; runc prints these when the host has no Intel RDT and no network info.
    intel_rdt: {},
    network_interfaces: null,
  };
}

/** One `events --stats` line: {"type":"stats","id":...,"data":{...}}. */
export function statsEventJson(id: string, stats: CgroupStats): string {
  return encode({ type: 'stats', id, data: statsJson(stats) });
}
