// Issue 17, items 2 and 5: the state root as an unprivileged local user and a planted symlink see
// it. No other user may reach a container's files (runc's 0700 root), so nobody can forge
// `start`'s verdict through exec.fifo or stop the container by holding it; a state.json or state
// dir replaced by a symlink is never followed, and no error quotes a file's content.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baseSpec, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { oneErrorLine } from '../reliability/leaks.js';

const sb = new Sandbox('security-state-root');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

// A local user of its own, created and removed by this file.
const USER = `ocst${process.pid}`;
let uid = -1;

beforeAll(() => {
  const r = spawnSync('useradd', ['--no-create-home', '--no-user-group', '--shell', '/bin/sh', USER], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`useradd ${USER}: ${r.stderr}`);
  uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
  // The sandbox dir is 0700 (mkdtemp): let the user reach the root itself, as /run is reachable.
  chmodSync(sb.dir, 0o755);
});
afterAll(() => {
  spawnSync('userdel', [USER]);
});

/** ocirun with a --root other than the sandbox's. */
function ocirunAt(root: string, args: string[]): { status: number | null; stderr: string } {
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  return spawnSync(OCIRUN, ['--root', root, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A shell command as the test user; resolves with its exit code and stderr, or null if still running at `waitMs`. */
function asUser(cmd: string, waitMs: number): Promise<{ status: number | null; stderr: string; kill: () => void }> {
  const child = spawn('setpriv', [`--reuid=${uid}`, '--regid=65534', '--clear-groups', 'sh', '-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = (): void => void child.kill('SIGKILL');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: null, stderr, kill }), waitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ status: code, stderr, kill });
    });
  });
}

describe('an unprivileged local user', () => {
  it('finds the root, every state dir and file closed to it', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    expect(statSync(sb.root).mode & 0o777).toBe(0o700);
    expect(statSync(join(sb.root, id)).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(join(sb.root, id))) expect(statSync(join(sb.root, id, f)).mode & 0o077, f).toBe(0);
    const r = spawnSync('setpriv', [`--reuid=${uid}`, '--regid=65534', '--clear-groups', 'sh', '-c', `ls ${sb.root}; cat ${join(sb.root, id, 'state.json')}`], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Permission denied/);
  });

  it('cannot forge start\'s verdict through exec.fifo: start succeeds and the container runs', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const fifo = join(sb.root, id, 'exec.fifo');
    // Blocks in open() until start opens the fifo, then writes a failure: what runc-style 0622 allowed.
    const attacker = asUser(`printf '1container start refused by policy' > ${fifo}`, 2000);
    const early = await attacker;
    const started = sb.run(['start', id]);
    early.kill();
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
    expect(sb.state(id).status).toBe('running');
    expect(early.status).not.toBe(0);
    expect(early.stderr).toMatch(/Permission denied/);
  });

  it('cannot stop the container by holding exec.fifo open', async () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const fifo = join(sb.root, id, 'exec.fifo');
    const holder = await asUser(`exec 3>${fifo} && exec sleep 30`, 2000);
    const started = sb.run(['start', id]);
    holder.kill();
    expect(started.status, started.stderr).toBe(0);
    expect(sb.state(id).status).toBe('running');
    expect(holder.stderr).toMatch(/Permission denied/);
  });

  it('a --root others may write to is refused before anything is made in it', () => {
    const open = join(sb.dir, uniqueId('open-root'));
    mkdirSync(open);
    chmodSync(open, 0o777);
    const id = uniqueId('openroot');
    const res = ocirunAt(open, ['create', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), id]);
    expect(res.status).toBe(1);
    expect(oneErrorLine(res.stderr)).toMatch(/--root .*: writable by group or others \(mode 0777\).*make it owned by uid 0 with mode 0700/);
    expect(readdirSync(open)).toEqual([]);
    const chowned = join(sb.dir, uniqueId('user-root'));
    mkdirSync(chowned, { mode: 0o700 });
    spawnSync('chown', [String(uid), chowned]);
    const list = ocirunAt(chowned, ['list']);
    expect(oneErrorLine(list.stderr)).toMatch(new RegExp(`owned by uid ${uid}, not by uid 0`));
  });
});

describe('symlinks in the state root', () => {
  const secret = join(sb.dir, 'shadow');

  it('state.json replaced by a symlink: not followed, its target never quoted, only the link removed', () => {
    writeFileSync(secret, 'root:$6$notahash:19000:0:99999:7:::\n');
    const id = sb.create(baseSpec(['sleep', '100']));
    const file = join(sb.root, id, 'state.json');
    rmSync(file);
    symlinkSync(secret, file);
    for (const cmd of [['state', id], ['start', id], ['delete', id], ['pause', id], ['ps', id]]) {
      const r = sb.run(cmd);
      expect(r.status, cmd.join(' ')).toBe(1);
      const line = oneErrorLine(r.stderr);
      expect(line, cmd.join(' ')).not.toContain('root:');
      expect(line, cmd.join(' ')).toMatch(/state\.json: a symbolic link, not a regular file/);
    }
    const list = sb.ok(['list', '--format', 'json']);
    expect(list).not.toContain('root:');
    sb.ok(['delete', '--force', id]);
    expect(readFileSync(secret, 'utf8')).toMatch(/^root:/);
  });

  it('a state dir replaced by a symlink to another container\'s: never acted on through the link', () => {
    const victim = sb.create(baseSpec(['sleep', '100']));
    const link = uniqueId('link');
    symlinkSync(join(sb.root, victim), join(sb.root, link));
    for (const cmd of [['state', link], ['kill', link, 'KILL'], ['delete', link]]) {
      const r = sb.run(cmd);
      expect(r.status, cmd.join(' ')).toBe(1);
      expect(oneErrorLine(r.stderr)).toMatch(/a symbolic link, not a state directory/);
    }
    sb.ok(['delete', '--force', link]);
    expect(existsSync(join(sb.root, link))).toBe(false);
    expect(sb.state(victim).status).toBe('created');
  });
});
