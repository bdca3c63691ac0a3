import type { Logger } from '../log.js';
import type { FlagSpecs, Parsed, ParseOptions } from './args.js';

export interface Globals {
  root: string;
  systemdCgroup: boolean;
  rootless: string | undefined;
  /** --criu: a path, or a name looked up in PATH. */
  criu: string;
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
  run(ctx: CommandContext, parsed: Parsed): number | Promise<number>;
}
