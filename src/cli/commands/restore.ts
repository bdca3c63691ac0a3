import { bool, optional, str } from '../args.js';
import type { Command } from '../command.js';
import { COMMON_CRIU_FLAGS, commonCriuFlags, requireCriuPrivilege } from '../criu-flags.js';

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Restore a container from a CRIU checkpoint; in the foreground, wait for it as `run` does.',
  flags: {
    ...COMMON_CRIU_FLAGS,
    bundle: { kind: 'string', alias: ['b'], describe: 'path to the bundle directory (default: current directory)' },
    detach: { kind: 'boolean', alias: ['d'], describe: 'return once the container is restored' },
    'pid-file': { kind: 'string', describe: 'write the restored init\'s process id to this file' },
    'console-socket': { kind: 'string', describe: 'path to an AF_UNIX socket which will receive the restored terminal\'s pty master' },
    'no-pivot': { kind: 'boolean', describe: 'accepted for runc compatibility: CRIU sets up the root itself' },
    'no-subreaper': { kind: 'boolean', describe: 'accepted for runc compatibility' },
    'lsm-profile': { kind: 'string', describe: 'LSM profile (TYPE:NAME) for the restored processes' },
    'lsm-mount-context': { kind: 'string', describe: 'SELinux mount context for the restored mounts' },
  },
  args: { min: 1, max: 1 },
  async run(ctx, { flags, positionals }) {
    requireCriuPrivilege('restore', ctx.log);
    const { restoreContainer, waitRestored } = await import('../../container/restore.js');
    const o = {
      ...commonCriuFlags(flags),
      root: ctx.globals.root,
      criu: ctx.globals.criu,
      id: positionals[0] as string,
      bundle: str(flags, 'bundle') ?? '.',
      detach: bool(flags, 'detach'),
      systemdCgroup: ctx.globals.systemdCgroup,
      ...optional(flags, 'pid-file'),
      ...optional(flags, 'console-socket'),
      ...optional(flags, 'lsm-profile'),
      ...optional(flags, 'lsm-mount-context'),
      log: ctx.log,
    };
    const restored = await restoreContainer(o);
    return o.detach ? 0 : waitRestored(o, restored);
  },
};
