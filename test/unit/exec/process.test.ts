import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConsoleRequest } from '../../../src/container/console-socket.js';
import { planNamespaceJoins } from '../../../src/exec/namespaces.js';
import { loadProcessFile, parseUser, processFromFlags, type ExecFlags } from '../../../src/exec/process.js';
import * as K from '../../../src/linux/constants.js';
import type { Process } from '../../../src/spec/types.js';

const dir = mkdtempSync(join(tmpdir(), 'exec-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: Process = {
  terminal: true,
  consoleSize: { height: 10, width: 20 },
  cwd: '/srv',
  args: ['sleep', '1000'],
  env: ['PATH=/bin'],
  user: { uid: 5, gid: 6, additionalGids: [7] },
  capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
  noNewPrivileges: true,
};
const flags = (f: Partial<ExecFlags>): ExecFlags => ({ args: ['ls'], env: [], additionalGids: [], caps: [], ...f });

describe('processFromFlags (runc exec without --process)', () => {
  it('keeps the container process, replaces args, turns the terminal off unless --tty', () => {
    const p = processFromFlags(base, flags({}));
    expect(p).toMatchObject({ args: ['ls'], cwd: '/srv', terminal: false, user: { uid: 5, gid: 6 }, noNewPrivileges: true });
    expect(processFromFlags(base, flags({ tty: true })).terminal).toBe(true);
    expect(base.args).toEqual(['sleep', '1000']);
  });

  it('applies cwd, env, user, additional gids, no-new-privs, apparmor and label', () => {
    const p = processFromFlags(base, flags({ cwd: '/tmp', env: ['A=1'], user: '10:11', additionalGids: ['12'], noNewPrivs: false, apparmor: 'prof', processLabel: 'lbl' }));
    expect(p).toMatchObject({ cwd: '/tmp', env: ['PATH=/bin', 'A=1'], user: { uid: 10, gid: 11, additionalGids: [7, 12] }, noNewPrivileges: false, apparmorProfile: 'prof', selinuxLabel: 'lbl' });
    expect(processFromFlags(base, flags({ user: '10' })).user).toMatchObject({ uid: 10, gid: 6 });
  });

  it('--cap adds to bounding, effective, permitted; ambient only with inheritable', () => {
    const p = processFromFlags(base, flags({ caps: ['CAP_CHOWN'] }));
    expect(p.capabilities).toEqual({ bounding: ['CAP_KILL', 'CAP_CHOWN'], effective: ['CAP_KILL', 'CAP_CHOWN'], permitted: ['CAP_KILL', 'CAP_CHOWN'] });
    const withInh = processFromFlags({ ...base, capabilities: { inheritable: [] } }, flags({ caps: ['CAP_CHOWN'] }));
    expect(withInh.capabilities?.ambient).toEqual(['CAP_CHOWN']);
  });

  it('wants a command', () => {
    expect(() => processFromFlags(base, flags({ args: [] }))).toThrow(/^no command given: exec ID COMMAND \[ARGS\.\.\.\], or --process FILE$/);
  });

  it('refuses user names and out-of-range ids', () => {
    expect(() => parseUser('root')).toThrow(/--user "root": must be a number/);
    expect(() => parseUser('1:2:3')).toThrow(/uid or uid:gid/);
    expect(() => parseUser('4294967296')).toThrow(/from 0 to 2147483647/);
    expect(() => parseUser('0:4294967295')).toThrow(/^--user "4294967295": must be a number from 0 to 2147483647$/);
    expect(() => parseUser('2147483648')).toThrow(/from 0 to 2147483647/);
    expect(() => processFromFlags(base, flags({ additionalGids: ['4294967295'] }))).toThrow(/^--additional-gids "4294967295": must be a number from 0 to 2147483647$/);
    expect(parseUser('0:0')).toEqual({ uid: 0, gid: 0 });
    expect(parseUser('2147483647:2147483647')).toEqual({ uid: 2147483647, gid: 2147483647 });
  });
});

describe('loadProcessFile', () => {
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('accepts a runtime-spec process', () => {
    const f = write('ok.json', JSON.stringify({ args: ['true'], cwd: '/', env: ['A=b'] }));
    expect(loadProcessFile(f)).toEqual({ args: ['true'], cwd: '/', env: ['A=b'] });
  });

  it('names the file and the field', () => {
    expect(() => loadProcessFile(write('bad.json', JSON.stringify({ args: 'true', cwd: '/' })))).toThrow(/bad\.json: args: /);
    expect(() => loadProcessFile(write('nocwd.json', JSON.stringify({ args: ['true'] })))).toThrow(/nocwd\.json: .*cwd/);
    expect(() => loadProcessFile(write('syntax.json', '{"args": ['))).toThrow(/syntax\.json: line 1, column \d+: invalid JSON/);
    expect(() => loadProcessFile(write('array.json', '[]'))).toThrow(/array\.json: must be a JSON object \(a runtime-spec process\), got an array$/);
    expect(() => loadProcessFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read: no such file or directory/);
  });
});

describe('planNamespaceJoins', () => {
  it('joins what the init does not share with us, user first and mount last', () => {
    const self = { user: 1, ipc: 2, uts: 3, net: 4, pid: 5, cgroup: 6, time: 7, mnt: 8 };
    const init = { user: 1, ipc: 12, uts: 13, net: 4, pid: 15, cgroup: 16, time: 7, mnt: 18 };
    expect(planNamespaceJoins(init, self).map((j) => j.file)).toEqual(['ipc', 'uts', 'pid', 'cgroup', 'mnt']);
    const withUser = planNamespaceJoins({ ...init, user: 11 }, self);
    expect(withUser[0]).toEqual({ file: 'user', flag: K.CLONE_NEWUSER });
    expect(withUser[withUser.length - 1]).toEqual({ file: 'mnt', flag: K.CLONE_NEWNS });
  });

  it('skips types the kernel lacks', () => {
    expect(planNamespaceJoins({ time: undefined, mnt: 2 }, { time: undefined, mnt: 1 }).map((j) => j.file)).toEqual(['mnt']);
  });
});

describe('checkConsoleRequest (runc\'s rules)', () => {
  it('a terminal needs a socket unless the runtime stays in the foreground', () => {
    expect(() => checkConsoleRequest({ terminal: true })).toThrow(/cannot allocate tty if ocirun will detach/);
    expect(() => checkConsoleRequest({ terminal: true, detach: true })).toThrow(/cannot allocate tty/);
    expect(() => checkConsoleRequest({ terminal: true, detach: false })).not.toThrow();
    expect(() => checkConsoleRequest({ terminal: true, consoleSocketFd: 5 })).not.toThrow();
    expect(() => checkConsoleRequest({ terminal: true, consoleSocket: '/s' })).not.toThrow();
  });

  it('a socket needs a terminal', () => {
    expect(() => checkConsoleRequest({ terminal: false, consoleSocket: '/s' })).toThrow(/cannot use console socket/);
    expect(() => checkConsoleRequest({ terminal: false })).not.toThrow();
  });
});
