/**
 * Bounded analytics (issue 16, target 4), measured one request at a time over HTTP as an analyst
 * cleared SECRET:
 * - `blastRadius` from SBOM roots that have no parent (nothing contains them, so nothing is at
 *   risk from them: the answer is empty and must come fast whatever the dependency graph below):
 *   the laravel SBOM shipped in data/cyclonedx-examples, and a generated equivalent of the
 *   ProtonMail Bridge SBOM (the ProtonMail document itself is not shipped): a Go application root
 *   over 150 modules, each depending on the next three, imported through the CycloneDX importer.
 *   At maxHops 3, 5 and 8 (target: under 200 ms at every maxHops).
 * - `exposure` of the devices with the most components (target: p50 under 150 ms).
 * - `riskPaths` without a target from the threats that target the most, at maxHops 8 (target:
 *   every call answers, under the API's query timeout).
 * Each call is made once cold (its first call: Cypher planning included) and then `repeats` times;
 * the figures are over the repeats (warm).
 */
import path from 'node:path';
import { dataDir } from '../src/config';
import { readDocument } from '../src/importers/readDocument';
import type { Database } from '../src/store/database';
import { round } from './measure';

export const PROTON_ROOT_PURL = 'pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0';
export const LARAVEL_ROOT_PURL = 'pkg:composer/cyclonedx/cyclonedx-php-composer-demo@dev-master';

/** A CycloneDX 1.5 BOM shaped like the ProtonMail Bridge SBOM: an application root, `modules` Go modules, dense DEPENDS_ON. */
export function protonLikeBom(modules = 150): string {
  const purl = (i: number) => `pkg:golang/bench.example/proton-like/mod${i}@v1.${i}.0`;
  const components = Array.from({ length: modules }, (_, i) => ({
    type: 'library',
    name: `bench.example/proton-like/mod${i}`,
    version: `v1.${i}.0`,
    purl: purl(i),
    'bom-ref': purl(i),
  }));
  const dependencies = [
    { ref: PROTON_ROOT_PURL, dependsOn: components.slice(0, 40).map((c) => c.purl) },
    ...components.map((_, i) => ({ ref: purl(i), dependsOn: [1, 2, 3].map((k) => purl((i + k) % modules)) })),
  ];
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      component: { type: 'application', name: 'github.com/ProtonMail/proton-bridge', version: 'v1.8.0', purl: PROTON_ROOT_PURL, 'bom-ref': PROTON_ROOT_PURL },
    },
    components,
    dependencies,
  });
}

export interface AnalyticsTiming {
  analysis: 'blastRadius' | 'exposure' | 'riskPaths';
  /** What it started from (a root, or how the targets were picked). */
  subject: string;
  maxHops: number;
  targets: number;
  /** Slowest first call of a target (Cypher planning included). */
  firstMaxMs: number;
  /** Warm calls: median and slowest. */
  p50Ms: number;
  maxMs: number;
  errors: number;
  firstError?: string;
  /** The target in ms (p50 for exposure, every warm call for blastRadius, the query timeout for riskPaths). */
  targetMs: number;
  met: boolean;
  /** e.g. how many hits or paths the answers had. */
  answers?: string;
}

export interface AnalyticsResult {
  status: 'measured' | 'not available';
  note?: string;
  repeats: number;
  timings: AnalyticsTiming[];
}

const BLAST = `query BenchBlast($c: ID, $h: Int) { blastRadius(componentId: $c, maxHops: $h) { truncated
  devices { node { id } hops } components { node { id } hops } deployments { node { id } hops } certifications { certification { id } hops } } }`;
const EXPOSURE = `query BenchExposure($d: ID!) { exposure(deviceId: $d) { score truncated threats { threat { id } score } } }`;
/** The same with each threat's best path in full (docs/queries/analytics-exposure.graphql asks for it): a second read. */
const EXPOSURE_BEST = `query BenchExposureBest($d: ID!) { exposure(deviceId: $d) { score truncated threats { threat { id } score
  bestPath { score mitigated path { length nodes { id name } edges { type direction } } steps { node { id } controls { control { id } } } } } } }`;
const RISK = `query BenchRiskPathsAll($f: ID!, $h: Int) { riskPaths(from: $f, maxHops: $h, first: 20) { totalCount truncated paths { score mitigated path { length nodes { id } } } } }`;

/** Threats by how many devices and components they target directly, most first. */
const PICK_BUSY_THREATS = `
MATCH (t:Threat) WHERE t.classification IN $markings
RETURN t.id AS id, COUNT { (t)-[:TARGETS|EXPLOITS]->() } AS out ORDER BY out DESC, id ASC LIMIT toInteger($limit)`;

type Post = (query: string, variables: Record<string, unknown>) => Promise<{ data?: Record<string, unknown>; errors?: { message: string }[] }>;

async function time(post: Post, query: string, variables: Record<string, unknown>): Promise<{ ms: number; error?: string; data?: Record<string, unknown> }> {
  const t0 = performance.now();
  try {
    const body = await post(query, variables);
    const ms = performance.now() - t0;
    if (body.errors && body.errors.length > 0) return { ms, error: body.errors.map((e) => e.message).join('; ') };
    return { ms, data: body.data };
  } catch (error) {
    return { ms: performance.now() - t0, error: error instanceof Error ? error.message : String(error) };
  }
}

async function series(
  post: Post,
  query: string,
  targets: Record<string, unknown>[],
  repeats: number,
  describe: (data: Record<string, unknown>) => number,
): Promise<{ first: number[]; warm: number[]; errors: number; firstError?: string; sizes: number[] }> {
  const first: number[] = [];
  const warm: number[] = [];
  const sizes: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  for (const t of targets) {
    for (let r = 0; r <= repeats; r++) {
      const res = await time(post, query, t);
      if (res.error) {
        errors += 1;
        firstError ??= res.error.slice(0, 200);
      } else if (r === 0 && res.data) sizes.push(describe(res.data));
      (r === 0 ? first : warm).push(res.ms);
    }
  }
  return { first, warm, errors, firstError, sizes };
}

const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p50 = (xs: number[]) => sortNum(xs)[Math.max(0, Math.ceil(xs.length / 2) - 1)] ?? Number.NaN;
const max = (xs: number[]) => (xs.length === 0 ? Number.NaN : Math.max(...xs));
const range = (xs: number[], unit: string) => (xs.length === 0 ? `no answer` : `${Math.min(...xs)}–${Math.max(...xs)} ${unit}`);

/** Imports the two SBOMs (untimed), then times the three analyses. */
export async function analyticsBench(
  db: Database,
  loaderDb: Database,
  post: Post,
  opts: { queryTimeoutMs: number; repeats?: number; log: (m: string) => void },
): Promise<AnalyticsResult> {
  const repeats = opts.repeats ?? 3;
  const { log } = opts;
  const importService = await import('../src/services/importService');
  const importStore = await import('../src/store/importStore');
  const boms: [string, string][] = [
    [LARAVEL_ROOT_PURL, readDocument(path.join(dataDir(), 'cyclonedx-examples', 'SBOM_laravel-7.12.0.bom.1.4.json'))],
    [PROTON_ROOT_PURL, protonLikeBom()],
  ];
  for (const [root, text] of boms) {
    const batch = importService.parseAndValidate(text, 'CYCLONEDX');
    await importStore.loadBatch(loaderDb, batch, { runId: `bench-analytics-${root}`, assertedBy: 'bench', assertedAt: new Date(), dryRun: false });
    const parents = await db.read(
      undefined,
      'bench sbom root parents',
      'MATCH (c:Component {id: $id}) RETURN COUNT { (c)<-[:HAS_COMPONENT|DEPENDS_ON]-() } AS parents, COUNT { (c)-[:HAS_COMPONENT|DEPENDS_ON]->() } AS children',
      { id: root },
    );
    log(`(analytics) imported the SBOM of ${root}: ${JSON.stringify(parents[0] ?? {})}`);
  }
  const timings: AnalyticsTiming[] = [];
  const markings = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'];
  const hitCount = (d: Record<string, unknown>) => {
    const b = (d.blastRadius ?? {}) as Record<string, unknown[]>;
    return ['devices', 'components', 'deployments', 'certifications'].reduce((n, k) => n + (b[k]?.length ?? 0), 0);
  };
  for (const [root] of boms) {
    for (const maxHops of [3, 5, 8]) {
      const s = await series(post, BLAST, [{ c: root, h: maxHops }], Math.max(repeats, 5), hitCount);
      const t: AnalyticsTiming = {
        analysis: 'blastRadius',
        subject: root,
        maxHops,
        targets: 1,
        firstMaxMs: round(max(s.first), 1),
        p50Ms: round(p50(s.warm), 1),
        maxMs: round(max(s.warm), 1),
        errors: s.errors,
        firstError: s.firstError,
        targetMs: 200,
        met: s.errors === 0 && max(s.warm) < 200,
        answers: `${s.sizes.join(', ')} hits`,
      };
      timings.push(t);
      log(`(analytics) blastRadius ${root} maxHops ${maxHops}: first ${t.firstMaxMs} ms, warm p50 ${t.p50Ms} ms, max ${t.maxMs} ms, errors ${t.errors}`);
    }
  }
  const devices = (
    await db.read(
      undefined,
      'bench pick exposure devices',
      'MATCH (d:Device) RETURN d.id AS id, COUNT { (d)-[:HAS_COMPONENT]->() } AS parts ORDER BY parts DESC, d.id ASC LIMIT 20',
      {},
    )
  ).map((r) => String(r.id));
  for (const [query, subject] of [
    [EXPOSURE, '20 devices with the most components'],
    [EXPOSURE_BEST, "20 devices with the most components, with each threat's bestPath"],
  ] as const) {
    const s = await series(
      post,
      query,
      devices.map((d) => ({ d })),
      1,
      (d) => ((d.exposure as { threats?: unknown[] } | undefined)?.threats ?? []).length,
    );
    const t: AnalyticsTiming = {
      analysis: 'exposure',
      subject,
      maxHops: 5,
      targets: devices.length,
      firstMaxMs: round(max(s.first), 1),
      p50Ms: round(p50(s.warm), 1),
      maxMs: round(max(s.warm), 1),
      errors: s.errors,
      firstError: s.firstError,
      targetMs: 150,
      met: s.errors === 0 && p50(s.warm) < 150,
      answers: range(s.sizes, 'threats per device'),
    };
    timings.push(t);
    log(`(analytics) exposure (${subject}): first max ${t.firstMaxMs} ms, warm p50 ${t.p50Ms} ms, max ${t.maxMs} ms, errors ${t.errors}`);
  }
  const threats = (await db.read(undefined, 'bench pick busy threats', PICK_BUSY_THREATS, { markings, limit: 10 })).map((r) => String(r.id));
  {
    const s = await series(
      post,
      RISK,
      threats.map((f) => ({ f, h: 8 })),
      1,
      (d) => Number((d.riskPaths as { totalCount?: number } | undefined)?.totalCount ?? 0),
    );
    const t: AnalyticsTiming = {
      analysis: 'riskPaths',
      subject: '10 threats that target or exploit the most, no target',
      maxHops: 8,
      targets: threats.length,
      firstMaxMs: round(max(s.first), 1),
      p50Ms: round(p50(s.warm), 1),
      maxMs: round(max(s.warm), 1),
      errors: s.errors,
      firstError: s.firstError,
      targetMs: opts.queryTimeoutMs,
      met: s.errors === 0 && max([...s.first, ...s.warm]) < opts.queryTimeoutMs,
      answers: range(s.sizes, 'paths (totalCount)'),
    };
    timings.push(t);
    log(`(analytics) riskPaths maxHops 8: first max ${t.firstMaxMs} ms, warm p50 ${t.p50Ms} ms, max ${t.maxMs} ms, errors ${t.errors}`);
  }
  return { status: 'measured', repeats, timings };
}
