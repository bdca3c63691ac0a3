import { renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Digits only, no newline (runc's format), written to a temporary file and renamed into place. */
export function writePidFile(path: string, pid: number): void {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    // Created afresh ('wx': O_EXCL, which also refuses a symlink): whatever stands under the
    // temporary name, a FIFO included, is never opened.
    rmSync(tmp, { force: true });
    writeFileSync(tmp, String(pid), { mode: 0o644, flag: 'wx' });
    renameSync(tmp, target);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written, or already renamed.
    }
    const { code, message } = err as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : message;
    throw new Error(`--pid-file ${path}: ${reason}`);
  }
}
