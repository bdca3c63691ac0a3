import { chmodSync, copyFileSync, lchownSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';

/**
 * The "tmpcopyup" mount extension (podman adds it to every --tmpfs and --read-only mount): the
 * new tmpfs starts with a copy of what the directory it covers held. `from` is that covered
 * directory reached through a handle taken before the mount. Entries are read without following
 * symlinks, so the copy never leaves the rootfs; device nodes, fifos and sockets are not copied.
 */
export function copyUp(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = `${from}/${entry.name}`;
    const dst = `${to}/${entry.name}`;
    const st = lstatSync(src);
    if (st.isDirectory()) {
      mkdirSync(dst);
      copyUp(src, dst);
    } else if (st.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), dst);
    } else if (st.isFile()) {
      copyFileSync(src, dst);
    } else {
      continue;
    }
    lchownSync(dst, st.uid, st.gid);
    if (!st.isSymbolicLink()) chmodSync(dst, st.mode & 0o7777);
  }
}
