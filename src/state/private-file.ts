/**
 * Who may have changed a file or directory of the state root: anything not owned by the runtime's
 * user, or writable by group or others, could have been written by another user, and nothing it
 * says may be trusted (a forged record names the processes and cgroups `delete` kills).
 * Returns why not, or undefined when only the owner can have written it.
 */
export function untrustedBecause(st: { uid: number; mode: number }, euid: number): string | undefined {
  if (st.uid !== euid) return `owned by uid ${st.uid}, not by uid ${euid} that runs ocirun`;
  if ((st.mode & 0o022) !== 0) return `writable by group or others (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  return undefined;
}
