// Who may checkpoint and restore. CRIU itself refuses a caller other than root unless it is
// given --unprivileged (cr-check.c, check_caps: "Running as non-root requires '--unprivileged'"),
// which runc never passes: runc only warns that rootless checkpoint is untested and CRIU then
// fails. ocirun stops such a caller before anything is done, with the reason.

export interface CriuCaller {
  euid: number;
  /** Inside a user namespace other than the initial one. */
  inUserNamespace: boolean;
}

export type CriuPrivilege = { ok: true; warning?: string } | { ok: false; error: string };

export function criuPrivilege(action: 'checkpoint' | 'restore', caller: CriuCaller): CriuPrivilege {
  if (caller.euid !== 0) {
    return {
      ok: false,
      error: `${action}: rootless (uid ${caller.euid}): CRIU checkpoints and restores only for root (it refuses other callers unless given --unprivileged, which runc does not pass either); run ${action} as root`,
    };
  }
  if (caller.inUserNamespace) {
    // runc's own warning for this case: CRIU may still lack what it needs in the initial namespace.
    return { ok: true, warning: `${action} as root in a user namespace is untested (runc warns the same); CRIU needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the initial user namespace` };
  }
  return { ok: true };
}
