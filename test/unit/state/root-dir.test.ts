import { describe, expect, it } from 'vitest';
import { stateRootProblem } from '../../../src/state/root-dir.js';

describe('state root ownership', () => {
  it('the caller\'s own 0700 or 0711 directory is fine, and so is one of root', () => {
    expect(stateRootProblem('/r', { uid: 1000, mode: 0o40700 }, 1000)).toBeUndefined();
    expect(stateRootProblem('/r', { uid: 1000, mode: 0o41700 }, 1000)).toBeUndefined();
    expect(stateRootProblem('/r', { uid: 0, mode: 0o40711 }, 1000)).toBeUndefined();
  });
  it('another user\'s directory is refused, naming both uids', () => {
    expect(stateRootProblem('/tmp/x', { uid: 1001, mode: 0o40700 }, 1000)).toMatch(/state root \/tmp\/x belongs to uid 1001, not to this user \(uid 1000\)/);
  });
  it('a group- or world-writable directory is refused, even the caller\'s own', () => {
    expect(stateRootProblem('/r', { uid: 1000, mode: 0o40777 }, 1000)).toMatch(/writable by every user \(mode 0777\)/);
    expect(stateRootProblem('/r', { uid: 1000, mode: 0o41777 }, 1000)).toMatch(/writable by every user/);
    expect(stateRootProblem('/r', { uid: 0, mode: 0o40770 }, 0)).toMatch(/writable by its group/);
  });
});
