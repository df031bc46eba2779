/**
 * `npm run seed -- --link-cmvp`: after a NIST CMVP import, links the seed scenario to the real
 * certificates (seed/links/cmvp-corecrypto.json, see src/seed/linkCmvp.ts); nothing else is loaded.
 *
 * `npm run seed [-- <dir>]`: loads the seed scenario (seed/*.json, or the given folder) into the
 * configured database: NEO4J_URI when set, otherwise the project's own Neo4j (started for the
 * run and stopped afterwards, or the one already running on that store). Applies migrations
 * first. Idempotent: a second run reports everything unchanged. Never undoes curation: what a
 * curator, admin or importer changed since the seed wrote it is kept (see src/seed/loadSeed.ts). Exit codes: 0 loaded, 1 database or unexpected error, 2 bad
 * configuration or an invalid seed file (nothing is written then).
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { LocalNeo4jError } from '../runtime/localNeo4j';
import { connectDatabase, type ConnectedDatabase } from '../runtime/database';
import { linkSeedToCmvp } from '../seed/linkCmvp';
import { SEED_DIR, SeedError, loadSeed, readSeed, type SeedSummary } from '../seed/loadSeed';
import { applyMigrations } from '../store/migrations';

/** The seed is one bulk transaction; on a cold database it may need longer than one API query. */
const SEED_TRANSACTION_TIMEOUT_MS = 120_000;

function formatSummary(dir: string, summary: SeedSummary): string {
  const line = (what: string, c: SeedSummary['nodes']) =>
    `  ${what.padEnd(14)} created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, kept as curated ${c.kept}`;
  return [`Seed loaded from ${dir}`, line('nodes:', summary.nodes), line('relationships:', summary.relationships)].join('\n');
}

async function linkCmvp(): Promise<number> {
  const loaded = loadConfig();
  const connected = await connectDatabase(loaded, { log: (m) => process.stderr.write(`${m}\n`) });
  try {
    const summary = await linkSeedToCmvp(connected.db);
    if (!summary.linked) {
      process.stderr.write(`Not linked: not in the graph: ${summary.missing.join(', ')} (load the seed and import a CMVP snapshot first)\n`);
      return 1;
    }
    process.stdout.write(`Seed linked to the CMVP certificates: ${summary.created} link(s) created, ${summary.unchanged} unchanged\n`);
    return 0;
  } finally {
    await connected.close();
  }
}

async function main(): Promise<number> {
  if (process.argv[2] === '--link-cmvp') return linkCmvp();
  const dir = path.resolve(process.argv[2] ?? SEED_DIR);
  let config;
  try {
    const loaded = loadConfig();
    config = { ...loaded, QUERY_TIMEOUT_MS: Math.max(loaded.QUERY_TIMEOUT_MS, SEED_TRANSACTION_TIMEOUT_MS) };
    // Validate before starting or connecting to anything: a broken file fails fast.
    readSeed(dir);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SeedError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let connected: ConnectedDatabase | undefined;
  try {
    connected = await connectDatabase(config, { log: (m) => process.stderr.write(`${m}\n`) });
    await applyMigrations(connected.db);
    const summary = await loadSeed(connected.db, dir);
    process.stdout.write(`${formatSummary(dir, summary)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof LocalNeo4jError || error instanceof SeedError) {
      process.stderr.write(`${error.message}\n`);
      return error instanceof SeedError ? 2 : 1;
    }
    throw error;
  } finally {
    await connected?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
