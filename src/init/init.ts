import * as K from '../linux/constants.js';
import { SyscallError } from '../linux/errors.js';
import {
  close, exitNow, joinSessionKeyring, open, openat, setdomainname, sethostname, setsid, umask, unshare, write,
} from '../linux/libc.js';
import { linuxSys, type Sys } from '../linux/sys.js';
import type { CgroupMounts } from './cgroup-mount.js';
import { setupConsole, type ConsolePlan } from './console.js';
import { reopenDevNull } from './dev-null.js';
import type { InitPlan } from './plan.js';
import { enterNamespaces } from './enter-namespaces.js';
import { setLoopbackUp } from './loopback.js';
import { becomeContainerProcess, execContainerProcess, writeSetting } from './process-setup.js';
import { enterRoot, protectPaths, setupRootfs } from './rootfs.js';
import { expect, reportStartFailure, send, startFailure } from './sync.js';
import { hookState, runHooks } from '../hooks/lifecycle.js';
import type { State } from '../spec/types.js';

/** The security steps other modules contribute; prepared in the parent, run in the init through its Sys. */
export interface InitSecurity {
  /** Before the user switch, while the init still has CAP_SETPCAP. */
  dropBounding?: (sys: Sys) => void;
  /** After the user switch: capset and ambient raise. */
  applyCapabilities?: (sys: Sys) => void;
  /** Before the start gate (runc's order): LSM exec labels. */
  applyLsm?: (sys: Sys) => void;
  /** Runs `join` (the session keyring's creation) so that the keyring gets the SELinux label. */
  labelKeyring?: (sys: Sys, join: () => void) => void;
  /** Before "ready": loads the SCMP_ACT_NOTIFY rules; returns the listener fd or -1. */
  loadSeccompListener?: (sys: Sys) => number;
  /** Last step before execve. */
  loadSeccomp?: (sys: Sys) => void;
}

export interface InitContext {
  containerId: string;
  plan: InitPlan;
  /** The init's end of the sync socketpair. */
  sock: number;
  /** O_PATH handle of exec.fifo, opened by the parent. */
  fifoFd: number;
  /** fds of the namespaces to join, parallel to plan.namespaces.joins. */
  nsFds: number[];
  /** Detached idmapped copies of bind sources, parallel to plan.mounts (-1: a plain mount). */
  idmapFds: number[];
  cgroups: CgroupMounts;
  security: InitSecurity;
  /** process.terminal: the pty is made after pivot_root and its master sent out. */
  console?: ConsolePlan;
  /**
   * Forked by create itself, already in the pid namespace (no intermediate process): the init
   * enters the other namespaces itself.
   */
  direct?: boolean;
  /**
   * The runtime puts the init into its cgroup before the rootfs work (the systemd driver: the
   * scope's directory, which cgroup mounts bind, exists only once the unit holds a process), so
   * "recorded" is awaited before that work instead of at the join.
   */
  cgroupBeforeRootfs?: boolean;
  /** The runtime's "recorded" (sent once it has saved our pid) has been read: see runInit's catch. */
  recordedReceived?: boolean;
}

function applySysctl(entries: ReadonlyArray<[string, string]>): void {
  for (const [path, value] of entries) writeSetting(`linux.sysctl[${JSON.stringify(path.slice('/proc/sys/'.length).replaceAll('/', '.'))}]`, path, value);
}

/**
 * Blocks until `start` opens the fifo for reading, runs the startContainer hooks, then writes
 * the verdict `start` waits for: "0", or "1" and the hook's error.
 */
function waitForStart(ctx: InitContext, procFdDir: number, startState: string | undefined): void {
  const fifo = openat(procFdDir, String(ctx.fifoFd), K.O_WRONLY | K.O_CLOEXEC);
  try {
    if (startState !== undefined) runHooks('startContainer', ctx.plan.hooks.startContainer, startState);
  } catch (err) {
    write(fifo, `1${(err as Error).message}`);
    throw err;
  }
  write(fifo, '0');
  close(fifo);
}

/**
 * The init enters the container's cgroup only now, after the rootfs work: create writes its pid
 * into cgroup.procs when asked. What it touched until here (copied pages, page tables, the mount
 * table) stays charged to the runtime's cgroup, so a container whose program fits in 1 MiB runs
 * under a 1 MiB limit. Then a new cgroup namespace, rooted at that cgroup; the capabilities for
 * unshare are still there. The init's first message; before the hooks when there are any (they
 * expect the pid in the cgroup), else before the process setup.
 */
function joinCgroup(ctx: InitContext): void {
  // The intermediate process reports our pid on this socket: a message of ours sent before the
  // runtime has read it could arrive first. The runtime answers the pid with "recorded"; waiting
  // for it only here lets the rootfs work overlap with the runtime's.
  if (!ctx.cgroupBeforeRootfs) {
    expect(ctx.sock, 'recorded');
    ctx.recordedReceived = true;
  }
  send(ctx.sock, { kind: 'join' });
  expect(ctx.sock, 'joined');
  if (ctx.plan.namespaces.newCgroup) unshare(K.CLONE_NEWCGROUP);
}

/**
 * The runtime runs prestart and createRuntime hooks while the init waits here, after the mounts
 * and before pivot_root; the init then runs createContainer hooks, which resolve their path in
 * the runtime's mount tree but run in the container's namespaces. Returns the state JSON for
 * the startContainer hooks.
 */
function hooksBeforePivot(ctx: InitContext): string | undefined {
  if (!ctx.plan.hooks.stopBeforePivot) return undefined;
  send(ctx.sock, { kind: 'hooks' });
  const { json } = expect(ctx.sock, 'state');
  const base = JSON.parse(json) as State;
  runHooks('createContainer', ctx.plan.hooks.createContainer, hookState(base, 'creating'));
  return hookState(base, 'created');
}

/** The container's init (grandchild of create): builds the container, waits for start, execs. */
export function runInit(ctx: InitContext): never {
  const p = ctx.plan;
  const sys = linuxSys;
  let ready = false;
  try {
    if (ctx.direct) enterNamespaces(p.namespaces, ctx.nsFds, true);
    setsid();
    umask(0);
    // runc's order: the network before the rootfs, while the init still has every capability.
    if (p.namespaces.unshareFlags & K.CLONE_NEWNET) setLoopbackUp();
    if (ctx.cgroupBeforeRootfs) {
      expect(ctx.sock, 'recorded');
      ctx.recordedReceived = true;
    }
    setupRootfs(sys, p, ctx.cgroups, ctx.idmapFds);
    if (p.hooks.stopBeforePivot) joinCgroup(ctx);
    const startState = hooksBeforePivot(ctx);
    if (p.hostname !== undefined) sethostname(p.hostname);
    if (p.domainname !== undefined) setdomainname(p.domainname);
    if (p.newKeyring) {
      const join = (): void => {
        try {
          joinSessionKeyring(`_ses.${ctx.containerId}`);
        } catch (err) {
          if (!(err instanceof SyscallError && (err.code === 'ENOSYS' || err.code === 'EACCES'))) throw err;
        }
      };
      if (ctx.security.labelKeyring) ctx.security.labelKeyring(sys, join);
      else join();
    }
    // The host /proc handle lets the init reopen the fifo after pivot_root; it is close-on-exec.
    const procFdDir = open('/proc/self/fd', K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
    // Without a mount namespace the rootfs has no /proc of its own: the host's serves, and
    // /proc/sys shows the namespaces of whoever writes.
    if (!p.mountNamespace) applySysctl(p.sysctl);
    enterRoot(sys, p);
    if (ctx.console) setupConsole(ctx.console);
    else reopenDevNull(sys);
    if (p.mountNamespace) applySysctl(p.sysctl);
    protectPaths(sys, p);
    if (!p.hooks.stopBeforePivot) joinCgroup(ctx);
    const program = becomeContainerProcess(sys, p, ctx.security, ctx.sock);
    send(ctx.sock, { kind: 'ready' });
    // EOF instead means create was killed before it saved the container: go with it.
    expect(ctx.sock, 'commit');
    ready = true;
    waitForStart(ctx, procFdDir, startState);
    execContainerProcess(sys, p, ctx.security, program);
  } catch (err) {
    if (!ready) {
      try {
        // The runtime sends "recorded" whatever happens here: exiting with it unread would make
        // its write fail (EPIPE) or its read lose our message (ECONNRESET) instead of reporting it.
        if (!ctx.recordedReceived) expect(ctx.sock, 'recorded');
      } catch {
        // The runtime is gone or failed itself; the report below then goes nowhere either.
      }
      reportStartFailure(ctx.sock, err);
    } else {
      try {
        write(2, `ocirun init: ${startFailure(err).message}\n`);
      } catch {
        // Nobody left to tell: the exit status is the report.
      }
    }
    exitNow(ready ? 127 : 1);
  }
}
