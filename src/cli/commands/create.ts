import { bool, num, optional, str, type FlagSpecs, type FlagValues } from '../args.js';
import type { Command, CommandContext } from '../command.js';

export const CREATE_FLAGS: FlagSpecs = {
  bundle: { kind: 'string', alias: ['b'], describe: 'path to the bundle directory (default: current directory)' },
  'pid-file': { kind: 'string', describe: 'write the init process id to this file' },
  'console-socket': { kind: 'string', describe: 'AF_UNIX socket that receives the pty master when process.terminal is true' },
  'no-pivot': { kind: 'boolean', describe: 'chroot instead of pivot_root (for a ramfs root)' },
  'no-new-keyring': { kind: 'boolean', describe: 'keep the caller\'s session keyring instead of a new one' },
  'preserve-fds': { kind: 'number', describe: 'pass this many extra fds (3, 4, ...) to the container' },
  'pidfd-socket': { kind: 'string', describe: 'AF_UNIX socket that receives a pidfd of the container\'s init' },
};

export function createOptions(ctx: CommandContext, flags: FlagValues, id: string) {
  const preserveFds = num(flags, 'preserve-fds') ?? 0;
  if (preserveFds < 0) throw new Error('--preserve-fds: must not be negative');
  return {
    root: ctx.globals.root,
    id,
    bundle: str(flags, 'bundle') ?? '.',
    ...optional(flags, 'pid-file'),
    ...optional(flags, 'console-socket'),
    ...optional(flags, 'pidfd-socket'),
    noPivot: bool(flags, 'no-pivot'),
    noNewKeyring: bool(flags, 'no-new-keyring'),
    preserveFds,
    systemdCgroup: ctx.globals.systemdCgroup,
    rootlessCgroups: ctx.globals.rootlessCgroups,
    ...(ctx.globals.cgroupHierarchies ? { hierarchies: ctx.globals.cgroupHierarchies } : {}),
    log: ctx.log,
  };
}

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Create a container from a bundle; its process waits until `start`.',
  flags: CREATE_FLAGS,
  args: { min: 1, max: 1 },
  failurePrefix: 'ocirun create failed: ',
  movesIntoCgroup: true,
  async run(ctx, { flags, positionals }) {
    const { createContainer } = await import('../../container/create.js');
    await createContainer(createOptions(ctx, flags, positionals[0] as string));
    return 0;
  },
};
