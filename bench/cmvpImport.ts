/**
 * (g) A whole NIST CMVP snapshot (the 2026-01-18 active and historical lists and the certificate
 * detail records: 5 130 certificates, about 24 000 rows) through the importer's loader, against the
 * plain `UNWIND … MERGE` floor of the same rows (bench/importFloor.ts), and the no-op re-import.
 *
 * Standalone: `npx tsx bench/cmvpImport.ts` (NEO4J_URI, which it EMPTIES, or the project's own
 * Neo4j on NEO4J_LOCAL_PORT / NEO4J_LOCAL_DATA, started fresh and stopped afterwards).
 */
import path from 'node:path';
import { dataDir, loadConfig } from '../src/config';
import { readDocument } from '../src/importers/readDocument';
import { connectDatabase } from '../src/runtime/database';
import { parseAndValidate } from '../src/services/importService';
import type { Database } from '../src/store/database';
import { loadBatch } from '../src/store/importStore';
import { applyMigrations } from '../src/store/migrations';
import { batchRowCount, plainUnwindMerge } from './importFloor';

export interface CmvpImportResult {
  question: 'g';
  title: string;
  status: 'measured';
  note: string;
  rows: number;
  repetitions: number;
  /** First import of the snapshot into an empty graph, status history included. */
  importerSeconds: number[];
  plainSeconds: number[];
  /** The same snapshot again: nothing changes. */
  reimportSeconds: number[];
  importerRowsPerSecond: number;
  plainRowsPerSecond: number;
  throughputRatio: number;
  /** Median no-op re-import time over the median plain floor time (how much a "nothing changed" costs). */
  reimportToFloorRatio: number;
  statusChangesRecorded: number;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function wipe(db: Database): Promise<void> {
  // In chunks: one transaction deleting ~40 000 nodes and relationships is fine, but keep it bounded.
  for (;;) {
    const rows = await db.write(undefined, 'bench wipe', 'MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n');
    if (Number(rows[0]?.n ?? 0) === 0) return;
  }
}

export async function measureCmvpImport(db: Database, log: (m: string) => void, repetitions = 3): Promise<CmvpImportResult> {
  const dir = path.join(dataDir(), 'nist-cmvp');
  const read = (f: string) => ({ name: f, text: readDocument(path.join(dir, f)) });
  const active = read('modules-2026-01-18.json.gz');
  const batch = parseAndValidate(active.text, 'CMVP', 'bench', {
    documentName: active.name,
    more: [read('historical-modules-2026-01-18.json.gz'), read('certificates.json.gz')],
  });
  const rows = batchRowCount(batch);
  const importerSeconds: number[] = [];
  const plainSeconds: number[] = [];
  const reimportSeconds: number[] = [];
  let statusChangesRecorded = 0;
  const load = (runId: string) => loadBatch(db, batch, { runId, assertedBy: 'bench', assertedAt: new Date(), dryRun: false });
  await wipe(db);
  // warm-up: one unmeasured run of each
  await load('bench-cmvp-warmup');
  await wipe(db);
  await plainUnwindMerge(db, batch);
  await wipe(db);
  for (let r = 0; r < repetitions; r++) {
    let t0 = performance.now();
    const first = await load(`bench-cmvp-${r}`);
    importerSeconds.push((performance.now() - t0) / 1000);
    statusChangesRecorded = first.snapshot?.statusChangesRecorded ?? 0;
    t0 = performance.now();
    const again = await load(`bench-cmvp-${r}-again`);
    reimportSeconds.push((performance.now() - t0) / 1000);
    if ((again.snapshot?.statusChangesRecorded ?? 0) !== 0) throw new Error('the re-import recorded status changes');
    await wipe(db);
    t0 = performance.now();
    await plainUnwindMerge(db, batch);
    plainSeconds.push((performance.now() - t0) / 1000);
    await wipe(db);
    log(
      `(g) repetition ${r + 1}: importer ${importerSeconds[r]?.toFixed(2)} s, re-import ${reimportSeconds[r]?.toFixed(2)} s, plain ${plainSeconds[r]?.toFixed(2)} s for ${rows} rows`,
    );
  }
  const importerRowsPerSecond = round(rows / median(importerSeconds), 0);
  const plainRowsPerSecond = round(rows / median(plainSeconds), 0);
  return {
    question: 'g',
    title: 'import of a whole NIST CMVP snapshot (2026-01-18: active + historical + details) vs plain UNWIND … MERGE; no-op re-import',
    status: 'measured',
    note: 'parse excluded; the importer also records the status history (one entry or two per certificate); one unmeasured warm-up run of each; each first import on an empty graph; median of the repetitions',
    rows,
    repetitions,
    importerSeconds: importerSeconds.map((s) => round(s, 3)),
    plainSeconds: plainSeconds.map((s) => round(s, 3)),
    reimportSeconds: reimportSeconds.map((s) => round(s, 3)),
    importerRowsPerSecond,
    plainRowsPerSecond,
    throughputRatio: round(importerRowsPerSecond / plainRowsPerSecond),
    reimportToFloorRatio: round(median(reimportSeconds) / median(plainSeconds)),
    statusChangesRecorded,
  };
}

if (require.main === module) {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  void (async () => {
    const config = loadConfig({ ...process.env, QUERY_TIMEOUT_MS: '600000' });
    const connected = await connectDatabase(config, { fresh: !config.NEO4J_URI, log });
    try {
      await applyMigrations(connected.db);
      const result = await measureCmvpImport(connected.db, log, Number(process.env.REPETITIONS ?? 3));
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await connected.close();
    }
  })();
}
