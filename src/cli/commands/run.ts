import { bool } from '../args.js';
import type { Command } from '../command.js';
import { CREATE_FLAGS, createOptions } from './create.js';

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Create and start a container; in the foreground, wait for it and exit with its status.',
  flags: {
    ...CREATE_FLAGS,
    detach: { kind: 'boolean', alias: ['d'], describe: 'return once the container has started' },
    keep: { kind: 'boolean', describe: 'do not delete the container after it exits (or fails to start)' },
    'no-subreaper': { kind: 'boolean', describe: 'do not become a subreaper for the container\'s re-parented processes' },
  },
  args: { min: 1, max: 1 },
  failurePrefix: 'ocirun run failed: ',
  movesIntoCgroup: true,
  async run(ctx, { flags, positionals }) {
    const { runContainer } = await import('../../container/run.js');
    return runContainer(
      { ...createOptions(ctx, flags, positionals[0] as string), detach: bool(flags, 'detach'), keep: bool(flags, 'keep'), noSubreaper: bool(flags, 'no-subreaper') },
      ctx.log,
    );
  },
};
