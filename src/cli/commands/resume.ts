import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '<container-id>',
  description: 'Resume every process of a paused container.',
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const { resumeContainer } = await import('../../container/pause.js');
    resumeContainer(new StateStore(ctx.globals.root), positionals[0] as string);
    return 0;
  },
};
