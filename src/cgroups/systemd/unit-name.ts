import { posix } from 'node:path';

// Where a container goes under --systemd-cgroup (runc's docs/systemd.md rules): linux.cgroupsPath
// is "slice:prefix:name", the unit is "prefix-name.scope" placed in "slice" (system.slice when
// empty, "-.slice" is the root slice); an empty cgroupsPath means ":ocirun:<id>". systemd nests
// slices by their dashes, so the scope's cgroup is below every ancestor slice. A user manager
// (rootless) nests all of that below its own cgroup, and its default slice is "user.slice".

/** The container's transient unit and its cgroup, relative to the cgroup2 mount. */
export interface SystemdPlacement {
  /** The parent slice as systemd names it, e.g. "machine-pods.slice". */
  slice: string;
  /** e.g. "crio-abc.scope". */
  unit: string;
  /** e.g. "/machine.slice/machine-pods.slice/crio-abc.scope". */
  cgroup: string;
}

const DEFAULT_SLICE = 'system.slice';
const DEFAULT_USER_SLICE = 'user.slice';
const DEFAULT_PREFIX = 'ocirun';
const FIELD = 'linux.cgroupsPath';
/** systemd's UNIT_NAME_MAX. */
const UNIT_NAME_MAX = 255;

/**
 * "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice", "-.slice" → "/". Throws on what systemd
 * would refuse: a missing ".slice" suffix, a slash, an empty component ("a--b", "-a").
 */
export function expandSlice(slice: string): string {
  const bad = (why: string): Error => new Error(`invalid slice name ${JSON.stringify(slice)}: ${why}`);
  if (!slice.endsWith('.slice') || slice === '.slice') throw bad('a slice name ends in ".slice"');
  if (slice.includes('/')) throw bad('a slice name has no "/" (nested slices are written with dashes: "a-b.slice")');
  const base = slice.slice(0, -'.slice'.length);
  if (base === '-') return '/';
  let path = '';
  let prefix = '';
  for (const part of base.split('-')) {
    if (part === '') throw bad('empty component between dashes');
    checkUnitChars(`${part}.slice`, slice);
    path += `/${prefix}${part}.slice`;
    prefix += `${part}-`;
  }
  return path;
}

/**
 * The placement for a config's cgroupsPath (undefined or "" for the default). `managerCgroup`:
 * the cgroup of the user manager that makes the unit (user-manager.ts), absent for the system's.
 */
export function systemdPlacement(cgroupsPath: string | undefined, id: string, managerCgroup?: string): SystemdPlacement {
  let slice = '';
  let prefix = DEFAULT_PREFIX;
  let name = id;
  if (cgroupsPath !== undefined && cgroupsPath !== '') {
    const parts = cgroupsPath.split(':');
    if (parts.length !== 3) {
      throw new Error(`${FIELD} ${JSON.stringify(cgroupsPath)}: with --systemd-cgroup it must be "slice:prefix:name" (e.g. "system.slice:docker:abc")`);
    }
    [slice, prefix, name] = parts as [string, string, string];
  }
  if (slice === '') slice = managerCgroup === undefined ? DEFAULT_SLICE : DEFAULT_USER_SLICE;
  if (name === '') throw new Error(`${FIELD} ${JSON.stringify(cgroupsPath)}: the name part (after the second ":") is empty`);
  if (name.endsWith('.slice')) {
    throw new Error(`${FIELD} ${JSON.stringify(cgroupsPath)}: a container's unit is a scope; "${name}" names a slice, which cannot hold processes itself`);
  }
  let parent: string;
  try {
    parent = expandSlice(slice);
  } catch (err) {
    throw new Error(`${FIELD} ${JSON.stringify(cgroupsPath)}: ${(err as Error).message}`);
  }
  // runc's rule, an empty prefix included ("-name.scope").
  const unit = `${prefix}-${name}.scope`;
  try {
    checkUnitChars(unit, unit);
  } catch (err) {
    throw new Error(`${FIELD} ${JSON.stringify(cgroupsPath ?? '')}: ${(err as Error).message}`);
  }
  return { slice, unit, cgroup: posix.join(managerCgroup ?? '/', parent, unit) };
}

/** systemd's unit_name_is_valid: letters, digits and ":-_.\" only, at most 255 bytes. */
function checkUnitChars(part: string, whole: string): void {
  if (Buffer.byteLength(whole) > UNIT_NAME_MAX) throw new Error(`unit name ${JSON.stringify(whole)} is longer than systemd's ${UNIT_NAME_MAX} bytes`);
  const bad = /[^A-Za-z0-9:_.\\-]/.exec(part);
  if (bad) throw new Error(`unit name ${JSON.stringify(whole)} contains ${JSON.stringify(bad[0])}: systemd allows letters, digits and ":-_.\\" only`);
}
