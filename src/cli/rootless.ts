import { UsageError } from './args.js';

// runc's rootless decisions (main.go, rootless_linux.go): which cgroup manager mode and which
// default state root a caller gets. Pure; main.ts feeds them the process's identity.

export interface Caller {
  euid: number;
  /** Inside a user namespace other than the initial one (linux/userns.ts). */
  inUserNamespace: boolean;
}

/** `--rootless true|false|auto`: a boolean, or undefined for auto (also when the flag is absent). */
export function parseRootlessFlag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new UsageError(`invalid --rootless ${JSON.stringify(value)}: must be true, false or auto`);
}

/**
 * Rootless cgroups: cgroups the caller may not create are skipped (when the config asks for no
 * limits and names no cgroupsPath). Auto: anyone but real root, which includes uid 0 inside a
 * user namespace (rootless podman runs the runtime so).
 */
export function rootlessCgroups(flag: boolean | undefined, caller: Caller): boolean {
  if (flag !== undefined) return flag;
  return caller.euid !== 0 || caller.inUserNamespace;
}

/**
 * Where state lives without --root: $XDG_RUNTIME_DIR/ocirun for a caller other than real root
 * (and other than a uid 0 in a user namespace whose USER says root), else /run/ocirun. As with
 * runc there is no fallback to a shared directory such as /tmp: another user could make it first.
 */
export function defaultStateRoot(caller: Caller, env: Readonly<Record<string, string | undefined>>): { root: string; xdg: boolean } {
  const xdg = env.XDG_RUNTIME_DIR;
  const honour = caller.euid !== 0 || (caller.inUserNamespace && env.USER !== 'root');
  if (xdg && honour) return { root: `${xdg.replace(/\/+$/, '')}/ocirun`, xdg: true };
  return { root: '/run/ocirun', xdg: false };
}
