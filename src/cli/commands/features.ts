import type { Command } from '../command.js';
import { writeOut } from '../output.js';

// Indented as runc prints it (four spaces); engines (containerd, CRI-O) parse it as JSON.
export const command: Command = {
  usage: '',
  description: 'Show what this runtime supports on this host (features.md), as JSON.',
  flags: {},
  args: { min: 0, max: 0 },
  async run() {
    const { buildFeatures } = await import('../../container/features.js');
    writeOut(1, JSON.stringify(buildFeatures(), null, '    ') + '\n');
    return 0;
  },
};
