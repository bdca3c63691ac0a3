import { mkdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { criuConfigFile } from '../criu/config-file.js';
import { cgroupBinds, dumpArgs, type DumpFlags, type ExternalNsType } from '../criu/options.js';
import { cgroupNames } from './cgroup-binds.js';
import { criuBinary, runCriu } from '../criu/run.js';
import type { Logger } from '../log.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { deleteContainer } from './delete.js';
import { withContainer } from './lookup.js';
import { NotRunningError } from './signal-init.js';

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
export function checkpointContainer(store: StateStore, id: string, criuName: string, flags: CheckpointFlags, log: Logger): void {
  const imagePath = resolve(flags.imagePath ?? 'checkpoint');
  const workPath = resolve(flags.workPath ?? imagePath);
  const keep = flags.leaveRunning || flags.preDump;
  withContainer(store, id, (rec, status) => {
    if (status !== 'running' && status !== 'paused') {
      if (status === 'created') throw new Error(`container ${id} is created but not started: only a running container can be checkpointed`);
      throw new NotRunningError();
    }
    const criu = criuBinary(criuName);
    const configFile = criuConfigFile(rec.config);
    mkdirSync(imagePath, { recursive: true, mode: 0o700 });
    mkdirSync(workPath, { recursive: true, mode: 0o700 });
    writeFileSync(join(imagePath, DESCRIPTORS_FILE), JSON.stringify(stdioOf(rec.pid)), { mode: 0o600 });
    const freeze = freezeCgroup(rec);
    const args = dumpArgs(rec.config, { pid: rec.pid, root: rec.rootfs, maskedFiles: maskedFiles(rec), externalNs: externalNamespaces(rec), cgroupBinds: cgroupBinds(rec.config, cgroupNames()), ...(freeze !== undefined ? { freezeCgroup: freeze } : {}) }, {
      ...flags,
      imagePath,
      workPath,
      ...(configFile !== undefined ? { configFile } : {}),
    });
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
    if (flags.statusFd !== undefined) {
      while (stdio.length < flags.statusFd) stdio.push('ignore');
      stdio[flags.statusFd] = flags.statusFd;
    }
    runCriu(args[0] as string, [criu, ...args], join(workPath, flags.preDump ? 'pre-dump.log' : 'dump.log'), stdio);
  });
  if (!keep) deleteContainer(store, id, false, log);
}
