import { bool } from '../args.js';
import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Delete a stopped container (with --force: kill it first) and everything it holds.',
  flags: { force: { kind: 'boolean', alias: ['f'], describe: 'kill a container that is not stopped, and ignore a missing one' } },
  args: { min: 1, max: 1 },
  async run(ctx, { flags, positionals }) {
    const { deleteContainer } = await import('../../container/delete.js');
    await deleteContainer(new StateStore(ctx.globals.root), positionals[0] as string, bool(flags, 'force'), ctx.log);
    return 0;
  },
};
