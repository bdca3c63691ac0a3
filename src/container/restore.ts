import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCgroupManager } from '../cgroups/manager.js';
import { detectHierarchies } from '../cgroups/detect.js';
import { refuseOccupiedCgroup } from '../cgroups/reuse.js';
import { criuConfigFile } from '../criu/config-file.js';
import { cgroupBinds, externalNsKey, inheritedPipes, restoreArgs, type CommonCriuFlags } from '../criu/options.js';
import { criuBinary, runCriu } from '../criu/run.js';
import * as K from '../linux/constants.js';
import { mount, umount2, waitpid } from '../linux/libc.js';
import type { Logger } from '../log.js';
import { loadConfig, requireProcess } from '../spec/validate.js';
import type { Spec } from '../spec/types.js';
import { validateContainerId } from '../state/container-id.js';
import { withContainerLock } from '../state/lock.js';
import { readStat } from '../state/process-identity.js';
import type { ContainerRecord } from '../state/record.js';
import { StateStore } from '../state/store.js';
import { DESCRIPTORS_FILE } from './checkpoint.js';
import { cgroupBindSourcesOf, cgroupNames } from './cgroup-binds.js';
import { deleteContainer } from './delete.js';
import { writePidFile } from './pid-file.js';
import { UndoStack } from './undo.js';
import { buildingRecord } from './new-record.js';

export interface RestoreOptions extends Omit<CommonCriuFlags, 'imagePath' | 'workPath' | 'configFile'> {
  root: string;
  /** --criu: the binary's path or name. */
  criu: string;
  id: string;
  bundle: string;
  imagePath?: string;
  workPath?: string;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
  lsmProfile?: string;
  lsmMountContext?: string;
  log: Logger;
}

/** Hooks that run around a restore in runc; they need CRIU's notifications, not yet driven here. */
const UNSUPPORTED_HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'] as const;

function refuseUnsupported(spec: Spec, o: RestoreOptions): void {
  for (const kind of UNSUPPORTED_HOOKS) {
    if (spec.hooks?.[kind]?.length) throw new Error(`hooks.${kind}: restore does not run ${kind} hooks yet, so it refuses a container that has them`);
  }
  if (spec.process?.terminal) throw new Error('process.terminal: restore of a container with a terminal is not supported (CRIU hands the pty master over only through its RPC mode)');
  if (o.consoleSocket !== undefined) throw new Error('--console-socket: restore of a container with a terminal is not supported');
  for (const ns of spec.linux?.namespaces ?? []) {
    if (ns.path !== undefined && ns.type !== 'network' && ns.type !== 'pid') {
      throw new Error(`linux.namespaces: CRIU cannot restore into an existing ${ns.type} namespace (${ns.path}); only network and pid namespaces can be joined`);
    }
  }
}

function readDescriptors(imagePath: string): string[] {
  const file = join(imagePath, DESCRIPTORS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--image-path: ${file} cannot be read (${(err as NodeJS.ErrnoException).code}): is ${imagePath} a checkpoint made by \`checkpoint\`?`);
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error(`${file}: expected a JSON array of strings`);
  return parsed as string[];
}

/** Our own fd is what the restored init gets in its place: only an open one can be handed over. */
function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/**
 * runc's `restore`: a new container under `id` from the bundle's config whose processes CRIU
 * brings back from the image directory, in a cgroup made as `create` makes it. Afterwards it is
 * a running container like any other. On failure nothing of it is left.
 */
export function restoreContainer(o: RestoreOptions): ContainerRecord {
  validateContainerId(o.id);
  const bundle = resolve(o.bundle);
  const spec = loadConfig(bundle);
  requireProcess(spec, bundle);
  refuseUnsupported(spec, o);
  const imagePath = resolve(o.imagePath ?? 'checkpoint');
  const workPath = resolve(o.workPath ?? imagePath);
  const rootfs = resolve(bundle, spec.root?.path ?? 'rootfs');
  const store = new StateStore(o.root);
  store.claim(o.id);
  const undo = new UndoStack();
  undo.push(() => store.remove(o.id));
  try {
    const descriptors = readDescriptors(imagePath);
    const criu = criuBinary(o.criu);
    const configFile = criuConfigFile(spec);
    return withContainerLock(store, o.id, () => {
      const hierarchies = detectHierarchies();
      const cgroup = createCgroupManager({ cgroupsPath: spec.linux?.cgroupsPath, id: o.id, hierarchies });
      refuseOccupiedCgroup(cgroup, spec.linux?.cgroupsPath ? 'linux.cgroupsPath' : `container ${o.id}`);
      const record = buildingRecord(o.id, bundle, rootfs, spec, cgroup);
      store.save(record);
      cgroup.create();
      undo.push(() => cgroup.destroy());
      if (spec.linux?.resources) cgroup.apply(spec.linux.resources);
      // CRIU wants --root to be a mount point; a bind of the rootfs in the state dir is one.
      const criuRoot = join(store.dir(o.id), 'criu-root');
      mkdirSync(criuRoot, { mode: 0o700 });
      undo.push(() => rmdirSync(criuRoot));
      mount(rootfs, criuRoot, null, K.MS_BIND | K.MS_REC, null);
      undo.push(() => umount2(criuRoot, K.MNT_DETACH));
      const pidFile = join(store.dir(o.id), 'criu.pid');
      undo.push(() => rmSync(pidFile, { force: true }));
      // The namespaces to join go to CRIU as fds 3, 4, ... under runc's keys.
      const nsFiles: number[] = [];
      undo.push(() => nsFiles.forEach((fd) => closeSync(fd)));
      const nsInherit = (spec.linux?.namespaces ?? []).flatMap((ns) => {
        if (ns.path === undefined || (ns.type !== 'network' && ns.type !== 'pid')) return [];
        nsFiles.push(openSync(ns.path, 'r'));
        return [{ fd: 2 + nsFiles.length, key: externalNsKey(ns.type) }];
      });
      const args = restoreArgs(spec, {
        root: criuRoot,
        pidFile,
        cgroupRoots: { '': cgroup.path },
        inheritFds: [...inheritedPipes(descriptors).filter(({ fd }) => isOpen(fd)), ...nsInherit],
        hasMaskedFiles: (spec.linux?.maskedPaths?.length ?? 0) > 0,
        cgroupBinds: cgroupBindSourcesOf(cgroupBinds(spec, cgroupNames()), cgroup.paths),
        ...(o.lsmProfile !== undefined ? { lsmProfile: o.lsmProfile } : {}),
        ...(o.lsmMountContext !== undefined ? { lsmMountContext: o.lsmMountContext } : {}),
      }, { ...o, imagePath, workPath, ...(configFile !== undefined ? { configFile } : {}) });
      // CRIU is moved into the container's cgroup before it forks, as runc moves it: the
      // restored tasks start there, whatever CRIU's own cgroup handling then does.
      const procs = Object.values(cgroup.paths).map((d) => join(d, 'cgroup.procs'));
      const joinAndExec = 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 1; shift; done; shift; exec "$@"';
      runCriu('restore', ['/bin/sh', '-c', joinAndExec, 'sh', ...procs, '--', criu, ...args], join(workPath, 'restore.log'), ['inherit', 'inherit', 'inherit', ...nsFiles]);
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      const stat = readStat(pid);
      if (!stat) throw new Error(`criu restore reported pid ${pid}, which is not running`);
      undo.push(() => {
        process.kill(pid, 'SIGKILL');
      });
      record.pid = pid;
      record.pidStartTime = stat.startTime;
      delete record.creating;
      store.save(record);
      if (o.pidFile !== undefined) writePidFile(o.pidFile, pid);
      umount2(criuRoot, K.MNT_DETACH);
      rmdirSync(criuRoot);
      rmSync(pidFile, { force: true });
      nsFiles.forEach((fd) => closeSync(fd));
      undo.clear();
      return record;
    });
  } catch (err) {
    undo.run();
    throw err;
  }
}

/** Without --detach, restore stays in the foreground as `run` does: the init's exit status, then delete. */
export function waitRestored(o: RestoreOptions, rec: ContainerRecord): number {
  const [, status] = waitpid(rec.pid, 0);
  deleteContainer(new StateStore(o.root), o.id, true, o.log);
  if ((status & 0x7f) === 0) return (status >> 8) & 0xff;
  return 128 + (status & 0x7f);
}
