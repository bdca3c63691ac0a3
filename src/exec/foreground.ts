import { WNOHANG } from '../linux/constants.js';
import { kill, waitpid } from '../linux/libc.js';
import { signalNumber } from '../linux/signal-numbers.js';

// Foreground `run` and `exec`: the runtime is the process's parent (for a `run` whose init came
// through an intermediate process, by adoption: it is a child subreaper), passes signals on and
// waits for it without polling: SIGCHLD wakes the wait.

/** Signals passed on to the process (runc's set: every catchable one a terminal or engine sends). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGPROF', 'SIGVTALRM',
];

export interface SignalForwarder {
  /** From now on signals go to `pid`; the ones caught before are delivered first. */
  to(pid: number): void;
  stop(): void;
}

/**
 * Catches the forwarded signals from the moment it is called, so a signal that arrives while the
 * process is being started is not lost (nor kills the runtime): it is held until `to(pid)`.
 */
export function forwardSignals(signals: readonly NodeJS.Signals[] = FORWARDED_SIGNALS): SignalForwarder {
  let target = 0;
  const held: NodeJS.Signals[] = [];
  const send = (sig: NodeJS.Signals): void => {
    try {
      kill(target, signalNumber(sig));
    } catch {
      // The process is gone; its exit arrives through SIGCHLD.
    }
  };
  const forward = (sig: NodeJS.Signals): void => {
    if (target === 0) held.push(sig);
    else send(sig);
  };
  for (const sig of signals) process.on(sig, forward);
  return {
    to(pid) {
      target = pid;
      for (const sig of held.splice(0)) send(sig);
    },
    stop() {
      for (const sig of signals) process.off(sig, forward);
    },
  };
}

/** Resolves with the raw wait status of `pid`, a child (or adopted grandchild) of this process. */
export function waitForChild(pid: number): Promise<number> {
  return new Promise<number>((resolveExit) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const reap = (): void => {
      const [got, raw] = waitpid(pid, WNOHANG);
      if (got !== pid) return;
      clearInterval(keepAlive);
      process.off('SIGCHLD', reap);
      resolveExit(raw);
    };
    process.on('SIGCHLD', reap);
    reap();
  });
}
