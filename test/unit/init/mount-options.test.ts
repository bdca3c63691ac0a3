// config.md "Mounts" options: flag words, propagation words, recursive attributes and fs data.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import {
  KNOWN_MOUNT_OPTIONS, MOUNT_ATTR__ATIME, MOUNT_ATTR_NOATIME, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOSUID, MOUNT_ATTR_RDONLY, MOUNT_ATTR_RELATIME,
  MOUNT_ATTR_STRICTATIME, parseMountOptions,
} from '../../../src/init/mount-options.js';

describe('parseMountOptions', () => {
  it('nothing → no flags, no data', () => {
    expect(parseMountOptions(undefined)).toEqual({ flags: 0, propagation: [], recursiveSet: 0, recursiveClear: 0, data: '', tmpcopyup: false });
  });

  it("turns runc's default /dev options into flags and data", () => {
    const o = parseMountOptions(['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
    expect(o.flags).toBe(K.MS_NOSUID | K.MS_STRICTATIME);
    expect(o.data).toBe('mode=755,size=65536k');
  });

  it('a later word overrides an earlier one', () => {
    expect(parseMountOptions(['ro', 'rw']).flags).toBe(0);
    expect(parseMountOptions(['rw', 'ro']).flags).toBe(K.MS_RDONLY);
    expect(parseMountOptions(['noexec', 'exec', 'nodev']).flags).toBe(K.MS_NODEV);
  });

  it.each([
    ['bind', K.MS_BIND],
    ['rbind', K.MS_BIND | K.MS_REC],
    ['nosuid', K.MS_NOSUID],
    ['nodev', K.MS_NODEV],
    ['noexec', K.MS_NOEXEC],
    ['relatime', K.MS_RELATIME],
    ['noatime', K.MS_NOATIME],
    ['sync', K.MS_SYNCHRONOUS],
    ['nosymfollow', K.MS_NOSYMFOLLOW],
    ['defaults', 0],
  ])('%s → flag %s', (word, flag) => {
    expect(parseMountOptions([word]).flags).toBe(flag);
  });

  it('propagation words are kept apart, in order', () => {
    const o = parseMountOptions(['rbind', 'rprivate', 'shared']);
    expect(o.flags).toBe(K.MS_BIND | K.MS_REC);
    expect(o.propagation).toEqual([K.MS_PRIVATE | K.MS_REC, K.MS_SHARED]);
  });

  it('recursive words become mount_setattr attributes', () => {
    const o = parseMountOptions(['rbind', 'rro', 'rnosuid', 'rnodev']);
    expect(o.recursiveSet).toBe(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    expect(o.recursiveClear).toBe(0);
    expect(parseMountOptions(['rrw']).recursiveClear).toBe(MOUNT_ATTR_RDONLY);
  });

  it('recursive atime words replace the whole atime field', () => {
    const o = parseMountOptions(['rnoatime', 'rstrictatime']);
    expect(o.recursiveSet).toBe(MOUNT_ATTR_STRICTATIME);
    expect(o.recursiveClear).toBe(MOUNT_ATTR__ATIME);
    expect(parseMountOptions(['rrelatime']).recursiveSet & MOUNT_ATTR__ATIME).toBe(MOUNT_ATTR_RELATIME);
    expect(parseMountOptions(['rnoatime']).recursiveSet).toBe(MOUNT_ATTR_NOATIME);
  });

  it('tmpcopyup is an extension, not data', () => {
    expect(parseMountOptions(['tmpcopyup', 'mode=1777'])).toMatchObject({ tmpcopyup: true, data: 'mode=1777' });
  });

  it('unknown words are filesystem data, in order', () => {
    expect(parseMountOptions(['newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']).data).toBe('newinstance,ptmxmode=0666,mode=0620,gid=5');
  });

  it("KNOWN_MOUNT_OPTIONS lists runc's words (features)", () => {
    for (const w of ['rbind', 'rro', 'tmpcopyup', 'nosymfollow', 'runbindable', 'strictatime']) expect(KNOWN_MOUNT_OPTIONS).toContain(w);
    expect([...KNOWN_MOUNT_OPTIONS]).toEqual([...KNOWN_MOUNT_OPTIONS].sort());
  });
});
