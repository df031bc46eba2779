/**
 * Connects to the configured Neo4j, or to the project's own: the one already running on the
 * store (started by another process of this project), else a new one started here.
 */
import type { AppConfig } from '../config';
import { Database } from '../store/database';
import { findRunningLocalNeo4j, startLocalNeo4j, LocalNeo4jError, type LocalNeo4j, type Neo4jCredentials, type NeoLog } from './localNeo4j';
import { settleWithin } from './settle';

/** How long closing waits for the driver's sockets before stopping the local Neo4j anyway. */
const DRIVER_CLOSE_GRACE_MS = 5_000;

export interface ConnectedDatabase {
  db: Database;
  uri: string;
  /** The user and password the driver uses (undefined: NEO4J_URI without a password). */
  credentials?: Neo4jCredentials;
  /** The project-managed Neo4j, when this process started one. */
  local?: LocalNeo4j;
  /** The pid of the process running the project-managed Neo4j this one joined, if any. */
  joinedOwnerPid?: number;
  /** Closes the driver, then stops the local Neo4j (if this process started it) and waits until it has exited. */
  close(): Promise<void>;
}

export async function connectDatabase(
  config: AppConfig,
  opts: { fresh?: boolean; log?: NeoLog; restartBackoff?: { initialMs: number; maxMs: number } } = {},
): Promise<ConnectedDatabase> {
  const log: NeoLog = opts.log ?? (() => undefined);
  let local: LocalNeo4j | undefined;
  let joinedOwnerPid: number | undefined;
  let uri = config.NEO4J_URI;
  let credentials: Neo4jCredentials | undefined =
    config.NEO4J_URI && config.NEO4J_PASSWORD ? { user: config.NEO4J_USER, password: config.NEO4J_PASSWORD } : undefined;
  if (!uri) {
    const running = await findRunningLocalNeo4j(config.NEO4J_LOCAL_DATA, config.NEO4J_START_TIMEOUT * 1000);
    if (running) {
      if (opts.fresh)
        throw new LocalNeo4jError(
          `the Neo4j store ${config.NEO4J_LOCAL_DATA} is in use by process ${running.ownerPid} (Neo4j at ${running.uri}): cannot start it fresh`,
        );
      log(`Neo4j is already running on ${config.NEO4J_LOCAL_DATA} (process ${running.ownerPid}): using the running Neo4j at ${running.uri}`);
      uri = running.uri;
      credentials = running.credentials;
      joinedOwnerPid = running.ownerPid;
    } else {
      local = await startLocalNeo4j({
        cacheDir: config.NEO4J_CACHE_DIR,
        dataDir: config.NEO4J_LOCAL_DATA,
        port: config.NEO4J_LOCAL_PORT,
        heap: config.NEO4J_HEAP,
        pageCache: config.NEO4J_PAGECACHE,
        startTimeoutSeconds: config.NEO4J_START_TIMEOUT,
        fresh: opts.fresh,
        log,
        restartBackoff: opts.restartBackoff,
      });
      uri = local.uri;
      credentials = local.credentials;
    }
  }
  if (config.NODE_ENV === 'production' && !credentials) {
    throw new LocalNeo4jError(
      `refusing to start in production against ${uri} without credentials: set NEO4J_USER and NEO4J_PASSWORD (or leave NEO4J_URI unset to use the project-managed Neo4j and its generated password)`,
    );
  }
  const db = new Database({
    uri,
    user: credentials?.user,
    password: credentials?.password,
    database: config.NEO4J_DATABASE,
    queryTimeoutMs: config.QUERY_TIMEOUT_MS,
    maxConnectionPoolSize: config.NEO4J_MAX_CONNECTION_POOL_SIZE,
    connectionAcquisitionTimeoutMs: config.NEO4J_CONNECTION_ACQUISITION_TIMEOUT_MS,
  });
  let closing: Promise<void> | undefined;
  return {
    db,
    uri,
    credentials,
    local,
    joinedOwnerPid,
    close: () => {
      closing ??= (async () => {
        // the local Neo4j is stopped even when the driver does not close in time
        try {
          await settleWithin(db.close(), DRIVER_CLOSE_GRACE_MS);
        } finally {
          await local?.stop();
        }
      })();
      return closing;
    },
  };
}
