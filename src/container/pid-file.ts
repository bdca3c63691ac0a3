import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Digits only, no newline (runc's format), written to a temporary file and renamed into place. */
export function writePidFile(path: string, pid: number): void {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  writeFileSync(tmp, String(pid), { mode: 0o644 });
  renameSync(tmp, target);
}
