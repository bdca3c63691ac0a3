import { syscallNumbers } from './constants.js';
import { SyscallError } from './errors.js';
import { koffi, syscall, tryCall } from './ffi.js';

// The bpf(2) commands a cgroup v2 device filter needs. `union bpf_attr` is passed as a zeroed
// byte buffer with the fields of one command filled in at their uapi offsets
// (include/uapi/linux/bpf.h); pointers inside it point at koffi-allocated memory, which does
// not move while the kernel reads or writes it.

const NR_BPF = syscallNumbers().bpf;

const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_GET_FD_BY_ID = 13;
const BPF_PROG_QUERY = 16;

export const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
export const BPF_CGROUP_DEVICE = 6;
export const BPF_F_ALLOW_MULTI = 2;

// Large enough for every field used here, and within every kernel's sizeof(union bpf_attr).
const ATTR_SIZE = 120;
const LOG_SIZE = 64 * 1024;

function bpf(cmd: number, attr: Buffer): ReturnType<typeof tryCall> {
  return tryCall(syscall(NR_BPF, 'int', cmd, 'uint8_t *', attr, 'unsigned int', ATTR_SIZE));
}

/** Memory the kernel can be pointed at, freed by the caller. */
function nativeCopy(data: Buffer): { ptr: unknown; address: bigint } {
  const ptr = koffi.alloc('uint8_t', Math.max(data.length, 1));
  Buffer.from(koffi.view(ptr, data.length)).set(data);
  return { ptr, address: koffi.address(ptr) };
}

/**
 * BPF_PROG_LOAD. On a verifier rejection, loads again with the verifier log on so the error
 * says why.
 */
export function bpfProgLoad(progType: number, insns: Buffer, license: string): number {
  const code = nativeCopy(insns);
  const lic = nativeCopy(Buffer.from(`${license}\0`));
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(progType, 0);
  attr.writeUInt32LE(insns.length / 8, 4);
  attr.writeBigUInt64LE(code.address, 8);
  attr.writeBigUInt64LE(lic.address, 16);
  try {
    const first = bpf(BPF_PROG_LOAD, attr);
    if (first.ok) return first.value;
    const log = koffi.alloc('uint8_t', LOG_SIZE);
    try {
      attr.writeUInt32LE(1, 24); // log_level
      attr.writeUInt32LE(LOG_SIZE, 28);
      attr.writeBigUInt64LE(koffi.address(log), 32);
      const second = bpf(BPF_PROG_LOAD, attr);
      if (second.ok) return second.value;
      const text = Buffer.from(koffi.view(log, LOG_SIZE)).toString('utf8').replace(/\0[\s\S]*$/, '').trim();
      const err = new SyscallError('bpf(BPF_PROG_LOAD)', second.errno, [progType, insns.length / 8]);
      if (text) err.message += `\nverifier: ${text}`;
      throw err;
    } finally {
      koffi.free(log);
    }
  } finally {
    koffi.free(code.ptr);
    koffi.free(lic.ptr);
  }
}

export function bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags: number): void {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(targetFd, 0);
  attr.writeUInt32LE(progFd, 4);
  attr.writeUInt32LE(attachType, 8);
  attr.writeUInt32LE(flags, 12);
  const r = bpf(BPF_PROG_ATTACH, attr);
  if (!r.ok) throw new SyscallError('bpf(BPF_PROG_ATTACH)', r.errno, [targetFd, progFd, attachType, flags]);
}

export function bpfProgDetach(targetFd: number, progFd: number, attachType: number): void {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(targetFd, 0);
  attr.writeUInt32LE(progFd, 4);
  attr.writeUInt32LE(attachType, 8);
  const r = bpf(BPF_PROG_DETACH, attr);
  if (!r.ok) throw new SyscallError('bpf(BPF_PROG_DETACH)', r.errno, [targetFd, progFd, attachType]);
}

/** The ids of the programs attached to a cgroup directly (not inherited), oldest first. */
export function bpfProgQuery(targetFd: number, attachType: number): number[] {
  const max = 64;
  const ids = koffi.alloc('uint32_t', max);
  try {
    const attr = Buffer.alloc(ATTR_SIZE);
    attr.writeUInt32LE(targetFd, 0);
    attr.writeUInt32LE(attachType, 4);
    attr.writeBigUInt64LE(koffi.address(ids), 16);
    attr.writeUInt32LE(max, 24);
    const r = bpf(BPF_PROG_QUERY, attr);
    if (!r.ok) throw new SyscallError('bpf(BPF_PROG_QUERY)', r.errno, [targetFd, attachType]);
    const count = attr.readUInt32LE(24);
    return Array.from(new Uint32Array(koffi.view(ids, count * 4)));
  } finally {
    koffi.free(ids);
  }
}

export function bpfProgGetFdById(id: number): number {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(id, 0);
  const r = bpf(BPF_PROG_GET_FD_BY_ID, attr);
  if (!r.ok) throw new SyscallError('bpf(BPF_PROG_GET_FD_BY_ID)', r.errno, [id]);
  return r.value;
}
