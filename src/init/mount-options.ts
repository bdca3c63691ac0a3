import * as K from '../linux/constants.js';

// config.md "Mounts" options for Linux: mount(8) flag words become MS_* flags, propagation
// words become separate propagation calls, recursive words (rro, rnosuid, ...) become
// mount_setattr(AT_RECURSIVE) attributes, and every other word is filesystem data (mode=755).

export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

/** [clear?, MS_* flag]: a word either sets or clears its flag. */
const FLAG_WORDS: Readonly<Record<string, readonly [boolean, number]>> = {
  defaults: [false, 0],
  ro: [false, K.MS_RDONLY],
  rw: [true, K.MS_RDONLY],
  suid: [true, K.MS_NOSUID],
  nosuid: [false, K.MS_NOSUID],
  dev: [true, K.MS_NODEV],
  nodev: [false, K.MS_NODEV],
  exec: [true, K.MS_NOEXEC],
  noexec: [false, K.MS_NOEXEC],
  sync: [false, K.MS_SYNCHRONOUS],
  async: [true, K.MS_SYNCHRONOUS],
  dirsync: [false, K.MS_DIRSYNC],
  remount: [false, K.MS_REMOUNT],
  mand: [false, K.MS_MANDLOCK],
  nomand: [true, K.MS_MANDLOCK],
  atime: [true, K.MS_NOATIME],
  noatime: [false, K.MS_NOATIME],
  diratime: [true, K.MS_NODIRATIME],
  nodiratime: [false, K.MS_NODIRATIME],
  bind: [false, K.MS_BIND],
  rbind: [false, K.MS_BIND | K.MS_REC],
  relatime: [false, K.MS_RELATIME],
  norelatime: [true, K.MS_RELATIME],
  strictatime: [false, K.MS_STRICTATIME],
  nostrictatime: [true, K.MS_STRICTATIME],
  lazytime: [false, K.MS_LAZYTIME],
  nolazytime: [true, K.MS_LAZYTIME],
  iversion: [false, K.MS_I_VERSION],
  noiversion: [true, K.MS_I_VERSION],
  silent: [false, K.MS_SILENT],
  loud: [true, K.MS_SILENT],
  nosymfollow: [false, K.MS_NOSYMFOLLOW],
  symfollow: [true, K.MS_NOSYMFOLLOW],
};

/** Mount propagation by name: mount options and linux.rootfsPropagation use the same words. */
export const PROPAGATION_WORDS: Readonly<Record<string, number>> = {
  private: K.MS_PRIVATE,
  rprivate: K.MS_PRIVATE | K.MS_REC,
  shared: K.MS_SHARED,
  rshared: K.MS_SHARED | K.MS_REC,
  slave: K.MS_SLAVE,
  rslave: K.MS_SLAVE | K.MS_REC,
  unbindable: K.MS_UNBINDABLE,
  runbindable: K.MS_UNBINDABLE | K.MS_REC,
};

/** [clear?, MOUNT_ATTR_*]; atime words set the whole atime field. */
const RECURSIVE_WORDS: Readonly<Record<string, readonly [boolean, number]>> = {
  rro: [false, MOUNT_ATTR_RDONLY],
  rrw: [true, MOUNT_ATTR_RDONLY],
  rnosuid: [false, MOUNT_ATTR_NOSUID],
  rsuid: [true, MOUNT_ATTR_NOSUID],
  rnodev: [false, MOUNT_ATTR_NODEV],
  rdev: [true, MOUNT_ATTR_NODEV],
  rnoexec: [false, MOUNT_ATTR_NOEXEC],
  rexec: [true, MOUNT_ATTR_NOEXEC],
  rnodiratime: [false, MOUNT_ATTR_NODIRATIME],
  rdiratime: [true, MOUNT_ATTR_NODIRATIME],
  rrelatime: [false, MOUNT_ATTR_RELATIME],
  rnorelatime: [true, MOUNT_ATTR_RELATIME],
  rnoatime: [false, MOUNT_ATTR_NOATIME],
  ratime: [true, MOUNT_ATTR_NOATIME],
  rstrictatime: [false, MOUNT_ATTR_STRICTATIME],
  rnostrictatime: [true, MOUNT_ATTR_STRICTATIME],
  rnosymfollow: [false, MOUNT_ATTR_NOSYMFOLLOW],
  rsymfollow: [true, MOUNT_ATTR_NOSYMFOLLOW],
};

/** Words this runtime understands beyond flags: runc's extension, and the idmapped-mount words (plan.ts). */
const EXTENSION_WORDS = new Set(['tmpcopyup', 'idmap', 'ridmap']);

export const KNOWN_MOUNT_OPTIONS: readonly string[] = [
  ...Object.keys(FLAG_WORDS),
  ...Object.keys(PROPAGATION_WORDS),
  ...Object.keys(RECURSIVE_WORDS),
  ...EXTENSION_WORDS,
].sort();

export interface ParsedMountOptions {
  flags: number;
  propagation: number[];
  recursiveSet: number;
  recursiveClear: number;
  data: string;
  tmpcopyup: boolean;
}

export function parseMountOptions(options: readonly string[] | undefined): ParsedMountOptions {
  let flags = 0;
  let recursiveSet = 0;
  let recursiveClear = 0;
  const propagation: number[] = [];
  const data: string[] = [];
  let tmpcopyup = false;
  for (const word of options ?? []) {
    const flag = FLAG_WORDS[word];
    const prop = PROPAGATION_WORDS[word];
    const rec = RECURSIVE_WORDS[word];
    if (flag) {
      const [clear, bit] = flag;
      flags = clear ? flags & ~bit : flags | bit;
    } else if (prop !== undefined) {
      propagation.push(prop);
    } else if (rec) {
      const [clear, bit] = rec;
      // Atime words are values of one field, not independent bits.
      if (bit === MOUNT_ATTR_RELATIME || bit === MOUNT_ATTR_NOATIME || bit === MOUNT_ATTR_STRICTATIME) {
        if (clear) recursiveClear |= MOUNT_ATTR__ATIME;
        else {
          recursiveSet = (recursiveSet & ~MOUNT_ATTR__ATIME) | bit;
          recursiveClear |= MOUNT_ATTR__ATIME;
        }
      } else if (clear) recursiveClear |= bit;
      else recursiveSet |= bit;
    } else if (word === 'tmpcopyup') {
      tmpcopyup = true;
    } else if (!EXTENSION_WORDS.has(word)) {
      data.push(word);
    }
  }
  return { flags, propagation, recursiveSet, recursiveClear, data: data.join(','), tmpcopyup };
}
