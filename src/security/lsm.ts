import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SyscallError } from '../linux/errors.js';
import { O_CLOEXEC, O_WRONLY } from '../linux/constants.js';
import type { Sys } from '../linux/sys.js';
import type { Linux, Process } from '../spec/types.js';

// AppArmor profiles and SELinux labels.
//
// Choice: a config that asks for a label on a host without that LSM is an error, never silently
// ignored — running a container unconfined when its author asked for confinement is the worse
// failure. runc errors for selinuxLabel and for an apparmorProfile it cannot apply; we do the
// same and extend it to mountLabel (runc drops that one silently). Where SELinux is on, a label
// the loaded policy does not know is refused in the parent too (selinuxKnowsContext).
//
// Where the LSM is present, the init writes the label to its own "exec" attribute, which the
// kernel applies at the next execve: the container process starts confined, and the init's
// remaining steps are not. AppArmor gets its own file (/proc/self/attr/apparmor/exec, Linux 5.8+,
// unambiguous when several LSMs are stacked) with a fallback to the shared attr/exec; SELinux uses
// attr/exec, and attr/keycreate while the init makes the session keyring (runc labels it too).
// The exec write goes through the container's /proc (after pivot_root, as in runc), so the
// container must mount proc at /proc for a label to apply. Call applyLsm after any hook the init
// runs (a hook exec'd later would get the label) but, as runc does, while the init is still root
// and before no_new_privs: afterwards the LSM may refuse the change (SELinux's setexec permission,
// AppArmor's no_new_privs rules). mountLabel is applied by the mount code (init/mount-label.ts);
// here it is only checked.

export interface LsmHost {
  apparmor: boolean;
  selinux: boolean;
  /** SELinux hosts: whether the loaded policy accepts a context (absent: not asked). */
  knowsContext?: (context: string) => boolean;
}

/** The labels the init sets for the container process. */
export interface LsmPlan {
  apparmorProfile?: string;
  selinuxLabel?: string;
}

/**
 * AppArmor: the module parameter says whether it is active even when securityfs is not mounted
 * (as on this project's VM). SELinux: selinuxfs exposes `enforce` only where SELinux is active.
 */
export function detectLsm(): LsmHost {
  let apparmor = false;
  try {
    apparmor = readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').startsWith('Y');
  } catch {
    apparmor = existsSync('/sys/kernel/security/apparmor');
  }
  const selinux = existsSync('/sys/fs/selinux/enforce');
  return selinux ? { apparmor, selinux, knowsContext: selinuxKnowsContext } : { apparmor, selinux };
}

/**
 * The kernel's own validity check (libselinux's security_check_context): selinuxfs refuses
 * writing a context the loaded policy does not define with EINVAL. Asked in the parent, an
 * unknown label fails create before anything exists, with the field's name, instead of as an
 * EINVAL from a mount or from the init's write to attr/exec.
 */
function selinuxKnowsContext(context: string): boolean {
  try {
    writeFileSync('/sys/fs/selinux/context', context);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return false;
    throw err;
  }
}

/** Parent side: refuses labels the host cannot apply; returns what the init will set. */
export function checkLsm(
  process: Pick<Process, 'apparmorProfile' | 'selinuxLabel'> | undefined,
  linux: Pick<Linux, 'mountLabel'> | undefined,
  host: LsmHost = detectLsm(),
): LsmPlan {
  const plan: LsmPlan = {};
  if (process?.apparmorProfile) {
    if (!host.apparmor) throw new Error('process.apparmorProfile: AppArmor is not enabled on this host');
    plan.apparmorProfile = process.apparmorProfile;
  }
  if (process?.selinuxLabel) {
    checkContext('process.selinuxLabel', process.selinuxLabel, host);
    plan.selinuxLabel = process.selinuxLabel;
  }
  if (linux?.mountLabel) checkContext('linux.mountLabel', linux.mountLabel, host);
  return plan;
}

function checkContext(field: string, context: string, host: LsmHost): void {
  if (!host.selinux) throw new Error(`${field}: SELinux is not enabled on this host`);
  if (host.knowsContext && !host.knowsContext(context)) {
    throw new Error(`${field}: ${JSON.stringify(context)} is not a context of the loaded SELinux policy (expected user:role:type[:level], e.g. system_u:system_r:container_t:s0)`);
  }
}

function writeAttr(sys: Sys, path: string, value: string): void {
  const fd = sys.open(path, O_WRONLY | O_CLOEXEC);
  try {
    sys.write(fd, value);
  } finally {
    sys.close(fd);
  }
}

function applyProfile(sys: Sys, profile: string): void {
  const value = `exec ${profile}`;
  try {
    try {
      writeAttr(sys, '/proc/self/attr/apparmor/exec', value);
    } catch (err) {
      // Only a kernel without the AppArmor directory (before 5.8) falls back; a write that fails
      // with ENOENT is AppArmor's answer for a profile that is not loaded.
      if (!(err instanceof SyscallError && err.call === 'open' && err.code === 'ENOENT')) throw err;
      writeAttr(sys, '/proc/self/attr/exec', value);
    }
  } catch (err) {
    const why = err instanceof SyscallError && err.call === 'write' && err.code === 'ENOENT' ? 'no profile of that name is loaded' : (err as Error).message;
    throw new Error(`AppArmor profile ${JSON.stringify(profile)} cannot be applied: ${why}`);
  }
}

function writeSelinuxAttr(sys: Sys, attr: 'exec' | 'keycreate', label: string): void {
  try {
    writeAttr(sys, `/proc/self/attr/${attr}`, label);
  } catch (err) {
    throw new Error(`SELinux label ${JSON.stringify(label)} cannot be applied (attr/${attr}): ${(err as Error).message}`);
  }
}

/** Child side (see the ordering note at the top). */
export function applyLsm(sys: Sys, plan: LsmPlan): void {
  if (plan.apparmorProfile) applyProfile(sys, plan.apparmorProfile);
  if (plan.selinuxLabel) writeSelinuxAttr(sys, 'exec', plan.selinuxLabel);
}

/**
 * Child side, around the session keyring's creation: the keyring gets the process's label, as
 * runc labels it (keys the container makes later are labelled after its own context anyway).
 * The empty write afterwards restores the default for keys the init itself might make.
 */
export function labelKeyring(sys: Sys, label: string, join: () => void): void {
  writeSelinuxAttr(sys, 'keycreate', label);
  try {
    join();
  } finally {
    writeAttr(sys, '/proc/self/attr/keycreate', '');
  }
}
