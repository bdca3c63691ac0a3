// Runs one Scenario the way the container init would, in a child made by forkProcess(). Started
// by run.ts as `node --single-threaded <bundle of this file> <scenario JSON>` (fork is only safe
// from a single-threaded Node; vitest's workers are not), prints one ScenarioResult as JSON.
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as K from '../../../../src/linux/constants.js';
import { forkProcess } from '../../../../src/linux/fork.js';
import {
  close, closeQuietly, dup3, execve, exitNow, ioctlPtr, kill, open, poll, prctl, setgroups, setresgid, setresuid,
  socketpair, waitpid, write,
} from '../../../../src/linux/libc.js';
import { recvFds, sendFds } from '../../../../src/linux/scm.js';
import {
  applyCapabilities, dropBoundingSet, planCapabilities, readHostBounding, type CapPlan,
} from '../../../../src/security/capabilities.js';
import {
  loadSeccomp, loadSeccompListener, prepareSeccomp, releaseSeccomp, sendToSeccompAgent, type PreparedSeccomp,
} from '../../../../src/security/seccomp.js';
import { setKeepCaps } from '../../../../src/linux/capabilities.js';
import { linuxSys } from '../../../../src/linux/sys.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const SIGKILL = 9;
const SECCOMP_IOCTL_NOTIF_RECV = 0xc0502100; // _IOWR('!', 0, struct seccomp_notif), 80 bytes
const SECCOMP_IOCTL_NOTIF_SEND = 0xc0182101; // _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes
const DEADLINE_MS = 10_000;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function child(s: Scenario, outPath: string, caps: CapPlan | null, sec: PreparedSeccomp | null, sock: number): never {
  try {
    const out = open(outPath, K.O_WRONLY | K.O_CREAT | K.O_TRUNC, 0o600);
    dup3(out, 1, 0);
    dup3(out, 2, 0);
    close(out);
    if (caps) {
      setKeepCaps(true);
      dropBoundingSet(linuxSys, caps);
    }
    if (s.user) {
      setgroups(s.user.additionalGids ?? []);
      setresgid(s.user.gid, s.user.gid, s.user.gid);
      setresuid(s.user.uid, s.user.uid, s.user.uid);
    }
    // Cleared by the user change, so set after it: the child dies with the runner.
    prctl(K.PR_SET_PDEATHSIG, SIGKILL);
    if (caps) applyCapabilities(linuxSys, caps);
    if (s.noNewPrivileges) prctl(K.PR_SET_NO_NEW_PRIVS, 1);
    if (sec) {
      const listener = loadSeccompListener(linuxSys, sec);
      if (listener >= 0) {
        sendFds(sock, [listener], Buffer.from('listener'));
        close(listener);
      }
      loadSeccomp(linuxSys, sec);
    }
    execve('/bin/sh', ['sh', '-c', s.script], ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C']);
  } catch (err) {
    write(2, `child: ${(err as Error).message}\n`);
    exitNow(120);
  }
}

function waitExit(pid: number, deadline: number): [number, number] {
  for (;;) {
    const [r, status] = waitpid(pid, K.WNOHANG);
    if (r === pid) return [r, status];
    if (Date.now() > deadline) {
      kill(pid, SIGKILL);
      return waitpid(pid, 0);
    }
    Atomics.wait(SLEEPER, 0, 0, 10);
  }
}

/** Answers notifications with -errno until the child has exited; returns the syscall numbers seen. */
function serveNotifications(listener: number, pid: number, errno: number, deadline: number): { notified: number[]; status: number } {
  const notified: number[] = [];
  for (;;) {
    const [r, status] = waitpid(pid, K.WNOHANG);
    if (r === pid) return { notified, status };
    if (Date.now() > deadline) {
      kill(pid, SIGKILL);
      return { notified, status: waitpid(pid, 0)[1] };
    }
    const [revents] = poll([listener], K.POLLIN, 20);
    if (!((revents ?? 0) & K.POLLIN)) continue;
    const req = Buffer.alloc(80);
    try {
      ioctlPtr(listener, SECCOMP_IOCTL_NOTIF_RECV, req);
    } catch {
      continue; // the task went away between poll and recv
    }
    notified.push(req.readInt32LE(16));
    const resp = Buffer.alloc(24);
    req.copy(resp, 0, 0, 8);
    resp.writeInt32LE(-errno, 16);
    try {
      ioctlPtr(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    } catch {
      // ENOENT: the task was killed while we answered.
    }
  }
}

function run(s: Scenario): ScenarioResult {
  const hold = s.holdForSeccomp ?? (s.seccomp !== undefined && !s.noNewPrivileges);
  const planned = s.capabilities === undefined ? null : planCapabilities(s.capabilities ?? undefined, readHostBounding(), { holdForSeccomp: hold });
  const sec = prepareSeccomp(s.seccomp);
  const dir = mkdtempSync(join(tmpdir(), 'ocirun-sec-'));
  const outPath = join(dir, 'out');
  const [parentSock, childSock] = socketpair(K.AF_UNIX, K.SOCK_STREAM | K.SOCK_CLOEXEC);
  const deadline = Date.now() + DEADLINE_MS;
  const result: ScenarioResult = { warnings: planned?.warnings ?? [], debug: sec?.debug ?? [], exitCode: null, signal: null, output: '' };
  try {
    const pid = forkProcess();
    if (pid === 0) child(s, outPath, planned?.plan ?? null, sec, childSock);
    if (sec) releaseSeccomp(sec);
    close(childSock);
    let status: number;
    if (sec?.listener) {
      const [revents] = poll([parentSock], K.POLLIN, DEADLINE_MS);
      let listener = -1;
      if ((revents ?? 0) & K.POLLIN) {
        const got = recvFds(parentSock, 1);
        listener = got.fds[0] ?? -1;
      }
      if (listener >= 0) {
        result.listenerTarget = readlinkSync(`/proc/self/fd/${listener}`);
        if (s.forwardState) sendToSeccompAgent(sec, listener, pid, s.forwardState);
        const served = serveNotifications(listener, pid, s.agentErrno ?? 1, deadline);
        result.notified = served.notified;
        status = served.status;
        close(listener);
      } else {
        status = waitExit(pid, deadline)[1];
      }
    } else {
      status = waitExit(pid, deadline)[1];
    }
    if ((status & 0x7f) === 0) result.exitCode = (status >> 8) & 0xff;
    else result.signal = status & 0x7f;
    result.output = readFileSync(outPath, 'utf8');
  } finally {
    closeQuietly(parentSock);
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

process.stdout.write(`${JSON.stringify(run(JSON.parse(process.argv[2] ?? '{}') as Scenario))}\n`);
