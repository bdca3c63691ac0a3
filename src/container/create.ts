import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCgroupManager, runtimeCgroupDirs } from '../cgroups/manager.js';
import { resetAffinity } from '../exec/cpu-affinity.js';
import { cgroupLayout } from '../init/cgroup-layout.js';
import { cgroupBindSources, mountsFreshCgroup, type CgroupMounts } from '../init/cgroup-mount.js';
import { detectHierarchies } from '../cgroups/detect.js';
import { primeCgroupMigration } from '../cgroups/migration.js';
import { refuseOccupiedCgroup } from '../cgroups/reuse.js';
import { buildInitPlan } from '../init/plan.js';
import { runIntermediate } from '../init/stage1.js';
import { runInit, type InitContext } from '../init/init.js';
import { canSwitchPidNamespace, forkIntoPidNamespace, needsIntermediate } from '../init/enter-namespaces.js';
import { expect, expectFd, send } from '../init/sync.js';
import { sendToSeccompAgent, type PreparedSeccomp } from '../security/seccomp.js';
import * as K from '../linux/constants.js';
import { forkProcess } from '../linux/fork.js';
import { close, closeQuietly, killQuietly, openNamespaceFile, socketpair, waitpid } from '../linux/libc.js';
import type { Logger } from '../log.js';
import { ConfigError, configPath, loadConfig, requireProcess } from '../spec/validate.js';
import { rootlessConfigProblem } from '../spec/rootless.js';
import { prepareIdMaps, writeIdMaps, type IdCaller } from './id-maps.js';
import { SPEC_VERSION } from '../spec/version.js';
import { validateContainerId } from '../state/container-id.js';
import { withContainerLock } from '../state/lock.js';
import { readStat } from '../state/process-identity.js';
import type { ContainerRecord } from '../state/record.js';
import { StateStore } from '../state/store.js';
import { writePidFile } from './pid-file.js';
import { giveStartGate, makeStartGate } from './start-gate.js';
import { prepareSecurity } from './security.js';
import { UndoStack } from './undo.js';
import { buildingRecord } from './new-record.js';
import { prepareIdmappedMounts } from '../init/idmapped-mounts.js';
import { checkNetDevices, moveNetDevices } from './net-devices.js';
import { applyPassthrough } from './passthrough.js';
import { sendPidfd } from './pidfd-socket.js';
import { checkConsoleRequest, openConsole } from './console-socket.js';
import { containerRdt, joinContainerRdt, setUpContainerRdt } from './intel-rdt.js';
import { faultPoint } from '../debug/fault.js';
import { HookFailedError, hookState, runHooks, runHooksWarning, stateAt } from '../hooks/lifecycle.js';

export interface CreateOptions {
  root: string;
  id: string;
  bundle: string;
  pidFile?: string;
  /** --pidfd-socket: where a pidfd of the init is sent. */
  pidfdSocket?: string;
  consoleSocket?: string;
  /** A console socket the caller made (foreground run proxies the terminal itself). */
  consoleSocketFd?: number;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  /** --systemd-cgroup: the cgroup is a transient systemd unit. */
  systemdCgroup?: boolean;
  /** --rootless: cgroups the caller may not create are handled by runc's rules (cgroups/rootless.ts). */
  rootlessCgroups: boolean;
  /**
   * The flag that needs the init to be our own child: refused up front when the namespaces need
   * an intermediate process (whose child the init then is).
   */
  initMustBeChild?: string;
  log: Logger;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return true;
  }
}

/** config-linux.md "Seccomp": the agent gets the listener while the container is still being created. */
function forwardSeccompListener(sock: number, seccomp: PreparedSeccomp, record: ContainerRecord): void {
  const fd = expectFd(sock, 'seccomp');
  try {
    sendToSeccompAgent(seccomp, fd, record.pid, stateAt(record, 'creating'));
  } finally {
    closeQuietly(fd);
  }
}

/**
 * runtime.md "create": everything up to the start gate. On return the init waits on exec.fifo
 * and state.json says "created"; on any failure nothing of the container is left.
 */
export async function createContainer(o: CreateOptions): Promise<ContainerRecord> {
  validateContainerId(o.id);
  const bundle = resolve(o.bundle);
  const spec = loadConfig(bundle);
  requireProcess(spec, bundle);
  const passed = applyPassthrough(spec, process.env, o.preserveFds);
  const caller: IdCaller = { euid: process.geteuid?.() ?? 0, egid: process.getegid?.() ?? 0 };
  if (caller.euid !== 0) {
    const problem = rootlessConfigProblem(spec, caller.euid);
    if (problem) throw new ConfigError(configPath(bundle), problem.path, problem.message);
  }
  const idMapHelpers = prepareIdMaps(spec, caller, process.env);
  const plan = buildInitPlan(passed.spec, { bundle, noPivot: o.noPivot, noNewKeyring: o.noNewKeyring, preserveFds: passed.preserveFds, isDirectory });
  if (o.initMustBeChild && needsIntermediate(plan.namespaces, canSwitchPidNamespace())) {
    throw new Error(`${o.initMustBeChild}: a new user or time namespace (or, for a rootless runtime, a pid namespace) is entered through an intermediate process, so the init is not this process's child and only a subreaper can wait for it`);
  }
  const rdt = containerRdt(spec, o.id);
  const consoleRequest = { terminal: spec.process.terminal === true, consoleSocket: o.consoleSocket, consoleSocketFd: o.consoleSocketFd };
  checkConsoleRequest(consoleRequest);
  checkNetDevices(spec.linux?.netDevices);
  const store = new StateStore(o.root);
  store.claim(o.id);
  faultPoint('after-claim');
  const undo = new UndoStack();
  undo.push(() => store.remove(o.id));
  try {
    return await withContainerLock(store, o.id, async (lockFd) => {
      const security = prepareSecurity(spec, o.log);
      undo.push(() => security.release());
      const fifoFd = makeStartGate(store.fifoPath(o.id));
      undo.push(() => closeQuietly(fifoFd));
      const hierarchies = detectHierarchies();
      const cgroup = createCgroupManager({ cgroupsPath: spec.linux?.cgroupsPath, id: o.id, hierarchies, systemd: o.systemdCgroup === true, annotations: spec.annotations, rootless: o.rootlessCgroups });
      // Before the record names it: a failed create must not destroy a cgroup it never owned.
      refuseOccupiedCgroup(cgroup, spec.linux?.cgroupsPath ? 'linux.cgroupsPath' : `container ${o.id}`);
      // Saved before anything exists that needs cleaning up: a create killed at any later point
      // leaves a record naming its cgroup and init, so `delete --force` finds everything.
      const record = buildingRecord(o.id, bundle, plan.rootfs, spec, cgroup);
      store.save(record);
      cgroup.create();
      undo.push(() => cgroup.remove());
      // A rootless create may have left hierarchies out: the record names only what exists.
      record.cgroupPaths = { ...cgroup.paths };
      if (Object.keys(record.cgroupPaths).length === 0) {
        delete record.cgroupPath;
        delete record.cgroupPaths;
      }
      if (spec.linux?.resources) cgroup.apply(spec.linux.resources);
      if (rdt) undo.push(setUpContainerRdt(rdt));
      // The CLI primed before loading the modules (cli/main.ts); that wait is over by now, and
      // the next move would wait again. Not before the cgroup exists: while it waits, the
      // kernel's cgroup mutex is held, and mkdir needs it.
      primeCgroupMigration(hierarchies);
      faultPoint('after-cgroup');
      const nsFds = plan.namespaces.joins.map((j) => {
        try {
          return openNamespaceFile(j.path);
        } catch (err) {
          throw new Error(`linux.namespaces: cannot open the ${j.type} namespace ${JSON.stringify(j.path)}: ${(err as Error).message}`);
        }
      });
      undo.push(() => nsFds.forEach(closeQuietly));
      const idmapFds = prepareIdmappedMounts(plan.mounts);
      undo.push(() => idmapFds.forEach(closeQuietly));
      const layout = cgroupLayout(hierarchies);
      const cgroups: CgroupMounts = { layout };
      if (plan.mounts.some((m) => m.kind === 'cgroup') && !mountsFreshCgroup(plan.namespaces)) {
        // Where a rootless container has no cgroup of its own, it stays in ours: that is what it sees.
        const dirs = o.rootlessCgroups ? { ...runtimeCgroupDirs(hierarchies), ...cgroup.paths } : cgroup.paths;
        cgroups.bindSources = cgroupBindSources(layout, dirs);
      }
      const [parentSock, childSock] = socketpair(K.AF_UNIX, K.SOCK_SEQPACKET | K.SOCK_CLOEXEC);
      undo.push(() => closeQuietly(parentSock));
      const tty = openConsole(consoleRequest, spec.process, true);
      undo.push(() => tty?.close());

      faultPoint('before-fork');
      const intermediate = needsIntermediate(plan.namespaces, canSwitchPidNamespace());
      const child = intermediate ? forkProcess() : forkIntoPidNamespace(plan.namespaces, nsFds);
      if (child === 0) {
        close(lockFd);
        close(parentSock);
        const ctx: InitContext = { containerId: o.id, plan, sock: childSock, fifoFd, nsFds, idmapFds, cgroups, security: security.init, cgroupBeforeRootfs: cgroup.driver === 'systemd', ...(tty ? { console: tty.plan } : {}) };
        if (intermediate) runIntermediate(ctx);
        runInit({ ...ctx, direct: true });
      }
      close(childSock);
      undo.push(() => {
        killQuietly(child, 9);
        waitpid(child, 0);
      });
      let pid = child;
      if (intermediate) {
        if (plan.namespaces.newUser) {
          expect(parentSock, 'userns');
          writeIdMaps(child, spec, caller, idMapHelpers);
        }
        send(parentSock, { kind: 'enter' });
        ({ pid } = expect(parentSock, 'pid'));
        const init = pid;
        undo.push(() => {
          killQuietly(init, 9);
        });
      }
      record.pid = pid;
      record.pidStartTime = readStat(pid)?.startTime ?? 0;
      store.save(record);
      await cgroup.adopt(pid);
      // The init sends nothing before "recorded": its messages cannot overtake the pid, and its
      // cgroup join comes after the record names it.
      send(parentSock, { kind: 'recorded' });
      faultPoint('during-mounts');
      expect(parentSock, 'join');
      const netDevices = moveNetDevices(spec.linux?.netDevices, pid);
      if (netDevices) undo.push(netDevices.undo);
      cgroup.addProcess(pid);
      joinContainerRdt(rdt, pid);
      // As runc: the init never keeps the runtime's own CPU affinity (the cpuset limits it).
      resetAffinity(pid);
      send(parentSock, { kind: 'joined' });
      if (plan.hooks.stopBeforePivot) {
        expect(parentSock, 'hooks');
        const state = hookState(record, 'creating');
        runHooks('prestart', spec.hooks?.prestart, state);
        runHooks('createRuntime', spec.hooks?.createRuntime, state);
        send(parentSock, { kind: 'state', json: state });
      }
      if (security.seccomp?.listener) forwardSeccompListener(parentSock, security.seccomp, record);
      faultPoint('waiting-ready');
      expect(parentSock, 'ready');
      if (intermediate) waitpid(child, 0);
      const stat = readStat(pid);
      if (!stat) throw new Error('container init exited before it was ready');
      giveStartGate(fifoFd, pid);
      faultPoint('after-ready');
      record.pidStartTime = stat.startTime;
      delete record.creating;
      store.save(record);
      if (o.pidFile !== undefined) writePidFile(o.pidFile, pid);
      if (o.pidfdSocket !== undefined) sendPidfd(o.pidfdSocket, pid);
      faultPoint('after-pid-file');
      // Only now may the init wait at the start gate: had we died before this, the init would
      // have read EOF and exited instead of waiting for a `start` no record allows.
      send(parentSock, { kind: 'commit' });
      closeQuietly(parentSock);
      tty?.close();
      closeQuietly(fifoFd);
      nsFds.forEach(closeQuietly);
      idmapFds.forEach(closeQuietly);
      netDevices?.release();
      security.release();
      undo.clear();
      return record;
    });
  } catch (err) {
    await undo.runAsync();
    // runtime.md "Lifecycle": a failed create-time hook continues at delete, poststop included.
    if (err instanceof HookFailedError) {
      runHooksWarning('poststop', spec.hooks?.poststop, hookState({ ociVersion: SPEC_VERSION, id: o.id, bundle, ...(spec.annotations ? { annotations: spec.annotations } : {}) }, 'stopped'), o.log);
    }
    throw err;
  }
}
