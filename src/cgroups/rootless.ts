// runc's rules for the cgroups of a rootless caller (libcontainer/cgroups/fs and fs2): without a
// cgroupsPath, a cgroup the caller may not create is left out, and only a limit that needed it
// fails; with a cgroupsPath, the refusal is the error. Device rules are never applied: loading
// them needs privileges, and an unprivileged container can open only what its user could anyway.

export interface RootlessCgroups {
  /** No linux.cgroupsPath was given: cgroups this user may not create are left out. */
  skipDenied: boolean;
}

const DELEGATION = 'limits need a cgroup delegated to this user (README "Rootless containers")';

/** Why a left-out cgroup cannot take a limit, for the error of the field that asked for one. */
export function rootlessDenial(err: unknown): string {
  return `a rootless container gets no cgroup where it may not create one (${(err as Error).message}); ${DELEGATION}`;
}

/** The error when the configured cgroupsPath is not the caller's to create. */
export function cgroupsPathDenial(err: unknown): Error {
  return new Error(`linux.cgroupsPath: ${(err as Error).message}: a rootless caller needs this cgroup delegated to it, or no cgroupsPath and no limits`, { cause: err });
}
