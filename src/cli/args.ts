// A small argv parser with runc's (urfave/cli + Go flag) conventions: `--flag value`,
// `--flag=value`, single-dash long names (`-bundle`), short aliases, repeatable flags, and
// options before or after positionals. yargs took longer to import than a whole runc `run`
// (bench/RESULTS.md, "Measurements behind the code"); this parser costs nothing to load.

export type FlagKind = 'string' | 'boolean' | 'number' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  alias?: readonly string[];
  describe: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export interface Parsed {
  flags: FlagValues;
  positionals: string[];
}

export class UsageError extends Error {}

export interface ParseOptions {
  /** Stop reading flags at the first positional past this many (exec ID ARGS..., ps ID ARGS...). */
  stopAfterPositionals?: number;
}

function lookup(specs: FlagSpecs, name: string): [string, FlagSpec] | undefined {
  const direct = specs[name];
  if (direct) return [name, direct];
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.alias?.includes(name)) return [key, spec];
  }
  return undefined;
}

function parseBool(flag: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UsageError(`invalid boolean value ${JSON.stringify(value)} for flag -${flag}`);
}

export function parseArgs(argv: readonly string[], specs: FlagSpecs, opts: ParseOptions = {}): Parsed {
  const flags: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const stopped = opts.stopAfterPositionals !== undefined && positionals.length >= opts.stopAfterPositionals;
    if (stopped || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const found = lookup(specs, name);
    if (!found) throw new UsageError(`flag provided but not defined: -${name}`);
    const [key, spec] = found;
    if (spec.kind === 'boolean') {
      flags[key] = inline === undefined ? true : parseBool(name, inline);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = argv[++i] as string;
    }
    if (spec.kind === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n)) throw new UsageError(`invalid value ${JSON.stringify(value)} for flag -${name}: must be an integer`);
      flags[key] = n;
    } else if (spec.kind === 'list') {
      const prev = flags[key];
      flags[key] = [...(Array.isArray(prev) ? prev : []), value];
    } else {
      flags[key] = value;
    }
  }
  return { flags, positionals };
}

export function str(flags: FlagValues, key: string): string | undefined {
  const v = flags[key];
  return typeof v === 'string' ? v : undefined;
}

/** 'pid-file' → 'pidFile': the option field a flag fills. */
type FieldOf<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<FieldOf<T>>}` : S;

/**
 * A string flag as an optional field, to spread into an options object: `{ pidFile: 'p' }` for
 * `--pid-file p`, `{}` without it, so no option carries a key whose value is undefined.
 */
export function optional<N extends string>(flags: FlagValues, name: N): { [K in FieldOf<N>]?: string } {
  const value = str(flags, name);
  if (value === undefined) return {};
  return { [name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())]: value } as { [K in FieldOf<N>]?: string };
}

export function bool(flags: FlagValues, key: string): boolean {
  return flags[key] === true;
}

export function num(flags: FlagValues, key: string): number | undefined {
  const v = flags[key];
  return typeof v === 'number' ? v : undefined;
}

export function list(flags: FlagValues, key: string): string[] {
  const v = flags[key];
  return Array.isArray(v) ? v : [];
}

export function helpText(usage: string, description: string, specs: FlagSpecs): string {
  const lines = [`Usage: ocirun ${usage}`, '', description, ''];
  const entries = Object.entries(specs);
  if (entries.length > 0) {
    lines.push('Options:');
    for (const [name, spec] of entries) {
      const names = [`--${name}`, ...(spec.alias ?? []).map((a) => (a.length === 1 ? `-${a}` : `--${a}`))].join(', ');
      const value = spec.kind === 'boolean' ? '' : ' value';
      lines.push(`  ${(names + value).padEnd(34)} ${spec.describe}`);
    }
  }
  return lines.join('\n') + '\n';
}
