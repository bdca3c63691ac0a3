import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '<container-id>',
  description: 'Suspend every process in the container (cgroup freezer).',
  flags: {},
  args: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const { pauseContainer } = await import('../../container/pause.js');
    pauseContainer(new StateStore(ctx.globals.root), positionals[0] as string);
    return 0;
  },
};
