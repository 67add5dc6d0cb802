import { defineConfig } from 'vitest/config';

// npm run e2e (e2e/run.sh) runs this with the control plane up and KDBG_BACKEND=real.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts', 'test/scenarios/**/*.test.ts'],
    // fault injection needs the in-process fake
    exclude: ['test/scenarios/faults.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
