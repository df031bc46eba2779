/**
 * Readiness (GET /readyz): Neo4j reachable and migrations applied. Migrations that have not run
 * yet (or failed) are retried on each check until they succeed.
 */
import type { Logger } from 'pino';
import type { Database } from '../store/database';
import { applyMigrations } from '../store/migrations';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export interface ReadinessOptions {
  db: Database;
  logger: Logger;
  /** Whether migrations already ran (the check retries them otherwise). */
  migrationsApplied?: boolean;
  /** State of the project-managed Neo4j, when this process runs it: `restarting` makes the check say so. */
  neo4jState?: () => string;
}

/** The readiness check; it remembers once migrations have been applied. */
export function createReadinessCheck(opts: ReadinessOptions): () => Promise<Readiness> {
  const { db, logger } = opts;
  let migrationsApplied = opts.migrationsApplied ?? false;
  return async (): Promise<Readiness> => {
    const checks: Record<string, string> = {};
    if (opts.neo4jState?.() === 'restarting') {
      return { ready: false, checks: { neo4j: 'restarting', migrations: migrationsApplied ? 'applied' : 'pending' } };
    }
    try {
      await db.verifyConnectivity();
      checks.neo4j = 'reachable';
    } catch {
      checks.neo4j = 'unreachable';
      checks.migrations = migrationsApplied ? 'applied' : 'pending';
      return { ready: false, checks };
    }
    if (!migrationsApplied) {
      try {
        await applyMigrations(db);
        migrationsApplied = true;
      } catch (error) {
        logger.warn({ err: error }, 'migrations failed; will retry on the next readiness check');
      }
    }
    checks.migrations = migrationsApplied ? 'applied' : 'pending';
    return { ready: migrationsApplied, checks };
  };
}
