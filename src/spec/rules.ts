// Rules of config.md / config-linux.md that more than one caller applies: the checker
// (checks.ts, before anything is created), the init's planner (init/plan.ts) and exec's
// (exec/plan.ts). Each is written here once, as pure data in and a problem out.
import { isAbsolute } from 'node:path';
import type { SpecProblem } from './config-error.js';
import { indexPath } from './json-path.js';
import type { LinuxNamespace, NamespaceType, Process, Spec } from './types.js';

/** The config's namespace of this type, new or joined by path. */
export function findNamespace(spec: Pick<Spec, 'linux'>, type: NamespaceType): LinuxNamespace | undefined {
  return spec.linux?.namespaces?.find((ns) => ns.type === type);
}

/** create and run need a process; the schema makes it optional (a config may describe only the environment). */
export const PROCESS_REQUIRED: SpecProblem = { path: 'process', message: 'is required to create a container' };

/** runc's validateProcessSpec: a process must name its program (create's and exec's alike). */
export function processArgsProblem(proc: Pick<Process, 'args'>): SpecProblem | undefined {
  if (proc.args !== undefined && proc.args.length > 0) return undefined;
  return { path: 'process.args', message: 'must name the program to run (at least one entry)' };
}

/** config.md "cwd": an absolute path in the container (the empty string is not one). */
export function processCwdProblem(proc: Pick<Process, 'cwd'>): SpecProblem | undefined {
  if (isAbsolute(proc.cwd)) return undefined;
  return { path: 'process.cwd', message: `must be an absolute path, got ${JSON.stringify(proc.cwd)}` };
}

/** Each rlimit type at most once: which of two would apply is not for the runtime to guess. */
export function processRlimitsProblem(proc: Pick<Process, 'rlimits'>): SpecProblem | undefined {
  const firstIndex = new Map<string, number>();
  for (const [i, { type }] of (proc.rlimits ?? []).entries()) {
    const first = firstIndex.get(type);
    if (first !== undefined) {
      return {
        path: `${indexPath('process.rlimits', i)}.type`,
        message: `duplicate rlimit "${type}" (already at ${indexPath('process.rlimits', first)})`,
      };
    }
    firstIndex.set(type, i);
  }
  return undefined;
}

/** A process's Windows-only fields: Linux would ignore them, so they are refused instead. */
export function processWindowsFieldsProblem(proc: Pick<Process, 'commandLine' | 'user'>): SpecProblem | undefined {
  if (proc.commandLine !== undefined) return { path: 'process.commandLine', message: 'is Windows-only: on Linux the command is process.args' };
  if (proc.user?.username !== undefined) return { path: 'process.user.username', message: 'is Windows-only: on Linux the user is process.user.uid and gid' };
  return undefined;
}

/**
 * config.md tolerates relative destinations on Linux (deprecated, relative to "/"). runc 1.1
 * only warns about them; like crun, ocirun refuses them, so a typo cannot mount somewhere else.
 */
export function checkMountDestinations(spec: Pick<Spec, 'mounts'>): SpecProblem | undefined {
  for (const [i, { destination }] of (spec.mounts ?? []).entries()) {
    if (isAbsolute(destination)) continue;
    return {
      path: `${indexPath('mounts', i)}.destination`,
      message: `must be an absolute path, got ${JSON.stringify(destination)} (relative destinations are deprecated and not supported)`,
    };
  }
  return undefined;
}

/** The kernel's limit (__NEW_UTS_LEN): sethostname(2) and setdomainname(2) refuse longer names. */
const MAX_UTS_NAME = 64;

/** As runc: setting either name needs a UTS namespace of the container's own (new or joined). */
export function checkUtsNames(spec: Spec): SpecProblem | undefined {
  for (const field of ['hostname', 'domainname'] as const) {
    const length = Buffer.byteLength(spec[field] ?? '');
    if (length > MAX_UTS_NAME) return { path: field, message: `must be at most ${MAX_UTS_NAME} bytes, got ${length}` };
  }
  if (findNamespace(spec, 'uts') !== undefined) return undefined;
  for (const field of ['hostname', 'domainname'] as const) {
    if (spec[field]) {
      return { path: field, message: `cannot be set without a private UTS namespace ("uts" in linux.namespaces)` };
    }
  }
  return undefined;
}
