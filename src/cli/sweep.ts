/**
 * `npm run sweep [-- --as-of YYYY-MM-DD]`: runs the expiry sweep once (docs/EVENTS.md) against
 * the configured database (NEO4J_URI, or the project's own Neo4j): every certification whose
 * validUntil passed before the date (default: today, UTC) gets its EXPIRED status-history entry
 * and the change feed its events. Idempotent: a second run records nothing. Exit codes: 0 done,
 * 1 database or unexpected error, 2 bad arguments or configuration.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config';
import { today } from '../domain/lineage';
import { LocalNeo4jError } from '../runtime/localNeo4j';
import { connectDatabase, type ConnectedDatabase } from '../runtime/database';
import { runExpirySweep } from '../services/expirySweep';
import { applyMigrations } from '../store/migrations';

async function main(argv: string[]): Promise<number> {
  const program = new Command('sweep')
    .description('Records EXPIRED for every certification whose validUntil passed (the change feed writes its events)')
    .option('--as-of <date>', 'the date to sweep on (YYYY-MM-DD)', today())
    .exitOverride();
  let asOf: string;
  let config;
  try {
    program.parse(argv, { from: 'user' });
    asOf = String(program.opts<{ asOf: string }>().asOf);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)))
      throw new ConfigError(`--as-of: expected a date YYYY-MM-DD, got ${asOf}`);
    config = loadConfig();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let connected: ConnectedDatabase | undefined;
  try {
    connected = await connectDatabase(config, { log: (m) => process.stderr.write(`${m}\n`) });
    await applyMigrations(connected.db);
    const result = await runExpirySweep(connected.db, asOf);
    process.stdout.write(
      `Expiry sweep as of ${result.asOf}: ${result.examined} certification(s) past their validity end examined, ${result.recorded} EXPIRED recorded\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof LocalNeo4jError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(`Sweep failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await connected?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Fatal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
