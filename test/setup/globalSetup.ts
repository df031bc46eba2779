/**
 * Starts the project's own Neo4j for the tests on a separate port and data folder (fresh every
 * run), or uses NEO4J_URI when set. Exposes the URI and credentials to test files via
 * TEST_NEO4J_URI, TEST_NEO4J_USER and TEST_NEO4J_PASSWORD (the local one has authentication on,
 * with the password generated into <TEST_NEO4J_DATA>/auth/password).
 */
import path from 'node:path';
import { loadConfig, REPO_ROOT } from '../../src/config';
import { connectDatabase, type ConnectedDatabase } from '../../src/runtime/database';
import { applyMigrations } from '../../src/store/migrations';

declare global {
  var __TEST_NEO4J__: ConnectedDatabase | undefined;
}

export default async function globalSetup(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    NEO4J_LOCAL_PORT: process.env.TEST_NEO4J_PORT ?? '7688',
    NEO4J_LOCAL_DATA: process.env.TEST_NEO4J_DATA ?? path.join(REPO_ROOT, '.data', 'neo4j-test'),
  });
  const started = Date.now();
  const connected = await connectDatabase(config, { fresh: !config.NEO4J_URI, log: (m) => process.stderr.write(`\n[test neo4j] ${m}\n`) });
  globalThis.__TEST_NEO4J__ = connected;
  await applyMigrations(connected.db);
  process.env.TEST_NEO4J_URI = connected.uri;
  if (connected.credentials) {
    process.env.TEST_NEO4J_USER = connected.credentials.user;
    process.env.TEST_NEO4J_PASSWORD = connected.credentials.password;
  }
  process.stderr.write(`[test neo4j] ready at ${connected.uri} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
