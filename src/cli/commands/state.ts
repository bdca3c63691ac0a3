import type { Command } from '../command.js';
import { writeOut } from '../output.js';
import { BrokenStateError, StateStore } from '../../state/store.js';
import { toOciState, type ContainerRecord } from '../../state/record.js';
import { brokenReason, deriveStatus } from '../../state/status.js';

export const command: Command = {
  usage: '<container-id>',
  description: 'Print the state of a container as JSON.',
  flags: {},
  args: { min: 1, max: 1 },
  run(ctx, { positionals }) {
    const store = new StateStore(ctx.globals.root);
    const id = positionals[0] as string;
    let rec: ContainerRecord;
    try {
      rec = store.load(id);
    } catch (err) {
      if (err instanceof BrokenStateError) throw new Error(brokenReason(store, id, err));
      throw err;
    }
    writeOut(1, JSON.stringify(toOciState(rec, deriveStatus(store, rec)), null, 2) + '\n');
    return 0;
  },
};
