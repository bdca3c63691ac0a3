// Reading a file whose path a caller chose (config.json, exec --process, update --resources): a
// FIFO, a device or a directory in its place must fail at once, never block in open() (where
// signal handlers cannot run) nor read without end (/dev/zero). Symlinks are followed, as runc
// follows them: what is checked is the file actually opened, through its descriptor.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { systemErrorReason } from './config-error.js';

/** Far above real documents (a config with 100,000 env entries is ~3 MB; 50 MB ones are known to work). */
export const DOCUMENT_SIZE_LIMIT = 128 * 1024 * 1024;

/** The file cannot be used; the message is the reason alone, for the caller to prefix with the file. */
export class CallerFileError extends Error {}

const CHUNK = 1 << 20;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function describeSize(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/**
 * Reads what is left of `fd` up to `limit` bytes, in chunks: a file may grow after fstat, and
 * some (procfs) report a size of 0. `sizeHint` is the size fstat reported, if any.
 */
export function readBounded(fd: number, limit: number, sizeHint?: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // The first read asks for the size fstat gave (plus the byte that shows the end), not a
    // whole chunk: each 1 MiB buffer is an mmap of its own, for a config of a few KiB.
    const first = sizeHint === undefined ? CHUNK : sizeHint + 1;
    const want = chunks.length === 0 ? first : Math.min(CHUNK, Math.max(4096, total));
    const buf = Buffer.allocUnsafe(Math.min(want, limit + 1 - total));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > limit) throw new CallerFileError(`larger than ${describeSize(limit)}`);
  }
}

/** The content of the regular file at `path`, as UTF-8; CallerFileError says why not. */
export function readRegularFile(path: string, limit = DOCUMENT_SIZE_LIMIT): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once (and is refused below).
    // libuv adds O_CLOEXEC itself.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    // A socket cannot be opened at all (ENXIO): its type is the better answer.
    const st = statSync(path, { throwIfNoEntry: false });
    if (st !== undefined && !st.isFile()) throw new CallerFileError(`not a regular file (${kindOf(st)})`);
    throw new CallerFileError(`cannot read: ${systemErrorReason(error)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new CallerFileError(`not a regular file (${kindOf(st)})`);
    if (st.size > limit) throw new CallerFileError(`larger than ${describeSize(limit)} (${st.size} bytes)`);
    return readBounded(fd, limit, st.size).toString('utf8');
  } catch (error) {
    if (error instanceof CallerFileError) throw error;
    throw new CallerFileError(`cannot read: ${systemErrorReason(error)}`);
  } finally {
    closeSync(fd);
  }
}
