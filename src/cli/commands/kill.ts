import { bool } from '../args.js';
import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '[command options] <container-id> [signal]',
  description: 'Send a signal (default TERM; names with or without SIG, or numbers) to the container\'s init.',
  flags: { all: { kind: 'boolean', alias: ['a'], describe: 'signal every process in the container' } },
  args: { min: 1, max: 2 },
  async run(ctx, { flags, positionals }) {
    const [{ killContainer }, { parseSignal }] = await Promise.all([import('../../container/kill.js'), import('../../container/signals.js')]);
    killContainer(new StateStore(ctx.globals.root), positionals[0] as string, parseSignal(positionals[1]), bool(flags, 'all'), ctx.log);
    return 0;
  },
};
