/**
 * Connects to the configured Neo4j, or starts the project's own when NEO4J_URI is not set.
 */
import type { AppConfig } from '../config';
import { Database } from '../store/database';
import { startLocalNeo4j, type LocalNeo4j } from './localNeo4j';

export interface ConnectedDatabase {
  db: Database;
  uri: string;
  /** The project-managed Neo4j, when one was started. */
  local?: LocalNeo4j;
  /** Closes the driver, then stops the local Neo4j (if any) and waits until it has exited. */
  close(): Promise<void>;
}

export async function connectDatabase(config: AppConfig, opts: { fresh?: boolean; log?: (m: string) => void } = {}): Promise<ConnectedDatabase> {
  let local: LocalNeo4j | undefined;
  let uri = config.NEO4J_URI;
  if (!uri) {
    local = await startLocalNeo4j({
      cacheDir: config.NEO4J_CACHE_DIR,
      dataDir: config.NEO4J_LOCAL_DATA,
      port: config.NEO4J_LOCAL_PORT,
      heap: config.NEO4J_HEAP,
      pageCache: config.NEO4J_PAGECACHE,
      startTimeoutSeconds: config.NEO4J_START_TIMEOUT,
      fresh: opts.fresh,
      log: opts.log,
    });
    uri = local.uri;
  }
  const db = new Database({
    uri,
    user: config.NEO4J_URI ? config.NEO4J_USER : undefined,
    password: config.NEO4J_URI ? config.NEO4J_PASSWORD : undefined,
    database: config.NEO4J_DATABASE,
    queryTimeoutMs: config.QUERY_TIMEOUT_MS,
  });
  let closing: Promise<void> | undefined;
  return {
    db,
    uri,
    local,
    close: () => {
      closing ??= (async () => {
        await db.close();
        await local?.stop();
      })();
      return closing;
    },
  };
}
