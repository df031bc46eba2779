/**
 * Three projects (`npm test` runs all; `jest --selectProjects unit` only the first):
 * - unit: pure logic, no database, no global setup; runs in seconds.
 * - integration: against the real test Neo4j started by the global setup.
 * - browser: Chromium (playwright-core) against a real server over the same Neo4j.
 * integration and browser name the same global setup, which jest runs once.
 *
 * Test files are transpiled without type checking (isolatedModules); `npm run typecheck`
 * (tsc over src, test, bench, scripts) checks types once for everything, and .ci/run runs it
 * before the tests.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] };
const neo4j = {
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
};
// Jest orders test files by the timings in its cache; keeping the cache in the checkout makes a
// fresh clone run in the same order as CI (largest file first, on a cold JVM).
const cacheDirectory = '<rootDir>/.data/jest-cache';

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 180000,
  // Integration files run one at a time: see docs/TESTING.md for why (measured).
  maxWorkers: 1,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'], transform, cacheDirectory },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/', '<rootDir>/test/browser/'],
      transform,
      cacheDirectory,
      ...neo4j,
    },
    { displayName: 'browser', testEnvironment: 'node', roots: ['<rootDir>/test/browser'], testMatch: ['**/*.test.ts'], transform, cacheDirectory, ...neo4j },
  ],
};
