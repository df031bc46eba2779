/**
 * `npm start`: starts (or connects to) Neo4j, applies migrations, loads the seed scenario
 * unless SEED=false, and serves the API. SIGINT/SIGTERM: stop taking requests, finish
 * in-flight ones, close the driver, stop the local Neo4j, exit.
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { LocalNeo4jError } from './runtime/localNeo4j';
import { connectDatabase, type ConnectedDatabase } from './runtime/database';
import { createApp, type App } from './server';
import { applyMigrations } from './store/migrations';
import { loadSeed, SEED_TRANSACTION_TIMEOUT_MS } from './seed/loadSeed';
import { Database } from './store/database';
import { settleWithin } from './runtime/settle';
import { WARM_UP_CALLER, warmUp } from './runtime/warmup';
import { QUERY_COLLECTION_DIR, readQueryCollection } from './explorer/handler';

/** How long SIGINT/SIGTERM waits for in-flight requests and subscriptions before closing the database. */
const SHUTDOWN_GRACE_MS = 15_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const started = Date.now();
  let connected: ConnectedDatabase | undefined;
  // Assigned once the server is built; read by the signal handlers installed before that.
  let app: App | undefined;
  let shuttingDown = false;
  const warming = new AbortController();

  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    warming.abort();
    try {
      // in-flight requests get SHUTDOWN_GRACE_MS; a stuck one does not keep Neo4j running
      if (!(await settleWithin(app?.stop(), SHUTDOWN_GRACE_MS)))
        logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'requests still open after the grace period; closing anyway');
    } finally {
      await connected?.close();
      logger.info('stopped');
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      phases[name] = Date.now() - t0;
    }
  };
  try {
    connected = await phase('neo4jMs', () => connectDatabase(config, { log: (m, level = 'info') => logger[level](m) }));
  } catch (error) {
    if (error instanceof LocalNeo4jError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const db = connected.db;
  // Migrations and the seed check run once, on a JVM that has compiled nothing yet (on a busy
  // machine their first statements can take longer than an API query may): their own driver, with
  // the seed's transaction timeout.
  const startupDb = new Database({
    uri: connected.uri,
    user: connected.credentials?.user,
    password: connected.credentials?.password,
    database: config.NEO4J_DATABASE,
    queryTimeoutMs: Math.max(config.QUERY_TIMEOUT_MS, SEED_TRANSACTION_TIMEOUT_MS),
  });
  let migrationsApplied = false;
  try {
    const { applied } = await phase('migrationsMs', () => applyMigrations(startupDb));
    phases.migrationsApplied = applied;
    migrationsApplied = true;
  } catch (error) {
    logger.warn({ err: error }, 'migrations could not be applied yet; /readyz will retry');
  }
  if (config.SEED && migrationsApplied) {
    // skipped (one read) when the seed files and the loader's code are those of the last load
    const summary = await phase('seedMs', () => loadSeed(startupDb, undefined, { skipUnchanged: true }));
    logger.info({ seed: summary }, summary.status === 'unchanged' ? 'seed scenario unchanged since the last load: not reloaded' : 'seed scenario loaded');
  }
  await startupDb.close();
  const local = connected.local;
  const url = await phase('apolloMs', async () => {
    app = await createApp({ config, db, logger, migrationsApplied, neo4jState: local ? () => local.state() : undefined });
    return app.listen(config.PORT, config.HOST);
  });
  logger.info({ url: `${url}/graphql`, neo4j: connected.uri, startupMs: Date.now() - started, phases }, 'Assurance Graph API ready');
  const ready = app;
  if (config.WARM_UP && ready) {
    // in the background: readiness does not wait for it (src/runtime/warmup.ts)
    void (async () => {
      const operations = await readQueryCollection(QUERY_COLLECTION_DIR);
      const result = await warmUp(
        operations,
        async (query, operationName, variables) => {
          const contextValue = await ready.contextFor({}, WARM_UP_CALLER);
          const response = await ready.apollo.executeOperation({ query, operationName, variables }, { contextValue });
          return response.body.kind === 'single' ? { errors: response.body.singleResult.errors } : {};
        },
        warming.signal,
      );
      logger.info({ warmed: result.warmed, skipped: result.skipped, failed: result.failed, ms: result.ms }, 'warm-up done: the query collection ran once');
    })().catch((error: unknown) => logger.warn({ err: error }, 'warm-up stopped'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
