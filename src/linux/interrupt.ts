import { readdirSync } from 'node:fs';
import * as K from './constants.js';
import { closeQuietly, getpid, kill, pipe2, read, teeIfPipe, teeNonBlocking, watchForInterrupt } from './libc.js';

// A foreground `run` or `exec` catches signals from before it creates anything, to pass them on
// to the container's process once it runs. Node's handlers only run between synchronous calls,
// so a SIGTERM meant to stop the runtime during a long synchronous wait (a hook without a
// timeout, an init that never reports) was held until that wait ended, perhaps never.
//
// libuv's C handler writes each signal as a 16-byte message (uv__signal_msg_t: handle pointer,
// signal number) into a pipe that the event loop reads later. Between arm and disarm, every
// poll() looks into that pipe with tee(2), which copies without consuming (Node's handlers
// still get every message). A terminating signal there is held, as before, while the set-up
// finishes within a grace period; a wait that outlasts it, or a second terminating signal,
// ends with an InterruptedError, and the set-up undoes itself. Blocking the signals and
// reading them from a signalfd does not work: Node's own threads (V8's platform workers) leave
// them unblocked, and the kernel hands them a process-directed signal the main thread blocks.

const TERMINATING = new Set([1 /* SIGHUP */, 2 /* SIGINT */, 3 /* SIGQUIT */, 15 /* SIGTERM */]);
const MESSAGE = 16;
const SIGURG = 23;
const PIPE_CAPACITY = 65536;
/** How long a set-up may go on after a terminating signal before its wait is cut short. */
const GRACE_MS = 10_000;

let armed: { signalPipe: number; copy: [number, number]; firstSeen?: number } | undefined;

/**
 * The first terminating signal is given GRACE_MS for the set-up to finish (it then reaches the
 * process, as runc does); a wait still going on after that, or a second such signal, ends.
 */
function scan(): { signal: number; empty: boolean; waitMs: number } {
  if (!armed) return { signal: 0, empty: true, waitMs: -1 };
  const messages = peek(armed.signalPipe, armed.copy);
  const terminating = signalsIn(messages).filter((signal) => TERMINATING.has(signal));
  const first = terminating[0];
  if (first === undefined) return { signal: 0, empty: messages.length === 0, waitMs: -1 };
  armed.firstSeen ??= Date.now();
  const left = armed.firstSeen + GRACE_MS - Date.now();
  if (terminating.length > 1 || left <= 0) return { signal: first, empty: false, waitMs: -1 };
  return { signal: 0, empty: false, waitMs: left };
}

/** The messages now in pipe `fd`, copied through `copy` without consuming them. */
function peek(fd: number, copy: [number, number]): Buffer {
  return drain(copy[0], teeNonBlocking(fd, copy[1], PIPE_CAPACITY));
}

/** The `n` bytes a tee put into the copy pipe, read out of it. */
function drain(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  for (let got = 0; got < n; ) got += read(fd, buf.subarray(got));
  return buf;
}

function signalsIn(messages: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + MESSAGE <= messages.length; off += MESSAGE) out.push(messages.readInt32LE(off + 8));
  return out;
}

/**
 * libuv's signal pipe exists from start-up (its loop watches SIGCHLD), among other pipes: it
 * is the one where a signal sent to ourselves shows up. SIGURG's default is to be ignored, so
 * a handler that does nothing changes nothing. Its message stays until the event loop runs, so
 * poll() cannot watch the pipe and a signal's EINTR is the cue: the kernel gives a
 * process-directed signal to the main thread when it does not block it.
 */
function findSignalPipe(copy: [number, number]): number | undefined {
  process.on('SIGURG', ignore);
  kill(getpid(), SIGURG);
  // Every fd is probed with tee itself, which refuses anything but a pipe's read end: one call
  // each instead of reading /proc/self/fd/N and fdinfo/N (bench/RESULTS.md).
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    const n = teeIfPipe(fd, copy[1], PIPE_CAPACITY);
    if (n === undefined) continue;
    if (signalsIn(drain(copy[0], n)).includes(SIGURG)) return fd;
  }
  return undefined;
}

function ignore(): void {}

/** Installs the caller's signal handlers with `install`, then arms; a no-op when armed already. */
export function armInterrupt(install: () => void): void {
  install();
  if (armed) return;
  const copy = pipe2(K.O_NONBLOCK | K.O_CLOEXEC);
  const signalPipe = findSignalPipe(copy);
  if (signalPipe === undefined) {
    // Not found: waits stay as they were.
    copy.forEach(closeQuietly);
    return;
  }
  armed = { signalPipe, copy };
  watchForInterrupt({ fd: signalPipe, scan });
}

export function disarmInterrupt(): void {
  if (!armed) return;
  watchForInterrupt(undefined);
  armed.copy.forEach(closeQuietly);
  armed = undefined;
}
