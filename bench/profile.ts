/**
 * Where the time of a benchmark question goes (issue 16): against the bench's graph (a running
 * project-managed Neo4j on NEO4J_LOCAL_DATA, or NEO4J_URI; nothing is written), for question
 * (a), (b) or (d):
 *
 *   npx tsx bench/profile.ts --question a --mode profile   # Neo4j PROFILE of the API's statement and the floor's: db hits, top operators
 *   npx tsx bench/profile.ts --question a --mode seq       # one at a time: end-to-end HTTP, the API's statement alone, the floor
 *   npx tsx bench/profile.ts --question a --mode ab        # alternating GraphQL / floor under load (rounds x seconds), p50 ratio
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --require tsx/cjs bench/profile.ts --question a --mode load   # the server under load, profiled
 *
 * The API runs in this process (anonymous caller, development mode, logging silent), as in
 * bench/run.ts; the load generator is autocannon in a child process.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { loadConfig, REPO_ROOT } from '../src/config';
import { connectDatabase } from '../src/runtime/database';
import { createApp } from '../src/server';
import { type Database } from '../src/store/database';
import { measureHttp, measureLoops, round } from './measure';
import * as Q from './queries';

const MARKINGS = ['UNCLASSIFIED'];

interface Target {
  variables: Record<string, unknown>;
  params: Record<string, unknown>;
}

async function targetsFor(db: Database, question: string): Promise<{ graphql: string; cypher: string; targets: Target[] }> {
  const markings = MARKINGS;
  if (question === 'a') {
    const ids = (await db.read(undefined, 'pick', Q.PICK_DEVICES, { markings, limit: 50 })).map((r) => String(r.id));
    return { graphql: Q.DEVICE_DETAIL_GRAPHQL, cypher: Q.DEVICE_DETAIL_CYPHER, targets: ids.map((id) => ({ variables: { id }, params: { id, markings } })) };
  }
  if (question === 'b') {
    const filters = [
      { categories: ['PHONE'], after: '2019-01-01' },
      { categories: ['TABLET', 'LAPTOP'], after: '2017-06-01' },
      { categories: ['PHONE', 'WEARABLE'], after: '2022-01-01' },
      { categories: ['PHONE', 'TABLET', 'LAPTOP', 'WEARABLE'], after: '2016-01-01' },
    ];
    return { graphql: Q.DEVICE_PAGE_GRAPHQL, cypher: Q.DEVICE_PAGE_CYPHER, targets: filters.map((f) => ({ variables: f, params: { ...f, markings } })) };
  }
  const roots = (await db.read(undefined, 'pick', Q.PICK_LINEAGE_ROOTS, { markings, limit: 30 })).map((r) => String(r.id));
  const dates = ['2019-06-30', '2022-01-15', '2025-06-01'];
  return {
    graphql: Q.LINEAGE_GRAPHQL,
    cypher: Q.LINEAGE_CYPHER,
    targets: roots.map((id, i) => {
      const asOf = dates[i % dates.length] ?? '2025-06-01';
      return { variables: { id, asOf }, params: { id, asOf, markings } };
    }),
  };
}

interface PlanNode {
  operatorType: string;
  identifiers?: string[];
  arguments: Record<string, unknown>;
  dbHits: number;
  rows: number;
  children: PlanNode[];
}

/** Operators of a PROFILE plan, flattened, by db hits. */
function operators(plan: PlanNode, out: { op: string; detail: string; dbHits: number; rows: number }[] = []) {
  const details = plan.arguments.Details;
  out.push({ op: plan.operatorType, detail: typeof details === 'string' ? details.slice(0, 140) : '', dbHits: Number(plan.dbHits), rows: Number(plan.rows) });
  for (const c of plan.children) operators(c, out);
  return out;
}

async function main(): Promise<void> {
  const program = new Command()
    .option('--question <q>', 'a, b or d', 'a')
    .option('--mode <m>', 'profile | seq | ab | load', 'seq')
    .option('--seconds <s>', 'seconds per side (ab, load)', '5')
    .option('--rounds <n>', 'alternations (ab)', '3')
    .option('--connections <n>', 'concurrent connections / loops', '8')
    .option('--calls <n>', 'calls per side (seq)', '60');
  program.parse();
  const o = program.opts<{ question: string; mode: string; seconds: string; rounds: string; connections: string; calls: string }>();
  const config = loadConfig({
    NEO4J_LOCAL_PORT: '7796',
    NEO4J_LOCAL_DATA: path.join(REPO_ROOT, '.data', 'neo4j-bench'),
    ANALYTICS_MAX_CONCURRENT: '1000',
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
  });
  const connected = await connectDatabase(config, { log: (m) => process.stderr.write(`${m}\n`) });
  const db = connected.db;
  // the statements the API sends, to PROFILE and time them alone
  const sent: { name: string; cypher: string; params: Record<string, unknown> }[] = [];
  const read = db.read.bind(db);
  let capture = false;
  db.read = (stats, name, cypher, params = {}) => {
    if (capture) sent.push({ name, cypher, params });
    return read(stats, name, cypher, params);
  };
  const app = await createApp({ config, db, logger: pino({ level: 'silent' }), migrationsApplied: true });
  const base = await app.listen(0, '127.0.0.1');
  const url = `${base}/graphql`;
  try {
    const { graphql, cypher, targets } = await targetsFor(db, o.question);
    const post = async (t: Target) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: graphql, variables: t.variables }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body;
    };
    capture = true;
    await post(targets[0] as Target);
    capture = false;
    const apiStatements = [...sent];
    const first = targets[0] as Target;
    if (o.mode === 'profile') {
      for (const [label, st] of [
        ...apiStatements.map((s) => [`API ${s.name}`, s] as const),
        ['floor', { name: 'floor', cypher, params: first.params }] as const,
      ]) {
        const session = db.driver.session({ database: db.database, defaultAccessMode: 'READ' });
        try {
          await session.run(st.cypher, st.params);
          const result = await session.run(`PROFILE ${st.cypher}`, st.params);
          const plan = result.summary.profile as unknown as PlanNode;
          const ops = operators(plan);
          const total = ops.reduce((s, x) => s + x.dbHits, 0);
          process.stdout.write(`\n== ${label}: ${total} db hits, ${ops.length} operators\n`);
          for (const x of [...ops].sort((a, b) => b.dbHits - a.dbHits).slice(0, 8))
            process.stdout.write(`  ${x.dbHits}\t${x.rows} rows\t${x.op}\t${x.detail}\n`);
        } finally {
          await session.close();
        }
      }
      if (process.env.SHOW_CYPHER) for (const s of apiStatements) process.stdout.write(`\n${s.cypher}\n`);
    } else if (o.mode === 'seq') {
      const calls = Number(o.calls);
      // wall time per call, and this process's CPU per call (the server and the driver; robust to a loaded machine)
      const time = async (work: (i: number) => Promise<unknown>) => {
        for (let i = 0; i < Math.min(10, calls); i++) await work(i);
        const ms: number[] = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < calls; i++) {
          const t0 = performance.now();
          await work(i);
          ms.push(performance.now() - t0);
        }
        const cpu = process.cpuUsage(cpu0);
        ms.sort((a, b) => a - b);
        return `p50 ${round(ms[Math.floor(ms.length / 2)] ?? NaN)} ms, mean ${round(ms.reduce((s, v) => s + v, 0) / ms.length)} ms, Node CPU ${round((cpu.user + cpu.system) / 1000 / calls)} ms/call`;
      };
      const t = (i: number) => targets[i % targets.length] as Target;
      for (let r = 0; r < 2; r++) {
        process.stdout.write(`HTTP GraphQL:        ${await time((i) => post(t(i)))}\n`);
        // the API's own statement for each target (captured from one request per target)
        const own: { name: string; cypher: string; params: Record<string, unknown> }[] = [];
        for (const target of targets) {
          sent.length = 0;
          capture = true;
          await post(target);
          capture = false;
          own.push(...sent);
        }
        process.stdout.write(
          `API statement alone: ${await time((i) => Promise.all(own.filter((_, j) => j % targets.length === i % targets.length).map((s) => db.read(undefined, s.name, s.cypher, s.params))))}\n`,
        );
        process.stdout.write(`floor statement:     ${await time((i) => db.read(undefined, 'floor', cypher, t(i).params))}\n`);
      }
    } else {
      const bodies = targets.map((t) => JSON.stringify({ query: graphql, variables: t.variables }));
      const settings = { connections: Number(o.connections), durationSeconds: Number(o.seconds), warmupSeconds: 2 };
      if (o.mode === 'load') {
        // the measured phase only (not start-up): CPU_PROFILE=<file.cpuprofile>
        const session = new Session();
        session.connect();
        if (process.env.CPU_PROFILE) {
          await measureHttp(url, bodies, { ...settings, durationSeconds: settings.warmupSeconds, warmupSeconds: 0 });
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        }
        const g = await measureHttp(url, bodies, { ...settings, warmupSeconds: process.env.CPU_PROFILE ? 0 : settings.warmupSeconds });
        if (process.env.CPU_PROFILE) {
          const { profile } = await session.post('Profiler.stop');
          fs.writeFileSync(process.env.CPU_PROFILE, JSON.stringify(profile));
        }
        session.disconnect();
        process.stdout.write(`GraphQL p50 ${g.p50Ms} ms, ${g.requestsPerSecond} req/s\n`);
      } else {
        const gs: number[] = [];
        const cs: number[] = [];
        for (let r = 0; r < Number(o.rounds); r++) {
          const g = await measureHttp(url, bodies, settings);
          const c = await measureLoops((i) => db.read(undefined, 'floor', cypher, (targets[i % targets.length] as Target).params), settings);
          gs.push(g.p50Ms);
          cs.push(c.p50Ms);
          process.stdout.write(
            `round ${r + 1}: GraphQL p50 ${g.p50Ms} ms ${g.requestsPerSecond} req/s | floor p50 ${c.p50Ms} ms ${c.requestsPerSecond} req/s | ratio ${round(g.p50Ms / c.p50Ms)}\n`,
          );
        }
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
        process.stdout.write(`median p50: GraphQL ${median(gs)} ms, floor ${median(cs)} ms, ratio ${round(median(gs) / median(cs))}\n`);
      }
    }
  } finally {
    await app.stop();
    await connected.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
