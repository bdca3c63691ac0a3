import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/args.js';
import { defaultStateRoot, parseRootlessFlag, rootlessCgroups } from '../../../src/cli/rootless.js';
import { uidMapShowsUserNamespace } from '../../../src/linux/userns.js';

describe('--rootless', () => {
  it.each([
    [undefined, undefined], ['', undefined], ['auto', undefined],
    ['true', true], ['1', true], ['t', true], ['TRUE', true],
    ['false', false], ['0', false], ['f', false], ['False', false],
  ])('%j parses as %j (Go strconv.ParseBool, or auto)', (value, want) => {
    expect(parseRootlessFlag(value)).toBe(want);
  });

  it('refuses anything else, naming the flag', () => {
    expect(() => parseRootlessFlag('yes')).toThrow(UsageError);
    expect(() => parseRootlessFlag('yes')).toThrow(/--rootless "yes": must be true, false or auto/);
  });

  it('auto: rootless for a non-root caller and for uid 0 in a user namespace, not for real root', () => {
    expect(rootlessCgroups(undefined, { euid: 1000, inUserNamespace: false })).toBe(true);
    expect(rootlessCgroups(undefined, { euid: 0, inUserNamespace: true })).toBe(true);
    expect(rootlessCgroups(undefined, { euid: 0, inUserNamespace: false })).toBe(false);
  });

  it('an explicit value wins over detection', () => {
    expect(rootlessCgroups(false, { euid: 1000, inUserNamespace: false })).toBe(false);
    expect(rootlessCgroups(true, { euid: 0, inUserNamespace: false })).toBe(true);
  });
});

describe('user namespace detection (/proc/self/uid_map, first line)', () => {
  it.each([
    ['         0          0 4294967295', false],
    ['0 0 4294967295', false],
    ['         0       1001          1', true],
    ['0 100000 65536', true],
    ['', true],
    ['garbage', false],
  ])('%j -> %j', (line, want) => {
    expect(uidMapShowsUserNamespace(line)).toBe(want);
  });
});

describe('default state root', () => {
  const env = { XDG_RUNTIME_DIR: '/run/user/1000', USER: 'alice' };
  it('real root: /run/ocirun, even with XDG_RUNTIME_DIR set', () => {
    expect(defaultStateRoot({ euid: 0, inUserNamespace: false }, { XDG_RUNTIME_DIR: '/run/user/0' })).toEqual({ root: '/run/ocirun', xdg: false });
  });
  it('a non-root caller: $XDG_RUNTIME_DIR/ocirun', () => {
    expect(defaultStateRoot({ euid: 1000, inUserNamespace: false }, env)).toEqual({ root: '/run/user/1000/ocirun', xdg: true });
  });
  it('a non-root caller without XDG_RUNTIME_DIR: /run/ocirun, never a shared directory like /tmp', () => {
    expect(defaultStateRoot({ euid: 1000, inUserNamespace: false }, {})).toEqual({ root: '/run/ocirun', xdg: false });
  });
  it('uid 0 in a user namespace: XDG unless USER says root (runc rule)', () => {
    expect(defaultStateRoot({ euid: 0, inUserNamespace: true }, env).root).toBe('/run/user/1000/ocirun');
    expect(defaultStateRoot({ euid: 0, inUserNamespace: true }, { XDG_RUNTIME_DIR: '/run/user/1000' }).root).toBe('/run/user/1000/ocirun');
    expect(defaultStateRoot({ euid: 0, inUserNamespace: true }, { ...env, USER: 'root' }).root).toBe('/run/ocirun');
  });
});
