// CRIU's RPC mode, as runc drives it: `criu swrk 3` with one end of a SOCK_SEQPACKET pair as
// its fd 3, one request, then CRIU's notifications (each answered before CRIU goes on; some
// carry a file, as the new pty master) until the response to the request. The messages are
// protobuf (criu/rpc.ts); the socket is read with blocking recvmsg, so the caller's event loop
// stands still while CRIU works, as it would under spawnSync.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_SEQPACKET } from '../linux/constants.js';
import { isErrno } from '../linux/errors.js';
import { closeQuietly, socketpair } from '../linux/libc.js';
import { recvFds, sendFds } from '../linux/scm.js';
import { decodeResponse, encodeRequest } from './rpc.js';
import type { CriuResp, CriuRequest } from './rpc-schema.js';

/** CRIU's fd for the RPC socket; the caller's `files` follow it from fd 4 on. */
const SOCKET_FD = 3;
/** The fd in CRIU of files[0]: what the request's inherit_fd entries name. */
export const FIRST_FILE_FD = SOCKET_FD + 1;
/** A criu_resp is small; CRIU's own service reads requests into a buffer this size too. */
const MAX_MESSAGE = 64 * 1024;

export interface SwrkNotification {
  /** The action script's name ("setup-namespaces", "post-restore", "orphan-pts-master", ...). */
  script: string;
  pid?: number;
  /** A file CRIU sent with it (orphan-pts-master); closed after the handler returns. */
  fd?: number;
}

export interface SwrkRun {
  criu: string;
  /** For messages: "dump", "pre-dump", "restore". */
  action: string;
  request: CriuRequest;
  /**
   * The images and work directories. They stay open here while CRIU runs: it opens them as
   * /proc/PEER/fd/N, PEER being the socket's peer, for a socketpair the process that made it (us).
   */
  imagesDir: string;
  workDir: string;
  /** CRIU's fds 0–2. */
  stdio: [number | 'ignore' | 'inherit', number | 'ignore' | 'inherit', number | 'ignore' | 'inherit'];
  /** CRIU's fds 4, 5, ...: files the request's inherit_fd hands over (namespaces to join). */
  files: number[];
  /** The log CRIU writes, quoted when it fails. */
  logFile: string;
  /** CRIU is running and waits for the request (restore moves it into the cgroup here, or starts the systemd scope with it). */
  started?(pid: number): void | Promise<void>;
  /** A notification; throwing from it fails CRIU's action (CRIU then undoes it). */
  notify?(n: SwrkNotification): void;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((done) => {
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => done({ code, signal }));
  });
}

/** The log's last errors: what CRIU could not handle (runc only points at the log file). */
export function lastErrors(logFile: string): string {
  try {
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => /Error|error/.test(l));
    return lines.slice(-3).map((l) => l.replace(/^\(\s*[\d.]+\)\s*/, '').trim()).join('; ');
  } catch {
    return '';
  }
}

/** One message; an empty one when CRIU is gone (a reset: it died with our request unread). */
function receive(sock: number): { fds: number[]; payload: Buffer } {
  try {
    return recvFds(sock, 1, MAX_MESSAGE);
  } catch (err) {
    if (isErrno(err, 'ECONNRESET')) return { fds: [], payload: Buffer.alloc(0) };
    throw err;
  }
}

function openDir(action: string, what: string, path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new Error(`criu ${action}: cannot open the ${what} directory ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** Runs one request; the answer on success, else an Error naming the action, the log and CRIU's reasons. */
export async function criuSwrk(run: SwrkRun): Promise<CriuResp> {
  const imagesDirFd = openDir(run.action, 'images', run.imagesDir);
  try {
    const workDirFd = openDir(run.action, 'work', run.workDir);
    try {
      return await talk(run, encodeRequest({ type: run.request.type, opts: { ...run.request.opts, imagesDirFd, workDirFd } }));
    } finally {
      closeSync(workDirFd);
    }
  } finally {
    closeSync(imagesDirFd);
  }
}

async function talk(run: SwrkRun, request: Buffer): Promise<CriuResp> {
  const [client, server] = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC);
  let child: ChildProcess;
  try {
    child = spawn(run.criu, ['swrk', String(SOCKET_FD)], { stdio: [...run.stdio, server, ...run.files] });
  } catch (err) {
    closeQuietly(client);
    throw err;
  } finally {
    // Only CRIU holds the server end now: if it dies, recvmsg sees the end of the stream.
    closeQuietly(server);
  }
  const exit = exitOf(child);
  const fail = (why: string): Error => new Error(`criu ${run.action} failed (log: ${run.logFile}): ${lastErrors(run.logFile) || why}`);
  let answer: CriuResp | undefined;
  let failure: Error | undefined;
  try {
    if (child.pid === undefined) throw new Error(`criu ${run.action}: cannot run ${run.criu}: ${(await exit).error?.message ?? 'spawn failed'}`);
    await run.started?.(child.pid);
    try {
      sendFds(client, [], request);
    } catch {
      // CRIU is gone before it read the request: the end of the stream below, its exit status
      // and its log say why.
    }
    for (;;) {
      const { fds, payload } = receive(client);
      if (payload.length === 0) {
        fds.forEach(closeQuietly);
        break;
      }
      const resp = decodeResponse(payload);
      if (!resp.success) {
        fds.forEach(closeQuietly);
        throw fail(resp.crErrmsg || `CRIU answered ${resp.type} unsuccessfully${resp.crErrno ? ` (errno ${resp.crErrno})` : ''}`);
      }
      if (resp.type === 'NOTIFY') {
        try {
          run.notify?.({ script: resp.notify?.script ?? '', ...(resp.notify?.pid ? { pid: resp.notify.pid } : {}), ...(fds[0] !== undefined ? { fd: fds[0] } : {}) });
        } finally {
          fds.forEach(closeQuietly);
        }
        sendFds(client, [], encodeRequest({ type: 'NOTIFY', notifySuccess: true }));
        continue;
      }
      fds.forEach(closeQuietly);
      if (resp.type !== run.request.type) throw fail(`CRIU answered ${resp.type} to ${run.request.type}`);
      answer = resp;
      break;
    }
  } catch (err) {
    failure = err as Error;
  } finally {
    closeQuietly(client);
  }
  const { code, signal } = await exit;
  if (failure) throw failure;
  if (!answer) throw fail(signal ? `criu was killed by ${signal}` : `criu exited with status ${code} without answering`);
  // A pre-dump's CRIU waits for a next request; the closed socket ends it with an error status.
  if (run.request.type !== 'PRE_DUMP' && code !== 0) throw fail(signal ? `criu was killed by ${signal}` : `criu exited with status ${code}`);
  return answer;
}
