import { bool, list, num, optional, str, type FlagValues } from '../args.js';
import type { Command } from '../command.js';
import type { ExecFlags } from '../../exec/process.js';

function execFlags(flags: FlagValues, args: string[]): ExecFlags {
  const f: ExecFlags = {
    args,
    env: list(flags, 'env'),
    additionalGids: list(flags, 'additional-gids'),
    caps: list(flags, 'cap'),
  };
  if (flags['tty'] !== undefined) f.tty = bool(flags, 'tty');
  if (flags['no-new-privs'] !== undefined) f.noNewPrivs = bool(flags, 'no-new-privs');
  const optional: Array<[keyof ExecFlags & ('cwd' | 'user' | 'apparmor' | 'processLabel'), string]> = [
    ['cwd', 'cwd'],
    ['user', 'user'],
    ['apparmor', 'apparmor'],
    ['processLabel', 'process-label'],
  ];
  for (const [key, flag] of optional) {
    const v = str(flags, flag);
    if (v !== undefined) f[key] = v;
  }
  return f;
}

export const command: Command = {
  usage: '[command options] <container-id> <command> [command options]  ||  --process process.json <container-id>',
  description: 'Run a process in a running container (its namespaces, cgroup and security settings).',
  flags: {
    'console-socket': { kind: 'string', describe: 'AF_UNIX socket that receives the pty master when a terminal is allocated' },
    cwd: { kind: 'string', describe: 'working directory in the container' },
    env: { kind: 'list', alias: ['e'], describe: 'set an environment variable (KEY=VALUE; repeatable)' },
    tty: { kind: 'boolean', alias: ['t'], describe: 'allocate a pseudo-TTY' },
    user: { kind: 'string', alias: ['u'], describe: 'UID[:GID] to run as' },
    'additional-gids': { kind: 'list', alias: ['g'], describe: 'additional group id (repeatable)' },
    process: { kind: 'string', alias: ['p'], describe: 'path to a process.json (runtime-spec "process"); replaces the other process flags' },
    detach: { kind: 'boolean', alias: ['d'], describe: 'return once the process has started' },
    'pid-file': { kind: 'string', describe: 'write the process id to this file' },
    'pidfd-socket': { kind: 'string', describe: 'AF_UNIX socket that receives a pidfd of the process' },
    'process-label': { kind: 'string', describe: 'SELinux label for the process' },
    apparmor: { kind: 'string', describe: 'AppArmor profile for the process' },
    'no-new-privs': { kind: 'boolean', describe: 'set no_new_privs for the process' },
    cap: { kind: 'list', alias: ['c'], describe: 'add a capability (repeatable)' },
    'preserve-fds': { kind: 'number', describe: 'pass this many extra fds (3, 4, ...) to the process' },
    cgroup: { kind: 'list', describe: 'run in an existing sub-cgroup of the container: PATH, or CONTROLLER[,CONTROLLER]:PATH per v1 hierarchy (repeatable)' },
    'ignore-paused': { kind: 'boolean', describe: 'exec into a paused container (the process runs once it is resumed)' },
  },
  // exec ID COMMAND ARGS...: what follows the id belongs to the command.
  parse: { stopAfterPositionals: 1 },
  args: { min: 1 },
  failurePrefix: 'ocirun exec failed: ',
  movesIntoCgroup: true,
  async run(ctx, { flags, positionals }) {
    const [{ execInContainer }, { loadProcessFile, processFromFlags, withContainerDefaults }, { parseSubCgroups }] = await Promise.all([
      import('../../container/exec.js'),
      import('../../exec/process.js'),
      import('../../exec/sub-cgroup.js'),
    ]);
    const subCgroups = parseSubCgroups(list(flags, 'cgroup'));
    const [id, ...args] = positionals as [string, ...string[]];
    const preserveFds = num(flags, 'preserve-fds') ?? 0;
    if (preserveFds < 0) throw new Error('--preserve-fds: must not be negative');
    const file = str(flags, 'process');
    const fromFlags = execFlags(flags, args);
    return execInContainer({
      root: ctx.globals.root,
      id,
      process: (base) => (file !== undefined ? withContainerDefaults(loadProcessFile(file), base) : processFromFlags(base, fromFlags)),
      detach: bool(flags, 'detach'),
      ...optional(flags, 'pid-file'),
      ...optional(flags, 'console-socket'),
      ...optional(flags, 'pidfd-socket'),
      preserveFds,
      ...(subCgroups ? { subCgroups } : {}),
      ignorePaused: bool(flags, 'ignore-paused'),
      log: ctx.log,
    });
  },
};
