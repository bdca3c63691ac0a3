import { signalName } from './signal-numbers.js';
import { getSystemErrorMap } from 'node:util';

/** A failed system call: names the call, its arguments and the kernel's reason (Go-style lowercase words, as runc prints them). */
export class SyscallError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
    readonly args: readonly unknown[] = [],
  ) {
    const decimal = DECIMAL_CALLS.has(call);
    super(`${call}(${args.map((a) => formatArg(a, decimal)).join(', ')}): ${strerror(errno)}`);
    this.name = 'SyscallError';
  }

  get code(): string {
    return errnoName(this.errno);
  }
}

/** Longer strings (a huge mount option, a hostname) are cut: the error must stay one readable line. */
const ARG_LIMIT = 256;

/**
 * Calls whose numbers are ids, pids and limits: people compare them with `id` and `ulimit`
 * output, so they print in decimal. Other calls' large numbers are flag sets, read best in hex.
 */
const DECIMAL_CALLS: ReadonlySet<string> = new Set(['setresuid', 'setresgid', 'setgroups', 'fchownat', 'prlimit', 'kill', 'pidfd_open']);

function formatArg(a: unknown, decimal: boolean): string {
  if (typeof a === 'string') return a.length > ARG_LIMIT ? `${JSON.stringify(a.slice(0, ARG_LIMIT))}... (${a.length} chars)` : JSON.stringify(a);
  if (typeof a === 'number' && a > 0xff && !decimal) return `0x${a.toString(16)}`;
  if (typeof a === 'bigint') return decimal ? a.toString() : `0x${a.toString(16)}`;
  return String(a);
}

/** A wait ended by a terminating signal (linux/interrupt.ts); `signal` is its number. */
export class InterruptedError extends Error {
  constructor(readonly signal: number) {
    const name = signalName(signal) ?? `signal ${signal}`;
    super(`interrupted by ${name}`);
    this.name = 'InterruptedError';
  }
}

// libuv's messages are Go's lowercase words ("no such file or directory") except for these,
// where libuv reworded glibc's text and engines match runc's wording.
const GO_WORDING: Readonly<Record<number, string>> = {
  16: 'device or resource busy',
  95: 'operation not supported',
};

export function strerror(errno: number): string {
  const entry = getSystemErrorMap().get(-errno);
  return GO_WORDING[errno] ?? (entry ? entry[1] : `errno ${errno}`);
}

export function errnoName(errno: number): string {
  const entry = getSystemErrorMap().get(-errno);
  return entry ? entry[0] : `E${errno}`;
}

export function isErrno(err: unknown, name: string): boolean {
  if (err instanceof SyscallError) return err.code === name;
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === name;
}

/** An error's reason in Go's words: Node's fs errors carry an errno, others keep their message. */
export function reasonOf(err: unknown): string {
  if (err instanceof SyscallError) return err.message;
  const errno = (err as { errno?: unknown }).errno;
  return typeof errno === 'number' ? strerror(-errno) : (err as Error).message;
}
