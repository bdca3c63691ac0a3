// CVE-2024-21626 family: file descriptors the caller leaks into ocirun (the containerd shim leaks
// its socket as fd 3) or the runtime opens itself (the host /proc handle, the sync socket, the
// fifo handle, namespace fds) must not reach the container, and process.cwd may not use one of
// them to start the container outside its root.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, OCIRUN, Sandbox, uniqueId, type Result } from '../../test/support/ocirun.js';

const sb = new Sandbox('security-fds');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const hostDir = join(sb.dir, 'host-dir');
mkdirSync(hostDir);
writeFileSync(join(hostDir, 'host-secret'), 'secret\n');

/** `ocirun run` with extra fds from fd 3 on: a host directory, a pipe end, a host file. */
function runWithLeakedFds(spec: Spec, args: string[] = []): Result {
  const id = uniqueId();
  const bundle = sb.bundle(spec);
  const dirFd = openSync(hostDir, 'r');
  const fileFd = openSync(join(hostDir, 'host-secret'), 'r+');
  const out = join(sb.dir, `${id}.out`);
  const err = join(sb.dir, `${id}.err`);
  const outFd = openSync(out, 'w');
  const errFd = openSync(err, 'w');
  try {
    const r = spawnSync(OCIRUN, ['--root', sb.root, 'run', ...args, '--bundle', bundle, id], {
      stdio: ['ignore', outFd, errFd, dirFd, 'pipe', fileFd, dirFd, dirFd, dirFd, dirFd],
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    // The sandbox's cleanup knows ids only from its own run(); this one is removed here.
    sb.run(['delete', '--force', id]);
    return { status: r.status ?? 128 + 9, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
  } finally {
    for (const fd of [dirFd, fileFd, outFd, errFd]) closeSync(fd);
  }
}

// sh is pid 1: a child `ls` lists the fds sh got from the runtime (sh opens none for -c).
const LIST_FDS = 'ls -l /proc/1/fd';
const openFds = (out: string): string[][] => [...out.matchAll(/ (\d+) -> (.*)$/gm)].map((m) => [m[1] as string, m[2] as string]);

describe('fds passed to ocirun never reach the container (CVE-2024-21626)', () => {
  it('only stdio is open in the container process', () => {
    const r = runWithLeakedFds(baseSpec(['sh', '-c', LIST_FDS]));
    expect(r.status, r.stderr).toBe(0);
    expect(openFds(r.stdout).map(([fd]) => fd)).toEqual(['0', '1', '2']);
    expect(r.stdout).not.toContain(hostDir);
    expect(r.stdout).not.toMatch(/pipe:|socket:|exec\.fifo|\/ns\//);
  });

  it.each([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])('process.cwd /proc/self/fd/%i does not start the container in a host directory', (n) => {
    const spec = baseSpec(['sh', '-c', 'pwd; ls; cat host-secret 2>&1; cat ../host-secret 2>&1; true']);
    if (spec.process) spec.process.cwd = `/proc/self/fd/${n}`;
    const r = runWithLeakedFds(spec);
    // Either refused with a reason, or (when fd n is the container's own) running inside the container.
    if (r.status !== 0) expect(r.stderr).toMatch(/unable to start container process: (process\.cwd .* (is outside|cannot be made inside) the container's root|chdir\(\\?"\/proc\/self\/fd\/\d+\\?"\): not a directory)/);
    expect(r.stdout).not.toContain('secret');
    expect(r.stdout).not.toContain('host-secret');
  });

  it('the runtime’s own handles are gone too: the container cannot reach the host /proc or the state dir', () => {
    const spec = baseSpec(['sh', '-c', 'for n in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do ls /proc/self/fd/$n/ 2>/dev/null && echo "open $n"; done; true']);
    const r = runWithLeakedFds(spec);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/^open \d+$/m);
    expect(r.stdout).not.toContain('state.json');
  });
});

describe('--preserve-fds passes exactly the fds asked for', () => {
  it('fd 3 reaches the container with --preserve-fds 1, fd 4 and above do not', () => {
    const r = runWithLeakedFds(baseSpec(['sh', '-c', LIST_FDS]), ['--preserve-fds', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(openFds(r.stdout).map(([fd]) => fd)).toEqual(['0', '1', '2', '3']);
    expect(openFds(r.stdout)[3]?.[1]).toBe(hostDir);
  });
});
