import { ANY, v1RuleLine, type DeviceRule } from './devices.js';
import { CgroupResourceError } from './plan.js';

// What the v1 devices controller does with a list of allow/deny writes, computed in advance:
// the v2 eBPF program must grant exactly what v1 would, and after a v1 apply the kernel's
// devices.list must show exactly this (security/device_cgroup.c semantics).
//
// The state is a default (allow all, or deny all) plus exceptions to it. An "a" rule resets
// both. A rule whose verdict differs from the default adds an exception (access bits merge
// into an existing exception for the same device); a rule with the default's verdict removes
// those access bits from the exception for exactly the same device.

export const ACC_MKNOD = 1;
export const ACC_READ = 2;
export const ACC_WRITE = 4;
export const ACC_ALL = ACC_MKNOD | ACC_READ | ACC_WRITE;

export interface DeviceException {
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** ACC_* bits. */
  access: number;
}

export interface DeviceState {
  defaultAllow: boolean;
  /** Kernel order: first added first. */
  exceptions: DeviceException[];
}

function accessBits(access: string): number {
  let bits = 0;
  if (access.includes('r')) bits |= ACC_READ;
  if (access.includes('w')) bits |= ACC_WRITE;
  if (access.includes('m')) bits |= ACC_MKNOD;
  return bits;
}

function accessString(bits: number): string {
  return `${bits & ACC_READ ? 'r' : ''}${bits & ACC_WRITE ? 'w' : ''}${bits & ACC_MKNOD ? 'm' : ''}`;
}

function describe(e: { type: string; major: number; minor: number }, access: number): string {
  const num = (n: number): string => (n === ANY ? '*' : String(n));
  return `${e.type} ${num(e.major)}:${num(e.minor)} ${accessString(access)}`;
}

/** Applies rules in order from the kernel's initial state for a new cgroup under an unrestricted parent. */
export function emulateDeviceRules(rules: readonly DeviceRule[]): DeviceState {
  let defaultAllow = true;
  let exceptions: DeviceException[] = [];
  for (const rule of rules) {
    if (rule.type === 'a') {
      defaultAllow = rule.allow;
      exceptions = [];
      continue;
    }
    const bits = accessBits(rule.access);
    const same = (e: DeviceException): boolean => e.type === rule.type && e.major === rule.major && e.minor === rule.minor;
    const existing = exceptions.find(same);
    if (rule.allow !== defaultAllow) {
      if (existing) existing.access |= bits;
      else exceptions.push({ type: rule.type, major: rule.major, minor: rule.minor, access: bits });
      continue;
    }
    // The kernel removes exceptions by exact match only: taking "c 1:3 r" out of an exception
    // "c *:* rwm" is silently ignored by v1. Refuse it rather than leave a hole unpunched.
    for (const wider of exceptions) {
      if (wider === existing || wider.type !== rule.type || (wider.access & bits) === 0) continue;
      const covers = (w: number, r: number): boolean => w === ANY || w === r;
      if (covers(wider.major, rule.major) && covers(wider.minor, rule.minor)) {
        throw new CgroupResourceError(
          rule.field ?? `default device rule "${v1RuleLine(rule)}"`,
          `cannot ${rule.allow ? 'allow' : 'deny'} ${describe(rule, bits)} inside the wider ${describe(wider, wider.access)} ` +
            'that an earlier rule made an exception: cgroup v1 silently ignores such holes',
        );
      }
    }
    if (existing) {
      existing.access &= ~bits;
      if (existing.access === 0) exceptions = exceptions.filter((e) => e !== existing);
    }
  }
  return { defaultAllow, exceptions };
}

/** Parses a v1 devices.list: "a *:* rwm" alone means allow all; otherwise the allowed exceptions. */
export function parseDevicesList(text: string): DeviceState {
  const exceptions: DeviceException[] = [];
  for (const line of text.split('\n')) {
    const m = /^([abc]) (\*|\d+):(\*|\d+) ([rwm]+)$/.exec(line.trim());
    if (!m) continue;
    const [, type, major, minor, access] = m;
    if (type === 'a') return { defaultAllow: true, exceptions: [] };
    exceptions.push({
      type: type as 'c' | 'b',
      major: major === '*' ? ANY : Number(major),
      minor: minor === '*' ? ANY : Number(minor),
      access: accessBits(access ?? ''),
    });
  }
  return { defaultAllow: false, exceptions };
}

/** Whether two states grant the same (order of exceptions aside). */
export function sameDeviceState(a: DeviceState, b: DeviceState): boolean {
  if (a.defaultAllow !== b.defaultAllow) return false;
  // In allow-all mode v1 does not list its deny exceptions: only the mode can be compared.
  if (a.defaultAllow) return true;
  const key = (e: DeviceException): string => `${describe(e, e.access)}`;
  const ka = a.exceptions.map(key).sort();
  const kb = b.exceptions.map(key).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}
