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
  '^@api/(.*)\\.js$': '<rootDir>/apps/api/src/$1',
  '^@api/(.*)$': '<rootDir>/apps/api/src/$1',
  '^@threadline/contracts$': '<rootDir>/libs/contracts/src/index.ts',
  '^@threadline/testing$': '<rootDir>/libs/testing/src/index.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

export function project(displayName, { testMatch, testEnvironment = 'node', setupFiles = [], globalSetup, tsx = false }) {
  return {
    displayName,
    rootDir: import.meta.dirname,
    testMatch,
    testEnvironment,
    setupFiles: ['<rootDir>/scripts/jest-env.js', ...setupFiles],
    ...(globalSetup ? { globalSetup } : {}),
    extensionsToTreatAsEsm: tsx ? ['.ts', '.tsx'] : ['.ts'],
    moduleNameMapper,
    transform: { [tsx ? '^.+\\.tsx?$' : '^.+\\.ts$']: swc(tsx) },
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  };
}
