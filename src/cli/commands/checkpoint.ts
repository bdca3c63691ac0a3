import { bool, list, num, optional } from '../args.js';
import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';
import { COMMON_CRIU_FLAGS, commonCriuFlags } from './criu-flags.js';

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Checkpoint a running container with CRIU; it is removed afterwards unless --leave-running.',
  flags: {
    ...COMMON_CRIU_FLAGS,
    'parent-path': { kind: 'string', describe: 'images of a previous pre-dump, relative to the image path' },
    'leave-running': { kind: 'boolean', describe: 'leave the container running after the checkpoint' },
    'pre-dump': { kind: 'boolean', describe: 'dump the memory only, leaving the container running' },
    'empty-ns': { kind: 'list', describe: 'create this namespace empty at restore, not from the images (network)' },
    'auto-dedup': { kind: 'boolean', describe: 'deduplicate the images against their parent' },
    'lazy-pages': { kind: 'boolean', describe: 'leave memory pages to be served lazily (with --page-server)' },
    'page-server': { kind: 'string', describe: 'ADDRESS:PORT of a CRIU page server' },
    'status-fd': { kind: 'number', describe: 'fd CRIU writes to once the lazy-pages server is ready' },
  },
  args: { min: 1, max: 1 },
  async run(ctx, { flags, positionals }) {
    const { checkpointContainer } = await import('../../container/checkpoint.js');
    const statusFd = num(flags, 'status-fd');
    checkpointContainer(new StateStore(ctx.globals.root), positionals[0] as string, ctx.globals.criu, {
      ...commonCriuFlags(flags),
      ...optional(flags, 'parent-path'),
      ...optional(flags, 'page-server'),
      ...(statusFd !== undefined ? { statusFd } : {}),
      leaveRunning: bool(flags, 'leave-running'),
      preDump: bool(flags, 'pre-dump'),
      emptyNs: list(flags, 'empty-ns'),
      autoDedup: bool(flags, 'auto-dedup'),
      lazyPages: bool(flags, 'lazy-pages'),
    }, ctx.log);
    return 0;
  },
};
