/**
 * `npm run bench -- [--scale 1] [--seed assurance] [--duration 10] [--warmup 3] [--connections 8]
 *                   [--questions a,b,c,d,e,f,g] [--reuse] [--no-peer] [--peer-rounds 5]
 *                   [--peer-connections 10] [--no-analytics]`
 *
 * Starts a fresh project-managed Neo4j on its own port and folder (NEO4J_LOCAL_PORT, default
 * 7796; NEO4J_LOCAL_DATA, default .data/neo4j-bench), or uses NEO4J_URI; measures (f) the
 * ATT&CK import against a plain UNWIND … MERGE on the empty graph; generates the synthetic
 * graph; starts the API in-process on 127.0.0.1; then for each question measures the GraphQL
 * operation over HTTP (autocannon) and the same question as one Cypher query (the floor), and
 * writes bench/results/*.json and the table in docs/BENCHMARKS.md.
 *
 * `--peer` (on by default; `--no-peer` to skip; `--peer-rounds 5`, `--peer-connections 10`):
 * questions (a) and (b) against `@neo4j/graphql` (bench/peer/) on the same Neo4j and data, this
 * API asked with a SECRET-cleared key; answers compared before anything is timed, then A/B
 * alternated rounds (bench/peer/ab.ts). `--analytics` (on by default; `--no-analytics`):
 * blastRadius from parentless SBOM roots, exposure and riskPaths without a target, one request at
 * a time (bench/analytics.ts).
 */
import { randomUUID } from 'node:crypto';
import type * as ImportServiceModule from '../src/services/importService';
import type * as ImportStoreModule from '../src/store/importStore';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureCmvpImport, type CmvpImportResult } from './cmvpImport';
import { measureEventCost, type EventCostResult } from './eventCost';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { dataDir, loadConfig, REPO_ROOT, type AppConfig } from '../src/config';
import { planWorld } from '../src/generator/generate';
import { loadWorld } from '../src/generator/load';
import { GENERATED_ID_PREFIX } from '../src/generator/world';
import { readDocument } from '../src/importers/readDocument';
import type { ImportFormat } from '../src/importers/types';
import { ATTACK_PATH, readSources } from '../src/generator/sources';
import { NEO4J_VERSION } from '../src/runtime/localNeo4j';
import { connectDatabase } from '../src/runtime/database';
import { createApp, type App } from '../src/server';
import { Database, type QueryStats } from '../src/store/database';
import { applyMigrations, SEARCH_INDEX_NAME } from '../src/store/migrations';
import { toLuceneQuery } from '../src/domain/lucene';
import { measureHttp, measureLoops, round, type LoadFigures, type LoadSettings } from './measure';
import * as Q from './queries';
import { loadSummary, runLoad } from './load';
import { loadSeed } from '../src/seed/loadSeed';
import { hashApiKey, parseApiKeys } from '../src/auth';
import { analyticsBench, type AnalyticsResult } from './analytics';
import { measurePeerCase, type PeerCase, type PeerResult } from './peer/ab';
import { normaliseDeviceDetail, normaliseDevicePage, PEER_DEVICE_DETAIL_GRAPHQL, PEER_DEVICE_PAGE_GRAPHQL } from './peer/questions';
import { startPeer } from './peer/server';

export const QUESTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
export type Question = (typeof QUESTIONS)[number];

export const QUESTION_TITLES: Record<Question, string> = {
  a: 'device with components, their vulnerabilities, certifications and issuers',
  b: 'filtered, ordered page of devices (with maker)',
  c: 'risk paths from a threat to a device (maxHops 5)',
  d: 'certification lineage as of a date',
  e: 'full-text search',
  f: 'imports (ATT&CK Mobile bundle; CVE records into the seeded graph) vs plain UNWIND … MERGE',
  g: 'import of a whole NIST CMVP snapshot (active + historical + details) vs plain UNWIND … MERGE; no-op re-import',
};

export interface QueryResult {
  question: Question;
  title: string;
  status: 'measured' | 'not available';
  note?: string;
  graphql?: LoadFigures;
  cypher?: LoadFigures;
  /** Database round trips of one GraphQL operation (QueryStats), and the query names. */
  roundTrips?: number;
  roundTripNames?: string[];
  /** Levels of nested selections that need data (for the round-trip target). */
  nestingDepth?: number;
  p50Ratio?: number;
  throughputRatio?: number;
  targets: number;
}

export interface ImportResult {
  question: 'f';
  title: string;
  /** Which document: `attack` (ATT&CK Mobile bundle) or `cve` (the shipped CVE records). */
  document?: string;
  status: 'measured' | 'not available';
  note?: string;
  rows?: number;
  repetitions?: number;
  importerSeconds?: number[];
  plainSeconds?: number[];
  importerRowsPerSecond?: number;
  plainRowsPerSecond?: number;
  /** importer / plain throughput (target >= 0.7). */
  throughputRatio?: number;
}

export interface BenchReport {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    platform: string;
    node: string;
    neo4j: string;
    heap: string;
    pageCache: string;
    loadAverageAtStart: number[];
    graphqlMaxCost: number;
  };
  scale: number;
  seed: string;
  settings: LoadSettings;
  generation?: { nodes: number; relationships: number; seconds: number; transactions: number; peakRssMb: number };
  questions: QueryResult[];
  imports?: ImportResult[];
  /** (g) a whole NIST CMVP snapshot vs the plain UNWIND … MERGE floor, and the no-op re-import. */
  cmvpImport?: CmvpImportResult;
  /** (g) what the change feed's events cost: the status batch and the CMVP snapshot import with and without events, alternated. */
  eventCost?: EventCostResult;
  /** Results files written before the CVE case existed hold one ATT&CK import here. */
  import?: ImportResult;
  /** (a) and (b) against `@neo4j/graphql` (A/B alternated). */
  peer?: PeerResult[];
  /** Bounded analytics (issue 16 target 4). */
  analytics?: AnalyticsResult;
}

export interface BenchOptions {
  scale: number;
  seed: string;
  settings: LoadSettings;
  questions: Question[];
  /** Skip wiping and generating (the graph is already there). */
  reuse: boolean;
  log: (message: string) => void;
  /** Compare (a) and (b) with `@neo4j/graphql`: rounds of A/B at this concurrency (off when absent). */
  peer?: { rounds: number; connections: number };
  /** Time blastRadius, exposure and riskPaths (issue 16 target 4). */
  analytics?: boolean;
}

const ANONYMOUS_MARKINGS = ['UNCLASSIFIED'];
/** The default QUERY_TIMEOUT_MS (src/config.ts), the bound riskPaths must stay under. */
const PRODUCT_QUERY_TIMEOUT_MS = 15000;

async function graphqlOnce(app: App, query: string, variables: Record<string, unknown>): Promise<{ roundTrips: number; names: string[]; data: unknown }> {
  const contextValue = await app.contextFor({});
  const response = await app.apollo.executeOperation({ query, variables }, { contextValue });
  if (response.body.kind !== 'single') throw new Error('expected a single GraphQL result');
  const { errors, data } = response.body.singleResult;
  if (errors && errors.length > 0) throw new Error(`GraphQL errors: ${errors.map((e) => e.message).join('; ')}`);
  const stats: QueryStats = contextValue.stats;
  return { roundTrips: stats.roundTrips, names: [...stats.names], data };
}

interface Case {
  question: Question;
  graphql: string;
  cypher: string;
  /** Variables for GraphQL and parameters for Cypher, per target (rotated). */
  targets: { variables: Record<string, unknown>; params: Record<string, unknown> }[];
  nestingDepth: number;
  note?: string;
}

async function measureCase(app: App, baseUrl: string, db: Database, c: Case, settings: LoadSettings, log: (m: string) => void): Promise<QueryResult> {
  const title = QUESTION_TITLES[c.question];
  if (c.targets.length === 0) return { question: c.question, title, status: 'not available', note: 'no targets found in the generated graph', targets: 0 };
  const first = c.targets[0];
  if (!first) throw new Error('unreachable');
  const once = await graphqlOnce(app, c.graphql, first.variables);
  // Every target must answer without errors, on both sides, before anything is timed.
  for (const t of c.targets) await graphqlOnce(app, c.graphql, t.variables);
  const floorRows = await db.read(undefined, `floor ${c.question}`, c.cypher, first.params);
  if (floorRows.length === 0) throw new Error(`floor query (${c.question}) returned no rows for ${JSON.stringify(first.params)}`);
  const bodies = c.targets.map((t) => JSON.stringify({ query: c.graphql, variables: t.variables }));
  log(`(${c.question}) GraphQL over HTTP, ${settings.connections} connections, ${settings.warmupSeconds}+${settings.durationSeconds} s`);
  const graphql = await measureHttp(`${baseUrl}/graphql`, bodies, settings);
  log(`(${c.question}) Cypher floor, ${settings.connections} loops, ${settings.warmupSeconds}+${settings.durationSeconds} s`);
  const cypher = await measureLoops(
    (i) => db.read(undefined, `floor ${c.question}`, c.cypher, c.targets[i % c.targets.length]?.params ?? first.params),
    settings,
  );
  log(`(${c.question}) GraphQL p50 ${graphql.p50Ms} ms, Cypher p50 ${cypher.p50Ms} ms, round trips ${once.roundTrips}`);
  return {
    question: c.question,
    title,
    status: 'measured',
    note: c.note,
    graphql,
    cypher,
    roundTrips: once.roundTrips,
    roundTripNames: once.names,
    nestingDepth: c.nestingDepth,
    p50Ratio: round(graphql.p50Ms / cypher.p50Ms),
    throughputRatio: round(graphql.requestsPerSecond / cypher.requestsPerSecond),
    targets: c.targets.length,
  };
}

/** Filters of (b), the same for the floor, the peer and this API. */
const PAGE_FILTERS = [
  { categories: ['PHONE'], after: '2019-01-01' },
  { categories: ['TABLET', 'LAPTOP'], after: '2017-06-01' },
  { categories: ['PHONE', 'WEARABLE'], after: '2022-01-01' },
  { categories: ['PHONE', 'TABLET', 'LAPTOP', 'WEARABLE'], after: '2016-01-01' },
];

/** (a) and (b) against the peer, this API asked as a SECRET-cleared caller (`headers`). */
async function peerBench(
  app: App,
  url: string,
  headers: Record<string, string>,
  db: Database,
  devices: string[],
  peerOpts: { rounds: number; connections: number },
  settings: LoadSettings,
  log: (m: string) => void,
  questions: Question[],
): Promise<PeerResult[]> {
  const peer = await startPeer(db.driver, { database: db.database });
  const ours = async (query: string, variables: Record<string, unknown>): Promise<unknown> => {
    const contextValue = await app.contextFor(headers);
    const response = await app.apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single GraphQL result');
    const { errors, data } = response.body.singleResult;
    if (errors && errors.length > 0) throw new Error(`GraphQL errors: ${errors.map((e) => e.message).join('; ')}`);
    return JSON.parse(JSON.stringify(data)) as unknown;
  };
  const cases: PeerCase[] = [];
  const nested =
    'same items and fields; nested lists sorted by (lower-cased name, id) on both sides before comparing (this API orders them so, the peer can only sort by name as stored), so their order is not compared but each page must hold the same items';
  if (questions.includes('a'))
    cases.push({
      question: 'a',
      title: QUESTION_TITLES.a,
      ourQuery: Q.DEVICE_DETAIL_GRAPHQL,
      peerQuery: PEER_DEVICE_DETAIL_GRAPHQL,
      ourVariables: devices.map((id) => ({ id })),
      peerVariables: devices.map((id) => ({ id })),
      normalise: normaliseDeviceDetail,
      compared: nested,
    });
  if (questions.includes('b'))
    cases.push({
      question: 'b',
      title: QUESTION_TITLES.b,
      ourQuery: Q.DEVICE_PAGE_GRAPHQL,
      peerQuery: PEER_DEVICE_PAGE_GRAPHQL,
      ourVariables: PAGE_FILTERS,
      peerVariables: PAGE_FILTERS,
      normalise: normaliseDevicePage,
      compared: 'same items in the same order (releasedAt descending, then id), totalCount and hasNextPage; cursors left out (opaque, encoded differently)',
    });
  const results: PeerResult[] = [];
  try {
    for (const c of cases) {
      try {
        results.push(
          await measurePeerCase(c, { ours, ourUrl: url, ourHeaders: headers, peer }, { ...settings, connections: peerOpts.connections }, peerOpts.rounds, log),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`(${c.question} vs peer) failed: ${message}`);
        results.push({
          question: c.question,
          title: c.title,
          status: 'not available',
          note: `failed: ${message.slice(0, 300)}`,
          targets: c.ourVariables.length,
        });
      }
    }
  } finally {
    await peer.stop();
  }
  return results;
}

function schemaHas(field: string): boolean {
  const dir = path.join(REPO_ROOT, 'schema');
  return fs.readdirSync(dir).some((f) => f.endsWith('.graphql') && fs.readFileSync(path.join(dir, f), 'utf8').includes(`${field}(`));
}

/** Empties the bench database in chunks (the generated graph is too big for one delete). */
async function wipe(db: Database): Promise<void> {
  for (;;) {
    const rows = await db.write(undefined, 'bench wipe', 'MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS deleted');
    if (Number(rows[0]?.deleted ?? 0) === 0) return;
  }
}

/** One document the import benchmark measures. */
interface ImportCase {
  document: string;
  title: string;
  file: string;
  format: ImportFormat;
  /** Untimed, before every run of either side (the graph is empty then). */
  prepare?: (db: Database) => Promise<void>;
  note: string;
}

function importCases(): ImportCase[] {
  return [
    {
      document: 'attack',
      title: 'import of the ATT&CK Mobile bundle vs plain UNWIND … MERGE',
      file: path.join(dataDir(), ATTACK_PATH),
      format: 'STIX',
      note: 'parse excluded; one unmeasured warm-up run of each; each run on an empty graph (wiped in between); median of the repetitions',
    },
    {
      document: 'cve',
      title: 'import of the 79 shipped CVE records into the seeded graph (with version-range matching to OS releases) vs plain UNWIND … MERGE of the same rows',
      file: path.join(dataDir(), 'cve-records', 'cve-records.json.gz'),
      format: 'CVE',
      prepare: async (db) => {
        const { loadSeed } = await import('../src/seed/loadSeed');
        await loadSeed(db);
      },
      note: 'parse excluded; the seed is loaded (untimed) before each run of either side, so the importer matches affected ranges against the seed releases while the floor only merges rows; median of the repetitions',
    },
  ];
}

async function importBench(db: Database, log: (m: string) => void, c: ImportCase, repetitions = 5): Promise<ImportResult> {
  const title = c.title;
  let importStore: typeof ImportStoreModule;
  let importService: typeof ImportServiceModule;
  try {
    importStore = await import('../src/store/importStore');
    importService = await import('../src/services/importService');
  } catch (error) {
    return {
      question: 'f',
      title,
      document: c.document,
      status: 'not available',
      note: `the importer could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const { batchRowCount, plainUnwindMerge } = await import('./importFloor');
  const batch = importService.parseAndValidate(readDocument(c.file), c.format);
  const rows = batchRowCount(batch);
  const importerSeconds: number[] = [];
  const plainSeconds: number[] = [];
  const fresh = async (): Promise<void> => {
    await wipe(db);
    if (c.prepare) await c.prepare(db);
  };
  await fresh();
  // warm-up: one unmeasured run of each, so both sides are timed with their query plans cached
  await importStore.loadBatch(db, batch, { runId: 'bench-import-warmup', assertedBy: 'bench', assertedAt: new Date(), dryRun: false });
  await fresh();
  await plainUnwindMerge(db, batch);
  await fresh();
  for (let r = 0; r < repetitions; r++) {
    let t0 = performance.now();
    await importStore.loadBatch(db, batch, { runId: `bench-import-${r}`, assertedBy: 'bench', assertedAt: new Date(), dryRun: false });
    importerSeconds.push((performance.now() - t0) / 1000);
    await fresh();
    t0 = performance.now();
    await plainUnwindMerge(db, batch);
    plainSeconds.push((performance.now() - t0) / 1000);
    await fresh();
    log(`(f ${c.document}) repetition ${r + 1}: importer ${importerSeconds[r]?.toFixed(3)} s, plain ${plainSeconds[r]?.toFixed(3)} s for ${rows} rows`);
  }
  await wipe(db);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const importerRowsPerSecond = round(rows / median(importerSeconds), 0);
  const plainRowsPerSecond = round(rows / median(plainSeconds), 0);
  return {
    question: 'f',
    title,
    document: c.document,
    status: 'measured',
    note: c.note,
    rows,
    repetitions,
    importerSeconds: importerSeconds.map((s) => round(s, 3)),
    plainSeconds: plainSeconds.map((s) => round(s, 3)),
    importerRowsPerSecond,
    plainRowsPerSecond,
    throughputRatio: round(importerRowsPerSecond / plainRowsPerSecond),
  };
}

/** Runs the benchmark against `db` (for the floors and the app) and `loaderDb` (long-transaction writes). */
export async function runBench(config: AppConfig, db: Database, loaderDb: Database, opts: BenchOptions): Promise<BenchReport> {
  const { log } = opts;
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGb: round(os.totalmem() / 1024 ** 3, 1),
      platform: `${os.type()} ${os.release()}`,
      node: process.version,
      neo4j: config.NEO4J_URI ? 'external (NEO4J_URI)' : `${NEO4J_VERSION} community (project-managed)`,
      heap: config.NEO4J_HEAP,
      pageCache: config.NEO4J_PAGECACHE,
      loadAverageAtStart: os.loadavg().map((l) => round(l, 1)),
      graphqlMaxCost: config.GRAPHQL_MAX_COST,
    },
    scale: opts.scale,
    seed: opts.seed,
    settings: opts.settings,
    questions: [],
  };
  await applyMigrations(loaderDb);

  const queryQuestions = opts.questions.filter((q) => q !== 'f' && q !== 'g');
  if (!opts.reuse && queryQuestions.length > 0) {
    await wipe(loaderDb);
    const world = planWorld(readSources(), { scale: opts.scale, seed: opts.seed });
    let peak = process.memoryUsage().rss;
    let lastLog = Date.now();
    const loaded = await loadWorld(loaderDb, world, {
      onBatch: (_b, done) => {
        peak = Math.max(peak, process.memoryUsage().rss);
        if (Date.now() - lastLog > 15000) {
          lastLog = Date.now();
          log(`generating: ${done.nodes} nodes, ${done.relationships} relationships`);
        }
      },
    });
    report.generation = {
      nodes: loaded.totalNodes,
      relationships: loaded.totalRelationships,
      seconds: round(loaded.seconds, 1),
      transactions: loaded.transactions,
      peakRssMb: Math.round(peak / 1e6),
    };
    log(`generated ${loaded.totalNodes} nodes and ${loaded.totalRelationships} relationships in ${loaded.seconds.toFixed(1)} s`);
    await loaderDb.write(undefined, 'await indexes', 'CALL db.awaitIndexes(300)');
  } else if (queryQuestions.length > 0) {
    // --reuse on a graph an earlier (f) emptied would time empty answers (and skip (a) for lack of targets)
    const rows = await loaderDb.read(undefined, 'count generated devices', 'MATCH (d:Device) WHERE d.id STARTS WITH $prefix RETURN count(d) AS n', {
      prefix: GENERATED_ID_PREFIX,
    });
    const devices = Number(rows[0]?.n ?? 0);
    if (devices === 0) throw new Error('--reuse: the graph holds no generated devices (an earlier run of (f) empties it); run without --reuse to generate it');
    log(`--reuse: the graph holds ${devices} generated devices`);
  }

  // A SECRET-cleared analyst key of the bench's own, for the peer comparison (the peer applies no
  // markings, so this API must see everything to give the same answer) and the analytics.
  const benchKey = `bench-${randomUUID()}`;
  const appConfig: AppConfig = {
    ...config,
    API_KEYS: JSON.stringify([
      ...parseApiKeys(config.API_KEYS),
      { id: 'bench-secret', sha256: hashApiKey(benchKey), roles: ['viewer', 'analyst'], clearance: 'SECRET' },
    ]),
  };
  const app = await createApp({ config: appConfig, db, logger: pino({ level: 'silent' }), migrationsApplied: true });
  const baseUrl = await app.listen(0, '127.0.0.1');
  try {
    const markings = ANONYMOUS_MARKINGS;
    const devices = (await db.read(undefined, 'bench pick devices', Q.PICK_DEVICES, { markings, limit: 50 })).map((r) => String(r.id));
    const cases: Case[] = [];
    if (opts.questions.includes('a')) {
      cases.push({
        question: 'a',
        graphql: Q.DEVICE_DETAIL_GRAPHQL,
        cypher: Q.DEVICE_DETAIL_CYPHER,
        nestingDepth: 3,
        targets: devices.map((id) => ({ variables: { id }, params: { id, markings } })),
      });
    }
    if (opts.questions.includes('b')) {
      const filters = PAGE_FILTERS;
      cases.push({
        question: 'b',
        graphql: Q.DEVICE_PAGE_GRAPHQL,
        cypher: Q.DEVICE_PAGE_CYPHER,
        nestingDepth: 2,
        targets: filters.map((f) => ({ variables: f, params: { ...f, markings } })),
      });
    }
    if (opts.questions.includes('c')) {
      if (!schemaHas('riskPaths'))
        report.questions.push({ question: 'c', title: QUESTION_TITLES.c, status: 'not available', note: 'riskPaths is not in the schema yet', targets: 0 });
      else {
        const pairs = await db.read(undefined, 'bench pick risk pairs', Q.PICK_RISK_PAIRS, { markings, limit: 2000 });
        const step = Math.max(1, Math.floor(pairs.length / 20));
        const chosen = pairs.filter((_, i) => i % step === 0).slice(0, 20);
        cases.push({
          question: 'c',
          graphql: Q.RISK_PATHS_GRAPHQL,
          cypher: Q.RISK_PATHS_CYPHER,
          nestingDepth: 1,
          targets: chosen.map((p) => ({
            variables: { from: p.threatId, to: p.deviceId, maxHops: 5 },
            params: { from: p.threatId, to: p.deviceId, maxHops: 5, markings, blockingVex: ['NOT_AFFECTED', 'FIXED'] },
          })),
        });
      }
    }
    if (opts.questions.includes('d')) {
      if (!schemaHas('certificationLineage'))
        report.questions.push({
          question: 'd',
          title: QUESTION_TITLES.d,
          status: 'not available',
          note: 'certificationLineage is not in the schema yet',
          targets: 0,
        });
      else {
        const roots = (await db.read(undefined, 'bench pick lineage roots', Q.PICK_LINEAGE_ROOTS, { markings, limit: 30 })).map((r) => String(r.id));
        const dates = ['2019-06-30', '2022-01-15', '2025-06-01'];
        cases.push({
          question: 'd',
          graphql: Q.LINEAGE_GRAPHQL,
          cypher: Q.LINEAGE_CYPHER,
          nestingDepth: 2,
          targets: roots.map((id, i) => {
            const asOf = dates[i % dates.length] ?? '2025-06-01';
            return { variables: { id, asOf }, params: { id, asOf, markings } };
          }),
        });
      }
    }
    if (opts.questions.includes('e')) {
      const texts = ['buffer overflow', 'openssl', 'secure element', 'Aster Nova', 'access control', 'T1456', 'crypto module', 'boot'];
      cases.push({
        question: 'e',
        graphql: Q.SEARCH_GRAPHQL,
        cypher: Q.SEARCH_CYPHER,
        nestingDepth: 1,
        targets: texts.map((text) => ({ variables: { text }, params: { index: SEARCH_INDEX_NAME, query: toLuceneQuery(text), markings } })),
      });
    }
    for (const c of cases) {
      try {
        report.questions.push(await measureCase(app, baseUrl, db, c, opts.settings, log));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`(${c.question}) failed: ${message}`);
        report.questions.push({
          question: c.question,
          title: QUESTION_TITLES[c.question],
          status: 'not available',
          note: `failed: ${message.slice(0, 300)}`,
          targets: c.targets.length,
        });
      }
    }
    report.questions.sort((x, y) => x.question.localeCompare(y.question));
    const secretHeaders = { 'x-api-key': benchKey };
    if (opts.peer && (opts.questions.includes('a') || opts.questions.includes('b'))) {
      report.peer = await peerBench(app, `${baseUrl}/graphql`, secretHeaders, db, devices, opts.peer, opts.settings, log, opts.questions);
    }
    if (opts.analytics) {
      const post = async (query: string, variables: Record<string, unknown>) => {
        const res = await fetch(`${baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...secretHeaders },
          body: JSON.stringify({ query, variables }),
        });
        return (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
      };
      // riskPaths must stay under the product's default query timeout (15 s), whatever the bench runs with
      report.analytics = await analyticsBench(db, loaderDb, post, { queryTimeoutMs: Math.min(config.QUERY_TIMEOUT_MS, PRODUCT_QUERY_TIMEOUT_MS), log });
    }
  } finally {
    await app.stop();
  }
  // Last, because it empties the graph: the import needs to start from nothing each time.
  if (opts.questions.includes('g')) {
    report.cmvpImport = await measureCmvpImport(loaderDb, log);
    report.eventCost = await measureEventCost(loaderDb, log);
  }
  if (opts.questions.includes('f')) {
    report.imports = [];
    for (const c of importCases()) report.imports.push(await importBench(loaderDb, log, c));
  }
  return report;
}

// ------------------------------------------------------------------ report

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));

export function markdownTable(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Measured ${report.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu} (${m.cores} cores, ${m.memoryGb} GB, ${m.platform}), Node ${m.node}, Neo4j ${m.neo4j} (heap ${m.heap}, page cache ${m.pageCache}).`,
    `Scale ${report.scale}, seed \`${report.seed}\`${report.generation ? `: ${report.generation.nodes} nodes, ${report.generation.relationships} relationships, generated in ${report.generation.seconds} s (${report.generation.transactions} transactions, peak RSS ${report.generation.peakRssMb} MB)` : ''}.`,
    `${report.settings.connections} concurrent connections (GraphQL, autocannon in a child process over loopback HTTP) or loops (Cypher, in-process neo4j-driver), ${report.settings.warmupSeconds} s warm-up then ${report.settings.durationSeconds} s per side. Load average at start (1, 5, 15 min): ${m.loadAverageAtStart.join(', ')} (whatever ran just before, including generation). GRAPHQL_MAX_COST ${m.graphqlMaxCost}, ANALYTICS_MAX_CONCURRENT 1000 (one caller for all connections).`,
    '',
    '| Question | GraphQL p50 ms | GraphQL p99 ms | GraphQL req/s | Cypher p50 ms | Cypher p99 ms | Cypher req/s | p50 ratio GraphQL/Cypher | Round trips (nesting depth) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const q of report.questions) {
    if (q.status !== 'measured') {
      lines.push(`| (${q.question}) ${q.title} | ${q.note ?? 'not available'} | | | | | | | |`);
      continue;
    }
    if ((q.graphql?.requests ?? 0) === 0) {
      const note = `no GraphQL request completed within the ${report.settings.durationSeconds} s run (${q.graphql?.errors ?? 0} timeouts/errors; autocannon times out at 10 s)`;
      lines.push(
        `| (${q.question}) ${q.title} | ${note} | | | ${fmt(q.cypher?.p50Ms)} | ${fmt(q.cypher?.p99Ms)} | ${fmt(q.cypher?.requestsPerSecond)} | – | ${q.roundTrips ?? '–'} (${q.nestingDepth ?? '–'}) |`,
      );
      continue;
    }
    lines.push(
      `| (${q.question}) ${q.title} | ${fmt(q.graphql?.p50Ms)} | ${fmt(q.graphql?.p99Ms)} | ${fmt(q.graphql?.requestsPerSecond)} | ${fmt(q.cypher?.p50Ms)} | ${fmt(q.cypher?.p99Ms)} | ${fmt(q.cypher?.requestsPerSecond)} | ${fmt(q.p50Ratio, 2)} | ${q.roundTrips ?? '–'} (${q.nestingDepth ?? '–'}) |`,
    );
  }
  for (const f of report.imports ?? (report.import ? [report.import] : [])) {
    lines.push('');
    if (f.status === 'measured') {
      lines.push(
        `(f) ${f.title}: ${f.rows} rows; importer ${fmt(f.importerRowsPerSecond, 0)} rows/s (runs ${f.importerSeconds?.join(', ')} s), plain UNWIND … MERGE ${fmt(f.plainRowsPerSecond, 0)} rows/s (runs ${f.plainSeconds?.join(', ')} s); ratio importer/plain ${fmt(f.throughputRatio, 2)}. ${f.note ?? ''}`,
      );
    } else lines.push(`(f) ${f.title}: not measured: ${f.note ?? ''}`);
  }
  const g = report.cmvpImport;
  if (g) {
    lines.push(
      '',
      `(g) ${g.title}: ${g.rows} rows, ${g.statusChangesRecorded} status history entries; first import ${g.importerRowsPerSecond} rows/s (runs ${g.importerSeconds.join(', ')} s), plain UNWIND … MERGE ${g.plainRowsPerSecond} rows/s (runs ${g.plainSeconds.join(', ')} s): ratio importer/plain ${fmt(g.throughputRatio, 2)}; no-op re-import runs ${g.reimportSeconds.join(', ')} s = ${fmt(g.reimportToFloorRatio, 2)}× the floor's time. ${g.note}`,
    );
  }
  const ev = report.eventCost;
  for (const [label, part] of [
    ['status batch (5000 new entries of 2500 certifications, one transaction)', ev?.statusBatch],
    ['CMVP snapshot import', ev?.cmvpImport],
  ] as const) {
    if (!part) continue;
    lines.push(
      '',
      `(g) events, ${label}: with events ${part.withEvents.seconds.join(', ')} s, without ${part.withoutEvents.seconds.join(', ')} s (alternated): median with/without ${fmt(part.timeRatio, 2)} (${part.eventsWritten} events).`,
    );
  }
  lines.push(...peerLines(report), ...analyticsLines(report));
  return lines.join('\n');
}

function peerLines(report: BenchReport): string[] {
  const results = report.peer;
  if (!results || results.length === 0) return [];
  const first = results.find((r) => r.status === 'measured');
  const lines = [
    '',
    `Against \`@neo4j/graphql\` 7.6.3 (bench/peer/: its own ApolloServer on loopback, same Neo4j and data; this API asked with a SECRET-cleared key so both return the same items), answers compared before timing, then ${first?.rounds ?? '–'} rounds of A/B alternated (this API, the peer, …), ${first?.connections ?? '–'} connections, ${report.settings.warmupSeconds} s warm-up + ${report.settings.durationSeconds} s per side and round; req/s over all rounds, p50/p99 the median of the rounds'.`,
    '',
    '| Question | ours p50 ms | ours p99 ms | ours req/s | peer p50 ms | peer p99 ms | peer req/s | throughput ours/peer | p50 ours/peer | answers compared |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    if (r.status !== 'measured') {
      lines.push(`| (${r.question}) ${r.title} | ${r.status}: ${r.note ?? ''} | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| (${r.question}) ${r.title} | ${fmt(r.ours?.p50Ms)} | ${fmt(r.ours?.p99Ms)} | ${fmt(r.ours?.requestsPerSecond)} | ${fmt(r.peer?.p50Ms)} | ${fmt(r.peer?.p99Ms)} | ${fmt(r.peer?.requestsPerSecond)} | ${fmt(r.throughputRatio, 2)} | ${fmt(r.p50Ratio, 2)} | equal on ${r.targets} targets, ${r.comparedItems ?? '–'} items |`,
    );
  }
  return lines;
}

function analyticsLines(report: BenchReport): string[] {
  const a = report.analytics;
  if (!a) return [];
  if (a.status !== 'measured') return ['', `Bounded analytics: not measured: ${a.note ?? ''}`];
  const lines = [
    '',
    `Bounded analytics (issue 16 target 4), one request at a time over HTTP as a SECRET-cleared analyst; first call of each target (planning included), then ${a.repeats}+ warm calls:`,
    '',
    '| Analysis | From | maxHops | targets | first call max ms | warm p50 ms | warm max ms | errors | target | met | answers |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
  ];
  for (const t of a.timings) {
    const target = t.analysis === 'exposure' ? `p50 < ${t.targetMs} ms` : t.analysis === 'blastRadius' ? `< ${t.targetMs} ms` : `< timeout (${t.targetMs} ms)`;
    lines.push(
      `| ${t.analysis} | \`${t.subject}\` | ${t.maxHops} | ${t.targets} | ${fmt(t.firstMaxMs)} | ${fmt(t.p50Ms)} | ${fmt(t.maxMs)} | ${t.errors}${t.firstError ? ` (${t.firstError})` : ''} | ${target} | ${t.met ? 'yes' : '**no**'} | ${t.answers ?? ''} |`,
    );
  }
  return lines;
}

const BEGIN = '<!-- bench:begin (written by npm run bench) -->';
const END = '<!-- bench:end -->';

export function writeMarkdown(file: string, report: BenchReport, resultFile: string): void {
  const block = `${BEGIN}\n${markdownTable(report)}\n\nRaw figures: \`${path.relative(REPO_ROOT, resultFile)}\`.\n${END}`;
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const start = existing.indexOf(BEGIN);
  const stop = existing.indexOf(END);
  const next =
    start >= 0 && stop > start
      ? `${existing.slice(0, start)}${block}${existing.slice(stop + END.length)}`
      : `${existing.trimEnd()}\n\n## Latest run\n\n${block}\n`;
  fs.writeFileSync(file, next);
}

// ------------------------------------------------------------------ CLI

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function questionList(value: string): Question[] {
  const list = value.split(',').map((s) => s.trim());
  for (const q of list)
    if (!(QUESTIONS as readonly string[]).includes(q)) throw new InvalidArgumentError(`unknown question ${q}; choose among ${QUESTIONS.join(',')}`);
  return list as Question[];
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .option('--scale <n>', 'generator scale', positiveNumber, 1)
    .option('--seed <s>', 'generator seed', 'assurance')
    .option('--duration <s>', 'measured seconds per side and question', positiveNumber, 10)
    .option('--warmup <s>', 'warm-up seconds before each measurement', positiveNumber, 3)
    .option('--connections <n>', 'concurrent connections / loops', positiveNumber, 8)
    .option('--questions <list>', 'questions to run', questionList, [...QUESTIONS])
    .option('--reuse', 'keep the existing graph: no wipe, no generation before (a)-(e); (f) runs last and still empties the graph', false)
    .option('--no-doc', 'do not update docs/BENCHMARKS.md')
    .option('--load', 'issue 16 load test instead of the questions: the API on the seed scenario, --connections (default 200) for --duration (default 60) s')
    .option('--no-peer', 'skip the comparison of (a) and (b) with @neo4j/graphql')
    .option('--peer-rounds <n>', 'A/B rounds against the peer', positiveNumber, 5)
    .option('--peer-connections <n>', 'connections for the peer comparison', positiveNumber, 10)
    .option('--no-analytics', 'skip blastRadius / exposure / riskPaths timings')
    .option('--report-only <json>', 'only rewrite the table in docs/BENCHMARKS.md from a results file')
    .parse();
  const reportOnly = program.opts<{ reportOnly?: string }>().reportOnly;
  if (reportOnly) {
    const file = path.resolve(reportOnly);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchReport;
    writeMarkdown(path.join(REPO_ROOT, 'docs', 'BENCHMARKS.md'), saved, file);
    process.stdout.write(`${markdownTable(saved)}\n`);
    return;
  }
  if (program.opts<{ load?: boolean }>().load) return loadMain(program);
  const o = program.opts<{
    scale: number;
    seed: string;
    duration: number;
    warmup: number;
    connections: number;
    questions: Question[];
    reuse: boolean;
    doc: boolean;
    peer: boolean;
    peerRounds: number;
    peerConnections: number;
    analytics: boolean;
  }>();
  const log = (m: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  };
  const config = loadConfig({
    NEO4J_LOCAL_PORT: '7796',
    NEO4J_LOCAL_DATA: path.join(REPO_ROOT, '.data', 'neo4j-bench'),
    NEO4J_HEAP: '2g',
    NEO4J_PAGECACHE: '1g',
    // all connections ask as the same (anonymous) caller: the per-caller analytics cap would
    // refuse the load of the analytics questions, so the bench lifts it and says so in its report
    ANALYTICS_MAX_CONCURRENT: '1000',
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
  });
  const connected = await connectDatabase(config, { fresh: !o.reuse && !config.NEO4J_URI, log });
  const loaderDb = new Database({
    uri: connected.uri,
    user: connected.credentials?.user,
    password: connected.credentials?.password,
    database: config.NEO4J_DATABASE,
    queryTimeoutMs: 600000,
  });
  try {
    if (config.NEO4J_URI && (!o.reuse || o.questions.includes('f'))) log('NEO4J_URI is set: the bench EMPTIES that database (before generating, and for (f))');
    const report = await runBench(config, connected.db, loaderDb, {
      scale: o.scale,
      seed: o.seed,
      settings: { connections: Math.round(o.connections), durationSeconds: o.duration, warmupSeconds: o.warmup },
      questions: o.questions,
      reuse: o.reuse,
      log,
      peer: o.peer ? { rounds: Math.round(o.peerRounds), connections: Math.round(o.peerConnections) } : undefined,
      analytics: o.analytics && o.questions.some((q) => q !== 'f' && q !== 'g'),
    });
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-scale${o.scale}-${report.date.slice(0, 19).replace(/[:T]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`raw figures written to ${path.relative(REPO_ROOT, file)}`);
    if (o.doc) writeMarkdown(path.join(REPO_ROOT, 'docs', 'BENCHMARKS.md'), report, file);
    process.stdout.write(`${markdownTable(report)}\n`);
  } finally {
    await loaderDb.close();
    await connected.close();
  }
}

/** `--load`: its own Neo4j (NEO4J_LOCAL_PORT default 7797, .data/neo4j-load) with the seed, then bench/load.ts. */
async function loadMain(program: Command): Promise<void> {
  const given = (name: string): boolean => program.getOptionValueSource(name) === 'cli';
  const o = program.opts<{ duration: number; warmup: number; connections: number }>();
  const log = (m: string): void => {
    process.stderr.write(`[bench --load ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  };
  const config = loadConfig({
    NEO4J_LOCAL_PORT: '7797',
    NEO4J_LOCAL_DATA: path.join(REPO_ROOT, '.data', 'neo4j-load'),
    ...process.env,
    NODE_ENV: 'development',
  });
  const connected = await connectDatabase(config, { log });
  try {
    const loader = new Database({
      uri: connected.uri,
      user: connected.credentials?.user,
      password: connected.credentials?.password,
      database: config.NEO4J_DATABASE,
      queryTimeoutMs: 300000,
    });
    try {
      await applyMigrations(loader);
      const seed = await loadSeed(loader, undefined, { skipUnchanged: true });
      log(`seed ${seed.status}`);
    } finally {
      await loader.close();
    }
    const report = await runLoad(config, connected.db, {
      connections: given('connections') ? Math.round(o.connections) : 200,
      seconds: given('duration') ? o.duration : 60,
      warmupSeconds: given('warmup') ? o.warmup : 5,
      log,
    });
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `load-${report.date.slice(0, 19).replace(/[:T]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`raw figures written to ${path.relative(REPO_ROOT, file)}`);
    process.stdout.write(`${loadSummary(report)}\n`);
  } finally {
    await connected.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
