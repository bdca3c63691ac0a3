import { Logger, type LogFormat } from '../log.js';
import { helpText, parseArgs, UsageError, type FlagSpec, type FlagSpecs } from './args.js';
import type { Command, Globals } from './command.js';
import { versionText } from './version.js';
import { writeOut } from './output.js';
import { defaultStateRoot, parseRootlessFlag, rootlessCgroups, type Caller } from './rootless.js';
import { runningInUserNamespace } from '../linux/userns.js';
import { makeUserStateRoot } from '../state/root-dir.js';

// argv -> one command module, loaded on demand so `state` never pays for the FFI or the
// validators. Errors: exit 1, one log line (JSON with --log-format json), and the message on
// stderr unless the log already goes there (runc's behaviour, which engines parse).

const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  create: () => import('./commands/create.js'),
  start: () => import('./commands/start.js'),
  state: () => import('./commands/state.js'),
  kill: () => import('./commands/kill.js'),
  delete: () => import('./commands/delete.js'),
  run: () => import('./commands/run.js'),
  exec: () => import('./commands/exec.js'),
  list: () => import('./commands/list.js'),
  spec: () => import('./commands/spec.js'),
  update: () => import('./commands/update.js'),
  pause: () => import('./commands/pause.js'),
  resume: () => import('./commands/resume.js'),
  ps: () => import('./commands/ps.js'),
  events: () => import('./commands/events.js'),
  features: () => import('./commands/features.js'),
  checkpoint: () => import('./commands/checkpoint.js'),
  restore: () => import('./commands/restore.js'),
};

export const GLOBAL_FLAGS: FlagSpecs = {
  root: { kind: 'string', describe: 'root directory for container state (default /run/ocirun; $XDG_RUNTIME_DIR/ocirun when rootless)' },
  log: { kind: 'string', describe: 'log file path (default: stderr)' },
  'log-format': { kind: 'string', describe: 'log format: text or json' },
  debug: { kind: 'boolean', describe: 'log debug messages' },
  'systemd-cgroup': { kind: 'boolean', describe: 'create cgroups as transient systemd units (cgroupsPath "slice:prefix:name")' },
  rootless: { kind: 'string', describe: 'rootless mode: true, false or auto' },
  criu: { kind: 'string', describe: 'the criu binary checkpoint and restore run (default: criu in PATH)' },
  help: { kind: 'boolean', alias: ['h'], describe: 'show help' },
  version: { kind: 'boolean', alias: ['v'], describe: 'print the version' },
};

// Commands that never read or write container state.
const STATELESS = new Set(['spec', 'features']);

/** --root, or the caller's default (made on first use when it is the per-user one, as runc does). */
function stateRoot(flag: string | undefined, command: string, caller: Caller): string {
  if (flag !== undefined) return flag;
  const { root, xdg } = defaultStateRoot(caller, process.env);
  if (STATELESS.has(command)) return root;
  if (xdg) makeUserStateRoot(root);
  // runc would try root's /run/runc and fail there with a bare "permission denied".
  else if (caller.euid !== 0) throw new Error(`a non-root user keeps container state in $XDG_RUNTIME_DIR/ocirun, and XDG_RUNTIME_DIR is not set: set it or pass --root DIR (a directory of your own)`);
  return root;
}

export function splitGlobals(argv: readonly string[]): { globalArgs: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length && (argv[i] as string).startsWith('-')) {
    const arg = argv[i] as string;
    const name = arg.replace(/^--?/, '').split('=')[0] as string;
    const spec = GLOBAL_FLAGS[name] ?? Object.values(GLOBAL_FLAGS).find((s) => s.alias?.includes(name));
    i += spec && spec.kind !== 'boolean' && !arg.includes('=') ? 2 : 1;
  }
  return { globalArgs: argv.slice(0, i), rest: argv.slice(i) };
}

function usage(): string {
  return helpText('[global options] command [command options] [arguments...]', `ocirun: an OCI runtime.\n\nCommands: ${Object.keys(COMMANDS).join(', ')}`, GLOBAL_FLAGS);
}

export async function main(argv: readonly string[]): Promise<number> {
  const { globalArgs, rest } = splitGlobals(argv);
  let log = new Logger({ format: 'text', debug: false });
  let prefix = '';
  try {
    const g = parseArgs(globalArgs, GLOBAL_FLAGS).flags;
    const format = (g['log-format'] as string | undefined) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`invalid --log-format ${JSON.stringify(format)}: must be text or json`);
    log = new Logger({ format: format as LogFormat, debug: g.debug === true, ...(typeof g.log === 'string' ? { path: g.log } : {}) });
    if (g.version === true) {
      writeOut(1, versionText());
      return 0;
    }
    const name = rest[0];
    if (name === undefined || g.help === true || name === 'help') {
      writeOut(1, usage());
      return 0;
    }
    const loader = COMMANDS[name];
    if (!loader) throw new UsageError(`No help topic for '${name}': unknown command`);
    const { command } = await loader();
    prefix = command.failurePrefix ?? '';
    const args = rest.slice(1);
    // Parsed like any flag, so a process argument (`exec ID ls -h`) is never taken for it.
    const parsed = parseArgs(args, { ...command.flags, help: GLOBAL_FLAGS.help as FlagSpec }, command.parse);
    if (parsed.flags.help === true) {
      writeOut(1, helpText(`${name} ${command.usage}`, command.description, command.flags));
      return 0;
    }
    const n = parsed.positionals.length;
    if (n < command.args.min || (command.args.max !== undefined && n > command.args.max)) {
      const { min, max } = command.args;
      const want = max === min ? `exactly ${min}` : max === undefined ? `at least ${min}` : `${min} to ${max}`;
      throw new UsageError(`"${name}" requires ${want} argument(s)`);
    }
    const caller: Caller = { euid: process.geteuid?.() ?? 0, inUserNamespace: runningInUserNamespace() };
    const globals: Globals = {
      root: stateRoot(g.root as string | undefined, name, caller),
      systemdCgroup: g['systemd-cgroup'] === true,
      rootlessCgroups: rootlessCgroups(parseRootlessFlag(g.rootless as string | undefined), caller),
      criu: (g.criu as string | undefined) ?? 'criu',
    };
    if (command.movesIntoCgroup) {
      const hierarchies = (await import('../cgroups/migration.js')).primeCgroupMigration();
      if (hierarchies) globals.cgroupHierarchies = hierarchies;
    }
    return await command.run({ globals, log }, parsed);
  } catch (err) {
    const msg = prefix + (err instanceof Error ? err.message : String(err)).replace(/\n/g, ' ');
    log.error(msg);
    if (!log.toStderr) writeOut(2, `${msg}\n`);
    return 1;
  }
}
