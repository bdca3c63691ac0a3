import { getWindowSize, type ConsolePlan } from '../init/console.js';
import { closeQuietly } from '../linux/libc.js';
import { connectUnix } from '../linux/scm.js';
import type { Process } from '../spec/types.js';

// Parent side of process.terminal for create and exec: which combinations of flags are allowed
// (runc's rules), and the console socket connected before fork, because its path is a host path
// the child can no longer reach once it is inside the container.

export interface ConsoleRequest {
  terminal: boolean;
  /** --console-socket. */
  consoleSocket?: string;
  /** A socket the runtime made itself (foreground run/exec proxy the terminal). */
  consoleSocketFd?: number;
  /** --detach; undefined for create, which always leaves. */
  detach?: boolean;
}

/** Errors for the combinations runc refuses; the words follow runc's. */
export function checkConsoleRequest(r: ConsoleRequest): void {
  const haveSocket = r.consoleSocket !== undefined || r.consoleSocketFd !== undefined;
  if (r.terminal && !haveSocket && r.detach !== false) {
    throw new Error('cannot allocate tty if ocirun will detach without setting console socket (process.terminal is true: pass --console-socket)');
  }
  if (!r.terminal && r.consoleSocket !== undefined) {
    throw new Error('cannot use console socket if ocirun will not detach or allocate tty (--console-socket was given but process.terminal is false)');
  }
}

export interface OpenedConsole {
  plan: ConsolePlan;
  /** Closes the socket if this module opened it (a caller-provided fd stays the caller's). */
  close(): void;
}

/** Undefined when the process has no terminal. */
export function openConsole(r: ConsoleRequest, proc: Pick<Process, 'consoleSize' | 'user'>, devConsole: boolean): OpenedConsole | undefined {
  if (!r.terminal) return undefined;
  let socketFd = r.consoleSocketFd;
  let owned = false;
  if (socketFd === undefined) {
    const path = r.consoleSocket as string;
    try {
      socketFd = connectUnix(path);
    } catch (err) {
      throw new Error(`--console-socket ${JSON.stringify(path)}: ${(err as Error).message}`);
    }
    owned = true;
  }
  const plan: ConsolePlan = { socketFd, uid: proc.user?.uid ?? 0, gid: proc.user?.gid ?? 0, devConsole };
  if (proc.consoleSize) plan.size = { rows: proc.consoleSize.height, cols: proc.consoleSize.width };
  else if (!owned) {
    // Proxying the caller's terminal: the pty starts at its size, so a process that asks at once
    // (stty size) does not see 0x0 before the proxy's first resize.
    try {
      plan.size = getWindowSize(0);
    } catch {
      // stdin is not a terminal: the pty keeps the kernel's default size.
    }
  }
  const fd = socketFd;
  return {
    plan,
    close: () => {
      if (owned) closeQuietly(fd);
    },
  };
}
