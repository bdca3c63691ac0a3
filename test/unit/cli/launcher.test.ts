// bin/ocirun picks the bundle of the command an argument list names before main runs, so it must
// read the global options as main does: which of them take a value. A wrong guess costs only
// speed (main finds the command itself), so nothing but this test would notice one.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS, splitGlobals } from '../../../src/cli/main.js';

interface Launcher {
  commandName(argv: readonly string[]): string | undefined;
  VALUE_FLAGS: ReadonlySet<string>;
}
const { commandName, VALUE_FLAGS } = createRequire(import.meta.url)('../../../bin/ocirun') as Launcher;

describe('bin/ocirun, the command a start loads', () => {
  it('knows the global options that take a value, as main declares them', () => {
    const taking = Object.entries(GLOBAL_FLAGS).filter(([, spec]) => spec.kind !== 'boolean').map(([name]) => name);
    expect([...VALUE_FLAGS].sort()).toEqual(taking.sort());
  });

  it.each([
    [['state', 'c1']],
    [['--root', '/run/x', '--log', '/l.json', '--log-format', 'json', 'create', '--bundle', 'b', 'c1']],
    [['--root=/run/x', '--systemd-cgroup', 'kill', 'c1', 'KILL']],
    [['-root', 'run', '--debug', 'state', 'c1']],
    [['--rootless', 'true', '--criu', '/usr/sbin/criu', 'checkpoint', 'c1']],
    [['--help']],
    [['--version']],
    [[]],
  ])('reads %j as main does', (argv) => {
    expect(commandName(argv)).toBe(splitGlobals(argv).rest[0]);
  });
});
