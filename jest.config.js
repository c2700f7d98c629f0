import { project } from './jest.preset.js';

// One jest run covers every tier; scripts/test.mjs picks tiers with --selectProjects.
export default {
  projects: [
    project('unit', { testMatch: ['<rootDir>/{apps/api,libs}/**/*.spec.ts'] }),
    project('dashboard', {
      testMatch: ['<rootDir>/apps/dashboard/src/**/*.spec.tsx'],
      testEnvironment: 'jsdom',
      tsx: true,
    }),
    project('int', {
      testMatch: ['<rootDir>/apps/api/**/*.int-spec.ts'],
      // Booting an app (and, once per run, initdb for the PGlite template) takes seconds on a busy machine.
      testTimeout: 60_000,
      globalSetup: '<rootDir>/apps/api/test/global-setup.mjs',
      globalTeardown: '<rootDir>/apps/api/test/global-teardown.mjs',
    }),
    project('e2e', {
      testMatch: ['<rootDir>/{apps,libs}/**/*.e2e-spec.ts'],
      testTimeout: 90_000,
      globalSetup: '<rootDir>/apps/api/test/global-setup.mjs',
      globalTeardown: '<rootDir>/apps/api/test/global-teardown.mjs',
    }),
  ],
};
