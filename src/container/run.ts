import { armInterrupt, disarmInterrupt } from '../linux/interrupt.js';
import { closeQuietly, kill, setChildSubreaper, socketpair } from '../linux/libc.js';
import { FORWARDED_SIGNALS, waitForChild } from '../exec/foreground.js';
import * as K from '../linux/constants.js';
import { signalNumber } from '../linux/signal-numbers.js';
import type { ContainerRecord } from '../state/record.js';
import type { Logger } from '../log.js';
import { StateStore } from '../state/store.js';
import { createContainer, type CreateOptions } from './create.js';
import { deleteContainer } from './delete.js';
import { exitCodeOf } from '../linux/wait-status.js';
import { startContainer } from './start.js';
import { proxyTerminal, receiveMaster, type TerminalProxy } from './tty-proxy.js';

export interface RunOptions extends CreateOptions {
  detach: boolean;
  /** --keep: never delete the container, after its exit or a failed start (runc's rule). */
  keep?: boolean;
  /** --no-subreaper: do not become a child subreaper (the init must then be our own child). */
  noSubreaper?: boolean;
}

/**
 * `run` = create + start, and in the foreground: wait for the init, forward signals to it, delete
 * the container and exit with the process's code (or 128 + signal). The init is our child, or,
 * when an intermediate process forked it (user and time namespaces), re-parented to us since we
 * are a child subreaper; either way it can be waited for. SIGCHLD wakes the wait, no polling.
 */
export async function runContainer(o: RunOptions, log: Logger): Promise<number> {
  const store = new StateStore(o.root);
  const remove = async (): Promise<void> => {
    if (!o.keep) await deleteContainer(store, o.id, true, log);
  };
  if (o.detach) {
    await createContainer(o);
    try {
      startContainer(store, o.id, log);
    } catch (err) {
      await remove();
      throw err;
    }
    return 0;
  }
  if (!o.noSubreaper) setChildSubreaper();
  // Without --console-socket a terminal comes to us and we proxy it (runc's behaviour); the
  // socket is unused when process.terminal is false.
  const proxy = o.consoleSocket === undefined ? socketpair(K.AF_UNIX, K.SOCK_STREAM | K.SOCK_CLOEXEC) : undefined;
  // Caught from before create, as runc does: a signal sent meanwhile must not kill us and leave
  // the container behind. Node runs the handler after the synchronous create and start, so it
  // reaches the started process.
  let initPid = 0;
  const forward = (sig: NodeJS.Signals): void => {
    try {
      if (initPid > 0) kill(initPid, signalNumber(sig));
    } catch {
      // The init is gone; its exit is reported through SIGCHLD.
    }
  };
  // Until the process runs, SIGTERM/SIGINT/SIGHUP/SIGQUIT also end a wait of the set-up that
  // outlasts a grace period (a hook without a timeout), which then undoes itself.
  armInterrupt(() => {
    for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
  });
  let rec: ContainerRecord;
  let term: TerminalProxy | undefined;
  try {
    try {
      // Without the subreaper only an init forked by us can be waited for.
      rec = await createContainer({ ...o, ...(proxy ? { consoleSocketFd: proxy[1] } : {}), ...(o.noSubreaper ? { initMustBeChild: '--no-subreaper' } : {}) });
      try {
        if (proxy && rec.config.process?.terminal) term = proxyTerminal(receiveMaster(proxy[0]));
      } catch (err) {
        await remove();
        throw err;
      }
    } finally {
      proxy?.forEach(closeQuietly);
    }
    initPid = rec.pid;
    try {
      startContainer(store, o.id, log);
    } catch (err) {
      term?.stop();
      await remove();
      throw err;
    }
  } finally {
    disarmInterrupt();
  }
  const status = await waitForChild(rec.pid);
  for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
  await term?.drained;
  term?.stop();
  await remove();
  return exitCodeOf(status);
}
