/**
 * Where the time of exposure and riskPaths goes, and whether a change to their statements keeps
 * the answers (issue 16 target 4). Against the bench's graph (a running project-managed Neo4j on
 * NEO4J_LOCAL_DATA, or NEO4J_URI; nothing is written):
 *
 *   npx tsx bench/analyticsCheck.ts --mode dump --out /tmp/a.json   # store rows and service answers of many targets, to diff old vs new code
 *   npx tsx bench/analyticsCheck.ts --mode profile                  # PROFILE of exposure / riskPaths on the slowest targets: db hits, top operators
 *   npx tsx bench/analyticsCheck.ts --mode time                     # per call: database (statement alone) vs Node (row conversion, scoring)
 *
 * Targets: the devices with the most components (exposure) and the threats that target or exploit
 * the most, plus a sample of vulnerabilities (riskPaths with and without a target), at several
 * maxHops and two clearances.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, REPO_ROOT } from '../src/config';
import { connectDatabase } from '../src/runtime/database';
import { exposureFromStore, riskPathsFromRows } from '../src/services/analytics';
import { AnalyticsStore, exposureStatement, MAX_CANDIDATE_PATHS, riskPathsStatement, type RiskPathsRows } from '../src/store/analyticsStore';
import { QueryStats, type Database } from '../src/store/database';
import type { Statement } from '../src/store/statement';

const SECRET = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'];
const RESTRICTED = ['UNCLASSIFIED', 'RESTRICTED'];

interface PlanNode {
  operatorType: string;
  arguments: Record<string, unknown>;
  dbHits: number;
  rows: number;
  children: PlanNode[];
}

function operators(plan: PlanNode, out: { op: string; detail: string; dbHits: number; rows: number }[] = []) {
  const details = plan.arguments.Details;
  out.push({ op: plan.operatorType, detail: typeof details === 'string' ? details.slice(0, 160) : '', dbHits: Number(plan.dbHits), rows: Number(plan.rows) });
  for (const c of plan.children) operators(c, out);
  return out;
}

async function pick(db: Database): Promise<{ devices: string[]; threats: string[]; vulns: string[]; pairs: [string, string][] }> {
  const devices = (
    await db.read(
      undefined,
      'pick devices',
      'MATCH (d:Device) RETURN d.id AS id, COUNT { (d)-[:HAS_COMPONENT]->() } AS parts ORDER BY parts DESC, d.id ASC LIMIT 20',
      {},
    )
  ).map((r) => String(r.id));
  const threats = (
    await db.read(
      undefined,
      'pick threats',
      'MATCH (t:Threat) RETURN t.id AS id, COUNT { (t)-[:TARGETS|EXPLOITS]->() } AS out ORDER BY out DESC, id ASC LIMIT 10',
      {},
    )
  ).map((r) => String(r.id));
  const vulns = (
    await db.read(undefined, 'pick vulns', 'MATCH (v:Vulnerability) WHERE (v)-[:AFFECTS]->() RETURN v.id AS id ORDER BY id ASC SKIP 7 LIMIT 6', {})
  ).map((r) => String(r.id));
  const pairs = devices.slice(0, 4).flatMap((d, i) => [[threats[i] ?? '', d] as [string, string], [vulns[i] ?? '', d] as [string, string]]);
  return { devices, threats, vulns, pairs };
}

/** Maps to sorted arrays so two dumps compare as JSON. */
function plain(rows: RiskPathsRows | undefined): unknown {
  if (!rows) return null;
  return {
    anchor: rows.anchor.id,
    threats: rows.threats.map((t) => t.id).sort(),
    paths: rows.paths.map((p) => ({ nodes: p.nodes, edges: p.edges })),
    mitigations: [...rows.mitigations].map((m) => JSON.stringify(m)).sort(),
    controls: [...rows.controls.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    truncated: rows.truncated,
  };
}

async function main(): Promise<void> {
  const program = new Command()
    .option('--mode <m>', 'dump | profile | time', 'time')
    .option('--out <file>', 'dump: where to write')
    .option('--hops <list>', 'maxHops to use', '3,5,8')
    .option('--only <what>', 'exposure | risk | both', 'both')
    .option('--from <id>', 'profile: the riskPaths source (default the busiest threat)')
    .option('--restricted', 'profile: as a RESTRICTED-cleared caller (default SECRET)', false);
  program.parse();
  const o = program.opts<{ mode: string; out?: string; hops: string; only: string; from?: string; restricted: boolean }>();
  const config = loadConfig({
    NEO4J_LOCAL_PORT: '7796',
    NEO4J_LOCAL_DATA: path.join(REPO_ROOT, '.data', 'neo4j-bench'),
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
  });
  const connected = await connectDatabase(config, { log: (m) => process.stderr.write(`${m}\n`) });
  const db = connected.db;
  const hopsList = o.hops.split(',').map(Number);
  try {
    const t = await pick(db);
    process.stderr.write(`targets: ${JSON.stringify(t)}\n`);
    if (o.mode === 'dump') {
      const out: Record<string, unknown> = {};
      for (const markings of [SECRET, RESTRICTED]) {
        const store = new AnalyticsStore(db, new QueryStats(), markings);
        const m = markings.length;
        for (const hops of hopsList) {
          if (o.only !== 'risk')
            for (const d of t.devices) {
              const t0 = performance.now();
              try {
                // the answer only: exposure's store rows are path sketches (ids and edge types) since issue 16's read of the best paths alone
                const answer = await exposureFromStore(store, d, hops);
                out[`exposure ${m} ${hops} ${d}`] = { answer: answer ?? null };
                process.stderr.write(`exposure ${m} ${hops} ${d}: ${answer?.threats.length ?? '-'} threats ${Math.round(performance.now() - t0)} ms\n`);
              } catch (error) {
                out[`exposure ${m} ${hops} ${d}`] = 'error';
                process.stderr.write(`exposure ${m} ${hops} ${d}: error after ${Math.round(performance.now() - t0)} ms: ${String(error).slice(0, 120)}\n`);
              }
            }
          if (o.only !== 'exposure') {
            for (const f of [...t.threats, ...t.vulns]) {
              const t0 = performance.now();
              try {
                const rows = await store.riskPaths(f, null, hops);
                out[`risk ${m} ${hops} ${f}`] = {
                  rows: plain(rows),
                  answer: rows ? riskPathsFromRows(rows, { hops, first: 100, includeMitigated: true }).result : null,
                };
                process.stderr.write(`risk ${m} ${hops} ${f}: ${rows?.paths.length ?? '-'} paths ${Math.round(performance.now() - t0)} ms\n`);
              } catch (error) {
                out[`risk ${m} ${hops} ${f}`] = 'error';
                process.stderr.write(`risk ${m} ${hops} ${f}: error after ${Math.round(performance.now() - t0)} ms: ${String(error).slice(0, 120)}\n`);
              }
            }
            for (const [f, d] of t.pairs) {
              const rows = await store.riskPaths(f, d, hops);
              out[`riskTo ${m} ${hops} ${f} ${d}`] = { rows: plain(rows) };
            }
          }
        }
      }
      fs.writeFileSync(o.out ?? '/tmp/analytics-dump.json', JSON.stringify(out, null, 1));
      process.stderr.write(`${Object.keys(out).length} answers written\n`);
    }
    if (o.mode === 'profile') {
      const sts: [string, Statement][] = [];
      const mk = o.restricted ? RESTRICTED : SECRET;
      if (o.only !== 'risk') sts.push(['exposure', exposureStatement(mk, t.devices[0] ?? '', 5, MAX_CANDIDATE_PATHS)]);
      if (o.only !== 'exposure')
        for (const h of hopsList) sts.push([`riskPaths maxHops ${h}`, riskPathsStatement(mk, o.from ?? t.threats[0] ?? '', null, h, MAX_CANDIDATE_PATHS)]);
      for (const [label, st] of sts) {
        const session = db.driver.session({ database: db.database, defaultAccessMode: 'READ' });
        try {
          await session.run(st.cypher, st.params);
          const t0 = performance.now();
          const result = await session.run(`PROFILE ${st.cypher}`, st.params);
          const ms = performance.now() - t0;
          const ops = operators(result.summary.profile as unknown as PlanNode);
          const total = ops.reduce((s, x) => s + x.dbHits, 0);
          process.stdout.write(`\n== ${label}: ${total} db hits, ${ops.length} operators, ${Math.round(ms)} ms (profiled)\n`);
          for (const x of [...ops].sort((a, b) => b.dbHits - a.dbHits).slice(0, 10))
            process.stdout.write(`  ${x.dbHits}\t${x.rows} rows\t${x.op}\t${x.detail}\n`);
        } finally {
          await session.close();
        }
      }
    }
    if (o.mode === 'time') {
      const store = new AnalyticsStore(db, new QueryStats(), SECRET);
      const hops = hopsList[0] ?? 5;
      const rounds = 3;
      const report = (label: string, xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return `${label} p50 ${Math.round(s[Math.ceil(s.length / 2) - 1] ?? 0)} max ${Math.round(s[s.length - 1] ?? 0)}`;
      };
      if (o.only !== 'risk') {
        const dbMs: number[] = [];
        const storeMs: number[] = [];
        const scoreMs: number[] = [];
        for (let r = 0; r < rounds; r++)
          for (const d of t.devices) {
            const st = exposureStatement(SECRET, d, hops, MAX_CANDIDATE_PATHS);
            const t0 = performance.now();
            await db.read(undefined, st.name, st.cypher, st.params);
            const t1 = performance.now();
            await store.exposure(d, hops);
            const t2 = performance.now();
            await exposureFromStore(store, d, hops);
            const t3 = performance.now();
            if (r > 0) {
              dbMs.push(t1 - t0);
              storeMs.push(t2 - t1);
              scoreMs.push(t3 - t2);
            }
          }
        process.stdout.write(
          `exposure maxHops ${hops}: ${report('db.read (sketches)', dbMs)}; ${report('store (db + rows)', storeMs)}; ${report('whole answer (sketches, scoring, best paths read)', scoreMs)} ms\n`,
        );
      }
      if (o.only !== 'exposure') {
        for (const f of t.threats) {
          const t0 = performance.now();
          const rows = await store.riskPaths(f, null, hops);
          const t1 = performance.now();
          if (rows) riskPathsFromRows(rows, { hops, first: 20, includeMitigated: true });
          const t2 = performance.now();
          process.stdout.write(
            `riskPaths ${f} maxHops ${hops}: ${rows?.paths.length} paths, store ${Math.round(t1 - t0)} ms, scoring ${Math.round(t2 - t1)} ms\n`,
          );
        }
      }
    }
  } finally {
    await connected.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
