import { readFileSync, writeFileSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { reasonOf, SyscallError } from '../linux/errors.js';
import { sendWithFd } from './sync.js';
import type { Sys } from '../linux/sys.js';
import { execProgram } from './exec-guard.js';
import { lookupExecutable, withHome } from './exec-lookup.js';
import type { InitSecurity } from './init.js';
import { applyProcessExtras } from './process-extras.js';
import type { ProcessPlan } from './process-plan.js';
import { readRegularFile } from '../spec/caller-file.js';

// The steps that turn a forked runtime process, already inside the container's root, into the
// container's process: the same for the init (create) and for every `exec`. They run in the
// child, in this order: limits, cwd, program lookup, labels, user, umask, no_new_privs, fds,
// then (after the start gate for the init) seccomp and execve. System calls go through `sys`
// (linux/sys.ts); the program lookup and the /proc file writes use node:fs.

/** A write to a kernel file on behalf of a config field; the error names both. */
export function writeSetting(field: string, path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch (err) {
    throw new Error(`${field}: writing ${JSON.stringify(value)} to ${path}: ${reasonOf(err)}`);
  }
}

/**
 * Without CAP_SYS_RESOURCE (rootless, and this whole host) the kernel refuses a value below the
 * lowest one this process has had; rewriting the current value is always allowed, and the error
 * says which value would work.
 */
function setOomScoreAdj(value: number): void {
  const path = '/proc/self/oom_score_adj';
  try {
    writeFileSync(path, String(value));
  } catch (err) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8').trim();
    } catch {
      // Only the kernel's reason, then.
    }
    const lower = current !== '' && value < Number(current);
    const hint = lower ? `: lowering it below the current ${current} needs CAP_SYS_RESOURCE, which this runtime lacks (rootless?); use ${current} or more` : '';
    throw new Error(`process.oomScoreAdj: writing ${JSON.stringify(String(value))} to ${path}: ${reasonOf(err)}${hint}`);
  }
}

function applyLimits(sys: Sys, p: ProcessPlan): void {
  for (const r of p.rlimits) sys.prlimit(0, r.resource, r.soft, r.hard);
  if (p.oomScoreAdj !== undefined) setOomScoreAdj(p.oomScoreAdj);
  applyProcessExtras(sys, p.extras);
}

function enterCwd(sys: Sys, cwd: string): void {
  sys.chdir(cwd);
  // A cwd reached through a leaked host fd (/proc/self/fd/N) lies outside the new root:
  // the kernel then reports it as unreachable (CVE-2024-21626).
  let where: string;
  try {
    where = sys.getcwd();
  } catch (err) {
    throw new Error(`process.cwd ${JSON.stringify(cwd)} is outside the container's root: ${(err as Error).message}`);
  }
  if (!where.startsWith('/')) throw new Error(`process.cwd ${JSON.stringify(cwd)} is outside the container's root`);
}

/** Far above a real passwd file; the read is charged to the container's memory. */
const PASSWD_SIZE_LIMIT = 16 * 1024 * 1024;

/** The program's path and its environment (HOME from the container's /etc/passwd when unset). */
function resolveProgram(p: ProcessPlan): { path: string; env: string[] } {
  const path = lookupExecutable(p.args[0] as string, p.env);
  if (p.env.some((e) => e.startsWith('HOME='))) return { path, env: [...p.env] };
  let passwd: string | undefined;
  try {
    // The container's file: a process in it may have put a FIFO or /dev/zero in its place.
    passwd = readRegularFile('/etc/passwd', PASSWD_SIZE_LIMIT);
  } catch {
    passwd = undefined;
  }
  return { path, env: withHome(p.env, p.uid, passwd) };
}

/**
 * In a user namespace whose setgroups is denied (an unprivileged caller mapped only its own gid)
 * the groups cannot change: none asked for is fine, as with runc; some asked for is an error.
 */
function setSupplementaryGroups(sys: Sys, gids: readonly number[]): void {
  let denied = false;
  try {
    denied = sys.readFile('/proc/self/setgroups').trim() === 'deny';
  } catch {
    // Kernels before 3.19 have no such file and no such rule.
  }
  if (!denied) {
    sys.setgroups(gids);
    return;
  }
  if (gids.length > 0) {
    throw new Error(`process.user.additionalGids: groups ${gids.join(', ')} cannot be set: setgroups is denied in this user namespace (a rootless container mapping only the caller's own gid); map more gids through /etc/subgid and newgidmap`);
  }
}

/** LSM labels (while still root, runc's order), the user and groups, capabilities, umask, no_new_privs. */
function becomeProcessUser(sys: Sys, p: ProcessPlan, security: InitSecurity): void {
  security.applyLsm?.(sys);
  if (security.applyCapabilities && p.uid !== 0) sys.prctl(K.PR_SET_KEEPCAPS, 1);
  security.dropBounding?.(sys);
  setSupplementaryGroups(sys, p.additionalGids);
  sys.setresgid(p.gid, p.gid, p.gid);
  sys.setresuid(p.uid, p.uid, p.uid);
  security.applyCapabilities?.(sys);
  sys.umask(p.umask ?? 0o022);
  if (p.noNewPrivileges) sys.prctl(K.PR_SET_NO_NEW_PRIVS, 1);
}

/**
 * Node ignores SIGPIPE and SIGXFSZ and marks stdio close-on-exec; neither may reach the container.
 * Every fd past stdio and the preserved ones is closed at execve (the caller's leaked fds,
 * Node's own, the runtime's sockets).
 */
function prepareExecEnvironment(sys: Sys, p: ProcessPlan): void {
  sys.resetSignalsForExec();
  sys.closeRange(3, K.CLOSE_RANGE_ALL, K.CLOSE_RANGE_CLOEXEC);
  for (let fd = 0; fd < 3 + p.preserveFds; fd++) {
    try {
      sys.fcntl(fd, K.F_SETFD, 0);
    } catch (err) {
      if (!(err instanceof SyscallError && err.code === 'EBADF')) throw err;
    }
  }
}

/**
 * The steps shared by the init and exec once inside the container's root: limits, cwd, program
 * lookup, user and capabilities, exec environment, then the seccomp notify listener (sent to the
 * runtime over `sock`). Returns what to execute. `beforeSend` runs before the first message.
 */
export function becomeContainerProcess(
  sys: Sys,
  p: ProcessPlan,
  security: InitSecurity,
  sock: number,
  beforeSend?: () => void,
): { path: string; env: string[] } {
  applyLimits(sys, p);
  enterCwd(sys, p.cwd);
  const program = resolveProgram(p);
  becomeProcessUser(sys, p, security);
  prepareExecEnvironment(sys, p);
  const listener = security.loadSeccompListener?.(sys) ?? -1;
  beforeSend?.();
  if (listener >= 0) {
    sendWithFd(sock, { kind: 'seccomp' }, listener);
    sys.close(listener);
  }
  return program;
}

/** The last steps of the init and of exec: the seccomp profile (nothing of the runtime's runs under it), then execve. */
export function execContainerProcess(sys: Sys, p: ProcessPlan, security: InitSecurity, program: { path: string; env: string[] }): never {
  security.loadSeccomp?.(sys);
  execProgram(sys, program.path, p.args, program.env);
}
