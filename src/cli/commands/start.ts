import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '<container-id>',
  description: 'Start the user process of a created container.',
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const { startContainer } = await import('../../container/start.js');
    startContainer(new StateStore(ctx.globals.root), positionals[0] as string, ctx.log);
    return 0;
  },
};
