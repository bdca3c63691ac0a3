import { chmodSync, mkdirSync } from 'node:fs';

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
