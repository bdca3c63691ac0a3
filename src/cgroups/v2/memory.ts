import type { LinuxMemory } from '../../spec/types.js';
import { CgroupResourceError, type CgroupProbe, type CgroupWrite } from '../plan.js';
import { emptyStats, parseFlatKeyed, parseUint, UINT64_MAX, type CgroupStats } from '../stats.js';
import { int, swapToV2, v2Limit } from '../values.js';

// cgroup v2 memory controller (kernel Documentation/admin-guide/cgroup-v2.rst "Memory").
// limit → memory.max, reservation → memory.low, swap (memory+swap) → memory.swap.max = swap -
// limit, as runc converts them. The v1-only knobs have no v2 file: config-linux.md "Unified"
// requires an error when a v1 setting cannot be converted.

const F = 'linux.resources.memory';

export function planMemoryV2(m: LinuxMemory | undefined, probe: CgroupProbe): CgroupWrite[] {
  if (!m) return [];
  const limit = m.limit ?? 0;
  const swap = m.swap ?? 0;
  let swapMax: string | undefined;
  try {
    swapMax = swapToV2(swap, limit);
  } catch (err) {
    throw new CgroupResourceError(`${F}.swap`, (err as Error).message);
  }
  if (m.checkBeforeUpdate) rejectBelowUsage(limit, swap, probe);

  const writes: CgroupWrite[] = [];
  // Swap first, as runc does: memory.swap.max does not depend on memory.max.
  if (swapMax !== undefined) {
    writes.push({
      field: `${F}.swap`,
      file: 'memory.swap.max',
      value: swapMax,
      lacks: 'swap accounting is off: kernel built without CONFIG_MEMCG_SWAP or booted with swapaccount=0',
    });
  }
  if (limit !== 0) writes.push({ field: `${F}.limit`, file: 'memory.max', value: v2Limit(limit) });
  if (m.reservation !== undefined && m.reservation !== 0) {
    writes.push({ field: `${F}.reservation`, file: 'memory.low', value: v2Limit(m.reservation) });
  }
  if (m.kernel !== undefined && m.kernel !== 0) {
    throw new CgroupResourceError(`${F}.kernel`, 'cgroup v2 has no kernel memory limit (kernel memory counts against memory.max)');
  }
  if (m.kernelTCP !== undefined && m.kernelTCP !== 0) {
    throw new CgroupResourceError(`${F}.kernelTCP`, 'cgroup v2 has no TCP buffer limit (socket memory counts against memory.max)');
  }
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    throw new CgroupResourceError(`${F}.swappiness`, 'cgroup v2 has no per-cgroup swappiness (memory.swappiness is v1 only)');
  }
  if (m.disableOOMKiller === true) {
    throw new CgroupResourceError(`${F}.disableOOMKiller`, 'cgroup v2 cannot disable the OOM killer (memory.oom_control is v1 only)');
  }
  if (m.useHierarchy === false) {
    throw new CgroupResourceError(`${F}.useHierarchy`, 'cgroup v2 accounting is always hierarchical');
  }
  return writes;
}

// v2 does not refuse a memory.max below the usage: it reclaims, then OOM-kills.
// checkBeforeUpdate asks for v1's refusal instead.
function rejectBelowUsage(limit: number, swap: number, probe: CgroupProbe): void {
  const usage = probe.read('memory.current');
  if (limit > 0 && usage !== undefined && BigInt(Math.trunc(limit)) <= BigInt(usage)) {
    throw new CgroupResourceError(`${F}.limit`, `rejecting memory limit ${int(limit)}: not above the current usage ${usage} (checkBeforeUpdate)`);
  }
  const swapUsage = probe.read('memory.swap.current');
  if (swap > 0 && usage !== undefined && swapUsage !== undefined && BigInt(Math.trunc(swap)) <= BigInt(usage) + BigInt(swapUsage)) {
    throw new CgroupResourceError(
      `${F}.swap`,
      `rejecting memory+swap limit ${int(swap)}: not above the current usage ${BigInt(usage) + BigInt(swapUsage)} (checkBeforeUpdate)`,
    );
  }
}

export function memoryStatsV2(p: CgroupProbe): CgroupStats['memory'] {
  const raw = Object.fromEntries(parseFlatKeyed(p.read('memory.stat') ?? ''));
  const stats = emptyStats().memory;
  stats.raw = raw;
  stats.cache = raw.file ?? 0n;
  const current = p.read('memory.current');
  if (current === undefined) return stats;
  stats.usage = {
    usage: parseUint(current),
    limit: parseUint(p.read('memory.max') ?? 'max'),
    max: parseUint(p.read('memory.peak') ?? '0'),
    failcnt: 0n,
  };
  const swap = p.read('memory.swap.current');
  if (swap !== undefined) {
    // v1 reported memory+swap; runc adds v2's separate numbers up to keep that meaning.
    const swapLimit = parseUint(p.read('memory.swap.max') ?? 'max');
    stats.swap = {
      usage: parseUint(swap) + stats.usage.usage,
      limit: swapLimit === UINT64_MAX ? swapLimit : swapLimit + stats.usage.limit,
      max: 0n,
      failcnt: 0n,
    };
  }
  return stats;
}

/** memory.events counts OOM kills in this cgroup and below. */
export function oomKillCountV2(p: CgroupProbe): number {
  return Number(parseFlatKeyed(p.read('memory.events') ?? '').get('oom_kill') ?? 0n);
}
