import { send } from '../init/sync.js';
import { closeQuietly } from '../linux/libc.js';
import { SPEC_VERSION } from '../spec/version.js';
import { withContainerLock } from '../state/lock.js';
import type { ContainerRecord } from '../state/record.js';
import { StateStore } from '../state/store.js';
import { faultPoint } from '../debug/fault.js';
import { HookFailedError, hookState, runHooksWarning } from '../hooks/lifecycle.js';
import { planCreate, type CreateOptions } from './create-plan.js';
import { prepareCreate, type CreateResources } from './create-prepare.js';
import { forkInit } from './create-fork.js';
import { handshake, type ReadyInit } from './create-handshake.js';
import { writePidFile } from './pid-file.js';
import { sendPidfd } from './pidfd-socket.js';
import { giveStartGate } from './start-gate.js';
import { UndoStack } from './undo.js';

/**
 * runtime.md "create": everything up to the start gate, in four steps: plan (nothing written),
 * prepare (state dir, cgroup, fds), fork and handshake (the init sets itself up), commit. On
 * return the init waits on exec.fifo and state.json says "created"; on any failure the undo
 * steps each of them pushed leave nothing of the container.
 */
export async function createContainer(o: CreateOptions): Promise<ContainerRecord> {
  const plan = await planCreate(o);
  const store = new StateStore(o.root);
  store.claim(o.id);
  faultPoint('after-claim');
  const undo = new UndoStack();
  undo.push(() => store.remove(o.id));
  try {
    return await withContainerLock(store, o.id, async (lockFd) => {
      const res = prepareCreate(o, plan, store, undo);
      const child = forkInit(o, plan, res, lockFd, undo);
      const init = await handshake(plan, res, store, child, undo);
      commit(o, store, res, init);
      undo.clear();
      return res.record;
    });
  } catch (err) {
    await undo.runAsync();
    // runtime.md "Lifecycle": a failed create-time hook continues at delete, poststop included.
    if (err instanceof HookFailedError) {
      const { spec, bundle } = plan;
      runHooksWarning('poststop', spec.hooks?.poststop, hookState({ ociVersion: SPEC_VERSION, id: o.id, bundle, ...(spec.annotations ? { annotations: spec.annotations } : {}) }, 'stopped'), o.log);
    }
    throw err;
  }
}

/**
 * The state says "created" and the pid file exists before the init may wait at the start gate:
 * had create died before "commit", the init would have read EOF and exited instead of waiting
 * for a `start` no record allows. A failure before "commit" is still undone whole.
 */
function commit(o: CreateOptions, store: StateStore, res: CreateResources, init: ReadyInit): void {
  const { record } = res;
  giveStartGate(res.fifoFd, init.pid);
  faultPoint('after-ready');
  record.pidStartTime = init.startTime;
  delete record.creating;
  store.save(record);
  if (o.pidFile !== undefined) writePidFile(o.pidFile, init.pid);
  if (o.pidfdSocket !== undefined) sendPidfd(o.pidfdSocket, init.pid);
  faultPoint('after-pid-file');
  send(res.parentSock, { kind: 'commit' });
  closeQuietly(res.parentSock);
  res.tty?.close();
  closeQuietly(res.fifoFd);
  res.nsFds.forEach(closeQuietly);
  res.idmapFds.forEach(closeQuietly);
  init.releaseNetDevices();
  res.security.release();
}
