import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCgroupManager } from '../cgroups/manager.js';
import { detectHierarchies } from '../cgroups/detect.js';
import { refuseOccupiedCgroup } from '../cgroups/reuse.js';
import { criuCgroupRoots } from '../criu/cgroup-roots.js';
import { criuConfigFile } from '../criu/config-file.js';
import { cgroupBinds, externalNsKey, inheritedPipes, logFileOf, restoreRequest, type CommonCriuFlags } from '../criu/options.js';
import { criuBinary } from '../criu/run.js';
import { criuSwrk, FIRST_FILE_FD } from '../criu/swrk.js';
import { waitForChild } from '../exec/foreground.js';
import { HookFailedError, hookState, runHooks, runHooksWarning } from '../hooks/lifecycle.js';
import { CONSOLE_PAYLOAD } from '../init/console.js';
import * as K from '../linux/constants.js';
import { closeQuietly, fcntl, killQuietly, mount, umount2 } from '../linux/libc.js';
import { sendFds } from '../linux/scm.js';
import { exitCodeOf } from '../linux/wait-status.js';
import type { Logger } from '../log.js';
import { loadConfig, requireProcess } from '../spec/validate.js';
import { SPEC_VERSION } from '../spec/version.js';
import type { Spec } from '../spec/types.js';
import { validateContainerId } from '../state/container-id.js';
import { withContainerLock } from '../state/lock.js';
import { readStat } from '../state/process-identity.js';
import type { ContainerRecord } from '../state/record.js';
import { StateStore } from '../state/store.js';
import { DESCRIPTORS_FILE } from './checkpoint.js';
import { checkConsoleRequest, openConsole } from './console-socket.js';
import { cgroupBindSourcesOf, cgroupNames } from './cgroup-binds.js';
import { deleteContainer } from './delete.js';
import { writePidFile } from './pid-file.js';
import { proxyTerminal } from './tty-proxy.js';
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
  /** --systemd-cgroup: the cgroup is a transient systemd scope, started with CRIU in it. */
  systemdCgroup?: boolean;
  log: Logger;
}

function refuseUnsupported(spec: Spec): void {
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

export interface Restored {
  record: ContainerRecord;
  /** The pty master of a terminal container restored without --console-socket (the caller proxies it). */
  master?: number;
}

/**
 * runc's `restore`: a new container under `id` from the bundle's config whose processes CRIU
 * brings back from the image directory, in a cgroup made as `create` makes it. Afterwards it is
 * a running container like any other. On failure nothing of it is left.
 */
export async function restoreContainer(o: RestoreOptions): Promise<Restored> {
  validateContainerId(o.id);
  const bundle = resolve(o.bundle);
  const spec = await loadConfig(bundle);
  requireProcess(spec, bundle);
  refuseUnsupported(spec);
  const terminal = spec.process?.terminal === true;
  checkConsoleRequest({ terminal, ...(o.consoleSocket !== undefined ? { consoleSocket: o.consoleSocket } : {}), detach: o.detach });
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
    // Connected before CRIU runs: a socket nobody listens on fails the restore before anything is restored.
    const consoleSocket = o.consoleSocket !== undefined ? openConsole({ terminal, consoleSocket: o.consoleSocket }, spec.process ?? {}, false) : undefined;
    if (consoleSocket) undo.push(() => consoleSocket.close());
    return await withContainerLock(store, o.id, async () => {
      const hierarchies = detectHierarchies();
      const cgroup = createCgroupManager({ cgroupsPath: spec.linux?.cgroupsPath, id: o.id, hierarchies, systemd: o.systemdCgroup === true, annotations: spec.annotations });
      refuseOccupiedCgroup(cgroup, spec.linux?.cgroupsPath ? 'linux.cgroupsPath' : `container ${o.id}`);
      const record = buildingRecord(o.id, bundle, rootfs, spec, cgroup);
      store.save(record);
      cgroup.create();
      undo.push(() => cgroup.remove());
      if (spec.linux?.resources) cgroup.apply(spec.linux.resources);
      // CRIU wants --root to be a mount point; a bind of the rootfs in the state dir is one.
      const criuRoot = join(store.dir(o.id), 'criu-root');
      mkdirSync(criuRoot, { mode: 0o700 });
      undo.push(() => rmdirSync(criuRoot));
      mount(rootfs, criuRoot, null, K.MS_BIND | K.MS_REC, null);
      undo.push(() => umount2(criuRoot, K.MNT_DETACH));
      // The namespaces to join become CRIU's fds from FIRST_FILE_FD on.
      const files: number[] = [];
      undo.push(() => files.forEach((fd) => closeSync(fd)));
      const nsInherit = (spec.linux?.namespaces ?? []).flatMap((ns) => {
        if (ns.path === undefined || (ns.type !== 'network' && ns.type !== 'pid')) return [];
        files.push(openSync(ns.path, 'r'));
        return [{ fd: FIRST_FILE_FD + files.length - 1, key: externalNsKey(ns.type) }];
      });
      const request = restoreRequest(spec, {
        root: criuRoot,
        cgroupRoots: criuCgroupRoots(cgroup.paths, hierarchies),
        inheritFds: [...inheritedPipes(descriptors).filter(({ fd }) => isOpen(fd)), ...nsInherit],
        hasMaskedFiles: (spec.linux?.maskedPaths?.length ?? 0) > 0,
        cgroupBinds: cgroupBindSourcesOf(cgroupBinds(spec, cgroupNames()), cgroup.paths),
        ...(o.lsmProfile !== undefined ? { lsmProfile: o.lsmProfile } : {}),
        ...(o.lsmMountContext !== undefined ? { lsmMountContext: o.lsmMountContext } : {}),
      }, { ...o, imagePath, workPath, ...(configFile !== undefined ? { configFile } : {}) });
      let master: number | undefined;
      let ptySent = false;
      undo.push(() => {
        if (master !== undefined) closeQuietly(master);
      });
      const resp = await criuSwrk({
        criu: criu.path,
        action: 'restore',
        request,
        stdio: ['inherit', 'inherit', 'inherit'],
        imagesDir: imagePath,
        workDir: workPath,
        files,
        logFile: join(workPath, logFileOf('RESTORE')),
        // CRIU joins the container's cgroup before it forks, as runc moves it: the restored
        // tasks start there, whatever CRIU's own cgroup handling then does. Under systemd the
        // scope starts with CRIU in it (systemd makes a scope only around a process).
        started: async (pid) => {
          await cgroup.adopt(pid);
          cgroup.addProcess(pid);
        },
        notify: (n) => {
          if (n.script === 'setup-namespaces' && n.pid !== undefined) {
            // runc's moment for these hooks: the restored init exists, its namespaces are made.
            const state = hookState({ ...record, pid: n.pid }, 'creating');
            runHooks('prestart', spec.hooks?.prestart, state);
            runHooks('createRuntime', spec.hooks?.createRuntime, state);
          } else if (n.script === 'orphan-pts-master' && n.fd !== undefined) {
            if (!terminal) throw new Error('process.terminal: the checkpoint\'s process has a terminal, but process.terminal is false in the bundle\'s config');
            if (consoleSocket) {
              sendFds(consoleSocket.plan.socketFd, [n.fd], Buffer.from(CONSOLE_PAYLOAD));
              ptySent = true;
            } else master = fcntl(n.fd, K.F_DUPFD_CLOEXEC, 3);
          }
        },
      });
      const pid = resp.restore?.pid ?? 0;
      const stat = readStat(pid);
      if (!stat) throw new Error(`criu restore reported pid ${pid}, which is not running`);
      undo.push(() => {
        process.kill(pid, 'SIGKILL');
      });
      if (terminal && master === undefined && !ptySent) {
        throw new Error('process.terminal: the checkpoint\'s process has no terminal (CRIU sent no pty master); set process.terminal to false');
      }
      record.pid = pid;
      record.pidStartTime = stat.startTime;
      delete record.creating;
      store.save(record);
      if (o.pidFile !== undefined) writePidFile(o.pidFile, pid);
      umount2(criuRoot, K.MNT_DETACH);
      rmdirSync(criuRoot);
      files.forEach((fd) => closeSync(fd));
      consoleSocket?.close();
      undo.clear();
      runPoststart(record, o.log);
      return { record, ...(master !== undefined ? { master } : {}) };
    });
  } catch (err) {
    await undo.runAsync();
    // runtime.md "Lifecycle": a failed prestart or createRuntime hook continues at delete, poststop included.
    if (err instanceof HookFailedError) runHooksWarning('poststop', spec.hooks?.poststop, hookState({ ociVersion: SPEC_VERSION, id: o.id, bundle, ...(spec.annotations ? { annotations: spec.annotations } : {}) }, 'stopped'), o.log);
    throw err;
  }
}

/**
 * poststart, as after `start`: the restored process runs. A failing hook is an error that stops
 * the container, whose lifecycle continues at delete (poststop), as runtime.md has it for start.
 */
function runPoststart(rec: ContainerRecord, log: Logger): void {
  const poststart = rec.config.hooks?.poststart;
  if (!poststart?.length) return;
  try {
    runHooks('poststart', poststart, hookState(rec, 'running'));
  } catch (err) {
    killQuietly(rec.pid, 9);
    log.warn(`container ${rec.id}: stopped after its poststart hook failed; delete removes it`);
    throw err;
  }
}

/**
 * Without --detach, restore stays in the foreground as `run` does: a terminal without
 * --console-socket is proxied to the caller, then the init's exit status, then delete.
 */
export async function waitRestored(o: RestoreOptions, restored: Restored): Promise<number> {
  const term = restored.master !== undefined ? proxyTerminal(restored.master) : undefined;
  const status = await waitForChild(restored.record.pid);
  await term?.drained;
  term?.stop();
  await deleteContainer(new StateStore(o.root), o.id, true, o.log);
  return exitCodeOf(status);
}
