import { isFrozenV1 } from './v1/freezer.js';
import { isFrozenV2 } from './v2/freezer.js';

export interface FreezerDir {
  path: string;
  v2: boolean;
}

/**
 * The directory that freezes a container, from its cgroup paths keyed as the managers key them
 * ('' is the cgroup2 side): the v1 freezer, or else cgroup.freeze of the cgroup2 directory
 * (a pure v2 host, or a hybrid one without a v1 freezer).
 */
export function freezerDir(dirOf: (key: string) => string | undefined): FreezerDir | undefined {
  const v1 = dirOf('freezer');
  if (v1 !== undefined) return { path: v1, v2: false };
  const v2 = dirOf('');
  return v2 !== undefined ? { path: v2, v2: true } : undefined;
}

export function isFrozenDir(dir: FreezerDir | undefined): boolean {
  if (dir === undefined) return false;
  return dir.v2 ? isFrozenV2(dir.path) : isFrozenV1(dir.path);
}
