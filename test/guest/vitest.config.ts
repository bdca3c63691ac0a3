import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The guest side of the VM stage (test/vm/run.sh): runs test/guest/<set>/ files inside the
// cgroup v2 + systemd guest, where the checkout is mounted read-only, so every cache goes to /tmp.
export default defineConfig({
  root: resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  cacheDir: '/tmp/ocirun-guest-vite',
  test: {
    include: ['test/guest/**/*.test.ts'],
    setupFiles: ['test/guest/setup.ts'],
    // afterEach in registration order: setup.ts's turn of the event loop comes between a test
    // and its file's clean-up, not after both (see setup.ts).
    sequence: { hooks: 'list' },
    // Real containers share the guest's cgroups: one file at a time, as on the host.
    fileParallelism: false,
    // Under emulation every node start costs several times what it does on the host.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
