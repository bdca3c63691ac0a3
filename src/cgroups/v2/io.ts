import type { LinuxBlockIO, LinuxThrottleDevice } from '../../spec/types.js';
import { CgroupResourceError, type CgroupProbe, type CgroupWrite } from '../plan.js';
import { emptyStats, parseIoStat, type BlkioStats } from '../stats.js';
import { blkioWeightToIoWeight, int } from '../values.js';

// cgroup v2 io controller (cgroup-v2.rst "IO"). Weights go to io.bfq.weight when BFQ is loaded
// (same 1-1000 range as v1's blkio weight), otherwise to io.weight with runc's conversion to
// 1-10000. Throttles become io.max lines "MAJ:MIN rbps=N".

const F = 'linux.resources.blockIO';

export function planIoV2(io: LinuxBlockIO | undefined, probe: CgroupProbe): CgroupWrite[] {
  if (!io) return [];
  if (io.leafWeight) throw new CgroupResourceError(`${F}.leafWeight`, 'cgroup v2 has no leaf weights (CFQ-only, v1)');
  const bfq = probe.has('io.bfq.weight');
  const weightFile = bfq ? 'io.bfq.weight' : 'io.weight';
  const weight = (w: number): string => (bfq ? int(w) : String(blkioWeightToIoWeight(w)));

  const writes: CgroupWrite[] = [];
  if (io.weight) writes.push({ field: `${F}.weight`, file: weightFile, value: weight(io.weight) });
  (io.weightDevice ?? []).forEach((d, i) => {
    const field = `${F}.weightDevice[${i}]`;
    if (d.leafWeight) throw new CgroupResourceError(`${field}.leafWeight`, 'cgroup v2 has no leaf weights (CFQ-only, v1)');
    if (d.weight) writes.push({ field: `${field}.weight`, file: weightFile, value: `${int(d.major)}:${int(d.minor)} ${weight(d.weight)}` });
  });
  writes.push(
    ...ioMax(io.throttleReadBpsDevice, 'throttleReadBpsDevice', 'rbps'),
    ...ioMax(io.throttleWriteBpsDevice, 'throttleWriteBpsDevice', 'wbps'),
    ...ioMax(io.throttleReadIOPSDevice, 'throttleReadIOPSDevice', 'riops'),
    ...ioMax(io.throttleWriteIOPSDevice, 'throttleWriteIOPSDevice', 'wiops'),
  );
  return writes;
}

function ioMax(devices: readonly LinuxThrottleDevice[] | undefined, name: string, key: string): CgroupWrite[] {
  return (devices ?? []).map((d, i) => ({
    field: `${F}.${name}[${i}]`,
    file: 'io.max',
    // 0 in the config means "no limit" here as in v1, where writing 0 removes the rule.
    value: `${int(d.major)}:${int(d.minor)} ${key}=${d.rate ? int(d.rate) : 'max'}`,
  }));
}

export function ioStatsV2(p: CgroupProbe): BlkioStats {
  return { ...emptyStats().blkio, ...parseIoStat(p.read('io.stat') ?? '') };
}
