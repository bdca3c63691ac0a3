import { chmodSync, mkdirSync, statSync } from 'node:fs';

// Who may change the state root. Everything in it (pids, cgroup paths, the exec fifo) steers
// what later commands signal, remove and open, so it must be changeable only by the caller
// (or by root, who could change anything anyway).

/** Why `root` is not safe to keep state in, or undefined. Pure: takes the directory's stat. */
export function stateRootProblem(root: string, st: { uid: number; mode: number }, euid: number): string | undefined {
  if (st.uid !== euid && st.uid !== 0) {
    return `state root ${root} belongs to uid ${st.uid}, not to this user (uid ${euid}): another user could change container state; use a directory of your own (--root)`;
  }
  if ((st.mode & 0o022) !== 0) {
    const who = (st.mode & 0o002) !== 0 ? 'every user' : 'its group';
    return `state root ${root} is writable by ${who} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): another user could change container state; chmod go-w it or use another --root`;
  }
  return undefined;
}

/** Throws when the existing state root could be changed by another user. A missing root passes. */
export function checkStateRoot(root: string): void {
  let st;
  try {
    st = statSync(root);
  } catch {
    return;
  }
  const problem = stateRootProblem(root, st, process.geteuid?.() ?? 0);
  if (problem) throw new Error(problem);
}

/**
 * The default root under $XDG_RUNTIME_DIR, made as runc makes its own: 0700, and sticky because
 * the XDG base directory spec lets a session manager prune files there that lack the bit.
 */
export function makeUserStateRoot(root: string): void {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o1700);
  } catch (err) {
    throw new Error(`cannot make the state root ${root} (from $XDG_RUNTIME_DIR; pass --root to choose another): ${(err as Error).message}`);
  }
}
