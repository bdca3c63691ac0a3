import { resetAffinity } from '../exec/cpu-affinity.js';
import { expect, expectFd, send } from '../init/sync.js';
import { sendToSeccompAgent, type PreparedSeccomp } from '../security/seccomp.js';
import { closeQuietly, killQuietly, waitpid } from '../linux/libc.js';
import { readStat } from '../state/process-identity.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { faultPoint } from '../debug/fault.js';
import { hookState, runHooks, stateAt } from '../hooks/lifecycle.js';
import type { CreatePlan } from './create-plan.js';
import type { CreateResources } from './create-prepare.js';
import { writeIdMaps } from './id-maps.js';
import { joinContainerRdt } from './intel-rdt.js';
import { moveNetDevices } from './net-devices.js';
import type { UndoStack } from './undo.js';

/** The init as create leaves it: set up and waiting for "commit". */
export interface ReadyInit {
  pid: number;
  startTime: number;
  /** Hands the moved network devices to the container for good (nothing to undo any more). */
  releaseNetDevices: () => void;
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
 * create's side of the protocol drawn in init/sync.ts, from the forked child's first message to
 * the init's "ready": id maps, the record naming the init, the cgroup join, the hooks.
 */
export async function handshake(plan: CreatePlan, res: CreateResources, store: StateStore, child: number, undo: UndoStack): Promise<ReadyInit> {
  const { spec } = plan;
  const { record, parentSock: sock } = res;
  let pid = child;
  if (plan.intermediate) {
    if (plan.init.namespaces.newUser) {
      expect(sock, 'userns');
      writeIdMaps(child, spec, plan.caller, plan.idMapHelpers);
    }
    send(sock, { kind: 'enter' });
    ({ pid } = expect(sock, 'pid'));
    const init = pid;
    undo.push(() => {
      killQuietly(init, 9);
    });
  }
  record.pid = pid;
  record.pidStartTime = readStat(pid)?.startTime ?? 0;
  store.save(record);
  await res.cgroup.adopt(pid);
  // The init sends nothing before "recorded": its messages cannot overtake the pid, and its
  // cgroup join comes after the record names it.
  send(sock, { kind: 'recorded' });
  faultPoint('during-mounts');
  expect(sock, 'join');
  const netDevices = moveNetDevices(spec.linux?.netDevices, pid);
  if (netDevices) undo.push(netDevices.undo);
  res.cgroup.addProcess(pid);
  joinContainerRdt(plan.rdt, pid);
  // As runc: the init never keeps the runtime's own CPU affinity (the cpuset limits it).
  resetAffinity(pid);
  send(sock, { kind: 'joined' });
  if (plan.init.hooks.stopBeforePivot) {
    expect(sock, 'hooks');
    const state = hookState(record, 'creating');
    runHooks('prestart', spec.hooks?.prestart, state);
    runHooks('createRuntime', spec.hooks?.createRuntime, state);
    send(sock, { kind: 'state', json: state });
  }
  if (res.security.seccomp?.listener) forwardSeccompListener(sock, res.security.seccomp, record);
  faultPoint('waiting-ready');
  expect(sock, 'ready');
  if (plan.intermediate) waitpid(child, 0);
  const stat = readStat(pid);
  if (!stat) throw new Error('container init exited before it was ready');
  return { pid, startTime: stat.startTime, releaseNetDevices: () => netDevices?.release() };
}
