import { chmodSync, readFileSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { fchownat, mkfifo, open } from '../linux/libc.js';

/**
 * The start gate (exec.fifo), runtime side. The init blocks opening it for writing until
 * `start` opens it for reading, then writes its verdict; `start` believes the first bytes it
 * reads. So no one but the init may be able to write there: the fifo lies in a 0700 dir of a
 * 0700 root (no other user can look it up), and it is write-only for the init's own file-system
 * ids, set once the init has switched to the container's user, where runc leaves it 0622 for
 * everyone. Root still opens it for `start` (CAP_DAC_OVERRIDE).
 */
export function makeStartGate(path: string): number {
  mkfifo(path, 0o200);
  const fd = open(path, K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC);
  // Whatever the umask took away: through the handle, never a path someone could have swapped.
  chmodSync(`/proc/self/fd/${fd}`, 0o200);
  return fd;
}

/** The fsuid and fsgid (the ids open(2) checks) in /proc/<pid>/status, as the host sees them. */
export function parseFsIds(status: string): { uid: number; gid: number } | undefined {
  const field = (name: string): number | undefined => {
    const line = status.split('\n').find((l) => l.startsWith(`${name}:`));
    const fs = line?.split(/\s+/)[4];
    return fs !== undefined && /^\d+$/.test(fs) ? Number(fs) : undefined;
  };
  const uid = field('Uid');
  const gid = field('Gid');
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/**
 * The mode of the gate for an unprivileged runtime, which cannot give the fifo away (chown) nor
 * read it without a read bit: it stays the runtime's own, readable by `start`, writable by the
 * init as its owner (the usual rootless container, the caller's uid as root) or else as "other",
 * which the 0700 state dir still keeps from every other user of the host.
 */
export function rootlessGateMode(initUid: number, euid: number): number {
  return initUid === euid ? 0o600 : 0o602;
}

/** Hands the gate to the init, which has switched to the container's user and waits to open it. */
export function giveStartGate(fifoFd: number, initPid: number): void {
  const ids = parseFsIds(readFileSync(`/proc/${initPid}/status`, 'utf8'));
  if (!ids) throw new Error(`/proc/${initPid}/status: no Uid or Gid line`);
  const euid = process.geteuid?.() ?? 0;
  if (euid === 0) fchownat(fifoFd, '', ids.uid, ids.gid, K.AT_EMPTY_PATH);
  else chmodSync(`/proc/self/fd/${fifoFd}`, rootlessGateMode(ids.uid, euid));
}
