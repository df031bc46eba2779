/**
 * What the change feed's drift / known-exploited refresh (`refreshFeedState`, run at the end of
 * every `writeBatch`) costs on bulk writes (docs/EVENTS.md; issue 15 "Limits"). Each part runs the
 * same write with and without the refresh, alternated in one run (with, without, then without,
 * with, …), after one unmeasured warm-up of each side, each on a fresh graph:
 * - the ATT&CK Mobile bundle through `loadBatch` (bench (f)), on an empty graph;
 * - the 79 shipped CVE records through `loadBatch` into the seeded graph (seed loaded untimed);
 * - the generator's load (`loadWorld`) at SCALE (default 1), on an empty graph.
 * The side without uses the benchmark-only `skipFeedRefreshForBenchmark` (src/store/batchWriter.ts),
 * which no API, CLI, importer, seed or generator path sets.
 *
 * Standalone: `npx tsx bench/feedRefreshCost.ts` (NEO4J_URI, which it EMPTIES, or the project's own
 * Neo4j on NEO4J_LOCAL_PORT / NEO4J_LOCAL_DATA). REPETITIONS (default 3), PARTS (`attack,cve,generator`), SCALE.
 */
import path from 'node:path';
import { dataDir, loadConfig } from '../src/config';
import { ATTACK_PATH, readSources } from '../src/generator/sources';
import { planWorld } from '../src/generator/generate';
import { loadWorld } from '../src/generator/load';
import { readDocument } from '../src/importers/readDocument';
import { connectDatabase } from '../src/runtime/database';
import { loadSeed } from '../src/seed/loadSeed';
import { parseAndValidate } from '../src/services/importService';
import type { Database } from '../src/store/database';
import { loadBatch } from '../src/store/importStore';
import { applyMigrations } from '../src/store/migrations';
import { timedDb } from './eventCost';

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function wipe(db: Database): Promise<void> {
  for (;;) {
    const rows = await db.write(undefined, 'bench wipe', 'MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n');
    if (Number(rows[0]?.n ?? 0) === 0) return;
  }
}

async function eventCount(db: Database): Promise<number> {
  const rows = await db.read(
    undefined,
    'bench events',
    "MATCH (e:CertificationEvent) WHERE e.type IN ['SCOPE_DRIFT_CHANGED', 'KEV_AFFECTS'] RETURN count(e) AS n",
  );
  return Number(rows[0]?.n ?? 0);
}

interface Part {
  with: number[];
  without: number[];
  withMedian: number;
  withoutMedian: number;
  ratio: number;
  refreshEvents: number;
  /** Median over the runs with the refresh of the time in its statements (events.kevReach, events.driftReach, …), seconds. */
  refreshStatementSeconds: Record<string, number>;
}

/** The refresh's statements (src/store/feedEmitters.ts), by name. */
const REFRESH_STATEMENTS =
  /^(events\.(kevReach|driftReach|kevOfReleases|readFeedState|writeFeedState|controlMarkings|deploymentContext|nodeMarkings)|analytics\.scopeDrift\.deployments(ByLevel)?)$/;

async function measure(
  db: Database,
  log: (m: string) => void,
  name: string,
  reps: number,
  prepare: () => Promise<void>,
  run: (db: Database, skip: boolean) => Promise<void>,
): Promise<Part> {
  const once = async (skip: boolean, times = new Map<string, number>()): Promise<number> => {
    await wipe(db);
    await prepare();
    const t0 = performance.now();
    await run(timedDb(db, times), skip);
    return (performance.now() - t0) / 1000;
  };
  await once(false);
  await once(true);
  const withS: number[] = [];
  const withoutS: number[] = [];
  let refreshEvents = 0;
  const perRun: Map<string, number>[] = [];
  for (let r = 0; r < reps; r++) {
    for (const skip of r % 2 === 0 ? [false, true] : [true, false]) {
      const times = new Map<string, number>();
      const s = await once(skip, times);
      (skip ? withoutS : withS).push(s);
      const refresh = [...times].filter(([k]) => REFRESH_STATEMENTS.test(k));
      if (!skip) {
        refreshEvents = await eventCount(db);
        perRun.push(new Map(refresh));
      } else if (refresh.length > 0) throw new Error('the run without the refresh ran its statements');
      log(`(feed refresh) ${name} ${skip ? 'without' : 'with'}: ${s.toFixed(3)} s  ${refresh.map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
    }
  }
  return {
    with: withS.map((s) => round(s)),
    without: withoutS.map((s) => round(s)),
    withMedian: round(median(withS)),
    withoutMedian: round(median(withoutS)),
    ratio: round(median(withS) / median(withoutS)),
    refreshEvents,
    refreshStatementSeconds: Object.fromEntries(
      [...new Set(perRun.flatMap((m) => [...m.keys()]))].map((k) => [k, round(median(perRun.map((m) => m.get(k) ?? 0)))]),
    ),
  };
}

export async function measureFeedRefresh(
  db: Database,
  log: (m: string) => void,
  reps: number,
  parts: readonly string[],
  scale: number,
): Promise<Record<string, Part>> {
  const out: Record<string, Part> = {};
  const opts = (skip: boolean, runId: string) => ({
    runId,
    assertedBy: 'bench',
    assertedAt: new Date(),
    dryRun: false,
    ...(skip ? { skipFeedRefreshForBenchmark: true } : {}),
  });
  let n = 0;
  if (parts.includes('attack')) {
    const batch = parseAndValidate(readDocument(path.join(dataDir(), ATTACK_PATH)), 'STIX');
    out.attack = await measure(
      db,
      log,
      'ATT&CK Mobile import',
      reps,
      async () => {},
      async (tdb, skip) => {
        await loadBatch(tdb, batch, opts(skip, `bench-refresh-${n++}`));
      },
    );
  }
  if (parts.includes('cve')) {
    const batch = parseAndValidate(readDocument(path.join(dataDir(), 'cve-records', 'cve-records.json.gz')), 'CVE');
    out.cve = await measure(
      db,
      log,
      'CVE records into the seed',
      reps,
      async () => void (await loadSeed(db)),
      async (tdb, skip) => {
        await loadBatch(tdb, batch, opts(skip, `bench-refresh-${n++}`));
      },
    );
  }
  if (parts.includes('generator')) {
    const world = planWorld(readSources(), { scale, seed: 'assurance' });
    out.generator = await measure(
      db,
      log,
      `generator load scale ${scale}`,
      reps,
      async () => {},
      async (tdb, skip) => {
        await loadWorld(tdb, world, skip ? { skipFeedRefreshForBenchmark: true } : {});
      },
    );
  }
  await wipe(db);
  return out;
}

if (require.main === module) {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  void (async () => {
    const config = loadConfig({ ...process.env, QUERY_TIMEOUT_MS: '600000' });
    const connected = await connectDatabase(config, { fresh: false, log });
    try {
      await applyMigrations(connected.db);
      const result = await measureFeedRefresh(
        connected.db,
        log,
        Number(process.env.REPETITIONS ?? 3),
        (process.env.PARTS ?? 'attack,cve,generator').split(','),
        Number(process.env.SCALE ?? 1),
      );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await connected.close();
    }
  })();
}
