import type { LinuxDeviceCgroup } from '../spec/types.js';
import { CgroupResourceError } from './plan.js';

// config-linux.md "Allowed Device list": the rules, checked and put in one shape, and the
// devices every container may use whatever its config says (runc's AllowedDevices).

export type DeviceType = 'a' | 'c' | 'b';

/** -1 stands for "*", any major or minor. */
export const ANY = -1;

export interface DeviceRule {
  allow: boolean;
  type: DeviceType;
  major: number;
  minor: number;
  /** Some of "r", "w", "m", in that order. */
  access: string;
  /** The config field the rule comes from; absent for the defaults. */
  field?: string;
}

// The kernel keeps major numbers in 12 bits and minor numbers in 20 (include/linux/kdev_t.h).
const MAX_MAJOR = 0xfff;
const MAX_MINOR = 0xfffff;

/** runc 1.1's default rules, appended after the config's: mknod anything, and use the basic nodes. */
export const DEFAULT_ALLOWED_DEVICES: readonly DeviceRule[] = [
  { allow: true, type: 'c', major: ANY, minor: ANY, access: 'm' },
  { allow: true, type: 'b', major: ANY, minor: ANY, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // /dev/full
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 136, minor: ANY, access: 'rwm' }, // /dev/pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // /dev/net/tun
];

/** The config's rules in config order followed by the defaults, as runc's specconv builds them. */
export function deviceRulesFromConfig(entries: readonly LinuxDeviceCgroup[]): DeviceRule[] {
  return [...entries.map(toRule), ...DEFAULT_ALLOWED_DEVICES];
}

function toRule(e: LinuxDeviceCgroup, i: number): DeviceRule {
  const field = `linux.resources.devices[${i}]`;
  const type = e.type ?? 'a';
  if (type !== 'a' && type !== 'b' && type !== 'c') {
    throw new CgroupResourceError(`${field}.type`, `invalid device type ${JSON.stringify(type)} (want "a", "b" or "c")`);
  }
  // runc refuses an empty access rather than guess whether it means nothing or everything.
  if (!e.access) throw new CgroupResourceError(`${field}.access`, 'device access cannot be empty');
  if (!/^[rwm]+$/.test(e.access)) {
    throw new CgroupResourceError(`${field}.access`, `invalid device access ${JSON.stringify(e.access)} (want a combination of r, w and m)`);
  }
  const access = ['r', 'w', 'm'].filter((c) => e.access?.includes(c)).join('');
  return {
    allow: e.allow,
    type,
    major: deviceNumber(e.major, MAX_MAJOR, `${field}.major`),
    minor: deviceNumber(e.minor, MAX_MINOR, `${field}.minor`),
    access,
    field,
  };
}

function deviceNumber(n: number | undefined, max: number, field: string): number {
  if (n === undefined || n === ANY) return ANY;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new CgroupResourceError(field, `invalid device number ${n} (want -1 for any, or 0-${max})`);
  }
  return n;
}

/** The line devices.allow and devices.deny take: "c 1:3 rwm", "a *:* rwm". */
export function v1RuleLine(rule: DeviceRule): string {
  const num = (n: number): string => (n === ANY ? '*' : String(n));
  // An "a" rule resets the whole list in the kernel whatever follows it: written in full.
  if (rule.type === 'a') return 'a *:* rwm';
  return `${rule.type} ${num(rule.major)}:${num(rule.minor)} ${rule.access}`;
}
