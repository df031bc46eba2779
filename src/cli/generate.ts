/**
 * `npm run generate -- --scale N [--seed S] [--chunk-size R]`: writes a synthetic ecosystem
 * (see src/generator/generate.ts) into the configured Neo4j, or into the project-managed one
 * when NEO4J_URI is unset. Applies migrations first, then writes in chunked transactions.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config';
import { planWorld } from '../generator/generate';
import { loadWorld } from '../generator/load';
import { readSources } from '../generator/sources';
import { LocalNeo4jError } from '../runtime/localNeo4j';
import { connectDatabase } from '../runtime/database';
import { applyMigrations } from '../store/migrations';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('generate')
    .description('Write a deterministic synthetic assurance graph (scale 1 = about 50k nodes, 290k relationships).')
    .option('--scale <n>', 'size multiplier (0 < n <= 100)', positiveNumber, 1)
    .option('--seed <s>', 'PRNG seed; the same seed gives the same graph', 'assurance')
    .option('--chunk-size <rows>', 'rows per write transaction', positiveInteger, 5000)
    .option('--fresh', 'delete the project-managed Neo4j store before starting (ignored with NEO4J_URI)', false)
    .parse();
  const opts = program.opts<{ scale: number; seed: string; chunkSize: number; fresh: boolean }>();

  // Bulk-load transactions are far larger than API queries: allow 10 minutes unless configured.
  const config = loadConfig({ QUERY_TIMEOUT_MS: '600000', ...process.env });
  const connected = await connectDatabase(config, { fresh: opts.fresh, log: (m) => process.stderr.write(`${m}\n`) });
  try {
    await applyMigrations(connected.db);
    const started = Date.now();
    const world = planWorld(readSources(), { scale: opts.scale, seed: opts.seed, chunkSize: opts.chunkSize });
    process.stderr.write(
      `planned scale ${opts.scale} seed ${JSON.stringify(opts.seed)} in ${((Date.now() - started) / 1000).toFixed(1)} s; writing to ${connected.uri}\n`,
    );
    let lastPrint = 0;
    let peakRss = process.memoryUsage().rss;
    const report = await loadWorld(connected.db, world, {
      chunkSize: opts.chunkSize,
      onBatch: (batch, done) => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (Date.now() - lastPrint > 10000) {
          lastPrint = Date.now();
          const what = batch.kind === 'nodes' ? batch.label : batch.type;
          const rate = Math.round((done.nodes + done.relationships) / ((Date.now() - started) / 1000));
          process.stderr.write(
            `  ${((Date.now() - started) / 1000).toFixed(0)} s: ${done.nodes} nodes, ${done.relationships} relationships, ${rate} rows/s overall (writing ${what})\n`,
          );
        }
      },
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify(
        {
          scale: opts.scale,
          seed: opts.seed,
          totalNodes: report.totalNodes,
          totalRelationships: report.totalRelationships,
          transactions: report.transactions,
          seconds: Math.round(seconds * 10) / 10,
          peakRssMb: Math.round(peakRss / 1e6),
          nodes: report.nodes,
          relationships: report.relationships,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await connected.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof LocalNeo4jError || error instanceof RangeError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
