import type { LinuxBlockIO, LinuxThrottleDevice } from '../../spec/types.js';
import type { CgroupProbe, CgroupWrite } from '../plan.js';
import { emptyStats, parseBlkioFile, type BlkioStats } from '../stats.js';
import { int } from '../values.js';

// cgroup v1 blkio controller (kernel Documentation/admin-guide/cgroup-v1/blkio-controller.rst).
// Proportional weights live in blkio.weight with CFQ (gone since Linux 5.0) and in
// blkio.bfq.weight with BFQ; runc 1.1 uses whichever the host has, and so do we.

const F = 'linux.resources.blockIO';

export function planBlkioV1(io: LinuxBlockIO | undefined, probe: CgroupProbe): CgroupWrite[] {
  if (!io) return [];
  const bfq = !probe.has('blkio.weight') && probe.has('blkio.bfq.weight');
  const weightFile = bfq ? 'blkio.bfq.weight' : 'blkio.weight';
  const weightDeviceFile = bfq ? 'blkio.bfq.weight_device' : 'blkio.weight_device';
  const noWeights = 'cgroup v1 blkio without CFQ/BFQ';
  const leafOnlyCfq = 'leaf weights exist only with the CFQ scheduler, removed in Linux 5.0';

  const writes: CgroupWrite[] = [];
  if (io.weight) writes.push({ field: `${F}.weight`, file: weightFile, value: int(io.weight), lacks: noWeights });
  if (io.leafWeight) writes.push({ field: `${F}.leafWeight`, file: 'blkio.leaf_weight', value: int(io.leafWeight), lacks: leafOnlyCfq });
  (io.weightDevice ?? []).forEach((d, i) => {
    const dev = `${int(d.major)}:${int(d.minor)}`;
    const field = `${F}.weightDevice[${i}]`;
    if (d.weight) {
      writes.push({
        field: `${field}.weight`,
        file: weightDeviceFile,
        value: `${dev} ${int(d.weight)}`,
        lacks: noWeights,
        hint: bfq ? `a per-device weight needs device ${dev} to use the bfq I/O scheduler` : undefined,
      });
    }
    if (d.leafWeight) {
      writes.push({ field: `${field}.leafWeight`, file: 'blkio.leaf_weight_device', value: `${dev} ${int(d.leafWeight)}`, lacks: leafOnlyCfq });
    }
  });
  writes.push(
    ...throttle(io.throttleReadBpsDevice, 'throttleReadBpsDevice', 'blkio.throttle.read_bps_device'),
    ...throttle(io.throttleWriteBpsDevice, 'throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'),
    ...throttle(io.throttleReadIOPSDevice, 'throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'),
    ...throttle(io.throttleWriteIOPSDevice, 'throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'),
  );
  return writes;
}

function throttle(devices: readonly LinuxThrottleDevice[] | undefined, name: string, file: string): CgroupWrite[] {
  return (devices ?? []).map((d, i) => ({
    field: `${F}.${name}[${i}]`,
    file,
    value: `${int(d.major)}:${int(d.minor)} ${int(d.rate ?? 0)}`,
    lacks: 'kernel built without CONFIG_BLK_DEV_THROTTLING',
  }));
}

type BlkioTable = keyof BlkioStats;

// Where runc 1.1 reads blkio stats from, best source first: BFQ with debug stats, BFQ, CFQ,
// then the throttling layer's counters (which every kernel has). A source is used when its
// first file has entries.
const STAT_SOURCES: ReadonlyArray<ReadonlyArray<readonly [string, BlkioTable]>> = [
  [
    ['blkio.bfq.sectors_recursive', 'sectorsRecursive'],
    ['blkio.bfq.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.bfq.io_wait_time_recursive', 'ioWaitTimeRecursive'],
    ['blkio.bfq.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.bfq.io_queued_recursive', 'ioQueueRecursive'],
    ['blkio.bfq.time_recursive', 'ioTimeRecursive'],
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.sectors_recursive', 'sectorsRecursive'],
    ['blkio.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.io_wait_time_recursive', 'ioWaitTimeRecursive'],
    ['blkio.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.io_queued_recursive', 'ioQueueRecursive'],
    ['blkio.time_recursive', 'ioTimeRecursive'],
    ['blkio.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.throttle.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.throttle.io_serviced', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes', 'ioServiceBytesRecursive'],
  ],
];

export function blkioStatsV1(p: CgroupProbe): BlkioStats {
  const stats = emptyStats().blkio;
  for (const source of STAT_SOURCES) {
    for (const [i, [file, table]] of source.entries()) {
      const entries = parseBlkioFile(p.read(file) ?? '');
      if (entries.length === 0) {
        if (i === 0) break;
        return stats;
      }
      stats[table] = entries;
      if (i === source.length - 1) return stats;
    }
  }
  return stats;
}
