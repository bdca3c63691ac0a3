import type { Command } from '../command.js';
import { writeOut } from '../output.js';
import { StateStore } from '../../state/store.js';
import { toOciState } from '../../state/record.js';
import { deriveStatus } from '../../state/status.js';

export const command: Command = {
  usage: '<container-id>',
  description: 'Print the state of a container as JSON.',
  flags: {},
  args: { min: 1, max: 1 },
  run(ctx, { positionals }) {
    const store = new StateStore(ctx.globals.root);
    const rec = store.load(positionals[0] as string);
    writeOut(1, JSON.stringify(toOciState(rec, deriveStatus(store, rec)), null, 2) + '\n');
    return 0;
  },
};
