/**
 * (g, events) What the change feed's events cost on top of the status history they come from
 * (docs/EVENTS.md, issue 15 "Limits": within 10 % of the import rate without events).
 *
 * Two A/B measurements, alternated in one run (with, without, with, without, …) so load changes
 * on the shared machine hit both sides alike:
 * - the status batch: 5 000 new entries of 2 500 certifications in one transaction through
 *   `recordStatusChanges` (what a CMVP snapshot writes), with a per-statement time breakdown;
 * - the whole 2026-01-18 NIST CMVP snapshot through the importer's loader (`loadBatch`), each on
 *   an empty graph.
 * The side without events uses the benchmark-only switches (`skipEventsForBenchmark`: status and
 * link events; for the CMVP import also `skipFeedRefreshForBenchmark`: the drift / known-exploited
 * refresh), so it writes no change feed at all; no API, CLI, importer or seed path sets them. Each
 * transaction's commit is timed as `(commit)` on both sides.
 *
 * Standalone: `npx tsx bench/eventCost.ts` (NEO4J_URI, which it EMPTIES, or the project's own
 * Neo4j on NEO4J_LOCAL_PORT / NEO4J_LOCAL_DATA, joined when running, else started fresh).
 * REPETITIONS (default 3), PARTS (`batch,cmvp`, default both).
 */
import path from 'node:path';
import { dataDir, loadConfig } from '../src/config';
import { readDocument } from '../src/importers/readDocument';
import { connectDatabase } from '../src/runtime/database';
import { parseAndValidate } from '../src/services/importService';
import type { Database, Row, Tx } from '../src/store/database';
import { loadBatch } from '../src/store/importStore';
import { applyMigrations } from '../src/store/migrations';
import { batchRowCount } from './importFloor';
import { recordStatusChanges, type StatusChangeInput } from '../src/store/statusHistoryStore';

export interface EventCostSide {
  seconds: number[];
  medianSeconds: number;
}

export interface EventCostPart {
  rows: number;
  withEvents: EventCostSide;
  withoutEvents: EventCostSide;
  /** Median time with events over median time without (1.10 = 10 % slower). */
  timeRatio: number;
  /** Time spent per statement name in the runs with events (median over the runs, seconds). */
  statementSeconds?: Record<string, number>;
  /** Median commit time (seconds) with and without events (CMVP import). */
  commitSeconds?: { withEvents: number; withoutEvents: number };
  eventsWritten: number;
}

export interface EventCostResult {
  question: 'g-events';
  title: string;
  note: string;
  repetitions: number;
  statusBatch?: EventCostPart;
  cmvpImport?: EventCostPart;
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const side = (xs: number[]): EventCostSide => ({ seconds: xs.map((s) => round(s)), medianSeconds: round(median(xs)) });

async function wipe(db: Database): Promise<void> {
  for (;;) {
    const rows = await db.write(undefined, 'bench wipe', 'MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n');
    if (Number(rows[0]?.n ?? 0) === 0) return;
  }
}

async function eventCount(db: Database): Promise<number> {
  const rows = await db.read(undefined, 'bench events', 'MATCH (e:CertificationEvent) RETURN count(e) AS n');
  return Number(rows[0]?.n ?? 0);
}

/** A transaction whose statements are timed by name. */
function timedTx(tx: Tx, times: Map<string, number>): Tx {
  return {
    run: async (name: string, cypher: string, params?: Record<string, unknown>): Promise<Row[]> => {
      const t0 = performance.now();
      try {
        return await tx.run(name, cypher, params);
      } finally {
        times.set(name, (times.get(name) ?? 0) + (performance.now() - t0) / 1000);
      }
    },
  };
}

/** A write transaction whose commit (from the end of its work to the driver's answer) is added to `(commit)`. */
async function timedCommit<T>(
  db: Database,
  stats: Parameters<Database['writeTransaction']>[0],
  work: (tx: Tx) => Promise<T>,
  options: { timeoutMs?: number } | undefined,
  times: Map<string, number>,
): Promise<T> {
  let workDone = 0;
  const result = await db.writeTransaction(
    stats,
    async (tx) => {
      const r = await work(tx);
      workDone = performance.now();
      return r;
    },
    options,
  );
  times.set('(commit)', (times.get('(commit)') ?? 0) + (performance.now() - workDone) / 1000);
  return result;
}

/** The database with every write transaction's statements timed by name, and its commit as `(commit)`. */
export function timedDb(db: Database, times: Map<string, number>): Database {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'writeTransaction')
        return <T>(stats: Parameters<Database['writeTransaction']>[0], work: (tx: Tx) => Promise<T>, options?: { timeoutMs?: number }) =>
          timedCommit(target, stats, (tx) => work(timedTx(tx, times)), options, times);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const N_CERTS = 2500;

async function statusBatchOnce(db: Database, withEvents: boolean, times: Map<string, number>): Promise<number> {
  await wipe(db);
  await db.write(
    undefined,
    'bench certifications',
    `UNWIND range(1, $n) AS i CREATE (:Certification {id: 'bench-cert-' + i, name: 'bench certificate ' + i, kind: 'CERTIFICATE', status: 'ACTIVE', classification: 'UNCLASSIFIED', source: 'bench'})`,
    { n: N_CERTS },
  );
  const changes: StatusChangeInput[] = Array.from({ length: N_CERTS }, (_, i) => [
    { certificationId: `bench-cert-${i + 1}`, status: 'ACTIVE' as const, effectiveFrom: '2024-01-01', source: 'bench' },
    { certificationId: `bench-cert-${i + 1}`, status: 'EXPIRED' as const, effectiveFrom: '2025-12-17', source: 'bench' },
  ]).flat();
  const t0 = performance.now();
  let workDone = 0;
  await db.writeTransaction(
    undefined,
    async (tx) => {
      const timed = timedTx(tx, times);
      const start = performance.now();
      const written = await recordStatusChanges(timed, changes, withEvents ? {} : { skipEventsForBenchmark: true });
      workDone = performance.now();
      const statements = [...times.values()].reduce((a, b) => a + b, 0);
      times.set('(JavaScript between statements)', (workDone - start) / 1000 - statements);
      return written;
    },
    { timeoutMs: 600000 },
  );
  times.set('(commit)', (performance.now() - workDone) / 1000);
  return (performance.now() - t0) / 1000;
}

async function measureStatusBatch(db: Database, log: (m: string) => void, repetitions: number): Promise<EventCostPart> {
  // warm-up: one unmeasured run of each side
  await statusBatchOnce(db, true, new Map());
  await statusBatchOnce(db, false, new Map());
  const withS: number[] = [];
  const withoutS: number[] = [];
  const perRun: Map<string, number>[] = [];
  let eventsWritten = 0;
  for (let r = 0; r < repetitions; r++) {
    // alternate which side goes first
    for (const withEvents of r % 2 === 0 ? [true, false] : [false, true]) {
      const times = new Map<string, number>();
      const s = await statusBatchOnce(db, withEvents, times);
      if (withEvents) {
        withS.push(s);
        perRun.push(times);
        eventsWritten = await eventCount(db);
      } else {
        withoutS.push(s);
        if ((await eventCount(db)) !== 0) throw new Error('the run without events wrote events');
      }
      log(
        `(g events) status batch ${withEvents ? 'with' : 'without'} events: ${s.toFixed(2)} s  ${[...times].map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
      );
    }
  }
  const names = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
  return {
    rows: 2 * N_CERTS,
    withEvents: side(withS),
    withoutEvents: side(withoutS),
    timeRatio: round(median(withS) / median(withoutS)),
    statementSeconds: Object.fromEntries(names.map((n) => [n, round(median(perRun.map((m) => m.get(n) ?? 0)))])),
    eventsWritten,
  };
}

async function measureCmvp(db: Database, log: (m: string) => void, repetitions: number): Promise<EventCostPart> {
  const dir = path.join(dataDir(), 'nist-cmvp');
  const read = (f: string) => ({ name: f, text: readDocument(path.join(dir, f)) });
  const active = read('modules-2026-01-18.json.gz');
  const batch = parseAndValidate(active.text, 'CMVP', 'bench', {
    documentName: active.name,
    more: [read('historical-modules-2026-01-18.json.gz'), read('certificates.json.gz')],
  });
  const perRun: Map<string, number>[] = [];
  const perRunWithout: Map<string, number>[] = [];
  const once = async (withEvents: boolean, runId: string, times = new Map<string, number>()): Promise<number> => {
    await wipe(db);
    const t0 = performance.now();
    await loadBatch(timedDb(db, times), batch, {
      runId,
      assertedBy: 'bench',
      assertedAt: new Date(),
      dryRun: false,
      // without: no change feed at all (status and link events, drift / known-exploited refresh)
      ...(withEvents ? {} : { skipEventsForBenchmark: true, skipFeedRefreshForBenchmark: true }),
    });
    return (performance.now() - t0) / 1000;
  };
  await once(true, 'bench-events-warmup-1');
  await once(false, 'bench-events-warmup-2');
  const withS: number[] = [];
  const withoutS: number[] = [];
  let eventsWritten = 0;
  for (let r = 0; r < repetitions; r++) {
    for (const withEvents of r % 2 === 0 ? [true, false] : [false, true]) {
      const times = new Map<string, number>();
      const s = await once(withEvents, `bench-events-${r}-${withEvents}`, times);
      const top = [...times].sort((a, b) => b[1] - a[1]).slice(0, 10);
      log(`(g events)   top statements: ${top.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
      if (withEvents) {
        withS.push(s);
        perRun.push(times);
        eventsWritten = await eventCount(db);
      } else {
        withoutS.push(s);
        perRunWithout.push(times);
        if ((await eventCount(db)) !== 0) throw new Error('the import without events wrote events');
      }
      log(`(g events) CMVP snapshot import ${withEvents ? 'with' : 'without'} events: ${s.toFixed(2)} s`);
    }
  }
  await wipe(db);
  const names = [...new Set(perRun.flatMap((m) => [...m.keys()]))].filter((n) => n.startsWith('events.') || n === '(commit)');
  const commitOf = (runs: Map<string, number>[]) => round(median(runs.map((m) => m.get('(commit)') ?? 0)));
  return {
    rows: batchRowCount(batch),
    withEvents: side(withS),
    withoutEvents: side(withoutS),
    timeRatio: round(median(withS) / median(withoutS)),
    statementSeconds: Object.fromEntries(names.map((n) => [n, round(median(perRun.map((m) => m.get(n) ?? 0)))])),
    commitSeconds: { withEvents: commitOf(perRun), withoutEvents: commitOf(perRunWithout) },
    eventsWritten,
  };
}

export async function measureEventCost(
  db: Database,
  log: (m: string) => void,
  repetitions = 3,
  parts: readonly string[] = ['batch', 'cmvp'],
): Promise<EventCostResult> {
  const result: EventCostResult = {
    question: 'g-events',
    title: 'cost of the change feed events: the same writes with and without events, alternated',
    note: 'one unmeasured warm-up run of each side; each run on an empty graph; median of the repetitions; ratio = median time with events / median time without',
    repetitions,
  };
  if (parts.includes('batch')) result.statusBatch = await measureStatusBatch(db, log, repetitions);
  if (parts.includes('cmvp')) result.cmvpImport = await measureCmvp(db, log, repetitions);
  return result;
}

if (require.main === module) {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  void (async () => {
    const config = loadConfig({ ...process.env, QUERY_TIMEOUT_MS: '600000' });
    const connected = await connectDatabase(config, { fresh: false, log });
    try {
      await applyMigrations(connected.db);
      const result = await measureEventCost(connected.db, log, Number(process.env.REPETITIONS ?? 3), (process.env.PARTS ?? 'batch,cmvp').split(','));
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await connected.close();
    }
  })();
}
