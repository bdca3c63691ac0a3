import { bool, num, optional } from '../args.js';
import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';
import { COMMON_CRIU_FLAGS, commonCriuFlags, requireCriuPrivilege } from '../criu-flags.js';

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Checkpoint a running container with CRIU; it is removed afterwards unless --leave-running.',
  flags: {
    ...COMMON_CRIU_FLAGS,
    'parent-path': { kind: 'string', describe: 'images of a previous pre-dump, relative to the image path' },
    'leave-running': { kind: 'boolean', describe: 'leave the container running after the checkpoint' },
    'pre-dump': { kind: 'boolean', describe: 'dump the memory only, leaving the container running' },
    'page-server': { kind: 'string', describe: 'ADDRESS:PORT of a CRIU page server' },
    'status-fd': { kind: 'number', describe: 'fd CRIU writes to once the lazy-pages server is ready' },
  },
  args: { min: 1, max: 1 },
  async run(ctx, { flags, positionals }) {
    requireCriuPrivilege('checkpoint', ctx.log);
    const { checkpointContainer } = await import('../../container/checkpoint.js');
    const statusFd = num(flags, 'status-fd');
    await checkpointContainer(new StateStore(ctx.globals.root), positionals[0] as string, ctx.globals.criu, {
      ...commonCriuFlags(flags),
      ...optional(flags, 'parent-path'),
      ...optional(flags, 'page-server'),
      ...(statusFd !== undefined ? { statusFd } : {}),
      leaveRunning: bool(flags, 'leave-running'),
      preDump: bool(flags, 'pre-dump'),
    }, ctx.log);
    return 0;
  },
};
