// LinuxResources → systemd unit properties on cgroup v2 (runc's docs/systemd.md table and
// its v2.go/common.go conversions), devices as DevicePolicy/DeviceAllow.
import { describe, expect, it } from 'vitest';
import {
  cpuListToMask,
  cpuQuotaProperties,
  deviceProperties,
  oomPolicyProperty,
  resourceProperties,
  scopeProperties,
} from '../../../../src/cgroups/systemd/properties.js';
import type { UnitProperty } from '../../../../src/cgroups/systemd/unit-property.js';

const MAX = 2n ** 64n - 1n;
const NEW = 255;
const byName = (props: UnitProperty[]) => Object.fromEntries(props.map((p) => [p.name, p.value]));

describe('resourceProperties', () => {
  it('translates memory, cpu weight, pids and cpusets', () => {
    const { properties } = resourceProperties(
      { memory: { limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20 }, cpu: { shares: 1024, cpus: '0-1', mems: '0' }, pids: { limit: 42 } },
      NEW,
    );
    expect(byName(properties)).toEqual({
      MemoryMax: 67108864n,
      MemoryLow: 33554432n,
      MemorySwapMax: 33554432n,
      CPUWeight: 39n,
      TasksMax: 42n,
      AllowedCPUs: new Uint8Array([3]),
      AllowedMemoryNodes: new Uint8Array([1]),
    });
    expect(properties.find((p) => p.name === 'AllowedCPUs')?.signature).toBe('ay');
    expect(properties.every((p) => p.name.startsWith('Allowed') || p.signature === 't')).toBe(true);
  });

  it('gives -1 as infinity and a pids limit of 0 as TasksMax=1 (systemd refuses 0)', () => {
    const v = byName(resourceProperties({ memory: { limit: -1, swap: -1 }, pids: { limit: 0 } }, NEW).properties);
    expect(v).toEqual({ MemoryMax: MAX, MemorySwapMax: MAX, TasksMax: 1n });
    expect(byName(resourceProperties({ pids: { limit: -1 } }, NEW).properties)).toEqual({ TasksMax: MAX });
  });

  it('refuses a swap limit without a memory limit, naming the field', () => {
    expect(() => resourceProperties({ memory: { swap: 1000 } }, NEW)).toThrow(/^linux\.resources\.memory\.swap: /);
  });

  it('leaves properties newer than the running systemd to cgroupfs', () => {
    const old = byName(resourceProperties({ cpu: { cpus: '0', quota: 50000, period: 100000, idle: 1, shares: 2 } }, 241).properties);
    expect(old).toEqual({ CPUWeight: 1n, CPUQuotaPerSecUSec: 500000n });
    const idle = byName(resourceProperties({ cpu: { idle: 1, shares: 1024 } }, 252).properties);
    expect(idle).toEqual({ CPUWeight: 0n });
  });

  it('rounds a quota systemd cannot hold up to the next percent, for cgroupfs too', () => {
    const r = resourceProperties({ cpu: { quota: 12345, period: 100000 } }, NEW);
    expect(byName(r.properties)).toEqual({ CPUQuotaPeriodUSec: 100000n, CPUQuotaPerSecUSec: 130000n });
    expect(r.resources.cpu?.quota).toBe(13000);
  });

  it('translates io weights and throttles with /dev/block paths', () => {
    const v = byName(
      resourceProperties(
        {
          blockIO: {
            weight: 500,
            weightDevice: [{ major: 8, minor: 0, weight: 1000 }],
            throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
            throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 0 }],
          },
        },
        NEW,
      ).properties,
    );
    expect(v).toEqual({
      IOWeight: 4950n,
      IODeviceWeight: [['/dev/block/8:0', 10000n]],
      IOReadBandwidthMax: [['/dev/block/8:0', 1048576n]],
      IOWriteIOPSMax: [['/dev/block/8:16', MAX]],
    });
  });

  it('translates the unified keys systemd knows and leaves the rest to cgroupfs', () => {
    const v = byName(
      resourceProperties({ unified: { 'memory.high': '1000000', 'memory.min': 'max', 'pids.max': '0', 'cpu.weight': '50', 'cpu.max': '25000 50000', 'io.max': '8:0 rbps=1', 'cpuset.cpus': '1' } }, NEW)
        .properties,
    );
    expect(v).toEqual({
      MemoryHigh: 1000000n,
      MemoryMin: MAX,
      TasksMax: 1n,
      CPUWeight: 50n,
      CPUQuotaPeriodUSec: 50000n,
      CPUQuotaPerSecUSec: 500000n,
      AllowedCPUs: new Uint8Array([2]),
    });
    expect(() => resourceProperties({ unified: { 'memory.max': 'lots' } }, NEW)).toThrow('linux.resources.unified["memory.max"]');
  });
});

describe('cpuQuotaProperties', () => {
  it('sends the default period with a quota alone, and infinity for a period alone', () => {
    expect(byName(cpuQuotaProperties(20000, 0, NEW).properties)).toEqual({ CPUQuotaPerSecUSec: 200000n });
    expect(byName(cpuQuotaProperties(-1, 50000, NEW).properties)).toEqual({ CPUQuotaPeriodUSec: 50000n, CPUQuotaPerSecUSec: MAX });
    expect(cpuQuotaProperties(0, 0, NEW).properties).toEqual([]);
  });
});

describe('cpuListToMask', () => {
  it('sets bit i of byte i/8 for cpu i (systemd\'s little-endian mask)', () => {
    expect(cpuListToMask('0-2,7', 'f')).toEqual(new Uint8Array([0x87]));
    expect(cpuListToMask('8', 'f')).toEqual(new Uint8Array([0, 1]));
    expect(cpuListToMask(' 1 , ,3', 'f')).toEqual(new Uint8Array([0x0a]));
  });

  it.each(['', 'x', '3-1', '1-'])('refuses %j naming the field', (list) => {
    expect(() => cpuListToMask(list, 'linux.resources.cpu.cpus')).toThrow(/^linux\.resources\.cpu\.cpus: /);
  });
});

describe('deviceProperties', () => {
  it('turns the allow-list into DevicePolicy=strict and DeviceAllow entries, after clearing old ones', () => {
    const props = deviceProperties({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }, { allow: true, type: 'b', major: 8, access: 'r' }] });
    expect(props.slice(0, 2)).toEqual([
      { name: 'DeviceAllow', signature: 'a(ss)', value: [] },
      { name: 'DevicePolicy', signature: 's', value: 'strict' },
    ]);
    const allow = props[2]?.value as string[][];
    expect(allow).toContainEqual(['/dev/char/10:229', 'rw']);
    expect(allow).toContainEqual(['block-8', 'r']);
    expect(allow).toContainEqual(['/dev/char/1:3', 'rwm']);
    expect(allow).toContainEqual(['char-*', 'm']);
    expect(allow).toContainEqual(['char-136', 'rwm']);
  });

  it('allows everything with DevicePolicy=auto and no entries', () => {
    expect(deviceProperties({ devices: [{ allow: true, access: 'rwm' }] })).toEqual([
      { name: 'DeviceAllow', signature: 'a(ss)', value: [] },
      { name: 'DevicePolicy', signature: 's', value: 'auto' },
    ]);
  });

  it('leaves a deny-list to our own device program: strict, nothing allowed by systemd', () => {
    expect(deviceProperties({ devices: [{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }] })).toEqual([
      { name: 'DeviceAllow', signature: 'a(ss)', value: [] },
      { name: 'DevicePolicy', signature: 's', value: 'strict' },
    ]);
  });

  it('sends nothing without device rules', () => {
    expect(deviceProperties({})).toEqual([]);
  });
});

describe('start properties', () => {
  it('delegates the scope and enables accounting, with the init as its process', () => {
    expect(byName(scopeProperties({ slice: 'system.slice', description: 'd', pid: 42 }))).toEqual({
      Description: 'd',
      Slice: 'system.slice',
      Delegate: true,
      PIDs: [42],
      MemoryAccounting: true,
      CPUAccounting: true,
      IOAccounting: true,
      TasksAccounting: true,
      DefaultDependencies: false,
    });
  });

  it('sets OOMPolicy from memory.oom.group where systemd has it', () => {
    expect(oomPolicyProperty({ unified: { 'memory.oom.group': '1' } }, 253)).toEqual([{ name: 'OOMPolicy', signature: 's', value: 'kill' }]);
    expect(oomPolicyProperty({ unified: { 'memory.oom.group': '0' } }, 253)).toEqual([{ name: 'OOMPolicy', signature: 's', value: 'continue' }]);
    expect(oomPolicyProperty({ unified: { 'memory.oom.group': '1' } }, 252)).toEqual([]);
  });
});
