import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Rebuilds dist/ first when src/ is newer (the bin and the scan worker run from it).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real epmd and Erlang nodes: two files at a time
    // suit a 2-core machine.
    maxWorkers: 2,
  },
});
