// `update`: what a request changes (runc's zero = "leave as is"), and what state.json keeps.
import { describe, expect, it } from 'vitest';
import { parseResourcesJson, planUpdate, resourcesFromFlags } from '../../../src/cgroups/update.js';
import type { LinuxResources } from '../../../src/spec/types.js';

const flags = (values: Record<string, string>) => resourcesFromFlags((f) => values[f]);

describe('resourcesFromFlags', () => {
  it('reads memory sizes with units, -1 as unlimited, and integers for cpu and pids', () => {
    expect(
      flags({
        memory: '64m',
        'memory-swap': '-1',
        'memory-reservation': '32M',
        'cpu-share': '512',
        'cpu-quota': '-1',
        'cpu-period': '100000',
        'cpu-rt-runtime': '950',
        'cpuset-cpus': '0-1',
        'cpuset-mems': '0',
        'pids-limit': '42',
        'blkio-weight': '500',
      }),
    ).toEqual({
      memory: { limit: 64 * 2 ** 20, swap: -1, reservation: 32 * 2 ** 20 },
      cpu: { shares: 512, quota: -1, period: 100000, realtimeRuntime: 950, cpus: '0-1', mems: '0' },
      pids: { limit: 42 },
      blockIO: { weight: 500 },
    });
  });

  it('leaves out what is not given', () => {
    expect(flags({})).toEqual({});
    expect(flags({ 'kernel-memory-tcp': '1m' })).toEqual({ memory: { kernelTCP: 2 ** 20 } });
  });

  it('names the flag of a bad value', () => {
    expect(() => flags({ memory: '12x' })).toThrow("invalid value for memory: invalid size: '12x'");
    expect(() => flags({ 'cpu-period': '-5' })).toThrow('invalid value for cpu-period: "-5" is not a non-negative integer');
    expect(() => flags({ 'pids-limit': 'many' })).toThrow('invalid value for pids-limit');
  });

  it('reads --cpu-burst and --cpu-idle, zero included, and --pids-limit 0 as a limit', () => {
    expect(flags({ 'cpu-burst': '0', 'cpu-idle': '1', 'pids-limit': '0' })).toEqual({ cpu: { burst: 0, idle: 1 }, pids: { limit: 0 } });
    expect(() => flags({ 'cpu-burst': '-1' })).toThrow('invalid value for cpu-burst: "-1" is not a non-negative integer');
  });
});

describe('parseResourcesJson', () => {
  it('takes a LinuxResources object', () => {
    expect(parseResourcesJson('{"memory":{"limit":1048576},"cpu":{"cpus":"0"}}', 'f')).toEqual({ memory: { limit: 1048576 }, cpu: { cpus: '0' } });
  });

  it.each([
    ['not json', /^r\.json: line 1, column 2: invalid JSON: /],
    ['{"memory":\n  {"limit": 1,}}', /^r\.json: line 2, column 15: invalid JSON: /],
    ['[1]', /r\.json: resources must be a JSON object .* an array/],
    ['{"memory":{"limit":"1G"}}', /r\.json: memory\.limit must be an integer, got "1G"/],
    ['{"cpu":{"cpus":3}}', /r\.json: cpu\.cpus must be a string/],
    ['{"unified":{"memory.high":5}}', /r\.json: unified must be an object of strings/],
    ['{"blockIO":{"throttleReadBpsDevice":[{"major":8,"minor":0}]}}', /r\.json: blockIO\.throttleReadBpsDevice\[0\]\.rate must be a non-negative integer, got undefined/],
    ['{"blockIO":{"weightDevice":{}}}', /r\.json: blockIO\.weightDevice must be an array/],
  ])('refuses %s, naming the source and the field', (text, msg) => {
    expect(() => parseResourcesJson(text, 'r.json')).toThrow(msg);
  });
});

describe('planUpdate', () => {
  const current: LinuxResources = {
    devices: [{ allow: false, access: 'rwm' }],
    memory: { limit: 100 * 2 ** 20, swappiness: 10 },
    cpu: { shares: 1024, quota: 50000, period: 100000 },
    pids: { limit: 100 },
  };

  it('applies only the values that change something; zeros and empty strings are "unchanged"', () => {
    // What containerd sends: whole objects with zeros.
    const req: LinuxResources = {
      memory: { limit: 200 * 2 ** 20, reservation: 0, swap: 0, kernel: 0, kernelTCP: 0 },
      cpu: { shares: 0, quota: 20000, period: 0, realtimeRuntime: 0, realtimePeriod: 0, cpus: '', mems: '' },
      blockIO: { weight: 0 },
      devices: [{ allow: true, access: 'rwm' }],
    };
    const { apply, saved } = planUpdate(current, req);
    expect(apply).toEqual({ memory: { limit: 200 * 2 ** 20 }, cpu: { quota: 20000 } });
    expect(saved).toEqual({
      devices: [{ allow: false, access: 'rwm' }],
      memory: { limit: 200 * 2 ** 20, swappiness: 10 },
      cpu: { shares: 1024, quota: 20000, period: 100000 },
      pids: { limit: 100 },
    });
  });

  it('a pids limit of 0 is a limit (runtime-spec 1.3), an absent one leaves it', () => {
    expect(planUpdate(current, { pids: { limit: 0 } })).toMatchObject({ apply: { pids: { limit: 0 } }, saved: { pids: { limit: 0 } } });
    expect(planUpdate(current, { pids: {} as { limit: number } }).apply).toEqual({});
  });

  it('per-device blockIO entries are applied, and replace the saved entry of the same device (runc\'s upsert)', () => {
    const saved: LinuxResources = { blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 100 }, { major: 8, minor: 16, rate: 200 }] } };
    const req: LinuxResources = {
      blockIO: { weight: 0, throttleReadBpsDevice: [{ major: 8, minor: 16, rate: 300 }], weightDevice: [{ major: 8, minor: 0, weight: 20 }] },
    };
    const r = planUpdate(saved, req);
    expect(r.apply).toEqual({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 16, rate: 300 }], weightDevice: [{ major: 8, minor: 0, weight: 20 }] } });
    expect(r.saved.blockIO).toEqual({
      weight: 500,
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 100 }, { major: 8, minor: 16, rate: 300 }],
      weightDevice: [{ major: 8, minor: 0, weight: 20 }],
    });
  });

  it('never touches the device list (runc does not update it)', () => {
    const { apply, saved } = planUpdate(current, { devices: [{ allow: true, access: 'rwm' }] });
    expect(apply).toEqual({});
    expect(saved.devices).toEqual(current.devices);
  });

  it('carries the memory limit along with a memory+swap limit given alone', () => {
    expect(planUpdate(current, { memory: { swap: 300 * 2 ** 20 } }).apply).toEqual({ memory: { swap: 300 * 2 ** 20, limit: 100 * 2 ** 20 } });
    expect(planUpdate(undefined, { memory: { swap: -1 } }).apply).toEqual({ memory: { swap: -1 } });
  });

  it('takes -1 (unlimited), cpu burst/idle zeros, and merges unified keys', () => {
    const { apply, saved } = planUpdate({ unified: { 'memory.high': '1G' } }, {
      memory: { limit: -1 },
      pids: { limit: -1 },
      cpu: { burst: 0, idle: 0 },
      unified: { 'pids.max': '5' },
    });
    expect(apply).toEqual({ memory: { limit: -1 }, pids: { limit: -1 }, cpu: { burst: 0, idle: 0 }, unified: { 'pids.max': '5' } });
    expect(saved.unified).toEqual({ 'memory.high': '1G', 'pids.max': '5' });
  });

  it('starts from nothing for a container created without resources', () => {
    expect(planUpdate(undefined, { pids: { limit: 7 }, blockIO: { weight: 300 } })).toEqual({
      apply: { pids: { limit: 7 }, blockIO: { weight: 300 } },
      saved: { pids: { limit: 7 }, blockIO: { weight: 300 } },
    });
  });
});
