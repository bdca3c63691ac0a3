import { ANY } from './devices.js';
import { ACC_ALL, type DeviceState } from './devices-emulator.js';

// cgroup v2 has no devices files: access is decided by a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the cgroup. The kernel runs it with a struct bpf_cgroup_dev_ctx in r1:
//   u32 access_type  (device type in the low 16 bits: BPF_DEVCG_DEV_BLOCK 1, _CHAR 2;
//                     requested access in the high 16: BPF_DEVCG_ACC_MKNOD 1, _READ 2, _WRITE 4)
//   u32 major, u32 minor
// and allows the access when it returns 1.
//
// The program is built from the emulated v1 state, so v1 and v2 grant the same: one block per
// exception returning the exception's verdict when it matches, then the default. An exception
// that grants (deny-by-default) must cover every requested access bit, as v1's match_exception
// requires; one that refuses (allow-by-default) matches on any requested bit, as v1's
// match_exception_partial does.

export const DEVICE_FILTER_LICENSE = 'Apache-2.0';

const DEV_BLOCK = 1;
const DEV_CHAR = 2;

// Opcodes (include/uapi/linux/bpf.h, bpf_common.h).
const LDX_MEM_W = 0x61; // dst = *(u32 *)(src + off)
const ALU32_AND_K = 0x54; // (u32)dst &= imm
const ALU32_RSH_K = 0x74; // (u32)dst >>= imm
const ALU32_MOV_X = 0xbc; // (u32)dst = src
const ALU32_MOV_K = 0xb4; // (u32)dst = imm
const JMP_JNE_K = 0x55; // if dst != imm goto +off
const JMP_JEQ_K = 0x15; // if dst == imm goto +off
const JMP_JNE_X = 0x5d; // if dst != src goto +off
const JMP_EXIT = 0x95;

const R0 = 0;
const R1 = 1;
const R2 = 2; // device type
const R3 = 3; // requested access bits
const R4 = 4; // major
const R5 = 5; // minor

export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): BpfInsn => ({ code, dst, src, off, imm });

/** The device filter for `state`, as instructions. */
export function deviceFilterProgram(state: DeviceState): BpfInsn[] {
  const prog: BpfInsn[] = [
    insn(LDX_MEM_W, R2, R1, 0, 0),
    insn(ALU32_AND_K, R2, 0, 0, 0xffff),
    insn(LDX_MEM_W, R3, R1, 0, 0),
    insn(ALU32_RSH_K, R3, 0, 0, 16),
    insn(LDX_MEM_W, R4, R1, 4, 0),
    insn(LDX_MEM_W, R5, R1, 8, 0),
  ];
  const verdict = state.defaultAllow ? 0 : 1;
  for (const e of state.exceptions) {
    // Each test jumps to the first instruction after this block when the exception does not
    // match; `skip` is filled in once the block's length is known.
    const block: Array<BpfInsn & { skip?: true }> = [];
    const skipTo = (code: number, dst: number, src: number, imm: number): void => {
      block.push({ ...insn(code, dst, src, 0, imm), skip: true });
    };
    skipTo(JMP_JNE_K, R2, 0, e.type === 'b' ? DEV_BLOCK : DEV_CHAR);
    if (e.access !== ACC_ALL) {
      // r1 (the context) is free once its fields are loaded: it holds requested & allowed.
      block.push(insn(ALU32_MOV_X, R1, R3, 0, 0));
      block.push(insn(ALU32_AND_K, R1, 0, 0, e.access));
      if (verdict === 1) skipTo(JMP_JNE_X, R1, R3, 0);
      else skipTo(JMP_JEQ_K, R1, 0, 0);
    }
    if (e.major !== ANY) skipTo(JMP_JNE_K, R4, 0, e.major);
    if (e.minor !== ANY) skipTo(JMP_JNE_K, R5, 0, e.minor);
    block.push(insn(ALU32_MOV_K, R0, 0, 0, verdict), insn(JMP_EXIT, 0, 0, 0, 0));
    block.forEach((b, i) => prog.push(insn(b.code, b.dst, b.src, b.skip ? block.length - i - 1 : b.off, b.imm)));
  }
  prog.push(insn(ALU32_MOV_K, R0, 0, 0, state.defaultAllow ? 1 : 0), insn(JMP_EXIT, 0, 0, 0, 0));
  return prog;
}

/** struct bpf_insn encoding: u8 code, u8 dst:4 src:4, s16 off, s32 imm, little-endian. */
export function encodeProgram(prog: readonly BpfInsn[]): Buffer {
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    buf.writeUInt8(p.code, i * 8);
    buf.writeUInt8((p.src << 4) | p.dst, i * 8 + 1);
    buf.writeInt16LE(p.off, i * 8 + 2);
    buf.writeInt32LE(p.imm, i * 8 + 4);
  });
  return buf;
}
