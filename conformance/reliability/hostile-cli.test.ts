// Issue 7 "Hostile input": command lines an engine or a user may get wrong. Every one exits 1
// with one error line and touches nothing outside --root.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { oneErrorLine } from './leaks.js';

const sb = new Sandbox('reliability-cli');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/** ocirun with an explicit --root (or none); unlike sb.run it does not track ids for cleanup. */
function raw(args: string[], opts: { cwd?: string; uid?: number; gid?: number } = {}) {
  const r = spawnSync(OCIRUN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

function fails(args: string[], why: RegExp): void {
  const r = raw(['--root', sb.root, ...args]);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
  expect(oneErrorLine(r.stderr)).toMatch(why);
}

describe('flags and arguments', () => {
  it.each([
    [['create', '--bogus', 'x'], /flag provided but not defined: -bogus/],
    [['--bogus', 'list'], /flag provided but not defined: -bogus/],
    [['kill', '--all=maybe', 'x'], /invalid boolean value/],
    [['create', '--preserve-fds', 'many', 'x'], /must be an integer/],
    [['create', '--bundle'], /flag needs an argument: -bundle/],
    [['no-such-command'], /unknown command/],
  ])('%j', (args, why) => fails(args, why));

  it.each(['state', 'start', 'kill', 'delete', 'create'])('%s without an id', (cmd) => {
    fails([cmd], /requires (exactly 1|at least 1|1 to \d) argument/);
  });

  it.each([['state'], ['start'], ['delete'], ['kill'], ['create', '--bundle', '/nonexistent']])('%j with an extra argument', (...cmd) => {
    fails([...cmd, 'a', 'b', 'c'], /requires (exactly \d|at least \d|\d to \d) argument/);
  });
});

describe('container ids', () => {
  it.each(['a/b', '../escape', '..', '.', 'x/../../escape', 'spaces here', 'tab\there', 'new\nline', 'ünïcode', '$(id)', '*'])('%j is rejected before anything is touched', (id) => {
    const bundle = sb.bundle(baseSpec(['true']));
    for (const args of [['create', '--bundle', bundle, id], ['state', id], ['start', id], ['kill', id, 'KILL'], ['delete', '--force', id]]) {
      fails(args, /invalid container id/);
    }
    expect(existsSync(join(sb.dir, 'escape'))).toBe(false);
    expect(existsSync(sb.root) ? readdirSync(sb.root) : []).toEqual([]);
  });

  it('an empty id is rejected', () => {
    fails(['state', ''], /container id cannot be empty/);
  });

  it('NUL cannot reach ocirun: execve takes C strings, so the caller\'s spawn refuses it', () => {
    expect(() => spawnSync(OCIRUN, ['state', 'a\0b'])).toThrow(/null bytes/);
  });

  it('a 1 MiB id cannot reach ocirun either: the kernel caps one argument at 128 KiB (E2BIG)', () => {
    expect(raw(['state', 'x'.repeat(1 << 20)]).error?.message).toMatch(/E2BIG/);
  });

  it('the longest id the kernel passes is refused in one short line', () => {
    const r = raw(['--root', sb.root, 'state', 'x'.repeat(128 * 1024 - 1)]);
    expect(r.status).toBe(1);
    const line = oneErrorLine(r.stderr);
    expect(line).toMatch(/invalid container id: longer than 255 characters/);
    expect(line.length).toBeLessThan(200);
  });

  it('a 255-character id (one path component) works end to end; 256 is refused', () => {
    const id = `${uniqueId('long')}-`.padEnd(255, 'x');
    sb.ok(['create', '--bundle', sb.bundle(baseSpec(['true'])), id]);
    expect(sb.state(id).status).toBe('created');
    sb.ok(['delete', '--force', id]);
    fails(['create', '--bundle', sb.bundle(baseSpec(['true'])), `${id}y`], /longer than 255/);
  });
});

describe('--root', () => {
  it('pointing at a file: every command fails in one line naming it, nothing is created', () => {
    const file = join(sb.dir, 'root-is-a-file');
    writeFileSync(file, 'x');
    const bundle = sb.bundle(baseSpec(['true']));
    const id = uniqueId('rf');
    for (const args of [['create', '--bundle', bundle, id], ['state', id], ['list'], ['start', id], ['kill', id, 'KILL'], ['delete', id]]) {
      const r = raw(['--root', file, ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(oneErrorLine(r.stderr)).toMatch(/root-is-a-file|not a directory|does not exist/);
    }
    expect(statSync(file).isFile()).toBe(true);
  });

  it('relative: resolved against the working directory, the same container from every command', () => {
    const cwd = join(sb.dir, 'cwd');
    mkdirSync(cwd, { recursive: true });
    const id = uniqueId('rel');
    expect(raw(['--root', 'rel-root', 'create', '--bundle', sb.bundle(baseSpec(['true'])), id], { cwd }).status).toBe(0);
    try {
      expect(existsSync(join(cwd, 'rel-root', id, 'state.json'))).toBe(true);
      const st = raw(['--root', 'rel-root', 'state', id], { cwd });
      expect(JSON.parse(st.stdout)).toMatchObject({ id, status: 'created' });
      expect(raw(['--root', join(cwd, 'rel-root'), 'list', '-q']).stdout).toContain(id);
    } finally {
      expect(raw(['--root', 'rel-root', 'delete', '--force', id], { cwd }).status).toBe(0);
    }
    expect(readdirSync(join(cwd, 'rel-root'))).toEqual([]);
  });

  it('a state dir owned by another user: that user is refused in one line, the container is untouched', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    const nobody = { uid: 65534, gid: 65534 };
    for (const args of [['state', id], ['kill', id, 'KILL'], ['delete', '--force', id], ['create', '--bundle', sb.bundle(baseSpec(['true'])), uniqueId('nb')]]) {
      const r = raw(['--root', sb.root, ...args], { ...nobody, cwd: '/' });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(oneErrorLine(r.stderr)).toMatch(/permission denied|EACCES|operation not permitted/i);
    }
    expect(sb.state(id).status).toBe('created');
  });

  it('a state dir chowned to another user is still listed, with that owner, and deletable by root', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    chownSync(join(sb.root, id), 65534, 65534);
    const rows = (JSON.parse(sb.ok(['list', '--format', 'json'])) as Array<{ id: string; owner: string; status: string }> | null) ?? [];
    expect(rows.find((r) => r.id === id)).toMatchObject({ status: 'created', owner: expect.stringMatching(/nobody|#65534/) });
    sb.ok(['delete', '--force', id]);
  });
});
