import { exitCodeOf } from '../linux/wait-status.js';
import * as K from '../linux/constants.js';
import { resetSignalsForExec } from '../linux/exec-signals.js';
import { forkProcess } from '../linux/fork.js';
import {
  close, closeQuietly, closeRange, dup3, execve, exitNow, killQuietly, pidfdOpen, pipe2, poll, read, waitpid, write,
} from '../linux/libc.js';
import type { Hook } from '../spec/types.js';

/** What a failing hook's error message quotes of its output. */
const OUTPUT_LIMIT = 4096;

export class HookError extends Error {}

function describe(hook: Hook): string {
  return JSON.stringify(hook.path);
}

/** Child side: stdin is the state, stdout and stderr go to the runtime, nothing else is open. */
function execHook(hook: Hook, stdin: number, output: number): never {
  try {
    dup3(stdin, 0, 0);
    dup3(output, 1, 0);
    dup3(output, 2, 0);
    closeRange(3, K.CLOSE_RANGE_ALL, K.CLOSE_RANGE_CLOEXEC);
    resetSignalsForExec();
    // Without env, a hook inherits the runtime's environment, as with runc.
    const env = hook.env ?? Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
    execve(hook.path, hook.args ?? [hook.path], env);
  } catch (err) {
    try {
      write(2, `exec ${hook.path}: ${(err as Error).message}`);
    } catch {
      // The exit status still reports the failure.
    }
  }
  exitNow(127);
}

function collect(chunks: Buffer[], fd: number): boolean {
  const buf = Buffer.alloc(4096);
  let n: number;
  try {
    n = read(fd, buf);
  } catch {
    return false;
  }
  if (n <= 0) return false;
  chunks.push(buf.subarray(0, n));
  // Only the tail is ever quoted: a hook that writes without end must not fill our memory.
  let kept = 0;
  for (let i = chunks.length - 1; i >= 0; i--) {
    kept += (chunks[i] as Buffer).length;
    if (kept > 2 * OUTPUT_LIMIT) {
      chunks.splice(0, i);
      break;
    }
  }
  return true;
}

/**
 * config.md "POSIX-platform Hooks": runs one hook with the state JSON on stdin and waits for it,
 * at most `timeout` seconds. Built on fork/execve rather than child_process because the
 * container's init, which runs createContainer and startContainer hooks, is a forked copy of
 * the runtime without a working event loop.
 */
export function runHook(hook: Hook, stateJson: string): void {
  // Each fd is set to -1 once closed, so the final cleanup never closes a number reused since.
  let [inR, inW] = pipe2(K.O_CLOEXEC);
  let [outR, outW] = pipe2(K.O_CLOEXEC | K.O_NONBLOCK);
  let pid = -1;
  let pidfd = -1;
  try {
    pid = forkProcess();
    if (pid === 0) execHook(hook, inR, outW);
    close(inR);
    inR = -1;
    close(outW);
    outW = -1;
    pidfd = pidfdOpen(pid);
    try {
      // A state document fits the pipe buffer, so this never waits on a hook that ignores stdin.
      write(inW, stateJson);
    } catch {
      // EPIPE: the hook exited without reading its stdin; its status says how it went.
    }
    close(inW);
    inW = -1;
    const chunks: Buffer[] = [];
    const deadline = hook.timeout !== undefined && hook.timeout > 0 ? Date.now() + hook.timeout * 1000 : Infinity;
    let outputOpen = true;
    for (;;) {
      const left = deadline === Infinity ? -1 : Math.max(0, deadline - Date.now());
      const [exited = 0, readable = 0] = poll(outputOpen ? [pidfd, outR] : [pidfd], K.POLLIN, left);
      if (readable & (K.POLLIN | K.POLLHUP)) outputOpen = collect(chunks, outR);
      if (exited & K.POLLIN) break;
      if (exited === 0 && readable === 0 && Date.now() >= deadline) {
        killQuietly(pid, 9);
        waitpid(pid, 0);
        pid = -1;
        throw new HookError(`hook ${describe(hook)} killed: timeout after ${hook.timeout} seconds`);
      }
    }
    while (outputOpen && collect(chunks, outR));
    const [, status] = waitpid(pid, 0);
    pid = -1;
    const code = exitCodeOf(status);
    if (code !== 0) {
      const output = Buffer.concat(chunks).toString('utf8').trim().slice(-OUTPUT_LIMIT);
      const how = code > 128 && (status & 0x7f) !== 0 ? `was killed by signal ${code - 128}` : `exited with status ${code}`;
      throw new HookError(`hook ${describe(hook)} ${how}${output ? `: ${output.replace(/\s*\n\s*/g, ' | ')}` : ''}`);
    }
  } finally {
    if (pid > 0) {
      killQuietly(pid, 9);
      waitpid(pid, 0);
    }
    closeQuietly(pidfd);
    [inR, inW, outR, outW].forEach(closeQuietly);
  }
}
