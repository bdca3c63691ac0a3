import { writeFileSync } from 'node:fs';
import * as K from '../linux/constants.js';
import { exitNow, setns, setresgid, setresuid, unshare } from '../linux/libc.js';
import { forkProcess } from '../linux/fork.js';
import { runInit, type InitContext } from './init.js';
import { expect, send } from './sync.js';

/**
 * The intermediate child of create. It enters or creates the namespaces, then forks the init so
 * the init is born inside them (PID 1 of a new pid namespace, inside the time namespace),
 * reports the init's host pid and exits.
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
    expect(ctx.sock, 'go');
    if (inUserns) {
      setresgid(0, 0, 0);
      setresuid(0, 0, 0);
    }
    ns.joins.forEach((j, i) => {
      if (j.flag !== K.CLONE_NEWUSER) setns(ctx.nsFds[i] as number, j.flag);
    });
    if (ns.unshareFlags !== 0) unshare(ns.unshareFlags);
    if (ns.timeOffsets !== undefined) writeFileSync('/proc/self/timens_offsets', ns.timeOffsets);
    const pid = forkProcess();
    if (pid === 0) runInit(ctx);
    send(ctx.sock, { kind: 'pid', pid });
    exitNow(0);
  } catch (err) {
    try {
      send(ctx.sock, { kind: 'error', message: `unable to start container process: ${(err as Error).message}` });
    } catch {
      // The parent notices our exit through EOF on the socket.
    }
    exitNow(1);
  }
}
