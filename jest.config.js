/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 180000,
  // Integration tests share one Neo4j; each owns its ids, but counts over the whole graph need a
  // quiet database, so test files run one at a time.
  maxWorkers: 1,
  // Jest orders test files by the timings in its cache; keeping the cache in the checkout makes a
  // fresh clone run in the same order as CI (largest file first, on a cold JVM).
  cacheDirectory: '<rootDir>/.data/jest-cache',
};
