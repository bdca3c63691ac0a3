import { writeFileSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { close, open, setns, unshare } from '../linux/libc.js';
import { forkProcess } from '../linux/fork.js';
import type { NamespacePlan } from './plan.js';
import { runningInUserNamespace } from '../linux/userns.js';

// Where create's children enter the container's namespaces (config-linux.md "Namespaces").
// User namespaces come first, so the others belong to them; pid and time namespaces apply to
// the children of whoever enters them, so the init must be forked after that.

/**
 * Whether create forks an intermediate process before the init. A new user namespace is made
 * in a child (the parent writes its id maps) before the others, and a time namespace can be
 * entered only by a single-threaded process; Node never is. A pid namespace alone needs none
 * when create may point its own pid_for_children at it and back around the fork
 * (forkIntoPidNamespace): `pidSwitch`. A rootless runtime may not go back (its own pid namespace
 * belongs to a user namespace above its own), so a child enters the pid namespace instead.
 */
export function needsIntermediate(ns: NamespacePlan, pidSwitch = true): boolean {
  if (ns.newUser || ns.timeOffsets !== undefined || (ns.unshareFlags & K.CLONE_NEWTIME) !== 0) return true;
  if (!pidSwitch && ((ns.unshareFlags & K.CLONE_NEWPID) !== 0 || ns.joins.some((j) => j.flag === K.CLONE_NEWPID))) return true;
  return ns.joins.some((j) => j.flag === K.CLONE_NEWUSER || j.flag === K.CLONE_NEWTIME);
}

/**
 * Whether this process may set its pid_for_children to another pid namespace and back: real
 * root may; an unprivileged one, or root inside a user namespace (rootless podman), may not
 * return to a pid namespace owned by an ancestor user namespace.
 */
export function canSwitchPidNamespace(): boolean {
  return (process.geteuid?.() ?? 0) === 0 && !runningInUserNamespace();
}

/**
 * Joins the namespaces given by path (user ones excepted: the caller did those first) and
 * unshares the new ones, then writes the time offsets. `pidEntered`: the pid namespace was
 * already set for us by our parent, so it is neither joined nor unshared again.
 */
export function enterNamespaces(ns: NamespacePlan, nsFds: readonly number[], pidEntered: boolean): void {
  ns.joins.forEach((j, i) => {
    if (j.flag === K.CLONE_NEWUSER || (pidEntered && j.flag === K.CLONE_NEWPID)) return;
    setns(nsFds[i] as number, j.flag);
  });
  const flags = pidEntered ? ns.unshareFlags & ~K.CLONE_NEWPID : ns.unshareFlags;
  if (flags !== 0) unshare(flags);
  if (ns.timeOffsets !== undefined) writeFileSync('/proc/self/timens_offsets', ns.timeOffsets);
}

/**
 * fork() with the caller's pid_for_children pointed at another pid namespace by `enter` (an
 * unshare or a setns), so the child is born in it. The caller's own is set back in the parent;
 * the child keeps the new one, which its own children need.
 */
export function forkInPidNamespace(enter: () => void): number {
  const own = open('/proc/self/ns/pid', K.O_RDONLY | K.O_CLOEXEC);
  let pid: number;
  try {
    enter();
    pid = forkProcess();
  } catch (err) {
    setns(own, K.CLONE_NEWPID);
    close(own);
    throw err;
  }
  if (pid !== 0) setns(own, K.CLONE_NEWPID);
  close(own);
  return pid;
}

/** create's fork of the init into the container's pid namespace, new (the init is its PID 1) or joined. */
export function forkIntoPidNamespace(ns: NamespacePlan, nsFds: readonly number[]): number {
  const join = ns.joins.findIndex((j) => j.flag === K.CLONE_NEWPID);
  if ((ns.unshareFlags & K.CLONE_NEWPID) !== 0) return forkInPidNamespace(() => unshare(K.CLONE_NEWPID));
  if (join >= 0) return forkInPidNamespace(() => setns(nsFds[join] as number, K.CLONE_NEWPID));
  return forkProcess();
}
