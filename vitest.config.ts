import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'conformance/**/*.test.ts'],
    // test/guest/ runs inside the VM (test/vm/run.sh); the host reports it through test/vm/.
    exclude: ['**/node_modules/**', 'test/guest/**'],
    // Real containers share the host's cgroups and mounts: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
