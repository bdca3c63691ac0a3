// runc 1.1.5's real output on this machine (copied from the workspace's shared/golden): the
// formats ocirun matches, kept in the repository so a clean checkout can test against them.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '../golden/runc-1.1.5');
