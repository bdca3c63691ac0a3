import type { LinuxPids } from '../spec/types.js';
import type { CgroupProbe, CgroupWrite } from './plan.js';
import { parseUint, UINT64_MAX, type CgroupStats } from './stats.js';
import { int } from './values.js';

// pids controller: pids.max has the same name and format in v1 and v2.

export function planPids(pids: LinuxPids | undefined): CgroupWrite[] {
  if (!pids) return [];
  // config-linux.md: -1 is "max", and 0 is a valid limit the runtime should honour as such.
  const value = pids.limit < 0 ? 'max' : int(pids.limit);
  return [{ field: 'linux.resources.pids.limit', file: 'pids.max', value }];
}

/** pids.current and pids.max; "max" is reported as 0, as runc does. */
export function pidsStats(p: CgroupProbe): CgroupStats['pids'] {
  const limit = parseUint(p.read('pids.max') ?? '0');
  return { current: parseUint(p.read('pids.current') ?? '0'), limit: limit === UINT64_MAX ? 0n : limit };
}
