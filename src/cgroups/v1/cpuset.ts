import { posix } from 'node:path';
import { makeDir, readOptional, writeCgroupFile } from '../fs.js';
import type { CgroupProbe } from '../plan.js';
import { parseInt64, type CgroupStats } from '../stats.js';
import { parseCpuList } from '../values.js';

// cgroup v1 cpuset controller (kernel Documentation/admin-guide/cgroup-v1/cpusets.rst).

/**
 * Creates `dir` and every missing cpuset between it and the mount point. A new v1 cpuset starts
 * with empty cpus and mems, and no process can join it until both are set: each level copies
 * its parent's, as runc does (cgroup.clone_children is not used because it would also copy
 * cpu_exclusive).
 */
export function createCpusetDir(mountpoint: string, dir: string): void {
  const rel = posix.relative(mountpoint, dir);
  let parent = mountpoint;
  for (const part of rel.split('/').filter((p) => p !== '')) {
    const current = posix.join(parent, part);
    makeDir(current);
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      if (readOptional(current, file) === '') {
        writeCgroupFile(current, file, readOptional(parent, file) ?? '');
      }
    }
    parent = current;
  }
}

export function cpusetStatsV1(p: CgroupProbe): CgroupStats['cpuset'] {
  const n = (file: string): bigint => parseInt64(p.read(file) ?? '0');
  return {
    cpus: parseCpuList(p.read('cpuset.cpus') ?? ''),
    cpu_exclusive: n('cpuset.cpu_exclusive'),
    mems: parseCpuList(p.read('cpuset.mems') ?? ''),
    mem_hardwall: n('cpuset.mem_hardwall'),
    mem_exclusive: n('cpuset.mem_exclusive'),
    memory_migrate: n('cpuset.memory_migrate'),
    memory_spread_page: n('cpuset.memory_spread_page'),
    memory_spread_slab: n('cpuset.memory_spread_slab'),
    memory_pressure: n('cpuset.memory_pressure'),
    sched_load_balance: n('cpuset.sched_load_balance'),
    sched_relax_domain_level: n('cpuset.sched_relax_domain_level'),
  };
}
