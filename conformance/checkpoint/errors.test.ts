// checkpoint and restore where CRIU cannot run (this machine's kernel stops it): the errors
// people hit first, each naming what to fix, the container untouched and nothing left behind.
// The checkpoints themselves are proven in the guest (test/guest/checkpoint/).
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, leftoversOf, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('checkpoint-errors');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/** A PATH holding node (the launcher needs it) and nothing else: no criu in it. */
function pathWithoutCriu(): string {
  const dir = join(sb.dir, uniqueId('path'));
  mkdirSync(dir);
  symlinkSync(process.execPath, join(dir, 'node'));
  return `${dir}:${dirname('/bin/sh')}`;
}

/**
 * A stand-in criu: prints `version`; as `criu swrk 3` it answers no request, writing an error
 * into the log of each action in `workDir` (the request names it by an fd it cannot decode),
 * as CRIU does, and exits 1.
 */
function fakeCriu(version: string, workDir = sb.dir): string {
  const path = join(sb.dir, uniqueId('criu'));
  writeFileSync(path, `#!/bin/sh
if [ "$1" = --version ]; then echo "Version: ${version}"; exit 0; fi
[ "$1" = swrk ] || exit 2
for action in dump restore; do
  echo "(00.01) Error (criu/cr-$action.c:1): stand-in criu refuses to $action" > "${workDir}/$action.log"
done
exit 1
`);
  chmodSync(path, 0o755);
  return path;
}

function running(): string {
  const id = sb.create(baseSpec(['sleep', '1000']));
  sb.ok(['start', id]);
  return id;
}

/** An image dir as checkpoint leaves it, enough for restore to reach CRIU. */
function images(): string {
  const dir = join(sb.dir, uniqueId('img'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'descriptors.json'), JSON.stringify(['/dev/null', '/dev/null', '/dev/null']));
  return dir;
}

describe('checkpoint', () => {
  it('without a criu binary names it and leaves the container running', () => {
    const id = running();
    const r = sb.run(['checkpoint', '--image-path', join(sb.dir, 'img'), id], { env: { PATH: pathWithoutCriu() } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no criu binary in PATH; checkpoint and restore need CRIU 3\.0 or later/);
    expect(sb.state(id).status).toBe('running');
  });

  it('--criu naming a missing file is refused by name', () => {
    const id = running();
    const r = sb.run(['--criu', '/nonexistent/criu', 'checkpoint', id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--criu: \/nonexistent\/criu is not an executable file/);
  });

  it('a CRIU older than 3.0 is refused with both versions', () => {
    const id = running();
    const r = sb.run(['--criu', fakeCriu('2.12.1'), 'checkpoint', '--image-path', join(sb.dir, 'img'), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is version 2\.12\.1; checkpoint and restore need 3\.0\.0 or later/);
    expect(sb.state(id).status).toBe('running');
  });

  it('a failing dump quotes CRIU\'s error and the log, and the container keeps running', () => {
    const id = running();
    const img = join(sb.dir, uniqueId('img'));
    const r = sb.run(['--criu', fakeCriu('3.17.1', img), 'checkpoint', '--image-path', img, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`criu dump failed (log: ${img}/dump.log): Error (criu/cr-dump.c:1): stand-in criu refuses to dump`);
    expect(sb.state(id).status).toBe('running');
  });

  it('of a created (not started) container, or a stopped one, is refused before CRIU runs', () => {
    const created = sb.create(baseSpec(['true']));
    const r = sb.run(['checkpoint', created], { env: { PATH: pathWithoutCriu() } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/container .* is created but not started: only a running container can be checkpointed/);
    sb.ok(['start', created]);
    const stopped = sb.run(['checkpoint', created], { env: { PATH: pathWithoutCriu() } });
    expect(stopped.stderr).toMatch(/container not running/);
    expect(sb.run(['checkpoint', 'no-such-container']).stderr).toMatch(/does not exist/);
  });

  it('--manage-cgroups-mode and --page-server refuse bad values by name', () => {
    const id = running();
    expect(sb.run(['checkpoint', '--manage-cgroups-mode', 'loose', id]).stderr).toMatch(/--manage-cgroups-mode: expected one of soft, full, strict, ignore, got .*loose/);
    expect(sb.run(['--criu', fakeCriu('3.17.1'), 'checkpoint', '--image-path', join(sb.dir, 'img'), '--page-server', 'nowhere', id]).stderr).toMatch(/--page-server: expected ADDRESS:PORT/);
    expect(sb.run(['--criu', fakeCriu('3.17.1'), 'checkpoint', '--image-path', join(sb.dir, 'img'), '--empty-ns', 'mount', id]).stderr).toMatch(/--empty-ns: expected one of network, got .*mount/);
    expect(sb.state(id).status).toBe('running');
  });

  it('--status-fd must be open for writing, and CRIU must tell readiness by notification (3.15+)', () => {
    const id = running();
    const img = join(sb.dir, uniqueId('img'));
    const lazy = (criu: string, fd: string, stdio: Array<'ignore' | 'pipe' | number>): ReturnType<typeof spawnSync> =>
      spawnSync(OCIRUN, ['--root', sb.root, '--criu', criu, 'checkpoint', '--image-path', img, '--lazy-pages', '--page-server', '127.0.0.1:27', '--status-fd', fd, id], { stdio, encoding: 'utf8', timeout: 60_000 });
    const closed = lazy(fakeCriu('3.17.1'), '250', ['ignore', 'ignore', 'pipe']);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/--status-fd: 250 is not an open file descriptor/);
    // fd 0 is open for reading only.
    const readOnly = lazy(fakeCriu('3.17.1'), '0', ['ignore', 'ignore', 'pipe']);
    expect(readOnly.stderr).toMatch(/--status-fd: 0 is not open for writing/);
    const old = lazy(fakeCriu('3.14.0'), '1', ['ignore', 'pipe', 'pipe']);
    expect(old.stderr).toMatch(/--status-fd: needs CRIU 3\.15\.0 or later \(its status-ready notification\); this criu is 3\.14\.0/);
    expect(sb.state(id).status).toBe('running');
  });
});

describe('restore', () => {
  it('onto an existing id is refused and the existing container is untouched', () => {
    const id = running();
    const pid = sb.state(id).pid;
    const r = sb.run(['--criu', fakeCriu('3.17.1'), 'restore', '-d', '--image-path', images(), '--bundle', sb.bundle(baseSpec(['true'])), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/container with given ID already exists/);
    expect(sb.state(id)).toMatchObject({ status: 'running', pid });
  });

  it('without a criu binary, or from a directory that holds no checkpoint, leaves nothing behind', () => {
    const bundle = sb.bundle(baseSpec(['true']));
    const id = uniqueId();
    const noCriu = sb.run(['restore', '-d', '--image-path', images(), '--bundle', bundle, id], { env: { PATH: pathWithoutCriu() } });
    expect(noCriu.status).toBe(1);
    expect(noCriu.stderr).toMatch(/no criu binary in PATH/);
    const empty = join(sb.dir, uniqueId('empty'));
    mkdirSync(empty);
    const r = sb.run(['--criu', fakeCriu('3.17.1'), 'restore', '-d', '--image-path', empty, '--bundle', bundle, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--image-path: .*descriptors\.json cannot be read \(ENOENT\): is .* a checkpoint made by `checkpoint`\?/);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });

  it('a failing CRIU restore quotes its error and leaves no state, cgroup or mount', () => {
    const id = uniqueId();
    const img = images();
    const r = sb.run(['--criu', fakeCriu('3.17.1', img), 'restore', '-d', '--image-path', img, '--bundle', sb.bundle(baseSpec(['true'])), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`criu restore failed (log: ${img}/restore.log): Error (criu/cr-restore.c:1): stand-in criu refuses to restore`);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });

  it('a config with hooks goes on to CRIU, whose notifications run them (none come from a failing CRIU)', () => {
    const spec = baseSpec(['true']);
    const ran = join(sb.dir, uniqueId('hook-ran'));
    spec.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', `touch ${ran}`] }], createRuntime: [{ path: '/bin/true' }] };
    const id = uniqueId();
    const img = images();
    const r = sb.run(['--criu', fakeCriu('3.17.1', img), 'restore', '-d', '--image-path', img, '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/criu restore failed .*stand-in criu refuses to restore/);
    expect(existsSync(ran)).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });

  it('a terminal needs a console socket that listens; a console socket needs a terminal', () => {
    const terminal = baseSpec(['sh']);
    terminal.process = { ...terminal.process, terminal: true } as typeof terminal.process;
    const id = uniqueId();
    const noSocket = sb.run(['--criu', fakeCriu('3.17.1'), 'restore', '-d', '--image-path', images(), '--bundle', sb.bundle(terminal), id]);
    expect(noSocket.status).toBe(1);
    expect(noSocket.stderr).toMatch(/cannot allocate tty if ocirun will detach without setting console socket \(process\.terminal is true: pass --console-socket\)/);
    const nobody = join(sb.dir, uniqueId('nobody.sock'));
    const deaf = sb.run(['--criu', fakeCriu('3.17.1'), 'restore', '-d', '--console-socket', nobody, '--image-path', images(), '--bundle', sb.bundle(terminal), id]);
    expect(deaf.status).toBe(1);
    expect(deaf.stderr).toMatch(/--console-socket .*nobody\.sock.*: connect .*nobody\.sock.*ENOENT|no such file/i);
    const plain = sb.run(['--criu', fakeCriu('3.17.1'), 'restore', '-d', '--console-socket', nobody, '--image-path', images(), '--bundle', sb.bundle(baseSpec(['true'])), id]);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/cannot use console socket if ocirun will not detach or allocate tty \(--console-socket was given but process\.terminal is false\)/);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(leftoversOf(id)).toEqual([]);
  });
});

describe('the command line', () => {
  it('--help lists checkpoint and restore with runc\'s flags', () => {
    expect(sb.ok(['--help'])).toMatch(/Commands: .*checkpoint, restore/);
    const help = sb.ok(['checkpoint', '--help']);
    for (const f of ['--image-path', '--work-path', '--parent-path', '--leave-running', '--tcp-established', '--ext-unix-sk', '--shell-job', '--file-locks', '--pre-dump', '--manage-cgroups-mode', '--empty-ns', '--auto-dedup', '--lazy-pages', '--page-server', '--status-fd']) expect(help).toContain(f);
    const restore = sb.ok(['restore', '--help']);
    for (const f of ['--image-path', '--work-path', '--bundle', '--detach', '--pid-file', '--console-socket', '--no-pivot', '--tcp-established', '--file-locks', '--manage-cgroups-mode', '--lsm-profile', '--lsm-mount-context']) expect(restore).toContain(f);
  });
});

describe('stdio for a later checkpoint', () => {
  it('the host\'s /dev/null as stdin becomes the container\'s own /dev/null, as runc reopens it', () => {
    const id = uniqueId();
    const bundle = sb.bundle(baseSpec(['sh', '-c', 'exec 3</dev/null; grep mnt_id /proc/self/fdinfo/0 /proc/self/fdinfo/3']));
    // stdin "ignore" is the host's /dev/null: CRIU could not dump a file of a mount outside the container.
    const r = spawnSync(OCIRUN, ['--root', sb.root, 'run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const ids = [...r.stdout.matchAll(/mnt_id:\s*(\d+)/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });
});
