/**
 * The only module that talks to neo4j-driver. One driver per process; every query is a
 * named, parameterized Cypher statement; reads are routed as reads; results are read by
 * column name and converted to plain values (see convert.ts).
 */
import neo4j, { Neo4jError, type Driver, type ManagedTransaction } from 'neo4j-driver';
import { RequestAbortedError } from '../security/deadline';
import { fromNeo4j } from './convert';

export type Row = Record<string, unknown>;

export interface DatabaseOptions {
  uri: string;
  user?: string;
  password?: string;
  database?: string;
  /** Per-transaction timeout in milliseconds. */
  queryTimeoutMs: number;
  /** Most Bolt connections the driver opens (NEO4J_MAX_CONNECTION_POOL_SIZE); queries beyond it wait for one. */
  maxConnectionPoolSize?: number;
  /** How long a query waits for a pooled connection before failing (NEO4J_CONNECTION_ACQUISITION_TIMEOUT_MS). */
  connectionAcquisitionTimeoutMs?: number;
}

/** The driver's own default pool size. */
export const DEFAULT_MAX_CONNECTION_POOL_SIZE = 100;
export const DEFAULT_CONNECTION_ACQUISITION_TIMEOUT_MS = 5000;

/** What bounds one request's database work: its abort signal and the time its deadline passes. */
export interface RequestBounds {
  signal: AbortSignal;
  /** Milliseconds left before the request's deadline. */
  remainingMs(): number;
}

/**
 * One request's database work: counts round trips (one per request lets tests bound N+1
 * behaviour) and carries the request's bounds, which the Database checks before every query.
 */
export class QueryStats {
  roundTrips = 0;
  /** Queries refused because the request was already over. */
  refused = 0;
  readonly names: string[] = [];
  constructor(readonly bounds?: RequestBounds) {}
  record(name: string): void {
    this.roundTrips += 1;
    this.names.push(name);
  }
  /** Throws RequestAbortedError (and counts it) when the request is over; nothing is sent to the database. */
  throwIfOver(name: string): void {
    if (this.bounds?.signal.aborted || (this.bounds && this.bounds.remainingMs() <= 0)) {
      this.refused += 1;
      throw new RequestAbortedError(name);
    }
  }
  /** A transaction timeout that ends no later than the request's deadline. */
  clampTimeout(timeoutMs: number): number {
    return this.bounds ? Math.max(1, Math.min(timeoutMs, this.bounds.remainingMs())) : timeoutMs;
  }
}

/** The database could not be reached. */
export class DatabaseUnavailableError extends Error {}
/** A query ran longer than the configured transaction timeout. */
export class QueryTimeoutError extends Error {}

function translate(error: unknown): unknown {
  if (error instanceof Neo4jError) {
    // DatabaseUnavailable: the server answers but the database is still starting or recovering
    // (e.g. right after the project-managed Neo4j was restarted).
    if (error.code === 'ServiceUnavailable' || error.code === 'SessionExpired' || error.code === 'Neo.TransientError.General.DatabaseUnavailable') {
      return new DatabaseUnavailableError('the graph database is unreachable');
    }
    if (error.code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut') || error.code === 'Neo.TransientError.Transaction.LockClientStopped') {
      return new QueryTimeoutError(`the query exceeded the transaction timeout (${error.code}: ${error.message.slice(0, 300)})`);
    }
  }
  return error;
}

export interface Tx {
  run(name: string, cypher: string, params?: Record<string, unknown>): Promise<Row[]>;
}

export class Database {
  readonly driver: Driver;
  readonly database: string | undefined;
  readonly queryTimeoutMs: number;
  readonly poolSize: number;
  readonly acquisitionTimeoutMs: number;

  constructor(opts: DatabaseOptions) {
    const auth = opts.user && opts.password ? neo4j.auth.basic(opts.user, opts.password) : undefined;
    this.poolSize = opts.maxConnectionPoolSize ?? DEFAULT_MAX_CONNECTION_POOL_SIZE;
    this.acquisitionTimeoutMs = opts.connectionAcquisitionTimeoutMs ?? DEFAULT_CONNECTION_ACQUISITION_TIMEOUT_MS;
    this.driver = neo4j.driver(opts.uri, auth, {
      maxConnectionPoolSize: this.poolSize,
      connectionAcquisitionTimeout: this.acquisitionTimeoutMs,
      connectionTimeout: 3000,
      maxTransactionRetryTime: 3000,
      logging: { level: 'error', logger: () => undefined },
    });
    this.database = opts.database;
    this.queryTimeoutMs = opts.queryTimeoutMs;
  }

  async verifyConnectivity(): Promise<void> {
    try {
      await this.driver.verifyConnectivity({ database: this.database });
    } catch (error) {
      throw translate(error);
    }
  }

  private async runTx(stats: QueryStats | undefined, mode: 'READ' | 'WRITE', work: (tx: ManagedTransaction) => Promise<Row[]>): Promise<Row[]> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
    try {
      const config = { timeout: stats ? stats.clampTimeout(this.queryTimeoutMs) : this.queryTimeoutMs };
      return mode === 'READ' ? await session.executeRead(work, config) : await session.executeWrite(work, config);
    } catch (error) {
      throw translate(error);
    } finally {
      await session.close();
    }
  }

  /** One read query in its own read transaction (routed to a reader in a cluster). */
  async read(stats: QueryStats | undefined, name: string, cypher: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    stats?.throwIfOver(name);
    stats?.record(name);
    return this.runTx(stats, 'READ', async (tx) => {
      const result = await tx.run(cypher, params);
      return result.records.map((record) => fromNeo4j(record.toObject()) as Row);
    });
  }

  /** One write query in its own transaction. */
  async write(stats: QueryStats | undefined, name: string, cypher: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    return this.writeTransaction(stats, (tx) => tx.run(name, cypher, params));
  }

  /**
   * Several read statements in one read transaction: they all see the same state of the graph
   * (what-if analyses read their subgraph and the ids an assumption names together). Bounded by
   * the request like writeTransaction; nothing can be written in it.
   */
  async readTransaction<T>(stats: QueryStats | undefined, work: (tx: Tx) => Promise<T>): Promise<T> {
    stats?.throwIfOver('read transaction');
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      return await session.executeRead(
        async (managed) => {
          const tx: Tx = {
            run: async (name, cypher, params = {}) => {
              stats?.throwIfOver(name);
              stats?.record(name);
              const result = await managed.run(cypher, params);
              return result.records.map((record) => fromNeo4j(record.toObject()) as Row);
            },
          };
          return work(tx);
        },
        { timeout: stats ? stats.clampTimeout(this.queryTimeoutMs) : this.queryTimeoutMs },
      );
    } catch (error) {
      throw translate(error);
    } finally {
      await session.close();
    }
  }

  /**
   * Several statements in one write transaction: all or nothing. The callback may run
   * many queries; if it throws, the transaction is rolled back. The managed transaction may
   * be retried on transient errors, so the callback must not have side effects outside it.
   *
   * Bounded by the request (stats.bounds): not opened once the request is over, each statement
   * refused after it, the transaction timeout clamped to the time left, and rolled back instead
   * of committed when the request ended while it ran.
   */
  async writeTransaction<T>(stats: QueryStats | undefined, work: (tx: Tx) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    stats?.throwIfOver('write transaction');
    const timeoutMs = options.timeoutMs ?? this.queryTimeoutMs;
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      return await session.executeWrite(
        async (managed) => {
          const tx: Tx = {
            run: async (name, cypher, params = {}) => {
              stats?.throwIfOver(name);
              stats?.record(name);
              const result = await managed.run(cypher, params);
              return result.records.map((record) => fromNeo4j(record.toObject()) as Row);
            },
          };
          const result = await work(tx);
          // throwing here rolls the transaction back: the caller was already told it failed
          stats?.throwIfOver('commit');
          return result;
        },
        { timeout: stats ? stats.clampTimeout(timeoutMs) : timeoutMs },
      );
    } catch (error) {
      throw translate(error);
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
