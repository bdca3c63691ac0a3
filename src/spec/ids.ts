// User and group ids a config hands to setresuid/setresgid/setgroups/fchownat and to
// uid_map/gid_map. The schema allows any uint32, but (uid_t)-1 = 4294967295 means "leave
// unchanged" to the set*id calls: a process user of 4294967295 would silently keep root.
import type { SpecProblem } from './config-error.js';
import { childPath, indexPath } from './json-path.js';
import type { IDMapping, Process, Spec } from './types.js';

/** runc's range for the ids a process runs as (libcontainer/user: minID..maxID). */
export const MAX_ID = 2 ** 31 - 1;
/** The largest id the kernel maps: uid_map/gid_map refuse (u32)-1 and ranges that wrap past it. */
const MAX_MAPPED_ID = 2 ** 32 - 2;

/** NGROUPS_MAX: setgroups(2) refuses longer lists. */
const MAX_GROUPS = 65536;

export const ID_RANGE = `user and group ids must be from 0 to ${MAX_ID}`;

/** Why `value` cannot be a process's (or a file's) user or group id; undefined when it can. */
export function idProblem(value: number): string | undefined {
  if (Number.isInteger(value) && value >= 0 && value <= MAX_ID) return undefined;
  return `${value} is out of range: ${ID_RANGE}`;
}

/** process.user.uid, gid and additionalGids under `base` ("process" in a config). */
export function processIdProblem(p: Pick<Process, 'user'> | undefined, base = 'process'): SpecProblem | undefined {
  const user = p?.user;
  if (user === undefined) return undefined;
  const at = childPath(base, 'user');
  for (const field of ['uid', 'gid'] as const) {
    const value = user[field];
    const message = value === undefined ? undefined : idProblem(value);
    if (message !== undefined) return { path: childPath(at, field), message };
  }
  const groups = user.additionalGids ?? [];
  if (groups.length > MAX_GROUPS) {
    return { path: childPath(at, 'additionalGids'), message: `has ${groups.length} entries: the kernel takes at most ${MAX_GROUPS} groups` };
  }
  for (const [i, gid] of groups.entries()) {
    const message = idProblem(gid);
    if (message !== undefined) return { path: indexPath(childPath(at, 'additionalGids'), i), message };
  }
  return undefined;
}

function mappingProblem(m: IDMapping): string | undefined {
  if (m.size < 1) return 'size must be at least 1';
  for (const field of ['containerID', 'hostID'] as const) {
    if (m[field] + m.size - 1 > MAX_MAPPED_ID) {
      return `${field} ${m[field]} + size ${m.size} reaches past ${MAX_MAPPED_ID}, the largest id the kernel maps`;
    }
  }
  return undefined;
}

/**
 * Every id of a config: the process user, device node owners, and the user namespace's maps
 * (checked against the kernel's rule rather than runc's range: a map covering the whole id
 * space, 0 0 4294967295, is valid).
 */
export function checkIds(spec: Spec): SpecProblem | undefined {
  const processProblem = processIdProblem(spec.process);
  if (processProblem !== undefined) return processProblem;
  for (const [i, device] of (spec.linux?.devices ?? []).entries()) {
    for (const field of ['uid', 'gid'] as const) {
      const value = device[field];
      const message = value === undefined ? undefined : idProblem(value);
      if (message !== undefined) return { path: `${indexPath('linux.devices', i)}.${field}`, message };
    }
  }
  for (const field of ['uidMappings', 'gidMappings'] as const) {
    for (const [i, mapping] of (spec.linux?.[field] ?? []).entries()) {
      const message = mappingProblem(mapping);
      if (message !== undefined) return { path: indexPath(`linux.${field}`, i), message };
    }
  }
  return undefined;
}
