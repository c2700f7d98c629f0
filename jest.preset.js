// Shared jest settings. NestJS 12 packages are ESM-only, so jest runs in its native
// ESM mode (node --experimental-vm-modules) and swc must emit ES modules.
const swc = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx },
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
      target: 'es2022',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export const moduleNameMapper = {
  // Jest cannot require() an ES module on Node 20 (Node can): @fastify/static (CommonJS)
  // requires content-disposition 3 (ESM), so tests get the API-identical CommonJS 0.5.
  '^content-disposition$': 'content-disposition-cjs',
  '^@api/(.*)\\.js$': '<rootDir>/apps/api/src/$1',
  '^@api/(.*)$': '<rootDir>/apps/api/src/$1',
  '^@threadline/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@threadline/testing$': '<rootDir>/libs/testing/src/index.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

export function project(displayName, { testMatch, testEnvironment = 'node', setupFiles = [], globalSetup, globalTeardown, tsx = false, testTimeout }) {
  return {
    displayName,
    rootDir: import.meta.dirname,
    testMatch,
    testEnvironment,
    setupFiles: ['<rootDir>/scripts/jest-env.js', ...setupFiles],
    ...(globalSetup ? { globalSetup } : {}),
    ...(globalTeardown ? { globalTeardown } : {}),
    ...(testTimeout ? { setupFilesAfterEnv: ['<rootDir>/scripts/jest-slow-tier.js'] } : {}),
    extensionsToTreatAsEsm: tsx ? ['.ts', '.tsx'] : ['.ts'],
    moduleNameMapper,
    transform: { [tsx ? '^.+\\.tsx?$' : '^.+\\.ts$']: swc(tsx) },
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  };
}
