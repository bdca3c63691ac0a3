import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isErrno } from '../linux/errors.js';
import { close, closeQuietly, eventfd, inotifyAddWatch, inotifyInit1, open, read } from '../linux/libc.js';
import { O_CLOEXEC, O_RDONLY } from '../linux/constants.js';
import { writeCgroupFile } from './fs.js';
import type { CgroupManager } from './manager.js';
import { parseFlatKeyed } from './stats.js';

// OOM notifications for `events`, as a file descriptor the caller polls:
// - v1: an eventfd registered on memory.oom_control through cgroup.event_control (kernel
//   cgroup-v1/memory.rst "OOM Control"); it counts each OOM situation, also those of a cgroup
//   whose OOM killer is disabled, and fires once more when the cgroup is removed;
// - v2: inotify on memory.events, which the kernel marks modified when a counter changes; an
//   OOM kill is an increase of its oom_kill counter.

const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
const IN_NONBLOCK = 0o4000;
const IN_CLOEXEC = 0o2000000;
const IN_MODIFY = 0x2;

export interface OomNews {
  /** OOM events since the last call. */
  ooms: number;
  /** The memory cgroup no longer exists: no more notifications will come. */
  gone: boolean;
}

export interface OomWatch {
  /** Readable when there may be news. */
  readonly fd: number;
  /** Drains the fd and says what happened; never blocks. */
  take(): OomNews;
  close(): void;
}

/** Reads what is pending on a non-blocking fd; 0 bytes when nothing is. */
function drain(fd: number, buf: Buffer): number {
  try {
    return read(fd, buf);
  } catch (err) {
    if (isErrno(err, 'EAGAIN')) return 0;
    throw err;
  }
}

function watchV1(dir: string): OomWatch {
  const efd = eventfd(EFD_NONBLOCK | EFD_CLOEXEC);
  let ofd = -1;
  try {
    ofd = open(join(dir, 'memory.oom_control'), O_RDONLY | O_CLOEXEC);
    writeCgroupFile(dir, 'cgroup.event_control', `${efd} ${ofd}`);
  } catch (err) {
    closeQuietly(ofd);
    close(efd);
    throw err;
  }
  const buf = Buffer.alloc(8);
  return {
    fd: efd,
    take(): OomNews {
      const n = drain(efd, buf) === 8 ? Number(buf.readBigUInt64LE(0)) : 0;
      // The removal of the cgroup is signalled through the same eventfd.
      const gone = !existsSync(dir);
      return { ooms: gone ? 0 : n, gone };
    },
    close(): void {
      closeQuietly(ofd);
      closeQuietly(efd);
    },
  };
}

function oomKills(dir: string): number | undefined {
  try {
    return Number(parseFlatKeyed(readFileSync(join(dir, 'memory.events'), 'utf8')).get('oom_kill') ?? 0n);
  } catch {
    return undefined;
  }
}

function watchV2(dir: string): OomWatch {
  const fd = inotifyInit1(IN_NONBLOCK | IN_CLOEXEC);
  try {
    inotifyAddWatch(fd, join(dir, 'memory.events'), IN_MODIFY);
  } catch (err) {
    close(fd);
    throw err;
  }
  let seen = oomKills(dir) ?? 0;
  const buf = Buffer.alloc(4096);
  return {
    fd,
    take(): OomNews {
      while (drain(fd, buf) > 0);
      const kills = oomKills(dir);
      if (kills === undefined) return { ooms: 0, gone: true };
      const ooms = Math.max(0, kills - seen);
      seen = kills;
      return { ooms, gone: false };
    },
    close(): void {
      closeQuietly(fd);
    },
  };
}

/**
 * Watches the container's memory cgroup for OOM events; undefined when the host has no memory
 * controller for it (no v1 memory hierarchy, or memory not enabled in the v2 cgroup).
 */
export function watchOom(m: CgroupManager): OomWatch | undefined {
  if (m.version === 1) {
    const dir = m.paths.memory;
    return dir !== undefined && existsSync(join(dir, 'memory.oom_control')) ? watchV1(dir) : undefined;
  }
  const dir = m.paths[''];
  return dir !== undefined && existsSync(join(dir, 'memory.events')) ? watchV2(dir) : undefined;
}
