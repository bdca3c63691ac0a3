// config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": each hook runs at its moment, in
// its namespace, with the state of that moment on stdin.
import { chmodSync, existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Hook, Hooks, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId, waitFor } from '../../test/support/ocirun.js';

const sb = new Sandbox('hooks');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const log = join(sb.dir, 'hooks.log');
const recorder = join(sb.dir, 'record-hook');
writeFileSync(recorder, `#!/bin/sh\necho "$1 $(readlink /proc/self/ns/mnt) $HOOK_ENV $(cat)" >> ${log}\nexit \${2:-0}\n`);
chmodSync(recorder, 0o755);
const hostMountNs = readlinkSync('/proc/self/ns/mnt');

interface Entry {
  kind: string;
  mountNs: string;
  env: string;
  state: { status: string; pid?: number; id: string; bundle: string };
}

function entries(): Entry[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').map((line) => {
    const [kind = '', mountNs = '', env = '', ...rest] = line.split(' ');
    return { kind, mountNs, env, state: JSON.parse(rest.join(' ')) as Entry['state'] };
  });
}

const record = (kind: string, exit = 0): Hook => ({ path: recorder, args: ['record-hook', kind, String(exit)], env: [`HOOK_ENV=env-${kind}`] });

/** The one error line of a failed call, decoded from --log-format json. */
function failure(args: string[]): { status: number; msg: string; lines: number } {
  const r = sb.run(['--log-format', 'json', ...args]);
  const lines = r.stderr.trim().split('\n');
  return { status: r.status, msg: (JSON.parse(lines[0] ?? '{}') as { msg?: string }).msg ?? '', lines: lines.length };
}

function withHooks(hooks: Hooks, args = ['true']): Spec {
  return { ...baseSpec(args), hooks };
}

afterEach(() => writeFileSync(log, ''));

describe('hooks', () => {
  it('run in order with the status of their moment, in the right mount namespace', async () => {
    const spec = withHooks({
      prestart: [record('prestart')],
      createRuntime: [record('createRuntime')],
      createContainer: [record('createContainer')],
      // startContainer resolves inside the container: it leaves its stdin where the process reads it.
      startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /dev/shm/start-state'] }],
      poststart: [record('poststart')],
      poststop: [record('poststop')],
    }, ['cat', '/dev/shm/start-state']);
    const id = sb.create(spec);
    const pid = sb.state(id).pid;
    expect(entries().map((e) => [e.kind, e.state.status])).toEqual([
      ['prestart', 'creating'], ['createRuntime', 'creating'], ['createContainer', 'creating'],
    ]);
    for (const e of entries()) expect(e.state).toMatchObject({ id, pid });
    const [pre, runtime, container] = entries();
    expect(pre?.mountNs).toBe(hostMountNs);
    expect(runtime?.mountNs).toBe(hostMountNs);
    expect(container?.mountNs).toBe(readlinkSync(`/proc/${pid}/ns/mnt`));
    expect(container?.env).toBe('env-createContainer');

    const out = join(sb.dir, 'start.out');
    const started = sb.run(['start', id]);
    expect(started.status, started.stderr).toBe(0);
    expect(entries().map((e) => [e.kind, e.state.status]).at(-1)).toEqual(['poststart', 'running']);
    await waitFor(() => sb.state(id).status === 'stopped');
    writeFileSync(out, '');
    sb.ok(['delete', id]);
    expect(entries().map((e) => [e.kind, e.state.status]).at(-1)).toEqual(['poststop', 'stopped']);
  });

  it('prestart finds the init in the container cgroup; createContainer runs in its cgroup namespace', () => {
    const spec = withHooks({
      prestart: [{ path: '/bin/sh', args: ['sh', '-c', `pid=$(sed 's/.*"pid":\\([0-9]*\\).*/\\1/'); cat /proc/$pid/cgroup > ${log}.pre`] }],
      createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `readlink /proc/self/ns/cgroup > ${log}.ns; cat /proc/self/cgroup > ${log}.cc`] }],
    });
    const id = sb.create(spec);
    const pid = sb.state(id).pid;
    const pre = readFileSync(`${log}.pre`, 'utf8');
    expect(pre).toBe(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    for (const line of pre.trim().split('\n')) expect(line).toMatch(new RegExp(`/${id}$`));
    expect(readFileSync(`${log}.ns`, 'utf8').trim()).toBe(readlinkSync(`/proc/${pid}/ns/cgroup`));
    for (const line of readFileSync(`${log}.cc`, 'utf8').trim().split('\n')) expect(line).toMatch(/:\/$/);
  });

  it('runtime-side hooks run in the host pid namespace, though create forked the init into a new one', () => {
    const pidNs = (kind: string): Hook => ({ path: '/bin/sh', args: ['sh', '-c', `readlink /proc/self/ns/pid >> ${log}.${kind}`] });
    const spec = withHooks({ prestart: [pidNs('pid')], createRuntime: [pidNs('pid')], poststart: [pidNs('pid')], poststop: [pidNs('pid')] });
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    const host = readlinkSync('/proc/self/ns/pid');
    expect(readFileSync(`${log}.pid`, 'utf8').trim().split('\n')).toEqual([host, host, host, host]);
  });

  it('startContainer sees status "created" and runs inside the container', () => {
    const spec = withHooks({ startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /dev/shm/s; echo >> /dev/shm/s; hostname >> /dev/shm/s'] }] }, ['cat', '/dev/shm/s']);
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    const [json = '', hostname] = r.stdout.trim().split('\n');
    expect(JSON.parse(json)).toMatchObject({ status: 'created' });
    expect(hostname).toBe('ocirun');
  });

  it('a failing createRuntime hook fails create, leaves nothing, and still runs poststop', () => {
    const id = uniqueId();
    const spec = withHooks({ createRuntime: [record('createRuntime', 3)], poststop: [record('poststop')] });
    const r = failure(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.msg).toMatch(/error running createRuntime hook #0: hook ".*record-hook" exited with status 3/);
    expect(r.lines).toBe(1);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
    expect(entries().map((e) => [e.kind, e.state.status])).toEqual([['createRuntime', 'creating'], ['poststop', 'stopped']]);
  });

  it('a failing createContainer hook fails create and leaves nothing', () => {
    const id = uniqueId();
    const r = failure(['create', '--bundle', sb.bundle(withHooks({ createContainer: [record('createContainer', 5)] })), id]);
    expect(r.status).toBe(1);
    expect(r.msg).toMatch(/error running createContainer hook #0: .*exited with status 5/);
    expect(sb.run(['state', id]).status).toBe(1);
  });

  it('a failing startContainer hook fails start and stops the container', async () => {
    const id = sb.create(withHooks({ startContainer: [{ path: '/bin/false' }] }, ['sleep', '100']));
    const r = failure(['start', id]);
    expect(r.status).toBe(1);
    expect(r.msg).toMatch(/error running startContainer hook #0: hook "\/bin\/false" exited with status 1/);
    expect(await waitFor(() => sb.state(id).status === 'stopped')).toBe(true);
  });

  it('a hook that outlives its timeout is killed and fails the operation', () => {
    const id = uniqueId();
    const spec = withHooks({ prestart: [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }] });
    const r = failure(['create', '--bundle', sb.bundle(spec), id]);
    expect(r.status).toBe(1);
    expect(r.msg).toMatch(/error running prestart hook #0: hook "\/bin\/sleep" killed: timeout after 1 seconds/);
  });

  it('a failing poststart hook fails start and stops the container; delete then runs poststop (runtime-spec 1.3)', async () => {
    const spec = withHooks({ poststart: [record('poststart', 1), record('poststart-never')], poststop: [record('poststop')] }, ['sleep', '100']);
    const id = sb.create(spec);
    const started = failure(['start', id]);
    expect(started).toMatchObject({ status: 1, lines: 1 });
    expect(started.msg).toMatch(/error running poststart hook #0: hook .*record-hook.* (exited|exit)/);
    // state derives the status from the kernel: the init is dead.
    expect(sb.state(id).status).toBe('stopped');
    expect(sb.run(['delete', id]).status).toBe(0);
    expect(entries().map((e) => e.kind)).toEqual(['poststart', 'poststop']);
  });

  it('run: a failing poststart hook is the run\'s error, and nothing is left', () => {
    const id = uniqueId();
    const r = failure(['run', '--bundle', sb.bundle(withHooks({ poststart: [record('poststart', 2)], poststop: [record('poststop')] }, ['sleep', '100'])), id]);
    expect(r.status).toBe(1);
    expect(r.msg).toMatch(/error running poststart hook #0/);
    expect(sb.run(['state', id]).status).toBe(1);
    expect(entries().map((e) => e.kind)).toEqual(['poststart', 'poststop']);
  });

  it('a hook without env gets the environment the runtime was started with, nothing of its own', () => {
    // The runtime sets UV_THREADPOOL_SIZE for a moment to start libuv's pool small (cgroups/migration.ts).
    const envFile = join(sb.dir, 'hook-env');
    const dump: Hook = { path: '/bin/sh', args: ['sh', '-c', `env > ${envFile}`] };
    const hookEnv = (callerEnv: NodeJS.ProcessEnv): string[] => {
      expect(sb.run(['run', '--bundle', sb.bundle(withHooks({ createRuntime: [dump] })), uniqueId()], { env: callerEnv }).status).toBe(0);
      return readFileSync(envFile, 'utf8').split('\n');
    };
    const plain = hookEnv({ HOOK_MARK: 'caller' });
    expect(plain).toContain('HOOK_MARK=caller');
    expect(plain.filter((l) => l.startsWith('UV_THREADPOOL_SIZE='))).toEqual([]);
    expect(hookEnv({ UV_THREADPOOL_SIZE: '3' })).toContain('UV_THREADPOOL_SIZE=3');
  });

  it('poststop failures are warnings; every poststop hook runs', () => {
    const id = sb.create(withHooks({ poststop: [record('poststop-a', 1), record('poststop-b')] }, ['sleep', '100']));
    sb.ok(['start', id]);
    const deleted = sb.run(['delete', '--force', id]);
    expect(deleted.status).toBe(0);
    expect(deleted.stderr).toMatch(/level=warning msg="error running poststop hook #0/);
    expect(entries().map((e) => e.kind)).toEqual(['poststop-a', 'poststop-b']);
  });
});
