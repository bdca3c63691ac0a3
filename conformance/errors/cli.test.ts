// The command line itself: ids, --root, --help, --version, usage errors (runc's behaviour).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { launcherFlags } from '../../scripts/launcher-flags.cjs';
import { baseSpec, OCIRUN, REPO, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('errors-cli');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/**
 * ocirun without the sandbox's bookkeeping: a refused id must not be remembered for cleanup,
 * which would try (and fail) to delete it.
 */
function raw(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(OCIRUN, ['--root', sb.root, ...args], { encoding: 'utf8', input: '', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 20_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = ['create', 'start', 'state', 'kill', 'delete', 'run', 'list', 'spec'];

describe('container ids', () => {
  it.each(['../escape', '..', 'x'.repeat(256)])('%j is refused by every command, touching nothing', (id) => {
    const bundle = sb.bundle(baseSpec(['true']));
    for (const args of [['create', '--bundle', bundle, id], ['state', id], ['start', id], ['kill', id], ['delete', '--force', id]]) {
      const r = raw(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/invalid container id/);
    }
  });

  it('an empty id: runc\'s words', () => {
    const r = sb.run(['state', '']);
    expect(r).toMatchObject({ status: 1 });
    expect(r.stderr).toMatch(/container id cannot be empty/);
  });
});

describe('--root', () => {
  it('a relative root is relative to the caller\'s directory, for every later command', () => {
    const cwd = join(sb.dir, 'rel-cwd');
    mkdirSync(cwd, { recursive: true });
    const id = uniqueId();
    const bundle = sb.bundle(baseSpec(['sleep', '100']));
    const run = (args: string[]) => sb.run(['--root', 'relroot', ...args], { cwd });
    expect(run(['create', '--bundle', bundle, id]).status).toBe(0);
    expect(JSON.parse(run(['state', id]).stdout)).toMatchObject({ id, status: 'created' });
    expect(run(['list', '-q']).stdout).toBe(`${id}\n`);
    expect(run(['delete', '--force', id]).status).toBe(0);
    expect(run(['list', '-q']).stdout).toBe('');
  });

  it('a root that is a file: one clear line, exit 1', () => {
    const file = join(sb.dir, 'a-file');
    writeFileSync(file, '');
    for (const args of [['list'], ['state', 'x'], ['delete', '--force', 'x'], ['create', '--bundle', sb.bundle(baseSpec()), uniqueId()]]) {
      const r = sb.run(['--root', file, '--log-format', 'json', ...args]);
      expect(r.status, args.join(' ')).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect((JSON.parse(lines[0] as string) as { msg: string }).msg).toMatch(`--root ${file}: not a directory`);
    }
  });
});

describe('--help and --version', () => {
  it.each(COMMANDS)('%s --help prints its usage, exit 0', (cmd) => {
    const r = raw([cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ocirun ${cmd} `));
  });

  it('-h, and --help after other arguments, too', () => {
    for (const argv of [['kill', '-h'], ['delete', 'some-id', '--help'], ['create', '--bundle', '/x', 'id', '-h']]) {
      const cmd = argv[0] as string;
      const r = raw(argv);
      expect(r.status, argv.join(' ')).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: ocirun ${cmd} `));
    }
  });

  it('-h after exec\'s container id belongs to the process, not to ocirun', () => {
    const id = uniqueId();
    sb.ok(['run', '--detach', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), id]);
    const r = sb.run(['exec', id, 'sh', '-c', 'echo "args: $*"', 'sh', '-h', '--help']);
    expect(r).toMatchObject({ status: 0, stdout: 'args: -h --help\n' });
  });

  it('ocirun --help and ocirun alone list the commands', () => {
    for (const argv of [['--help'], [], ['help']]) {
      const r = raw(argv);
      expect(r.status, argv.join(' ')).toBe(0);
      for (const cmd of COMMANDS) expect(r.stdout).toContain(cmd);
    }
  });

  it('--version: "ocirun version X" then "spec: 1.x.y" (go-runc parses these lines)', () => {
    for (const flag of ['--version', '-v']) {
      const lines = sb.ok([flag]).split('\n');
      expect(lines[0]).toMatch(/^ocirun version \d+\.\d+\.\d+/);
      expect(lines.find((l) => l.startsWith('spec: '))).toMatch(/^spec: 1\.\d+\.\d+$/);
      expect(lines[1]).toMatch(/^commit: /);
    }
  });
});

describe('the bundle bin/ocirun loads', () => {
  // bin/ocirun loads the bundle of the command it reads in argv, main included; main parses argv
  // again and must run the command it finds, should the launcher have read another one.
  it('any command\'s bundle runs the command main reads', () => {
    const id = uniqueId();
    sb.ok(['create', '--bundle', sb.bundle(baseSpec(['sleep', '100'])), id]);
    const script = `require(${JSON.stringify(OCIRUN)}).loadBundle(${JSON.stringify(join(REPO, 'dist/cli/commands/run.cjs'))})` +
      `.main(${JSON.stringify(['--root', sb.root, 'state', id])}).then((code) => { process.exitCode = code; });`;
    const r = spawnSync(process.execPath, [...launcherFlags(), '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id, status: 'created' });
  });
});

describe('usage errors (Go flag / urfave wording)', () => {
  it.each([
    [['state', '-x', 'id'], 'flag provided but not defined: -x'],
    [['delete', 'id', '--bogus'], 'flag provided but not defined: -bogus'],
    [['--bogus', 'list'], 'flag provided but not defined: -bogus'],
    [['state'], '"state" requires exactly 1 argument(s)'],
    [['delete', 'a', 'b'], '"delete" requires exactly 1 argument(s)'],
    [['create', '--bundle'], 'flag needs an argument: -bundle'],
    [['nosuchcommand'], "No help topic for 'nosuchcommand'"],
    [['--log-format', 'xml', 'list'], 'xml'],
  ])('%j → %s, exit 1, one line', (argv, words) => {
    const r = raw(argv);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(words.replace(/"/g, '\\"'));
  });

  it('--log writes the error line to the file instead of stderr, as json when asked', () => {
    const log = join(sb.dir, `${uniqueId('log')}.json`);
    const r = sb.run(['--log', log, '--log-format=json', 'state', 'no-such-container']);
    expect(r.status).toBe(1);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(Object.keys(JSON.parse(lines[0] as string) as object)).toEqual(['level', 'msg', 'time']);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'error', msg: 'container does not exist' });
  });
});
