import { bool, str } from '../args.js';
import type { Command } from '../command.js';
import { writeOut } from '../output.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Print the container\'s resource usage statistics and OOM notifications as JSON lines, every interval until it stops.',
  flags: {
    interval: { kind: 'string', describe: 'how often to print stats, as a Go duration (default 5s)' },
    stats: { kind: 'boolean', describe: 'print the stats once, then exit' },
  },
  args: { min: 1, max: 1 },
  async run(ctx, { flags, positionals }) {
    const [{ parseGoDuration }, { statsOnce, streamEvents }] = await Promise.all([import('../../cgroups/units.js'), import('../../container/events.js')]);
    const intervalMs = parseGoDuration(str(flags, 'interval') ?? '5s');
    if (intervalMs <= 0) throw new Error('duration interval must be greater than 0');
    const store = new StateStore(ctx.globals.root);
    const id = positionals[0] as string;
    if (bool(flags, 'stats')) {
      writeOut(1, statsOnce(store, id));
      return 0;
    }
    streamEvents(store, id, intervalMs, {
      line: (json) => writeOut(1, `${json}\n`),
      error: (message) => ctx.log.error(message),
    });
    return 0;
  },
};
