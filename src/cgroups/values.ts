// Number formatting and the v1 → v2 conversions runc applies, shared by the planners.

/** What v1 memory files report for "no limit": LONG_MAX rounded down to a whole 4 KiB page. */
export const V1_UNLIMITED = '9223372036854771712';

/** int64 config values arrive as doubles; print them without exponent notation. */
export function int(n: number): string {
  return BigInt(Math.trunc(n)).toString();
}

/** cgroup v2 limit files: -1 (v1's "unlimited") is "max". */
export function v2Limit(n: number): string {
  return n === -1 ? 'max' : int(n);
}

// v1 cpu.shares is clamped by the kernel to [2, 262144]; v2 cpu.weight is [1, 10000].
const MIN_SHARES = 2;
const MAX_SHARES = 262144;

/** runc's cpu.shares → cpu.weight mapping: 1 + ((shares - 2) * 9999) / 262142, integer division. */
export function sharesToWeight(shares: number): number {
  const s = Math.min(Math.max(shares, MIN_SHARES), MAX_SHARES);
  return 1 + Math.floor(((s - MIN_SHARES) * 9999) / (MAX_SHARES - MIN_SHARES));
}

/** runc's blkio weight [10, 1000] → io.weight [1, 10000]: 1 + (weight - 10) * 9999 / 990. */
export function blkioWeightToIoWeight(weight: number): number {
  const w = Math.min(Math.max(weight, 10), 1000);
  return 1 + Math.floor(((w - 10) * 9999) / 990);
}

/**
 * config "swap" is memory+swap (the v1 memsw meaning); v2's memory.swap.max is swap alone.
 * Returns the memory.swap.max value, or undefined when nothing is to be written. Same rules as
 * runc's ConvertMemorySwapToCgroupV2Value.
 */
export function swapToV2(swap: number, limit: number): string | undefined {
  // Unlimited memory with swap unset means both unlimited, as v1 does.
  if (limit === -1 && swap === 0) return 'max';
  if (swap === 0) return undefined;
  if (swap === -1) return 'max';
  if (limit === 0 || limit === -1) throw new Error('a swap limit needs a memory limit (swap is memory+swap)');
  if (swap < limit) throw new Error(`memory+swap limit ${int(swap)} is below the memory limit ${int(limit)}`);
  return int(swap - limit);
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [lo, hi] = part.split('-').map((s) => Number.parseInt(s, 10));
    if (lo === undefined || Number.isNaN(lo)) continue;
    const end = hi === undefined || Number.isNaN(hi) ? lo : hi;
    for (let i = lo; i <= end; i++) out.push(i);
  }
  return out;
}

/** Kernel hugepage directory name ("hugepages-2048kB") → the config's pageSize ("2MB"), as runc names them. */
export function hugePageSizeName(dirName: string): string | undefined {
  const m = /^hugepages-(\d+)kB$/.exec(dirName);
  if (!m?.[1]) return undefined;
  let size = Number(m[1]) * 1024;
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let u = 0;
  while (size >= 1024 && u < units.length - 1) {
    size /= 1024;
    u++;
  }
  return `${size}${units[u]}`;
}
