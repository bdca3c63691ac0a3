import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Sys } from '../linux/sys.js';

// CVE-2019-5736: a container program that is, or whose "#!" interpreter is, /proc/self/exe
// (a symlink to it, or the magic link itself) makes the final execve run the runtime's own
// binary — the host's node — inside the container, where it can reopen itself for writing.
// The program and its interpreter chain are checked against the runtime's binary, then executed
// by path: execveat on the checked fd would close the race below but renames the process (its
// comm becomes the file's own name, "busybox" for /bin/sleep), which ps/top users and engines
// see. The window left: a process already in the container (exec's case) swapping the program
// or an interpreter between the check and the execve.

interface FileId {
  dev: bigint;
  ino: bigint;
}

/** The kernel follows at most this many nested interpreters (binfmt_script). */
const MAX_INTERPRETERS = 5;
const HEAD_BYTES = 256;
/** Non-blocking so that a fifo in the program's place fails at execve instead of hanging here. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** The interpreter named by a "#!" line, or undefined when `head` is not a script's start. */
export function shebangInterpreter(head: string): string | undefined {
  if (!head.startsWith('#!')) return undefined;
  const line = head.slice(2).split('\n', 1)[0] ?? '';
  const path = line.trim().split(/[ \t]/, 1)[0];
  return path === '' ? undefined : path;
}

function runtimeBinary(): FileId | undefined {
  try {
    const st = statSync('/proc/self/exe', { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } catch {
    // No procfs in the container: the program cannot name /proc/self/exe either.
    return undefined;
  }
}

function refuseRuntime(fd: number, what: string, runtime: FileId | undefined): void {
  if (!runtime) return;
  const st = fstatSync(fd, { bigint: true });
  if (st.dev === runtime.dev && st.ino === runtime.ino) {
    throw new Error(`${what} is the runtime's own binary (through /proc/self/exe); refusing to execute it`);
  }
}

function readHead(fd: number): string {
  const buf = Buffer.alloc(HEAD_BYTES);
  try {
    return buf.toString('latin1', 0, readSync(fd, buf, 0, HEAD_BYTES, 0));
  } catch {
    return '';
  }
}

/** The last step of the init and of exec: execve, unless the program leads back to the runtime. */
export function execProgram(sys: Sys, path: string, argv: readonly string[], envp: readonly string[]): never {
  const runtime = runtimeBinary();
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch {
    // Executable but unreadable: execve decides, and the kernel's answer is the error.
    sys.execve(path, argv, envp);
  }
  let interpreter: string | undefined;
  try {
    refuseRuntime(fd, JSON.stringify(path), runtime);
    interpreter = shebangInterpreter(readHead(fd));
  } finally {
    closeSync(fd);
  }
  for (let depth = 0; interpreter !== undefined && depth < MAX_INTERPRETERS; depth++) {
    let ifd: number;
    try {
      ifd = openSync(interpreter, OPEN_FLAGS);
    } catch {
      break;
    }
    try {
      refuseRuntime(ifd, `the interpreter ${JSON.stringify(interpreter)} of ${JSON.stringify(path)}`, runtime);
      interpreter = shebangInterpreter(readHead(ifd));
    } finally {
      closeSync(ifd);
    }
  }
  sys.execve(path, argv, envp);
}
