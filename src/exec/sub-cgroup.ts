import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeCgroupFile } from '../cgroups/fs.js';

// exec --cgroup (runc's): the process goes into an existing sub-cgroup of the container's
// cgroup instead of the cgroup itself. "PATH" is the same sub-cgroup in every hierarchy (the
// only form on cgroup v2); "ctrl[,ctrl...]:PATH" (v1) names it per controller.

/** Controller → sub-path, "" for "every hierarchy"; undefined without --cgroup. */
export type SubCgroups = Readonly<Record<string, string>>;

export function parseSubCgroups(args: readonly string[]): SubCgroups | undefined {
  if (args.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const arg of args) {
    const colon = arg.indexOf(':');
    if (colon < 0) {
      if (args.length !== 1) throw new Error(`--cgroup ${JSON.stringify(arg)}: with several --cgroup options each needs a <controller>: prefix`);
      out[''] = arg;
      continue;
    }
    const path = arg.slice(colon + 1);
    for (const ctrl of arg.slice(0, colon).split(',')) {
      if (ctrl === '') throw new Error(`--cgroup ${JSON.stringify(arg)}: empty <controller> before ":"`);
      if (ctrl in out) throw new Error(`--cgroup: controller ${ctrl} is given more than once`);
      out[ctrl] = path;
    }
  }
  return out;
}

/**
 * The directory per hierarchy the process joins: the container's (`paths`, as the cgroup
 * manager keeps them) or the sub-cgroup below it, which must exist and stay below it.
 */
export function subCgroupDirs(paths: Readonly<Record<string, string>>, sub: SubCgroups, exists: (dir: string) => boolean = existsSync): string[] {
  for (const ctrl of Object.keys(sub)) {
    if (ctrl !== '' && !(ctrl in paths)) throw new Error(`--cgroup ${ctrl}:${sub[ctrl]}: the container has no cgroup for controller ${JSON.stringify(ctrl)} (it has ${Object.keys(paths).filter(Boolean).join(', ') || 'only the cgroup v2 one'})`);
  }
  const dirs = new Set<string>();
  for (const [ctrl, base] of Object.entries(paths)) {
    // The cgroup2 side of a hybrid host exists only where it was usable at create.
    if (ctrl === '' && Object.keys(paths).length > 1 && !exists(base)) continue;
    const rel = sub[''] ?? sub[ctrl];
    if (rel === undefined) {
      dirs.add(base);
      continue;
    }
    const dir = join(base, rel);
    const inside = relative(base, dir);
    if (inside.startsWith(`..${sep}`) || inside === '..') throw new Error(`--cgroup ${JSON.stringify(rel)}: must stay below the container's cgroup ${base}`);
    if (!exists(dir)) throw new Error(`--cgroup ${JSON.stringify(rel)}: no sub-cgroup ${dir} (exec joins an existing one)`);
    dirs.add(dir);
  }
  return [...dirs];
}

/** Moves `pid` into the directories subCgroupDirs() found. */
export function joinSubCgroups(dirs: readonly string[], pid: number): void {
  for (const dir of dirs) writeCgroupFile(dir, 'cgroup.procs', String(pid));
}
