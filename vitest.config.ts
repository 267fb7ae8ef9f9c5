import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: ['services/*/src/**/*.test.ts', 'collectors/*/src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        // The web UI's components, compiled by Svelte and mounted in a DOM (happy-dom).
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'ui',
          include: ['ui/src/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['ui/src/test-setup.ts'],
        },
      },
    ],
  },
});
