// runc's `events --stats` data from cgroup stat files: the parsers, and the whole JSON line
// rebuilt from v1 file contents that match the golden runc 1.1.5 output byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CgroupProbe } from '../../../src/cgroups/plan.js';
import { emptyStats, parseBlkioFile, parseFlatKeyed, parseIoStat, parseUint, statsEventJson, UINT64_MAX } from '../../../src/cgroups/stats.js';
import { blkioStatsV1 } from '../../../src/cgroups/v1/blkio.js';
import { oomKillCountV1 } from '../../../src/cgroups/v1/memory.js';
import { collectStatsV1 } from '../../../src/cgroups/v1/stats.js';
import { oomKillCountV2 } from '../../../src/cgroups/v2/memory.js';
import { collectStatsV2 } from '../../../src/cgroups/v2/stats.js';
import { GOLDEN_DIR } from '../../support/golden.js';

function probe(files: Record<string, string>): CgroupProbe {
  return { has: (f) => f in files, read: (f) => files[f]?.trim() };
}

const GOLDEN = readFileSync(join(GOLDEN_DIR, 'runc-events-stats.json'), 'utf8').trim();
const UNLIMITED = '9223372036854771712';

// memory.stat in the kernel's order, with the golden values.
const MEMORY_STAT = `cache 0
rss 45056
rss_huge 0
shmem 0
mapped_file 0
dirty 0
writeback 0
workingset_refault_anon 0
workingset_refault_file 0
swap 0
swapcached 0
pgpgin 385
pgpgout 374
pgfault 648
pgmajfault 0
inactive_anon 40960
active_anon 4096
inactive_file 0
active_file 0
unevictable 0
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 0
total_rss 45056
total_rss_huge 0
total_shmem 0
total_mapped_file 0
total_dirty 0
total_writeback 0
total_workingset_refault_anon 0
total_workingset_refault_file 0
total_swap 0
total_swapcached 0
total_pgpgin 385
total_pgpgout 374
total_pgfault 648
total_pgmajfault 0
total_inactive_anon 40960
total_active_anon 4096
total_inactive_file 0
total_active_file 0
total_unevictable 0
`;

/** The container's directory in each v1 hierarchy of the golden run (no hugetlb hierarchy). */
const V1_FILES: Record<string, Record<string, string>> = {
  cpuacct: {
    'cpuacct.usage': '14961053\n',
    'cpuacct.usage_percpu': '12278031 2683022 \n',
    'cpuacct.usage_all': 'cpu user system\n0 12000000 4000000\n1 0 0\n',
    'cpuacct.stat': 'user 1\nsystem 0\n',
  },
  cpu: { 'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n' },
  cpuset: {
    'cpuset.cpus': '0-1\n',
    'cpuset.mems': '0\n',
    'cpuset.cpu_exclusive': '0\n',
    'cpuset.mem_hardwall': '0\n',
    'cpuset.mem_exclusive': '0\n',
    'cpuset.memory_migrate': '0\n',
    'cpuset.memory_spread_page': '0\n',
    'cpuset.memory_spread_slab': '0\n',
    'cpuset.memory_pressure': '0\n',
    'cpuset.sched_load_balance': '1\n',
    'cpuset.sched_relax_domain_level': '-1\n',
  },
  memory: {
    'memory.stat': MEMORY_STAT,
    'memory.usage_in_bytes': '561152\n',
    'memory.max_usage_in_bytes': '2256896\n',
    'memory.failcnt': '0\n',
    'memory.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.memsw.usage_in_bytes': '561152\n',
    'memory.memsw.max_usage_in_bytes': '2256896\n',
    'memory.memsw.failcnt': '0\n',
    'memory.memsw.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.kmem.usage_in_bytes': '274432\n',
    'memory.kmem.max_usage_in_bytes': '577536\n',
    'memory.kmem.failcnt': '0\n',
    'memory.kmem.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.kmem.tcp.usage_in_bytes': '0\n',
    'memory.kmem.tcp.max_usage_in_bytes': '0\n',
    'memory.kmem.tcp.failcnt': '0\n',
    'memory.kmem.tcp.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
  },
  pids: { 'pids.current': '1\n', 'pids.max': 'max\n' },
  // BFQ files present but empty: no I/O yet.
  blkio: {
    'blkio.bfq.io_serviced_recursive': 'Total 0\n',
    'blkio.bfq.io_service_bytes_recursive': 'Total 0\n',
    'blkio.throttle.io_serviced_recursive': 'Total 0\n',
    'blkio.throttle.io_service_bytes_recursive': 'Total 0\n',
    'blkio.throttle.io_serviced': 'Total 0\n',
    'blkio.throttle.io_service_bytes': 'Total 0\n',
  },
};

describe('v1 stats', () => {
  it('reproduces runc 1.1.5 events --stats byte for byte', () => {
    const stats = collectStatsV1((c) => probe(V1_FILES[c] ?? {}), ['2MB', '1GB']);
    expect(statsEventJson('t1', stats)).toBe(GOLDEN);
  });

  it('reads the OOM kill count from memory.oom_control', () => {
    expect(oomKillCountV1(probe(V1_FILES.memory ?? {}))).toBe(2);
    expect(oomKillCountV1(probe({}))).toBe(0);
  });

  it('takes blkio stats from the first source with entries', () => {
    const cfq = probe({
      'blkio.bfq.io_serviced_recursive': 'Total 0\n',
      'blkio.sectors_recursive': '8:0 6792\n',
      'blkio.io_service_time_recursive': '8:0 Read 5\nTotal 5\n',
      'blkio.io_wait_time_recursive': '8:0 Read 1\n',
      'blkio.io_merged_recursive': '8:0 Read 0\n',
      'blkio.io_queued_recursive': '8:0 Read 0\n',
      'blkio.time_recursive': '8:0 9\n',
      'blkio.io_serviced_recursive': '8:0 Read 124\n8:0 Write 104\nTotal 228\n',
      'blkio.io_service_bytes_recursive': '8:0 Read 1282048\n8:0 Write 2195456\nTotal 3477504\n',
      'blkio.throttle.io_serviced': '8:0 Read 999\n',
    });
    const b = blkioStatsV1(cfq);
    expect(b.sectorsRecursive).toEqual([{ major: 8n, minor: 0n, op: '', value: 6792n }]);
    expect(b.ioServicedRecursive).toHaveLength(2);
    expect(b.ioServiceBytesRecursive[1]).toEqual({ major: 8n, minor: 0n, op: 'Write', value: 2195456n });
  });

  it('leaves zeros for hierarchies the host lacks', () => {
    const stats = collectStatsV1(() => probe({}), []);
    expect(stats).toEqual(emptyStats());
  });
});

describe('v2 stats', () => {
  const files = {
    'cpu.stat': 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 10\nnr_throttled 2\nthrottled_usec 30\n',
    'cpuset.cpus.effective': '0-3\n',
    'cpuset.mems.effective': '0\n',
    'memory.stat': 'anon 4096\nfile 8192\n',
    'memory.current': '12288\n',
    'memory.max': '1048576\n',
    'memory.peak': '65536\n',
    'memory.swap.current': '4096\n',
    'memory.swap.max': '1048576\n',
    'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
    'pids.current': '3\n',
    'pids.max': '100\n',
    'io.stat': '8:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n',
    'hugetlb.2MB.current': '0\n',
    'hugetlb.2MB.events': 'max 4\n',
  };

  it('converts to runc units and v1 meanings', () => {
    const s = collectStatsV2(probe(files), ['2MB'], () => 0);
    expect(s.cpu.usage).toMatchObject({ total: 2_000_000n, user: 1_500_000n, kernel: 500_000n });
    expect(s.cpu.throttling).toEqual({ periods: 10n, throttledPeriods: 2n, throttledTime: 30_000n });
    expect(s.cpuset.cpus).toEqual([0, 1, 2, 3]);
    expect(s.memory.cache).toBe(8192n);
    expect(s.memory.usage).toEqual({ usage: 12288n, limit: 1048576n, max: 65536n, failcnt: 0n });
    // memory+swap, as v1 reports it.
    expect(s.memory.swap).toEqual({ usage: 16384n, limit: 2097152n, max: 0n, failcnt: 0n });
    expect(s.pids).toEqual({ current: 3n, limit: 100n });
    expect(s.blkio.ioServiceBytesRecursive).toEqual([
      { major: 8n, minor: 0n, op: 'Read', value: 1024n },
      { major: 8n, minor: 0n, op: 'Write', value: 2048n },
    ]);
    expect(s.hugetlb).toEqual({ '2MB': { usage: 0n, max: 0n, failcnt: 4n } });
    expect(oomKillCountV2(probe(files))).toBe(1);
  });

  it('keeps "max" limits exact and counts processes without the pids controller', () => {
    const s = collectStatsV2(probe({ 'memory.current': '1', 'memory.max': 'max', 'memory.swap.current': '0', 'memory.swap.max': 'max' }), [], () => 7);
    expect(s.memory.usage.limit).toBe(UINT64_MAX);
    expect(s.memory.swap.limit).toBe(UINT64_MAX);
    expect(s.pids).toEqual({ current: 7n, limit: 0n });
    expect(statsEventJson('c', s)).toContain('"limit":18446744073709551615');
  });
});

describe('parsers', () => {
  it('reads single values, max, and key-value files', () => {
    expect(parseUint('max\n')).toBe(UINT64_MAX);
    expect(parseUint('9223372036854771712\n')).toBe(9223372036854771712n);
    expect(parseFlatKeyed('a 1\nb 2\nbad x\n')).toEqual(new Map([['a', 1n], ['b', 2n]]));
  });

  it('reads blkio lines with and without an op, skipping Total', () => {
    expect(parseBlkioFile('8:0 Read 10\n8:16 5\nTotal 15\n')).toEqual([
      { major: 8n, minor: 0n, op: 'Read', value: 10n },
      { major: 8n, minor: 16n, op: '', value: 5n },
    ]);
  });

  it('maps io.stat to the v1 tables', () => {
    expect(parseIoStat('253:0 rbytes=1 wbytes=2 rios=3 wios=4\n').ioServicedRecursive).toEqual([
      { major: 253n, minor: 0n, op: 'Read', value: 3n },
      { major: 253n, minor: 0n, op: 'Write', value: 4n },
    ]);
  });

  it('omits zero blkio fields as runc does', () => {
    const s = emptyStats();
    s.blkio.ioServicedRecursive = [{ major: 254n, minor: 0n, op: 'Read', value: 0n }];
    expect(statsEventJson('c', s)).toContain('"blkio":{"ioServicedRecursive":[{"major":254,"op":"Read"}]}');
  });
});
