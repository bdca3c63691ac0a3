import type { CgroupHierarchies } from '../cgroups/detect.js';
import type { Logger } from '../log.js';
import type { FlagSpecs, Parsed, ParseOptions } from './args.js';

export interface Globals {
  root: string;
  systemdCgroup: boolean;
  /** --rootless (auto: not real root): cgroups the caller may not make are skipped, as runc does. */
  rootlessCgroups: boolean;
  /** --criu: a path, or a name looked up in PATH. */
  criu: string;
  /**
   * The host's cgroup hierarchies, when main read them for a command that moves processes into
   * cgroups (it primes the move with them): that command's bundle need not parse mountinfo again.
   */
  cgroupHierarchies?: CgroupHierarchies;
}

export interface CommandContext {
  globals: Globals;
  log: Logger;
}

export interface Command {
  usage: string;
  description: string;
  flags: FlagSpecs;
  parse?: ParseOptions;
  /** Exact or minimum number of positionals. */
  args: { min: number; max?: number };
  /** Prefix runc puts on this command's failures ("runc create failed: ..."). */
  failurePrefix?: string;
  /**
   * The command moves a process into a container's cgroup: main pays the kernel's wait for the
   * first cgroup move before loading the command's modules, so the two overlap
   * (cgroups/migration.ts).
   */
  movesIntoCgroup?: boolean;
  run(ctx: CommandContext, parsed: Parsed): number | Promise<number>;
}
