import { describe, expect, it } from 'vitest';
import { parseFsIds, rootlessGateMode } from '../../../src/container/start-gate.js';

describe('parseFsIds', () => {
  it('takes the fourth id (fs) of the Uid and Gid lines', () => {
    const status = 'Name:\tsleep\nUid:\t0\t1000\t0\t1001\nGid:\t5\t6\t7\t100008\nGroups:\t\n';
    expect(parseFsIds(status)).toEqual({ uid: 1001, gid: 100008 });
  });

  it('a status without them is undefined', () => {
    expect(parseFsIds('Name:\tx\n')).toBeUndefined();
    expect(parseFsIds('Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n')).toBeUndefined();
  });
});

describe('rootlessGateMode', () => {
  it('an init running as the runtime\'s own uid: owner read (start) and write (init) only', () => {
    expect(rootlessGateMode(1000, 1000)).toBe(0o600);
  });
  it('an init running as another of the container\'s ids writes as "other"; still never readable by it', () => {
    expect(rootlessGateMode(100001, 1000)).toBe(0o602);
  });
});
