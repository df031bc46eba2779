/**
 * Test helpers: a real Apollo server over the real test Neo4j, typed operations, API keys
 * for each role, and unique id prefixes so each test owns its data.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import pino from 'pino';
import { hashApiKey } from '../../src/auth';
import { loadConfig, type AppConfig } from '../../src/config';
import { Database } from '../../src/store/database';
import { createApp, type App } from '../../src/server';

export const KEYS = {
  viewer: 'test-viewer-key',
  analyst: 'test-analyst-key',
  curator: 'test-curator-key',
  admin: 'test-admin-key',
  curatorRestricted: 'test-curator-restricted-key',
  adminRestricted: 'test-admin-restricted-key',
  curatorUnclassified: 'test-curator-unclassified-key',
} as const;

/** An analyst key at each clearance (read and analytics), for marking tests. */
export const ANALYST_KEYS_BY_CLEARANCE = {
  UNCLASSIFIED: 'test-analyst-unclassified-key',
  RESTRICTED: 'test-analyst-restricted-key',
  CONFIDENTIAL: 'test-analyst-confidential-key',
  SECRET: 'test-analyst-secret-key',
} as const;

/**
 * Fixture writes are not what a test measures. On a cold JVM the first write of each label and
 * relationship shape compiles its Cypher (~0.3-2 s each; ~15 s for the first fixture of a run on a
 * fresh checkout), which would trip the 15 s request timeout, so fixtures get a generous one.
 */
export const FIXTURE_TIMEOUT_MS = 180_000;

/**
 * Tests default to a 60 s transaction timeout and a 90 s request deadline (the product defaults
 * are 15 s and 30 s): the first request of each shape on a cold JVM compiles its Cypher. Tests
 * about timeouts set their own.
 */
export const TEST_QUERY_TIMEOUT_MS = '60000';
const TEST_REQUEST_TIMEOUT_MS = '90000';

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const apiKeys = [
    { id: 'viewer', sha256: hashApiKey(KEYS.viewer), roles: ['viewer'], clearance: 'SECRET' },
    { id: 'analyst', sha256: hashApiKey(KEYS.analyst), roles: ['analyst'], clearance: 'SECRET' },
    { id: 'curator', sha256: hashApiKey(KEYS.curator), roles: ['curator'], clearance: 'SECRET' },
    { id: 'admin', sha256: hashApiKey(KEYS.admin), roles: ['admin'], clearance: 'SECRET' },
    { id: 'curator-restricted', sha256: hashApiKey(KEYS.curatorRestricted), roles: ['curator'], clearance: 'RESTRICTED' },
    { id: 'admin-restricted', sha256: hashApiKey(KEYS.adminRestricted), roles: ['admin'], clearance: 'RESTRICTED' },
    { id: 'curator-unclassified', sha256: hashApiKey(KEYS.curatorUnclassified), roles: ['curator'], clearance: 'UNCLASSIFIED' },
    ...Object.entries(ANALYST_KEYS_BY_CLEARANCE).map(([clearance, key]) => ({
      id: `analyst-${clearance.toLowerCase()}`,
      sha256: hashApiKey(key),
      roles: ['analyst'],
      clearance,
    })),
  ];
  const timeout = {
    QUERY_TIMEOUT_MS: process.env.QUERY_TIMEOUT_MS ?? TEST_QUERY_TIMEOUT_MS,
    REQUEST_TIMEOUT_MS: process.env.REQUEST_TIMEOUT_MS ?? TEST_REQUEST_TIMEOUT_MS,
  };
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    NEO4J_URI: testNeo4jUri(),
    ...testNeo4jCredentials(),
    API_KEYS: JSON.stringify(apiKeys),
    ...timeout,
    ...overrides,
  });
}

export function testNeo4jUri(): string {
  const uri = process.env.TEST_NEO4J_URI;
  if (!uri) throw new Error('TEST_NEO4J_URI not set: the jest global setup did not run');
  return uri;
}

/** The test database's user and password, as the global setup found them (the local Neo4j's generated password, or NEO4J_USER/NEO4J_PASSWORD). */
export function testNeo4jCredentials(): { NEO4J_USER?: string; NEO4J_PASSWORD?: string } {
  const user = process.env.TEST_NEO4J_USER;
  const password = process.env.TEST_NEO4J_PASSWORD;
  return user && password ? { NEO4J_USER: user, NEO4J_PASSWORD: password } : {};
}

export function testDatabase(uri = testNeo4jUri(), queryTimeoutMs = Number(TEST_QUERY_TIMEOUT_MS)): Database {
  const { NEO4J_USER: user, NEO4J_PASSWORD: password } = testNeo4jCredentials();
  return new Database({ uri, queryTimeoutMs, user, password, database: process.env.NEO4J_DATABASE });
}

export interface TestApp {
  app: App;
  db: Database;
  /** Runs an operation as the given key (default admin) and returns data/errors plus round trips. */
  run<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
  ): Promise<{ data: T | null | undefined; errors: readonly GraphQLFormattedError[] | undefined; roundTrips: number }>;
  close(): Promise<void>;
}

/** `db`: a Database of the test's own (e.g. one that holds queries at a gate); closed with the app. */
export async function startTestApp(overrides: Record<string, string> = {}, options: { db?: Database } = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const db = options.db ?? testDatabase(config.NEO4J_URI, config.QUERY_TIMEOUT_MS);
  const app = await createApp({ config, db, logger: pino({ level: 'silent' }), migrationsApplied: true });
  return {
    app,
    db,
    async run<T>(query: string, variables: Record<string, unknown> = {}, key: string | null = KEYS.admin) {
      const contextValue = await app.contextFor(key ? { 'x-api-key': key } : {});
      const response = await app.apollo.executeOperation<T>({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const result = JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: T | null; errors?: GraphQLFormattedError[] };
      return { data: result.data, errors: result.errors, roundTrips: contextValue.stats.roundTrips };
    },
    async close() {
      await app.stop();
      await db.close();
    },
  };
}

/** A unique prefix for the ids a test creates. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomUUID().slice(0, 8)}-`;
}

/** Removes every node whose id starts with the prefix. */
export async function cleanup(db: Database, prefix: string): Promise<void> {
  // status-history entries (ids `status:<certificationId>:…`) go with their certification
  await db.write(
    undefined,
    'test cleanup',
    'MATCH (n) WHERE n.id STARTS WITH $prefix OPTIONAL MATCH (n)-[:HAS_STATUS_CHANGE]->(s:StatusChange) DETACH DELETE n, s',
    { prefix },
  );
}
