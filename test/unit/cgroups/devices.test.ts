// config-linux.md "Allowed Device list": rules, v1 semantics (security/device_cgroup.c), the v1
// allow/deny lines, and the v2 eBPF program, run here on a small interpreter of the
// instructions it uses.
import { describe, expect, it } from 'vitest';
import { ANY, DEFAULT_ALLOWED_DEVICES, deviceRulesFromConfig, v1RuleLine, type DeviceRule } from '../../../src/cgroups/devices.js';
import {
  ACC_MKNOD,
  ACC_READ,
  ACC_WRITE,
  emulateDeviceRules,
  parseDevicesList,
  sameDeviceState,
  type DeviceState,
} from '../../../src/cgroups/devices-emulator.js';
import { deviceFilterProgram, encodeProgram, type BpfInsn } from '../../../src/cgroups/devices-v2-bpf.js';

const rule = (allow: boolean, type: 'a' | 'b' | 'c', major: number, minor: number, access: string): DeviceRule => ({ allow, type, major, minor, access });

describe('deviceRulesFromConfig', () => {
  it('keeps config order and appends runc 1.1 default allow-list', () => {
    const rules = deviceRulesFromConfig([{ allow: false, access: 'rwm' }]);
    expect(rules.map(v1RuleLine)).toEqual([
      'a *:* rwm',
      'c *:* m',
      'b *:* m',
      'c 1:3 rwm',
      'c 1:8 rwm',
      'c 1:7 rwm',
      'c 5:0 rwm',
      'c 1:5 rwm',
      'c 1:9 rwm',
      'c 136:* rwm',
      'c 5:2 rwm',
      'c 10:200 rwm',
    ]);
    expect(rules[0]).toMatchObject({ allow: false, type: 'a', field: 'linux.resources.devices[0]' });
    expect(rules.slice(1)).toEqual(DEFAULT_ALLOWED_DEVICES);
  });

  it('defaults type to a and major/minor to any, orders access as rwm', () => {
    const [r] = deviceRulesFromConfig([{ allow: true, type: 'c', major: 10, access: 'mwr' }]);
    expect(r).toMatchObject({ type: 'c', major: 10, minor: ANY, access: 'rwm' });
    expect(v1RuleLine(r as DeviceRule)).toBe('c 10:* rwm');
  });

  it('refuses bad rules, naming the field', () => {
    expect(() => deviceRulesFromConfig([{ allow: true, type: 'x', access: 'r' }])).toThrow(/devices\[0\].type: invalid device type "x"/);
    expect(() => deviceRulesFromConfig([{ allow: true, type: 'c' }])).toThrow(/devices\[0\].access: device access cannot be empty/);
    expect(() => deviceRulesFromConfig([{ allow: true, access: 'rx' }])).toThrow(/invalid device access "rx"/);
    expect(() => deviceRulesFromConfig([{ allow: true, type: 'c', major: 4096, access: 'r' }])).toThrow(/devices\[0\].major: invalid device number 4096/);
  });
});

describe('emulateDeviceRules (v1 semantics)', () => {
  it('starts allowing everything', () => {
    expect(emulateDeviceRules([])).toEqual({ defaultAllow: true, exceptions: [] });
  });

  it('an "a" rule resets the default and drops the exceptions', () => {
    const s = emulateDeviceRules([rule(true, 'c', 1, 3, 'r'), rule(false, 'a', ANY, ANY, 'rwm'), rule(true, 'c', 1, 5, 'rw')]);
    expect(s).toEqual({ defaultAllow: false, exceptions: [{ type: 'c', major: 1, minor: 5, access: ACC_READ | ACC_WRITE }] });
  });

  it('merges access for the same device and removes by exact match', () => {
    const s = emulateDeviceRules([
      rule(false, 'a', ANY, ANY, 'rwm'),
      rule(true, 'c', 1, 3, 'r'),
      rule(true, 'c', 1, 3, 'w'),
      rule(true, 'c', 1, 5, 'rwm'),
      rule(false, 'c', 1, 5, 'rwm'),
      rule(false, 'c', 1, 3, 'r'),
    ]);
    expect(s.exceptions).toEqual([{ type: 'c', major: 1, minor: 3, access: ACC_WRITE }]);
  });

  it('refuses to punch a hole v1 would silently ignore', () => {
    const rules = [rule(false, 'a', ANY, ANY, 'rwm'), { ...rule(true, 'c', ANY, ANY, 'rwm'), field: 'linux.resources.devices[1]' }, { ...rule(false, 'c', 1, 3, 'r'), field: 'linux.resources.devices[2]' }];
    expect(() => emulateDeviceRules(rules)).toThrow(/^linux.resources.devices\[2\]: cannot deny c 1:3 r inside the wider c \*:\* rwm/);
    // Disjoint access is fine: the wider rule does not grant it.
    expect(() => emulateDeviceRules([rule(false, 'a', ANY, ANY, 'rwm'), rule(true, 'c', ANY, ANY, 'm'), rule(false, 'c', 1, 3, 'r')])).not.toThrow();
  });

  it('in allow-all mode a deny adds an exception and an allow removes it', () => {
    const s = emulateDeviceRules([rule(false, 'b', 8, ANY, 'rw'), rule(false, 'c', 1, 3, 'w'), rule(true, 'c', 1, 3, 'w')]);
    expect(s).toEqual({ defaultAllow: true, exceptions: [{ type: 'b', major: 8, minor: ANY, access: ACC_READ | ACC_WRITE }] });
  });
});

describe('devices.list', () => {
  it('parses both modes and compares with the emulated state', () => {
    expect(parseDevicesList('a *:* rwm\n')).toEqual({ defaultAllow: true, exceptions: [] });
    const listed = parseDevicesList('c 1:3 rwm\nc *:* m\nb *:* m\nc 136:* rwm\n');
    expect(listed.exceptions).toContainEqual({ type: 'c', major: 136, minor: ANY, access: ACC_READ | ACC_WRITE | ACC_MKNOD });
    const wanted = emulateDeviceRules([rule(false, 'a', ANY, ANY, 'rwm'), rule(true, 'c', ANY, ANY, 'm'), rule(true, 'b', ANY, ANY, 'm'), rule(true, 'c', 1, 3, 'rwm'), rule(true, 'c', 136, ANY, 'rwm')]);
    expect(sameDeviceState(listed, wanted)).toBe(true);
    expect(sameDeviceState(parseDevicesList('c 1:3 rwm\n'), wanted)).toBe(false);
    expect(sameDeviceState(parseDevicesList(''), { defaultAllow: false, exceptions: [] })).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The eBPF program

/** Runs a BPF_PROG_TYPE_CGROUP_DEVICE program on one access, like the kernel would. */
function run(prog: readonly BpfInsn[], type: 'b' | 'c', major: number, minor: number, access: number): number {
  const ctx = [((access << 16) | (type === 'b' ? 1 : 2)) >>> 0, major, minor];
  const r = new Array<number>(11).fill(0);
  for (let pc = 0, steps = 0; pc < prog.length && steps < 10_000; pc++, steps++) {
    const i = prog[pc] as BpfInsn;
    switch (i.code) {
      case 0x61:
        r[i.dst] = ctx[i.off / 4] ?? 0;
        break;
      case 0x54:
        r[i.dst] = ((r[i.dst] ?? 0) & i.imm) >>> 0;
        break;
      case 0x74:
        r[i.dst] = (r[i.dst] ?? 0) >>> i.imm;
        break;
      case 0xbc:
        r[i.dst] = r[i.src] ?? 0;
        break;
      case 0xb4:
        r[i.dst] = i.imm >>> 0;
        break;
      case 0x55:
        if (r[i.dst] !== i.imm) pc += i.off;
        break;
      case 0x15:
        if (r[i.dst] === i.imm) pc += i.off;
        break;
      case 0x5d:
        if (r[i.dst] !== r[i.src]) pc += i.off;
        break;
      case 0x95:
        return r[0] ?? 0;
      default:
        throw new Error(`opcode 0x${i.code.toString(16)} not interpreted`);
    }
  }
  throw new Error('ran off the end of the program');
}

const RW = ACC_READ | ACC_WRITE;

describe('deviceFilterProgram', () => {
  const runcDefault: DeviceState = emulateDeviceRules(deviceRulesFromConfig([{ allow: false, access: 'rwm' }]));
  const prog = deviceFilterProgram(runcDefault);

  it('grants the default devices and nothing else', () => {
    expect(run(prog, 'c', 1, 3, RW)).toBe(1); // /dev/null
    expect(run(prog, 'c', 136, 7, RW)).toBe(1); // /dev/pts/7
    expect(run(prog, 'c', 10, 200, ACC_READ)).toBe(1); // /dev/net/tun
    expect(run(prog, 'b', 8, 0, ACC_READ)).toBe(0); // /dev/sda
    expect(run(prog, 'c', 4, 1, ACC_WRITE)).toBe(0); // /dev/tty1
    expect(run(prog, 'c', 10, 229, RW)).toBe(0); // /dev/fuse
  });

  it('grants mknod of any node, but not its use', () => {
    expect(run(prog, 'b', 8, 0, ACC_MKNOD)).toBe(1);
    expect(run(prog, 'c', 4, 1, ACC_MKNOD)).toBe(1);
    expect(run(prog, 'c', 4, 1, ACC_MKNOD | ACC_READ)).toBe(0);
  });

  it('needs every requested bit granted in allow-list mode', () => {
    const p = deviceFilterProgram(emulateDeviceRules([rule(false, 'a', ANY, ANY, 'rwm'), rule(true, 'c', 1, 3, 'r')]));
    expect(run(p, 'c', 1, 3, ACC_READ)).toBe(1);
    expect(run(p, 'c', 1, 3, RW)).toBe(0);
  });

  it('refuses on any denied bit in deny-list mode', () => {
    const p = deviceFilterProgram(emulateDeviceRules([rule(false, 'c', 1, 3, 'w')]));
    expect(run(p, 'c', 1, 3, ACC_READ)).toBe(1);
    expect(run(p, 'c', 1, 3, RW)).toBe(0);
    expect(run(p, 'c', 1, 5, RW)).toBe(1);
    expect(run(p, 'b', 1, 3, ACC_WRITE)).toBe(1);
  });

  it('is the prologue and "return 1" when everything is allowed', () => {
    const p = deviceFilterProgram({ defaultAllow: true, exceptions: [] });
    expect(p).toHaveLength(8);
    expect(p.slice(-2)).toEqual([
      { code: 0xb4, dst: 0, src: 0, off: 0, imm: 1 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
  });

  it('encodes struct bpf_insn little-endian with dst in the low nibble', () => {
    const bytes = encodeProgram(prog);
    expect(bytes.length).toBe(prog.length * 8);
    // r2 = *(u32 *)(r1 + 0)
    expect([...bytes.subarray(0, 8)]).toEqual([0x61, 0x12, 0, 0, 0, 0, 0, 0]);
    // r4 = *(u32 *)(r1 + 4)
    expect([...bytes.subarray(32, 40)]).toEqual([0x61, 0x14, 4, 0, 0, 0, 0, 0]);
  });
});
