import * as K from '../linux/constants.js';
import { exitNow, setns, setresgid, setresuid, unshare } from '../linux/libc.js';
import { forkProcess } from '../linux/fork.js';
import { enterNamespaces } from './enter-namespaces.js';
import { runInit, type InitContext } from './init.js';
import { expect, reportStartFailure, send } from './sync.js';

/**
 * The intermediate child of create, where needsIntermediate() says so. It enters or creates the
 * namespaces, user first, then forks the init so the init is born inside them (PID 1 of a new
 * pid namespace, inside the time namespace), reports the init's host pid and exits.
 */
export function runIntermediate(ctx: InitContext): never {
  const ns = ctx.plan.namespaces;
  try {
    let inUserns = false;
    ns.joins.forEach((j, i) => {
      if (j.flag === K.CLONE_NEWUSER) {
        setns(ctx.nsFds[i] as number, j.flag);
        inUserns = true;
      }
    });
    if (ns.newUser) {
      unshare(K.CLONE_NEWUSER);
      send(ctx.sock, { kind: 'userns' });
      inUserns = true;
    }
    // The parent has written the id maps: the namespaces made below belong to the new user's.
    expect(ctx.sock, 'enter');
    if (inUserns) {
      setresgid(0, 0, 0);
      setresuid(0, 0, 0);
    }
    enterNamespaces(ns, ctx.nsFds, false);
    const pid = forkProcess();
    if (pid === 0) runInit(ctx);
    send(ctx.sock, { kind: 'pid', pid });
    exitNow(0);
  } catch (err) {
    reportStartFailure(ctx.sock, err);
    exitNow(1);
  }
}
