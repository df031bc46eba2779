/**
 * A real Database (real Neo4j, real queries) whose calls can be held at a gate the test opens,
 * so a test can make a request's deadline pass at a chosen point of its work; and which counts
 * the sessions it really opens on the driver (one per transaction).
 */
import type { SessionConfig } from 'neo4j-driver';
import { Database, type QueryStats, type Row, type Tx } from '../../src/store/database';
import { testNeo4jCredentials, testNeo4jUri, TEST_QUERY_TIMEOUT_MS } from './app';

export class HeldDatabase extends Database {
  /** Sessions opened on the driver (each read and each write transaction opens one). */
  sessionsOpened = 0;
  /** Reads let through before the gate holds the others. */
  private readsBeforeGate = Infinity;
  private readsSeen = 0;
  private holdCommits = false;
  /** Calls waiting at the gate now. */
  waiting = 0;
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  constructor() {
    const { NEO4J_USER: user, NEO4J_PASSWORD: password } = testNeo4jCredentials();
    super({ uri: testNeo4jUri(), queryTimeoutMs: Number(TEST_QUERY_TIMEOUT_MS), user, password, database: process.env.NEO4J_DATABASE });
    const open = this.driver.session.bind(this.driver);
    this.driver.session = (config?: SessionConfig) => {
      this.sessionsOpened += 1;
      return open(config);
    };
  }

  /** From now on, reads after the first `n` wait (before reaching the database) until open(). */
  holdReadsAfter(n: number): void {
    this.arm();
    this.readsSeen = 0;
    this.readsBeforeGate = n;
  }

  /** From now on, write transactions run all their statements, then wait before committing until open(). */
  holdCommitsUntilOpen(): void {
    this.arm();
    this.holdCommits = true;
  }

  open(): void {
    this.readsBeforeGate = Infinity;
    this.holdCommits = false;
    this.release();
  }

  private async wait(): Promise<void> {
    this.waiting += 1;
    try {
      await this.gate;
    } finally {
      this.waiting -= 1;
    }
  }

  /** Resolves once `n` calls wait at the gate. */
  async untilWaiting(n: number): Promise<void> {
    while (this.waiting < n) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  private arm(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  override async read(stats: QueryStats | undefined, name: string, cypher: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    this.readsSeen += 1;
    if (this.readsSeen > this.readsBeforeGate) await this.wait();
    return super.read(stats, name, cypher, params);
  }

  override async writeTransaction<T>(stats: QueryStats | undefined, work: (tx: Tx) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    return super.writeTransaction(
      stats,
      async (tx) => {
        const result = await work(tx);
        if (this.holdCommits) await this.wait();
        return result;
      },
      options,
    );
  }
}
