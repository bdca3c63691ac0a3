import { readSync } from 'node:fs';
import { check, fn, koffi, lastErrno, syscall, type Native } from './ffi.js';
import { syscallNumbers } from './constants.js';
import { SyscallError } from './errors.js';
import { closeQuietly } from './libc.js';

// libseccomp compiles a profile into classic BPF in the runtime (parent); the kernel side
// (seccomp(2) with the finished program) is a single syscall the forked init can make with
// nothing left to allocate or load. libseccomp itself is loaded on first use, so a host without
// it still runs containers that ask for no seccomp.

const NR = syscallNumbers();

koffi.struct('scmp_arg_cmp', { arg: 'uint32_t', op: 'int', datum_a: 'uint64_t', datum_b: 'uint64_t' });
const ScmpVersion = koffi.struct('scmp_version', { major: 'uint32_t', minor: 'uint32_t', micro: 'uint32_t' });
const SockFprog = koffi.struct('sock_fprog', { len: 'uint16_t', filter: 'void *' });

const sys = {
  memfdCreate: fn('int memfd_create(const char *name, unsigned int flags)'),
};

export const SCMP_FLTATR_ACT_BADARCH = 2;
export const SCMP_FLTATR_CTL_OPTIMIZE = 8;

/** __NR_SCMP_ERROR: seccomp_syscall_resolve_name()'s answer for a name it does not know. */
export const NR_SCMP_ERROR = -1;

const SECCOMP_SET_MODE_FILTER = 1;
const BPF_INSTRUCTION_SIZE = 8;
const MFD_CLOEXEC = 1;

interface Libseccomp {
  init: Native;
  release: Native;
  attrSet: Native;
  archAdd: Native;
  archResolveName: Native;
  syscallResolveName: Native;
  ruleAddArray: Native;
  exportBpf: Native;
  version: Native;
}

let lib: Libseccomp | undefined;

function libseccomp(): Libseccomp {
  if (lib) return lib;
  let handle: ReturnType<typeof koffi.load>;
  try {
    handle = koffi.load('libseccomp.so.2');
  } catch (err) {
    throw new Error(`seccomp: cannot load libseccomp.so.2: ${(err as Error).message}`);
  }
  const f = (proto: string): Native => handle.func(proto) as Native;
  lib = {
    init: f('void *seccomp_init(uint32_t def_action)'),
    release: f('void seccomp_release(void *ctx)'),
    attrSet: f('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
    archAdd: f('int seccomp_arch_add(void *ctx, uint32_t arch_token)'),
    archResolveName: f('uint32_t seccomp_arch_resolve_name(const char *arch_name)'),
    syscallResolveName: f('int seccomp_syscall_resolve_name(const char *name)'),
    ruleAddArray: f('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, const scmp_arg_cmp *arg_array)'),
    exportBpf: f('int seccomp_export_bpf(void *ctx, int fd)'),
    version: f('const scmp_version *seccomp_version(void)'),
  };
  return lib;
}

/** libseccomp returns -errno; turn that into the same error every other call gives. */
function checkRc(rc: unknown, call: string, args: readonly unknown[]): void {
  const n = rc as number;
  if (n < 0) throw new SyscallError(call, -n, args);
}

/** An opaque scmp_filter_ctx. */
export type FilterContext = unknown;

export interface ArgCmp {
  arg: number;
  op: number;
  datumA: bigint;
  datumB: bigint;
}

export function seccompInit(defaultAction: number): FilterContext {
  const ctx = libseccomp().init(defaultAction);
  if (ctx === null) throw new Error(`seccomp_init(0x${defaultAction.toString(16)}): invalid default action`);
  return ctx;
}

export function seccompRelease(ctx: FilterContext): void {
  libseccomp().release(ctx);
}

export function seccompAttrSet(ctx: FilterContext, attr: number, value: number): void {
  checkRc(libseccomp().attrSet(ctx, attr, value), 'seccomp_attr_set', [attr, value]);
}

/** Adds an architecture; one already in the filter (the native one always is) is not an error. */
export function seccompArchAdd(ctx: FilterContext, token: number): void {
  const rc = libseccomp().archAdd(ctx, token) as number;
  if (rc !== -17 /* EEXIST */) checkRc(rc, 'seccomp_arch_add', [token]);
}

/** The architecture token for a libseccomp name, or 0 when this libseccomp does not know it. */
export function seccompArchResolveName(name: string): number {
  return libseccomp().archResolveName(name) as number;
}

/** The native syscall number (or a negative pseudo number for other architectures); NR_SCMP_ERROR when unknown. */
export function seccompSyscallResolveName(name: string): number {
  return libseccomp().syscallResolveName(name) as number;
}

export function seccompRuleAddArray(ctx: FilterContext, action: number, syscall: number, args: readonly ArgCmp[]): void {
  const arr = args.map((a) => ({ arg: a.arg, op: a.op, datum_a: a.datumA, datum_b: a.datumB }));
  checkRc(libseccomp().ruleAddArray(ctx, action, syscall, arr.length, arr.length ? arr : null), 'seccomp_rule_add_array', [action, syscall]);
}

/** The filter as the kernel takes it: an array of 8-byte sock_filter instructions. */
export function seccompExportBpf(ctx: FilterContext): Buffer {
  const fd = check(sys.memfdCreate('ocirun-seccomp', MFD_CLOEXEC), 'memfd_create', ['ocirun-seccomp']);
  try {
    checkRc(libseccomp().exportBpf(ctx, fd), 'seccomp_export_bpf', [fd]);
    const chunks: Buffer[] = [];
    for (let pos = 0; ; ) {
      const chunk = Buffer.alloc(65536);
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      pos += n;
    }
    return Buffer.concat(chunks);
  } finally {
    closeQuietly(fd);
  }
}

export function seccompVersion(): string {
  const v = koffi.decode(libseccomp().version(), ScmpVersion) as { major: number; minor: number; micro: number };
  return `${v.major}.${v.minor}.${v.micro}`;
}

/** A BPF program in memory outside the JS heap, so a forked child can pass it to the kernel as is. */
export interface NativeProgram {
  readonly fprog: unknown;
  readonly instructions: unknown;
  readonly length: number;
}

export function toNativeProgram(bpf: Buffer): NativeProgram {
  const length = bpf.length / BPF_INSTRUCTION_SIZE;
  const instructions = koffi.alloc('uint8_t', bpf.length);
  new Uint8Array(koffi.view(instructions, bpf.length)).set(bpf);
  const fprog = koffi.alloc(SockFprog, 1);
  koffi.encode(fprog, SockFprog, { len: length, filter: instructions });
  return { fprog, instructions, length };
}

export function freeNativeProgram(p: NativeProgram): void {
  koffi.free(p.fprog);
  koffi.free(p.instructions);
}

/** seccomp(SECCOMP_SET_MODE_FILTER): returns the listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0. */
export function seccompSetModeFilter(flags: number, p: NativeProgram): number {
  return check(
    syscall(NR.seccomp, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', flags, 'void *', p.fprog),
    'seccomp',
    [SECCOMP_SET_MODE_FILTER, flags],
  );
}

/**
 * Whether this kernel accepts the filter flags, without loading anything: with a NULL program a
 * known flag combination gets as far as copying the program (EFAULT), an unknown one stops at
 * flag validation (EINVAL).
 */
export function seccompFlagsSupported(flags: number): boolean {
  syscall(NR.seccomp, 'unsigned int', SECCOMP_SET_MODE_FILTER, 'unsigned int', flags, 'void *', null);
  return lastErrno() === 14 /* EFAULT */;
}

