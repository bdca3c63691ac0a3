import { statSync } from 'node:fs';
import { runExecChild, runExecIntermediate } from '../exec/child.js';
import { canSwitchPidNamespace, forkInPidNamespace } from '../init/enter-namespaces.js';
import { forwardSignals, waitForChild, type SignalForwarder } from '../exec/foreground.js';
import { NAMESPACE_FILES, planNamespaceJoins, type NamespaceIds } from '../exec/namespaces.js';
import { applyFinalAffinity, forkWithAffinity } from '../exec/cpu-affinity.js';
import { buildExecPlan } from '../exec/plan.js';
import { joinSubCgroups, subCgroupDirs, type SubCgroups } from '../exec/sub-cgroup.js';
import { decode, expect, send } from '../init/sync.js';
import * as K from '../linux/constants.js';
import { forkProcess } from '../linux/fork.js';
import { armInterrupt, disarmInterrupt } from '../linux/interrupt.js';
import { close, closeQuietly, flock, killQuietly, open, poll, prctl, setChildSubreaper, setns, socketpair, waitpid } from '../linux/libc.js';
import { recvFds } from '../linux/scm.js';
import type { Logger } from '../log.js';
import { sendToSeccompAgent } from '../security/seccomp.js';
import type { Process, Spec } from '../spec/types.js';
import { SPEC_VERSION } from '../spec/version.js';
import { cgroupOf } from '../state/cgroup-of.js';
import { isAlive } from '../state/process-identity.js';
import type { ContainerRecord } from '../state/record.js';
import { StateStore } from '../state/store.js';
import { checkConsoleRequest, openConsole } from './console-socket.js';
import { containerRdt, joinContainerRdt } from './intel-rdt.js';
import { withContainer } from './lookup.js';
import { writePidFile } from './pid-file.js';
import { sendPidfd } from './pidfd-socket.js';
import { prepareSecurity } from './security.js';
import { exitCodeOf } from '../linux/wait-status.js';
import { proxyTerminal, receiveMaster } from './tty-proxy.js';
import { UndoStack } from './undo.js';

export interface ExecOptions {
  root: string;
  id: string;
  /** The process to run, from --process or from the container's own process and the flags. */
  process: (containerProcess: Process | undefined) => Process;
  detach: boolean;
  pidFile?: string;
  /** --pidfd-socket: where a pidfd of the process is sent. */
  pidfdSocket?: string;
  consoleSocket?: string;
  preserveFds: number;
  /** --cgroup: a sub-cgroup of the container's to run in. */
  subCgroups?: SubCgroups;
  /** --ignore-paused: exec into a paused container (the process stays frozen until resume). */
  ignorePaused?: boolean;
  log: Logger;
}

function namespaceIds(pid: number | 'self'): NamespaceIds {
  const ids: Record<string, number | undefined> = {};
  for (const file of NAMESPACE_FILES) {
    try {
      ids[file] = statSync(`/proc/${pid}/ns/${file}`).ino;
    } catch {
      ids[file] = undefined;
    }
  }
  return ids;
}

interface Started {
  pid: number;
  /** The pty master when the runtime proxies the terminal itself. */
  master?: number;
}

/** Kills and reaps a child of ours (it stays a zombie until reaped, so its pid cannot be reused). */
function killChild(pid: number): void {
  killQuietly(pid, 9);
  waitpid(pid, 0);
}

/** The intermediate exits by itself once it has sent the pid (or an error): reaped, never signalled. */
function pidFromIntermediate(sock: number, intermediate: number): number {
  try {
    return expect(sock, 'pid').pid;
  } finally {
    waitpid(intermediate, 0);
  }
}

/**
 * Forks the process into the running container and returns once it has exec'd (EOF on the sync
 * socket: its end is close-on-exec) or failed (an "error" message). Runs under the container lock.
 */
function startProcess(rec: ContainerRecord, o: ExecOptions, proc: Process, afterMove?: () => void): Started {
  const cgroup = cgroupOf(rec);
  const plan = buildExecPlan(proc, o.preserveFds, rec.config);
  const rdt = containerRdt(rec.config, rec.id);
  // Checked before the fork: a sub-cgroup that is not there fails with nothing started.
  let subDirs: string[] | undefined;
  if (o.subCgroups) {
    if (!cgroup) throw new Error('--cgroup: the container has no cgroup of its own');
    subDirs = subCgroupDirs(cgroup.paths, o.subCgroups);
  }
  const spec: Spec = { ...rec.config, process: proc };
  // Handles are closed whatever happens; processes are killed only on failure.
  const handles = new UndoStack();
  const processes = new UndoStack();
  try {
    const security = prepareSecurity(spec, o.log);
    handles.push(() => security.release());
    const joins = planNamespaceJoins(namespaceIds(rec.pid), namespaceIds('self'));
    const namespaces = joins.map((j) => {
      const fd = open(`/proc/${rec.pid}/ns/${j.file}`, K.O_RDONLY | K.O_CLOEXEC);
      handles.push(() => closeQuietly(fd));
      return { fd, flag: j.flag };
    });
    const rootFd = open(`/proc/${rec.pid}/root`, K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
    handles.push(() => closeQuietly(rootFd));
    // Opened before this check: had the init died and its pid been reused meanwhile, the start
    // time would differ now, so the handles above are the container's.
    if (!isAlive({ pid: rec.pid, startTime: rec.pidStartTime })) throw new Error('cannot exec a container that has stopped');
    const terminal = proc.terminal === true;
    checkConsoleRequest({ terminal, consoleSocket: o.consoleSocket, detach: o.detach });
    // A terminal and no socket: we receive the pty ourselves, on our own socketpair, and proxy it.
    let proxy: number | undefined;
    let proxyChildEnd = -1;
    if (terminal && o.consoleSocket === undefined) {
      [proxy, proxyChildEnd] = socketpair(K.AF_UNIX, K.SOCK_STREAM | K.SOCK_CLOEXEC);
      const ours = proxy;
      handles.push(() => closeQuietly(ours));
      handles.push(() => closeQuietly(proxyChildEnd));
    }
    const tty = openConsole(
      { terminal, consoleSocket: o.consoleSocket, ...(proxy !== undefined ? { consoleSocketFd: proxyChildEnd } : {}), detach: o.detach },
      proc,
      false,
    );
    handles.push(() => tty?.close());
    const [parentSock, childSock] = socketpair(K.AF_UNIX, K.SOCK_SEQPACKET | K.SOCK_CLOEXEC);
    handles.push(() => closeQuietly(parentSock));

    // Born in the container's pid namespace, so a real member of it (and our own child). A
    // rootless runtime could not return to its own pid namespace, nor enter one that belongs to
    // the container's user namespace (it cannot join that itself: it is not single-threaded):
    // a child does both and forks the process.
    const pidNs = namespaces.find((n) => n.flag === K.CLONE_NEWPID);
    const viaIntermediate = pidNs !== undefined && !canSwitchPidNamespace();
    if (viaIntermediate) setChildSubreaper();
    const ctx = { plan, sock: childSock, namespaces, rootFd, security: security.init, ...(tty ? { console: tty.plan } : {}) };
    // The intermediate's child inherits the initial affinity too.
    const child = forkWithAffinity(plan.affinity, () => (viaIntermediate ? forkProcess() : pidNs ? forkInPidNamespace(() => setns(pidNs.fd, K.CLONE_NEWPID)) : forkProcess()));
    if (child === 0) {
      close(parentSock);
      if (viaIntermediate) runExecIntermediate(ctx);
      runExecChild(ctx);
    }
    close(childSock);
    // Only the child may hold the sending end: its death must mean EOF for us.
    closeQuietly(proxyChildEnd);
    proxyChildEnd = -1;
    const pid = viaIntermediate ? pidFromIntermediate(parentSock, child) : child;
    processes.push(() => killChild(pid));
    if (subDirs) joinSubCgroups(subDirs, pid);
    else cgroup?.addProcess(pid, rec.pid);
    joinContainerRdt(rdt, pid);
    applyFinalAffinity(plan.affinity, pid);
    send(parentSock, { kind: 'moved' });
    afterMove?.();
    for (;;) {
      // Through poll(): a termination signal ends this wait (linux/interrupt.ts).
      poll([parentSock], K.POLLIN, -1);
      const { fds, payload } = recvFds(parentSock, 1);
      if (payload.length === 0) break;
      const msg = decode(payload.toString('utf8'));
      try {
        if (msg.kind === 'error') throw new Error(msg.message);
        if (msg.kind !== 'seccomp' || fds[0] === undefined || !security.seccomp) throw new Error(`exec: unexpected message ${JSON.stringify(msg.kind)} from the process`);
        const state = { ociVersion: SPEC_VERSION, id: rec.id, status: 'running' as const, pid, bundle: rec.bundle };
        sendToSeccompAgent(security.seccomp, fds[0], pid, state);
      } finally {
        fds.forEach(closeQuietly);
      }
    }
    const started: Started = { pid };
    if (proxy !== undefined) started.master = receiveMaster(proxy);
    return started;
  } catch (err) {
    processes.run();
    throw err;
  } finally {
    handles.run();
  }
}

/**
 * `exec`: runs a process in a running container. Detached, it returns once the process runs (and
 * the pid file is written); in the foreground it waits and returns the process's exit code, or
 * 128 + the signal that killed it.
 */
export async function execInContainer(o: ExecOptions): Promise<number> {
  // CVE-2019-5736: nothing in a container that shares our pid namespace may open this process's
  // /proc/<pid>/exe (node); the children inherit the flag and set it again before joining.
  prctl(K.PR_SET_DUMPABLE, 0);
  // The process is our child, so it can be waited for, or killed on failure without a pid-reuse
  // race. Detached, it moves on to our caller's subreaper (the engine's shim) when we exit, as
  // runc's exec'd processes do.
  const store = new StateStore(o.root);
  let signals: SignalForwarder | undefined;
  // A terminating signal ends a wait of the set-up that outlasts a grace period (linux/interrupt.ts).
  if (!o.detach) {
    armInterrupt(() => {
      signals = forwardSignals();
    });
  }
  let started: Started;
  try {
    started = withContainer(store, o.id, (rec, status, lockFd) => {
      if (status === 'stopped') throw new Error('cannot exec a container that has stopped');
      if (status === 'paused' && !o.ignorePaused) throw new Error('cannot exec in a paused container (use --ignore-paused to override)');
      // In a paused container the process freezes once moved: `resume` needs the lock meanwhile.
      const unlock = status === 'paused' ? () => flock(lockFd, K.LOCK_UN) : undefined;
      return startProcess(rec, o, o.process(rec.config.process), unlock);
    });
  } catch (err) {
    disarmInterrupt();
    signals?.stop();
    throw err;
  }
  disarmInterrupt();
  if (o.pidFile !== undefined) writePidFile(o.pidFile, started.pid);
  if (o.pidfdSocket !== undefined) sendPidfd(o.pidfdSocket, started.pid);
  if (!signals) return 0;
  signals.to(started.pid);
  const term = started.master !== undefined ? proxyTerminal(started.master) : undefined;
  try {
    const status = await waitForChild(started.pid);
    await term?.drained;
    return exitCodeOf(status);
  } finally {
    signals.stop();
    term?.stop();
  }
}
