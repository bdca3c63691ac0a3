import { closeSync, mkdirSync, readlinkSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { criuConfigFile } from '../criu/config-file.js';
import { cgroupBinds, dumpRequest, logFileOf, type DumpFlags, type ExternalNsType } from '../criu/options.js';
import { cgroupNames } from './cgroup-binds.js';
import { criuBinary, formatVersion } from '../criu/run.js';
import { criuSwrk } from '../criu/swrk.js';
import { O_RDONLY } from '../linux/constants.js';
import { fcntl } from '../linux/libc.js';
import type { Logger } from '../log.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { deleteContainer } from './delete.js';
import { withContainer } from './lookup.js';
import { NotRunningError } from './signal-init.js';

const F_GETFL = 3;
const O_ACCMODE = 3;
/** The first CRIU that tells a lazy-pages server's readiness as a notification. */
const STATUS_READY_VERSION = 31500;

/** runc's name: restore reads it to give the container's stdio pipes back. */
export const DESCRIPTORS_FILE = 'descriptors.json';

export type CheckpointFlags = Omit<DumpFlags, 'imagePath' | 'workPath' | 'configFile'> & { imagePath?: string; workPath?: string };

/** What fds 0–2 of the init are ("pipe:[123]", "/dev/null", ...), as runc saves them. */
function stdioOf(pid: number): string[] {
  return [0, 1, 2].map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });
}

/** Masked paths the container sees as files: /dev/null bind mounts, external to CRIU. */
function maskedFiles(rec: ContainerRecord): string[] {
  return (rec.config.linux?.maskedPaths ?? []).filter((p) => {
    try {
      return !statSync(`/proc/${rec.pid}/root${p}`).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Namespaces joined by path (podman's network namespace): CRIU must not dump them. */
function externalNamespaces(rec: ContainerRecord): Array<{ type: ExternalNsType; inode: number }> {
  const out: Array<{ type: ExternalNsType; inode: number }> = [];
  for (const ns of rec.config.linux?.namespaces ?? []) {
    if (ns.path === undefined) continue;
    if (ns.type !== 'network' && ns.type !== 'pid') continue;
    out.push({ type: ns.type, inode: statSync(`/proc/${rec.pid}/ns/${ns.type === 'network' ? 'net' : 'pid'}`).ino });
  }
  return out;
}

function freezeCgroup(rec: ContainerRecord): string | undefined {
  return rec.cgroupPaths?.['freezer'] ?? rec.cgroupPaths?.[''];
}

/**
 * runc's `checkpoint`: CRIU dumps the running container into the image directory. Unless the
 * container keeps running (--leave-running, --pre-dump) it is gone afterwards, deleted as runc
 * destroys it, so `restore` can bring it back under the same id.
 */
export async function checkpointContainer(store: StateStore, id: string, criuName: string, flags: CheckpointFlags, log: Logger): Promise<void> {
  const imagePath = resolve(flags.imagePath ?? 'checkpoint');
  const workPath = resolve(flags.workPath ?? imagePath);
  const keep = flags.leaveRunning || flags.preDump;
  await withContainer(store, id, async (rec, status) => {
    if (status !== 'running' && status !== 'paused') {
      if (status === 'created') throw new Error(`container ${id} is created but not started: only a running container can be checkpointed`);
      throw new NotRunningError();
    }
    const criu = criuBinary(criuName);
    const statusFd = flags.lazyPages ? flags.statusFd : undefined;
    if (statusFd !== undefined) checkStatusFd(statusFd, criu.version);
    const configFile = criuConfigFile(rec.config);
    const freeze = freezeCgroup(rec);
    const request = dumpRequest(rec.config, { pid: rec.pid, root: rec.rootfs, maskedFiles: maskedFiles(rec), externalNs: externalNamespaces(rec), cgroupBinds: cgroupBinds(rec.config, cgroupNames()), ...(freeze !== undefined ? { freezeCgroup: freeze } : {}) }, {
      ...flags,
      imagePath,
      workPath,
      ...(configFile !== undefined ? { configFile } : {}),
    });
    mkdirSync(imagePath, { recursive: true, mode: 0o700 });
    mkdirSync(workPath, { recursive: true, mode: 0o700 });
    writeFileSync(join(imagePath, DESCRIPTORS_FILE), JSON.stringify(stdioOf(rec.pid)), { mode: 0o600 });
    await criuSwrk({
      criu: criu.path,
      action: flags.preDump ? 'pre-dump' : 'dump',
      request,
      stdio: ['ignore', 'ignore', 'ignore'],
      imagesDir: imagePath,
      workDir: workPath,
      files: [],
      logFile: join(workPath, logFileOf(request.type)),
      notify: (n) => {
        // The lazy-pages server listens: whoever waits on --status-fd may start the restore.
        if (n.script === 'status-ready' && statusFd !== undefined) {
          writeSync(statusFd, Buffer.from([0]));
          closeSync(statusFd);
        }
      },
    });
  });
  if (!keep) await deleteContainer(store, id, false, log);
}

/** runc's checks: the fd is open for writing, and CRIU tells readiness by its notification (3.15+). */
function checkStatusFd(fd: number, criuVersion: number): void {
  let flags: number;
  try {
    flags = fcntl(fd, F_GETFL);
  } catch {
    throw new Error(`--status-fd: ${fd} is not an open file descriptor`);
  }
  if ((flags & O_ACCMODE) === O_RDONLY) throw new Error(`--status-fd: ${fd} is not open for writing`);
  if (criuVersion < STATUS_READY_VERSION) throw new Error(`--status-fd: needs CRIU ${formatVersion(STATUS_READY_VERSION)} or later (its status-ready notification); this criu is ${formatVersion(criuVersion)}`);
}
