import * as K from '../linux/constants.js';
import { chroot, exitNow, fchdir, prctl, setns, setresgid, setresuid, setsid } from '../linux/libc.js';
import { forkProcess } from '../linux/fork.js';
import { linuxSys } from '../linux/sys.js';
import { setupConsole, type ConsolePlan } from '../init/console.js';
import type { InitSecurity } from '../init/init.js';
import type { ProcessPlan } from '../init/process-plan.js';
import { becomeContainerProcess, execContainerProcess } from '../init/process-setup.js';
import { expect, reportStartFailure, send } from '../init/sync.js';

// The forked process of `exec`. It runs only synchronous FFI calls (docs/DESIGN.md, "Process model") and leaves
// by execve or _exit. The runtime moves it into the container's cgroup after the fork (as runc
// 1.1 does) while it becomes the container process; it execs after.

export interface ExecChildContext {
  plan: ProcessPlan;
  /** The children's end of the SEQPACKET sync socket; close-on-exec, so execve means EOF. */
  sock: number;
  /** Namespace fds of the container's init, in join order (user first). */
  namespaces: Array<{ fd: number; flag: number }>;
  /** O_PATH handle of /proc/<init>/root: the container's root, pivoted or chrooted. */
  rootFd: number;
  security: InitSecurity;
  console?: ConsolePlan;
}

function report(sock: number, err: unknown): never {
  reportStartFailure(sock, err);
  exitNow(1);
}

/**
 * The forked process of `exec`, born in the container's pid namespace (the runtime set its
 * pid_for_children around the fork): it joins the other namespaces, user first, and the
 * container's root, then becomes the container process.
 */
export function runExecChild(ctx: ExecChildContext): never {
  const p = ctx.plan;
  // The runtime sends "moved" once it has moved us into the container's cgroup: execve and
  // every message, errors included, come after the move, which overlaps with the set-up.
  let moved = false;
  const awaitMove = (): void => {
    if (moved) return;
    moved = true;
    expect(ctx.sock, 'moved');
  };
  try {
    // CVE-2019-5736: a non-dumpable process's /proc/<pid>/exe, fds, mem and environ are closed
    // to everything in the container (it lacks CAP_SYS_PTRACE over the runtime), so nothing
    // there can reach the runtime's binary while this process is node. The container
    // program's execve makes the process dumpable again.
    prctl(K.PR_SET_DUMPABLE, 0);
    for (const ns of ctx.namespaces) {
      if (ns.flag === K.CLONE_NEWPID) continue;
      setns(ns.fd, ns.flag);
      if (ns.flag === K.CLONE_NEWUSER) {
        setresgid(0, 0, 0);
        setresuid(0, 0, 0);
      }
    }
    fchdir(ctx.rootFd);
    chroot('.');
    setsid();
    if (ctx.console) setupConsole(ctx.console);
    const program = becomeContainerProcess(linuxSys, p, ctx.security, ctx.sock, awaitMove);
    execContainerProcess(linuxSys, p, ctx.security, program);
  } catch (err) {
    try {
      awaitMove();
    } catch {
      // The runtime is gone or failed: the report below goes nowhere either way.
    }
    report(ctx.sock, err);
  }
}

/**
 * Where the runtime may not enter the container's pid namespace itself (an unprivileged caller:
 * the namespace belongs to the container's user namespace), this child joins the user namespace,
 * then the pid namespace, and forks the exec'd process there. It reports that process's pid and
 * exits; the runtime, a child subreaper, inherits the process.
 */
export function runExecIntermediate(ctx: ExecChildContext): never {
  try {
    prctl(K.PR_SET_DUMPABLE, 0);
    for (const flag of [K.CLONE_NEWUSER, K.CLONE_NEWPID]) {
      const ns = ctx.namespaces.find((n) => n.flag === flag);
      if (ns === undefined) continue;
      setns(ns.fd, flag);
      if (flag === K.CLONE_NEWUSER) {
        setresgid(0, 0, 0);
        setresuid(0, 0, 0);
      }
    }
    const pid = forkProcess();
    if (pid === 0) runExecChild({ ...ctx, namespaces: ctx.namespaces.filter((n) => n.flag !== K.CLONE_NEWUSER && n.flag !== K.CLONE_NEWPID) });
    send(ctx.sock, { kind: 'pid', pid });
    exitNow(0);
  } catch (err) {
    report(ctx.sock, err);
  }
}
