import { runIntermediate } from '../init/stage1.js';
import { runInit, type InitContext } from '../init/init.js';
import { forkIntoPidNamespace } from '../init/enter-namespaces.js';
import { forkProcess } from '../linux/fork.js';
import { close, killQuietly, waitpid } from '../linux/libc.js';
import { faultPoint } from '../debug/fault.js';
import type { CreateOptions, CreatePlan } from './create-plan.js';
import type { CreateResources } from './create-prepare.js';
import type { UndoStack } from './undo.js';

/**
 * Forks the init (or the intermediate process that forks it) and returns the child's pid. The
 * child never returns: it runs the init's side of the handshake and leaves by execve or _exit.
 * On failure the child is killed and reaped.
 */
export function forkInit(o: CreateOptions, plan: CreatePlan, res: CreateResources, lockFd: number, undo: UndoStack): number {
  faultPoint('before-fork');
  const child = plan.intermediate ? forkProcess() : forkIntoPidNamespace(plan.init.namespaces, res.nsFds);
  if (child === 0) {
    close(lockFd);
    close(res.parentSock);
    const ctx: InitContext = {
      containerId: o.id,
      plan: plan.init,
      sock: res.childSock,
      fifoFd: res.fifoFd,
      nsFds: res.nsFds,
      idmapFds: res.idmapFds,
      cgroups: res.cgroupMounts,
      security: res.security.init,
      cgroupBeforeRootfs: res.cgroup.driver === 'systemd',
      ...(res.tty ? { console: res.tty.plan } : {}),
    };
    if (plan.intermediate) runIntermediate(ctx);
    runInit({ ...ctx, direct: true });
  }
  close(res.childSock);
  undo.push(() => {
    killQuietly(child, 9);
    waitpid(child, 0);
  });
  return child;
}
