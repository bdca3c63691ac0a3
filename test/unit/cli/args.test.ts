// The parser follows runc's urfave/cli + Go flag conventions, which engines' command lines rely on.
import { describe, expect, it } from 'vitest';
import { helpText, optional, parseArgs, UsageError, type FlagSpecs } from '../../../src/cli/args.js';

const SPECS: FlagSpecs = {
  bundle: { kind: 'string', alias: ['b'], describe: 'bundle' },
  force: { kind: 'boolean', alias: ['f'], describe: 'force' },
  'preserve-fds': { kind: 'number', describe: 'fds' },
  env: { kind: 'list', alias: ['e'], describe: 'env' },
};

describe('parseArgs: value forms', () => {
  it.each([
    [['--bundle', '/b', 'id']],
    [['--bundle=/b', 'id']],
    [['-bundle', '/b', 'id']],
    [['-bundle=/b', 'id']],
    [['-b', '/b', 'id']],
    [['--b=/b', 'id']],
  ])('%j sets bundle and keeps the id', (argv) => {
    expect(parseArgs(argv, SPECS)).toEqual({ flags: { bundle: '/b' }, positionals: ['id'] });
  });

  it('keeps "=" inside a value', () => {
    expect(parseArgs(['--env=A=b=c'], SPECS).flags).toEqual({ env: ['A=b=c'] });
  });

  it('takes a value that starts with a dash after a string flag', () => {
    expect(parseArgs(['--bundle', '-weird', 'id'], SPECS)).toEqual({ flags: { bundle: '-weird' }, positionals: ['id'] });
  });

  it('accepts an empty value with =', () => {
    expect(parseArgs(['--bundle=', 'id'], SPECS).flags).toEqual({ bundle: '' });
  });
});

describe('parseArgs: booleans', () => {
  it.each([
    [['--force'], true],
    [['-f'], true],
    [['-force'], true],
    [['--force=true'], true],
    [['--force=1'], true],
    [['--force=false'], false],
    [['--force=0'], false],
  ])('%j → %s', (argv, want) => {
    expect(parseArgs([...argv, 'id'], SPECS)).toEqual({ flags: { force: want }, positionals: ['id'] });
  });

  it('never consumes the next argument', () => {
    expect(parseArgs(['--force', 'false'], SPECS)).toEqual({ flags: { force: true }, positionals: ['false'] });
  });

  it('rejects a value that is not a Go boolean', () => {
    expect(() => parseArgs(['--force=yes'], SPECS)).toThrow(/invalid boolean value "yes" for flag -force/);
  });
});

describe('parseArgs: numbers and lists', () => {
  it('parses integers', () => {
    expect(parseArgs(['--preserve-fds', '2', 'id'], SPECS).flags).toEqual({ 'preserve-fds': 2 });
    expect(parseArgs(['--preserve-fds=0', 'id'], SPECS).flags).toEqual({ 'preserve-fds': 0 });
  });

  it.each(['x', '', '1.5', ' '])('rejects %j as a number', (v) => {
    expect(() => parseArgs([`--preserve-fds=${v}`], SPECS)).toThrow(UsageError);
  });

  it('collects repeated list flags in order, through aliases too', () => {
    expect(parseArgs(['-e', 'A=1', '--env=B=2', '--env', 'C=3'], SPECS).flags).toEqual({ env: ['A=1', 'B=2', 'C=3'] });
  });

  it('a repeated string flag keeps the last value (Go flag)', () => {
    expect(parseArgs(['--bundle', 'a', '--bundle', 'b'], SPECS).flags).toEqual({ bundle: 'b' });
  });
});

describe('parseArgs: options after positionals (urfave/cli reorders them)', () => {
  it('kill ID 9 keeps both positionals', () => {
    expect(parseArgs(['ID', '9'], { all: { kind: 'boolean', alias: ['a'], describe: '' } })).toEqual({ flags: {}, positionals: ['ID', '9'] });
  });

  it('kill ID 9 --all', () => {
    expect(parseArgs(['ID', '9', '--all'], { all: { kind: 'boolean', alias: ['a'], describe: '' } })).toEqual({ flags: { all: true }, positionals: ['ID', '9'] });
  });

  it('delete ID --force', () => {
    expect(parseArgs(['ID', '--force'], SPECS)).toEqual({ flags: { force: true }, positionals: ['ID'] });
  });

  it('create ID --bundle B', () => {
    expect(parseArgs(['ID', '--bundle', '/b'], SPECS)).toEqual({ flags: { bundle: '/b' }, positionals: ['ID'] });
  });

  it('"--" ends the flags', () => {
    expect(parseArgs(['--force', '--', '--bundle', 'x'], SPECS)).toEqual({ flags: { force: true }, positionals: ['--bundle', 'x'] });
  });

  it('"-" is a positional', () => {
    expect(parseArgs(['-'], SPECS).positionals).toEqual(['-']);
  });

  it('stopAfterPositionals leaves the process arguments alone (exec ID sh -c ...)', () => {
    const parsed = parseArgs(['--force', 'ID', 'sh', '-c', '--bundle'], SPECS, { stopAfterPositionals: 1 });
    expect(parsed).toEqual({ flags: { force: true }, positionals: ['ID', 'sh', '-c', '--bundle'] });
  });
});

describe('parseArgs: errors in Go flag wording', () => {
  it.each([
    [['-x'], 'flag provided but not defined: -x'],
    [['--nope=1'], 'flag provided but not defined: -nope'],
    [['id', '--what'], 'flag provided but not defined: -what'],
    [['--bundle'], 'flag needs an argument: -bundle'],
    [['id', '-b'], 'flag needs an argument: -b'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseArgs(argv, SPECS)).toThrow(new UsageError(message));
  });
});

describe('optional', () => {
  const flags = { 'pid-file': '/run/p', 'lsm-mount-context': 'system_u:object_r:x:s0', 'preserve-fds': 2 };

  it('names the field for the flag, camel-cased', () => {
    expect(optional(flags, 'pid-file')).toEqual({ pidFile: '/run/p' });
    expect(optional(flags, 'lsm-mount-context')).toEqual({ lsmMountContext: 'system_u:object_r:x:s0' });
  });

  it('gives no key at all for a flag not given or not a string', () => {
    expect(Object.keys({ ...optional(flags, 'console-socket'), ...optional(flags, 'preserve-fds') })).toEqual([]);
  });
});

describe('helpText', () => {
  it('lists every flag with its aliases and marks the ones that take a value', () => {
    const text = helpText('delete [command options] <container-id>', 'Delete a container.', SPECS);
    expect(text.split('\n').slice(0, 3)).toEqual(['Usage: ocirun delete [command options] <container-id>', '', 'Delete a container.']);
    expect(text).toMatch(/--bundle, -b value\s+bundle/);
    expect(text).toMatch(/--force, -f\s+force\n/);
    expect(text).toMatch(/--preserve-fds value/);
  });

  it('has no Options section without flags', () => {
    expect(helpText('start <container-id>', 'Start.', {})).not.toMatch(/Options/);
  });
});
