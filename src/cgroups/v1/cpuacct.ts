import type { CgroupProbe } from '../plan.js';
import { parseFlatKeyed, parseUint, parseUintList, type CgroupStats } from '../stats.js';

// cgroup v1 cpuacct controller: CPU time used, in total, per CPU and per mode.

/** cpuacct.stat counts USER_HZ ticks, which Linux fixes at 100 per second for userspace. */
const NS_PER_TICK = 1_000_000_000n / 100n;

export function cpuacctStatsV1(p: CgroupProbe): CgroupStats['cpu']['usage'] {
  const ticks = parseFlatKeyed(p.read('cpuacct.stat') ?? '');
  const perMode = perCpuModes(p.read('cpuacct.usage_all') ?? '');
  return {
    total: parseUint(p.read('cpuacct.usage') ?? '0'),
    percpu: parseUintList(p.read('cpuacct.usage_percpu') ?? ''),
    percpu_kernel: perMode.kernel,
    percpu_user: perMode.user,
    kernel: (ticks.get('system') ?? 0n) * NS_PER_TICK,
    user: (ticks.get('user') ?? 0n) * NS_PER_TICK,
  };
}

/** cpuacct.usage_all: a "cpu user system" header, then one line of nanoseconds per CPU. */
function perCpuModes(text: string): { user: bigint[]; kernel: bigint[] } {
  const user: bigint[] = [];
  const kernel: bigint[] = [];
  for (const line of text.split('\n').slice(1)) {
    const [, u, s] = line.trim().split(/\s+/);
    if (!/^\d+$/.test(u ?? '') || !/^\d+$/.test(s ?? '')) continue;
    user.push(BigInt(u ?? 0));
    kernel.push(BigInt(s ?? 0));
  }
  return { user, kernel };
}
