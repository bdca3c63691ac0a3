import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bool, str } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  usage: '[command options]',
  description: 'Write a default config.json (like runc spec) into the bundle directory.',
  flags: {
    bundle: { kind: 'string', alias: ['b'], describe: 'where to write config.json (default: current directory)' },
    rootless: { kind: 'boolean', describe: 'a config for a container run by an unprivileged user' },
  },
  args: { min: 0, max: 0 },
  async run(_ctx, { flags }) {
    const { defaultSpec } = await import('../../spec/default-config.js');
    const path = join(str(flags, 'bundle') ?? '.', 'config.json');
    if (existsSync(path)) throw new Error(`File ${path} exists. Remove it first`);
    writeFileSync(path, JSON.stringify(defaultSpec({ rootless: bool(flags, 'rootless') }), null, '\t') + '\n');
    return 0;
  },
};
