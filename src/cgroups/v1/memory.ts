import type { LinuxMemory } from '../../spec/types.js';
import { CgroupResourceError, type CgroupProbe, type CgroupWrite } from '../plan.js';
import { emptyMemoryEntry, parseFlatKeyed, parseUint, type CgroupStats, type MemoryEntry } from '../stats.js';
import { int, V1_UNLIMITED } from '../values.js';

// cgroup v1 memory controller (kernel Documentation/admin-guide/cgroup-v1/memory.rst).
// A limit of 0 means "not set", as runc and crun read it: 0 bytes is no usable limit.

const F = 'linux.resources.memory';
const LIMIT = 'memory.limit_in_bytes';
const MEMSW = 'memory.memsw.limit_in_bytes';
const NO_SWAP_ACCOUNTING = 'swap accounting is off: kernel built without CONFIG_MEMCG_SWAP or booted with swapaccount=0';

export function planMemoryV1(m: LinuxMemory | undefined, probe: CgroupProbe): CgroupWrite[] {
  if (!m) return [];
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  // Unlimited memory with swap unset: lift the memory+swap limit too, or the old one stays.
  if (limit === -1 && swap === 0 && probe.has(MEMSW)) swap = -1;

  if (m.checkBeforeUpdate && limit > 0) rejectBelowUsage(limit, probe);

  const writes: CgroupWrite[] = [];
  const limitWrite: CgroupWrite = { field: `${F}.limit`, file: LIMIT, value: int(limit) };
  const swapWrite: CgroupWrite = { field: `${F}.swap`, file: MEMSW, value: int(swap), lacks: NO_SWAP_ACCOUNTING };
  if (limit !== 0 && swap !== 0) {
    // The kernel keeps memory.limit <= memsw.limit at every step: raising both needs memsw
    // first, lowering both needs memory first.
    const current = BigInt(probe.read(LIMIT) ?? V1_UNLIMITED);
    const raising = swap === -1 || current < BigInt(Math.trunc(swap));
    writes.push(...(raising ? [swapWrite, limitWrite] : [limitWrite, swapWrite]));
  } else if (limit !== 0) {
    writes.push(limitWrite);
  } else if (swap !== 0) {
    writes.push(swapWrite);
  }

  if (m.reservation !== undefined && m.reservation !== 0) {
    writes.push({ field: `${F}.reservation`, file: 'memory.soft_limit_in_bytes', value: int(m.reservation) });
  }
  if (m.kernel !== undefined && m.kernel !== 0) {
    const wanted = m.kernel;
    writes.push({
      field: `${F}.kernel`,
      file: 'memory.kmem.limit_in_bytes',
      value: int(wanted),
      lacks: 'kernel memory limits were removed from cgroup v1',
      // Since Linux 6.1 the file is kept but writes are accepted and ignored.
      verify: (kept) =>
        wanted > 0 && kept === V1_UNLIMITED
          ? 'this kernel ignores kernel memory limits (writes have had no effect since Linux 6.1)'
          : undefined,
    });
  }
  if (m.kernelTCP !== undefined && m.kernelTCP !== 0) {
    writes.push({
      field: `${F}.kernelTCP`,
      file: 'memory.kmem.tcp.limit_in_bytes',
      value: int(m.kernelTCP),
      lacks: 'kernel built without kernel memory accounting',
    });
  }
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness < 0 || m.swappiness > 100) {
      throw new CgroupResourceError(`${F}.swappiness`, `invalid value ${m.swappiness} (valid range is 0-100)`);
    }
    writes.push({ field: `${F}.swappiness`, file: 'memory.swappiness', value: int(m.swappiness) });
  }
  if (m.disableOOMKiller !== undefined) {
    writes.push({ field: `${F}.disableOOMKiller`, file: 'memory.oom_control', value: m.disableOOMKiller ? '1' : '0' });
  }
  if (m.useHierarchy !== undefined) {
    writes.push({
      field: `${F}.useHierarchy`,
      file: 'memory.use_hierarchy',
      value: m.useHierarchy ? '1' : '0',
      hint: 'current kernels keep hierarchical accounting always on and refuse to turn it off',
    });
  }
  return writes;
}

function rejectBelowUsage(limit: number, probe: CgroupProbe): void {
  const usage = probe.read('memory.usage_in_bytes');
  if (usage !== undefined && BigInt(Math.trunc(limit)) <= BigInt(usage)) {
    throw new CgroupResourceError(
      `${F}.limit`,
      `rejecting memory limit ${int(limit)}: not above the current usage ${usage} (checkBeforeUpdate)`,
    );
  }
}

export function memoryStatsV1(p: CgroupProbe): CgroupStats['memory'] {
  const raw = Object.fromEntries(parseFlatKeyed(p.read('memory.stat') ?? ''));
  return {
    cache: raw.cache ?? 0n,
    usage: memoryEntry(p, 'memory'),
    swap: memoryEntry(p, 'memory.memsw'),
    kernel: memoryEntry(p, 'memory.kmem'),
    kernelTCP: memoryEntry(p, 'memory.kmem.tcp'),
    raw,
  };
}

/** <prefix>.{usage_in_bytes,max_usage_in_bytes,failcnt,limit_in_bytes}; zeros when the kernel lacks them. */
function memoryEntry(p: CgroupProbe, prefix: string): MemoryEntry {
  const usage = p.read(`${prefix}.usage_in_bytes`);
  if (usage === undefined) return emptyMemoryEntry();
  return {
    limit: parseUint(p.read(`${prefix}.limit_in_bytes`) ?? '0'),
    usage: parseUint(usage),
    max: parseUint(p.read(`${prefix}.max_usage_in_bytes`) ?? '0'),
    failcnt: parseUint(p.read(`${prefix}.failcnt`) ?? '0'),
  };
}

/** How many processes the OOM killer killed in this cgroup (memory.oom_control, Linux 4.13+). */
export function oomKillCountV1(p: CgroupProbe): number {
  return Number(parseFlatKeyed(p.read('memory.oom_control') ?? '').get('oom_kill') ?? 0n);
}
