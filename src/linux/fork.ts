import { readFileSync } from 'node:fs';
import { MADV_DOFORK } from './constants.js';
import { fork, madvise, watchForInterrupt } from './libc.js';

// Node 20 marks the V8 heap MADV_DONTFORK: a forked child that runs JS would find its heap
// unmapped and segfault. madvise(MADV_DOFORK) over the whole user address space (holes only
// make it return ENOMEM) undoes that. [vvar] is VM_IO and makes madvise fail with EINVAL, so
// the ranges stop around it. The ranges are computed once; the advice is re-applied before
// every fork because V8 keeps mapping new DONTFORK pages.

const USER_SPACE_END = 0x7ffffffff000n;
const PAGE = 0x1000n;

export function forkableRanges(maps: string): Array<[bigint, bigint]> {
  const excluded: Array<[bigint, bigint]> = [];
  for (const line of maps.split('\n')) {
    if (!/\[(vvar|vvar_vclock|vsyscall)\]/.test(line)) continue;
    const [range] = line.split(' ');
    const [lo, hi] = (range ?? '').split('-');
    if (lo && hi) excluded.push([BigInt(`0x${lo}`), BigInt(`0x${hi}`)]);
  }
  excluded.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const ranges: Array<[bigint, bigint]> = [];
  let start = PAGE;
  for (const [lo, hi] of excluded) {
    if (lo >= USER_SPACE_END) break;
    if (lo > start) ranges.push([start, lo - start]);
    start = hi;
  }
  if (start < USER_SPACE_END) ranges.push([start, USER_SPACE_END - start]);
  return ranges;
}

let ranges: Array<[bigint, bigint]> | undefined;
let inForkedChild = false;

/**
 * glibc fork() (its atfork handlers reset malloc locks; a raw clone does not) with the V8 heap
 * made inheritable. The child must run only synchronous code and leave by execve or exitNow.
 */
export function forkProcess(): number {
  ranges ??= forkableRanges(readFileSync('/proc/self/maps', 'utf8'));
  // An empty young generation at the fork: the child's allocations then fill it instead of
  // setting off a scavenge, whose copying is charged to the container's memory limit
  // (bench/RESULTS.md, "Measurements behind the code"). Before madvise, since a GC maps new
  // DONTFORK pages; never in a forked child (docs/DESIGN.md, "Process model"). gc exists under
  // the launcher's flags (bin/ocirun, read by scripts/launcher-flags.cjs for anything else that
  // forks this code); exposing it at run time instead costs more than the whole gc saves.
  if (!inForkedChild) (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
  for (const [addr, len] of ranges) madvise(addr, len, MADV_DOFORK);
  const pid = fork();
  if (pid === 0) {
    inForkedChild = true;
    // The child's waits are its own: Node's signal pipe is its parent's business.
    watchForInterrupt(undefined);
  }
  return pid;
}
