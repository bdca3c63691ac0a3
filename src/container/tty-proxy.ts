import { getWindowSize, setWindowSize } from '../init/console.js';
import { closeQuietly } from '../linux/libc.js';
import { recvFds } from '../linux/scm.js';
import { CONSOLE_PAYLOAD } from '../init/console.js';

// Foreground `run` and `exec` with process.terminal and no --console-socket: the runtime plays
// the console socket's listener itself and connects the caller's stdio to the pty, as runc does:
// the caller's terminal (when stdin is one) goes raw so keys reach the container unchanged,
// follows window-size changes, and is restored on the way out.

export interface TerminalProxy {
  /** Resolves once the pty has no users left (the process and its children are gone). */
  drained: Promise<void>;
  /** Restores the caller's terminal and lets go of stdin; idempotent. */
  stop(): void;
}

/** The master the child sent over the runtime's own console socket (one message, one fd). */
export function receiveMaster(sock: number): number {
  const { fds, payload } = recvFds(sock, 1);
  const [master, ...extra] = fds;
  extra.forEach(closeQuietly);
  if (master === undefined) throw new Error('the container process exited before it sent its terminal');
  if (payload.toString() !== CONSOLE_PAYLOAD) {
    closeQuietly(master);
    throw new Error(`unexpected console message ${JSON.stringify(payload.toString())}`);
  }
  return master;
}

export function proxyTerminal(master: number): TerminalProxy {
  // Loaded here, not imported: node:tty pulls in node:net and the stream modules, which Node
  // compiles on first use: a cost every `run` and `exec` would pay, though most never proxy a
  // terminal.
  const { ReadStream, isatty } = process.getBuiltinModule('node:tty');
  // The tty handle does both directions on the master; writes to a pty master are blocking in
  // libuv (it cannot reopen a master non-blocking), which only waits while the container is
  // not reading its input.
  const pty = new ReadStream(master);
  const stdinIsTty = isatty(0);
  const resize = (): void => {
    try {
      setWindowSize(master, getWindowSize(0));
    } catch {
      // The caller's terminal went away; the pty keeps its size.
    }
  };
  if (stdinIsTty) {
    resize();
    process.on('SIGWINCH', resize);
    process.stdin.setRawMode(true);
  }
  process.stdin.pipe(pty, { end: false });
  pty.pipe(process.stdout, { end: false });
  const drained = new Promise<void>((done) => {
    // Reading a master whose slave is closed everywhere fails with EIO: that is the end.
    pty.on('error', () => done());
    pty.on('end', () => done());
    pty.on('close', () => done());
  });
  let stopped = false;
  return {
    drained,
    stop() {
      if (stopped) return;
      stopped = true;
      process.stdin.unpipe(pty);
      if (stdinIsTty) {
        process.off('SIGWINCH', resize);
        process.stdin.setRawMode(false);
      }
      process.stdin.destroy();
      pty.destroy();
    },
  };
}
