import { str } from '../args.js';
import type { Command } from '../command.js';
import { writeOut } from '../output.js';
import { StateStore } from '../../state/store.js';

export const command: Command = {
  usage: '[command options] <container-id> [ps options]',
  description: 'List the processes of a container: host `ps` output (default -ef) filtered to them, or their host pids as JSON.',
  flags: { format: { kind: 'string', alias: ['f'], describe: 'table or json (default table)' } },
  // Everything after the id is for ps(1), as in runc.
  parse: { stopAfterPositionals: 1 },
  args: { min: 1 },
  async run(ctx, { flags, positionals }) {
    const format = str(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') throw new Error('invalid format option');
    const { containerPids, pidsJson, psTable } = await import('../../container/ps.js');
    const pids = containerPids(new StateStore(ctx.globals.root), positionals[0] as string);
    writeOut(1, format === 'json' ? pidsJson(pids) : psTable(pids, positionals.slice(1)));
    return 0;
  },
};
