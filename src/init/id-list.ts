// The list syntax config.md uses for CPUs and memory nodes ("0-3,7"): the same as cpuset's.

/** Numbers of "0-3,7" in ascending order; throws naming `field` on anything else. Empty text is an empty list. */
export function parseIdList(text: string, field: string): number[] {
  const ids = new Set<number>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') {
      if (text.trim() === '') continue;
      throw new Error(`${field}: ${JSON.stringify(text)} has an empty element (expected a list such as "0-3,7")`);
    }
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`${field}: ${JSON.stringify(part)} is not a number or a range (expected a list such as "0-3,7")`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`${field}: range ${JSON.stringify(part)} ends before it starts`);
    // The kernel's masks top out at a few thousand bits; a larger number is a typo, not a machine.
    if (to >= 8192) throw new Error(`${field}: ${to} is beyond the largest CPU or node number (8191)`);
    for (let i = from; i <= to; i++) ids.add(i);
  }
  return [...ids].sort((a, b) => a - b);
}

/** A kernel bitmask (one bit per id, in whole 64-bit words) for sched_setaffinity and set_mempolicy. */
export function idMask(ids: readonly number[]): Buffer {
  const top = ids.length === 0 ? -1 : Math.max(...ids);
  const mask = Buffer.alloc(Math.ceil((top + 1) / 64) * 8);
  for (const id of ids) mask[id >> 3] = (mask[id >> 3] as number) | (1 << (id & 7));
  return mask;
}
