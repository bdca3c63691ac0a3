import { check, fn, koffi } from './ffi.js';
import {
  PR_CAPBSET_DROP,
  PR_CAP_AMBIENT,
  PR_CAP_AMBIENT_CLEAR_ALL,
  PR_CAP_AMBIENT_RAISE,
  PR_SET_KEEPCAPS,
} from './constants.js';
import { prctl } from './libc.js';

// capget/capset with the v3 header: capabilities above 31 live in a second 32-bit data struct,
// so the kernel takes two of them back to back. Declared at load time (before any fork).

const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

koffi.struct('cap_user_header', { version: 'uint32_t', pid: 'int' });
const CapData = koffi.struct('cap_user_data', { effective: 'uint32_t', permitted: 'uint32_t', inheritable: 'uint32_t' });
koffi.struct('cap_user_data_v3', { low: CapData, high: CapData });

const c = {
  capget: fn('int capget(cap_user_header *hdr, _Out_ cap_user_data_v3 *data)'),
  capset: fn('int capset(cap_user_header *hdr, const cap_user_data_v3 *data)'),
};

/** The three per-thread sets capset(2) manages, as 64-bit masks (bit n = capability n). */
export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

interface CapData32 {
  effective: number;
  permitted: number;
  inheritable: number;
}

const LOW = 0xffffffffn;

function join(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

export function capget(): CapSets {
  const data: { low: CapData32; high: CapData32 } = {
    low: { effective: 0, permitted: 0, inheritable: 0 },
    high: { effective: 0, permitted: 0, inheritable: 0 },
  };
  check(c.capget({ version: LINUX_CAPABILITY_VERSION_3, pid: 0 }, data), 'capget', []);
  return {
    effective: join(data.low.effective, data.high.effective),
    permitted: join(data.low.permitted, data.high.permitted),
    inheritable: join(data.low.inheritable, data.high.inheritable),
  };
}

export function capset(sets: CapSets): void {
  const data = {
    low: {
      effective: Number(sets.effective & LOW),
      permitted: Number(sets.permitted & LOW),
      inheritable: Number(sets.inheritable & LOW),
    },
    high: {
      effective: Number(sets.effective >> 32n),
      permitted: Number(sets.permitted >> 32n),
      inheritable: Number(sets.inheritable >> 32n),
    },
  };
  check(c.capset({ version: LINUX_CAPABILITY_VERSION_3, pid: 0 }, data), 'capset', [sets.effective, sets.permitted, sets.inheritable]);
}

export const capbsetDrop = (cap: number): void => void prctl(PR_CAPBSET_DROP, cap);
export const ambientRaise = (cap: number): void => void prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap);
export const ambientClearAll = (): void => void prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
export const setKeepCaps = (keep: boolean): void => void prctl(PR_SET_KEEPCAPS, keep ? 1 : 0);
