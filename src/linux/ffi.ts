import koffi from 'koffi';
import { SyscallError } from './errors.js';

// The one place that loads koffi. Everything else calls the typed wrappers in src/linux/.
export { koffi };

export const libc = koffi.load('libc.so.6');

export type Native = (...args: unknown[]) => unknown;

export function fn(prototype: string): Native {
  return libc.func(prototype) as Native;
}

/** syscall(2) for the calls glibc has no wrapper for; variadic: each argument follows its C type. */
export const syscall = fn('long syscall(long number, ...)');

/** Turns a C-style -1/errno result into a SyscallError naming the call and its arguments. */
export function check(ret: unknown, call: string, args: readonly unknown[]): number {
  const n = typeof ret === 'bigint' ? Number(ret) : (ret as number);
  if (n === -1) throw new SyscallError(call, koffi.errno(), args);
  return n;
}

/** Same as check() but returns the errno instead of throwing, for calls whose failure is a normal answer. */
export function tryCall(ret: unknown): { ok: true; value: number } | { ok: false; errno: number } {
  const n = typeof ret === 'bigint' ? Number(ret) : (ret as number);
  if (n === -1) return { ok: false, errno: koffi.errno() };
  return { ok: true, value: n };
}

export function lastErrno(): number {
  return koffi.errno();
}
