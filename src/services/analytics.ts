/**
 * Risk analytics (docs/ANALYTICS.md): validates arguments, runs one analytics query (plus one
 * lookup of the ids asked about), and turns the rows into its results (./analyticsResults.ts) with
 * the pure scoring, lineage and drift rules of src/domain.
 */
import { assessDeployment, RELEASE_REASONS, type Coverage, type ExploitedFact } from '../domain/drift';
import { planRemediation } from '../domain/remediation';
import { evaluateLineage, isInEffect, today, type CertFacts, type Validity } from '../domain/lineage';
import type { Label } from '../domain/model';
import { echoInput } from '../domain/validation';
import {
  baseRisk,
  checkHops,
  cmp,
  combineExposure,
  comparePaths,
  explainExposure,
  scorePath,
  type MitigationFact,
  type PathScore,
  type ThreatSummary,
} from '../domain/risk';
import type { Caller } from '../domain/caller';
import type { GraphStore } from '../store/graphStore';
import { invalidInput as badInput, notFoundError as notFound } from '../domain/errors';
import { type AnalyticsStore, type DeploymentScopeRow, type PathRow, type RiskPathsRows } from '../store/analyticsStore';
import { rowOf } from '../store/projection';
import { isRowOf, type CertificationRow, type ControlRow, type NodeRow, type RowOf, type VulnerabilityRow } from '../store/rows';
import { historyOfRow } from '../store/statusHistoryStore';
import type {
  BlastRadius,
  CertificationLineage,
  Exposure,
  GraphPath,
  LineageFinding,
  Remediation,
  RiskPath,
  RiskPathResult,
  ScopeDriftReport,
} from './analyticsResults';

export const MAX_FIRST = 100;

/** What an analysis needs: who asks, and the stores bound to their markings. */
export interface AnalyticsDeps {
  caller: Caller;
  store: GraphStore;
  analytics: AnalyticsStore;
}

function storeOf(ctx: AnalyticsDeps): AnalyticsStore {
  return ctx.analytics;
}

export function hopsOrThrow(value: number | null | undefined): number {
  const check = checkHops(value);
  if (!check.ok) throw badInput(check.message, ['maxHops']);
  return check.hops;
}

/** A visible node of one of the labels, else NOT_FOUND (missing and hidden look alike) or BAD_USER_INPUT. */
export function expectNode<L extends Label>(rows: readonly NodeRow[], id: string, labels: readonly L[], argument: string): RowOf<L> {
  const node = rows.find((r) => r.id === id);
  if (!node) throw notFound(`${argument}: no node with id ${echoInput(id)} is visible to you`, [argument]);
  if (!isRowOf(node, labels)) throw badInput(`${argument}: ${echoInput(id)} is a ${node.__label}; expected ${labels.join(' or ')}`, [argument]);
  return node;
}

/**
 * The analysis matched no anchor: look the ids up to say which one is absent, hidden or of the
 * wrong label (one more round trip, on the error path only). If they are all fine after all (a
 * concurrent write between the two reads), the caller is asked to retry.
 */
async function missingAnchor(
  ctx: AnalyticsDeps,
  ids: readonly (string | null)[],
  labels: readonly (readonly Label[])[],
  argumentNames: readonly string[],
): Promise<never> {
  const wanted = ids.filter((id): id is string => id !== null);
  const found = await ctx.store.getNodes(wanted);
  ids.forEach((id, i) => {
    if (id !== null) expectNode(found, id, labels[i] ?? [], argumentNames[i] ?? 'id');
  });
  throw notFound(`${argumentNames.join(' / ')}: the ids were not visible together when the analysis ran; retry`, [argumentNames[0] ?? 'id']);
}

/** asOf from GraphQL (the Date scalar parses to a JS Date) as YYYY-MM-DD, default today. */
export function dateArg(value: unknown, argument: string): string {
  if (value === null || value === undefined) return today();
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw badInput(`${argument}: expected a date YYYY-MM-DD`, [argument]);
}

export function exactlyOne(a: string | null | undefined, b: string | null | undefined, names: [string, string]): void {
  if ((a ? 1 : 0) + (b ? 1 : 0) !== 1) throw badInput(`give exactly one of ${names[0]} and ${names[1]}`, [a ? names[1] : names[0]]);
}

export function graphPath(row: PathRow): GraphPath {
  const byId = new Map(row.nodes.map((n) => [n.id, n]));
  const edges = row.edges.map((e, i) => {
    const from = byId.get(e.fromId);
    const to = byId.get(e.toId);
    if (!from || !to) throw new Error(`path edge ${e.relationship.type} ends outside its path`);
    return {
      type: e.relationship.type,
      from,
      to,
      direction: row.nodes[i]?.id === e.fromId ? ('FORWARD' as const) : ('BACKWARD' as const),
      relationship: e.relationship,
    };
  });
  return { nodes: row.nodes, edges, length: row.edges.length };
}

/** What scoring reads of a path: its node ids (the first is its source) and edge types, in path order. */
export interface PathIds {
  nodeIds: readonly string[];
  relTypes: readonly string[];
}

export interface ScoredPath<P = PathRow> {
  row: P;
  nodeIds: string[];
  base: number;
  scored: PathScore;
  score: number;
}

const idsOfRow = (row: PathRow): PathIds => ({ nodeIds: row.nodes.map((n) => n.id), relTypes: row.edges.map((e) => e.relationship.type) });

/**
 * Scores each path once (its identity is its node ids and edge types: parallel relationships of
 * one type are the same route), paths whose source `sourceOf` does not give are left out; best first.
 */
function scoreEach<P>(
  paths: readonly P[],
  idsOf: (p: P) => PathIds,
  sourceOf: (p: P, ids: PathIds) => NodeRow | undefined,
  factsFor: (p: P, ids: PathIds) => readonly MitigationFact[],
): ScoredPath<P>[] {
  const seen = new Set<string>();
  const out: ScoredPath<P>[] = [];
  for (const row of paths) {
    const ids = idsOf(row);
    const key = JSON.stringify([ids.nodeIds, ids.relTypes]);
    const source = sourceOf(row, ids);
    if (seen.has(key) || !source) continue;
    seen.add(key);
    const nodeIds = [...ids.nodeIds];
    const base = baseRisk(source).base;
    const scored = scorePath(base, nodeIds.slice(1), factsFor(row, ids));
    out.push({ row, nodeIds, base, scored, score: scored.score });
  }
  return out.sort(comparePaths);
}

export function scorePaths(rows: RiskPathsRows, factsFor: (row: PathRow) => readonly MitigationFact[]): ScoredPath[] {
  return scoreEach(rows.paths, idsOfRow, (row) => row.nodes[0], factsFor);
}

export function riskPathOut(p: ScoredPath, rows: Pick<RiskPathsRows, 'threats' | 'controls'>): RiskPath {
  const threats = new Map(rows.threats.map((t) => [t.id, t]));
  const steps = p.row.nodes.slice(1).map((node, i) => ({
    node,
    position: i + 1,
    controls: (p.scored.controlsByNode.get(node.id) ?? []).flatMap((c) => {
      const control = rows.controls.get(c.controlId);
      const threat = threats.get(c.threatId);
      return control && threat ? [{ control, threat, effectiveness: c.effectiveness, effectivenessSource: c.source }] : [];
    }),
  }));
  const target = p.row.nodes[p.row.nodes.length - 1];
  if (!target) throw new Error('empty risk path');
  return {
    path: graphPath(p.row),
    steps,
    target,
    baseScore: p.base,
    residualFactor: p.scored.residualFactor,
    score: p.score,
    mitigated: p.scored.mitigated,
    blocked: p.scored.blocked,
  };
}

export interface RiskPathsArgs {
  from: string;
  to?: string | null;
  maxHops?: number | null;
  includeMitigated?: boolean | null;
  first?: number | null;
}

export async function riskPaths(ctx: AnalyticsDeps, args: RiskPathsArgs): Promise<RiskPathResult> {
  const hops = hopsOrThrow(args.maxHops);
  const first = firstOrThrow(args.first);
  const to = args.to ?? null;
  const rows =
    (await storeOf(ctx).riskPaths(args.from, to, hops)) ??
    (await missingAnchor(
      ctx,
      [args.from, to],
      [
        ['Threat', 'Vulnerability'],
        ['Device', 'Deployment', 'Certification', 'Component'],
      ],
      ['from', 'to'],
    ));
  return riskPathsFromRows(rows, { hops, first, includeMitigated: args.includeMitigated !== false }).result;
}

/** Validates `first` (1..100, default 20). */
export function firstOrThrow(value: number | null | undefined): number {
  const first = value ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) throw badInput(`first must be between 1 and ${MAX_FIRST} (got ${first})`, ['first']);
  return first;
}

/** The riskPaths answer from its rows, with every scored path (before `first`) for what-if comparisons. */
export function riskPathsFromRows(
  rows: RiskPathsRows,
  opts: { hops: number; first: number; includeMitigated: boolean },
): { result: RiskPathResult; scored: ScoredPath[] } {
  const scored = scorePaths(rows, () => rows.mitigations).filter((p) => opts.includeMitigated || !p.scored.mitigated);
  return {
    result: {
      source: rows.anchor,
      paths: scored.slice(0, opts.first).map((p) => riskPathOut(p, rows)),
      totalCount: scored.length,
      truncated: rows.truncated,
      maxHops: opts.hops,
    },
    scored,
  };
}

/** `bestPaths: false` (the query selects no `bestPath`) answers without reading any path in full. */
export async function exposure(ctx: AnalyticsDeps, args: { deviceId: string; maxHops?: number | null }, opts: { bestPaths?: boolean } = {}): Promise<Exposure> {
  const hops = hopsOrThrow(args.maxHops);
  return (
    (await exposureFromStore(storeOf(ctx), args.deviceId, hops, opts.bestPaths ?? true)) ??
    (await missingAnchor(ctx, [args.deviceId], [['Device']], ['deviceId']))
  );
}

/**
 * The exposure answer from the store, in one read transaction: the paths as sketches (ids and
 * edge types), scored here, then the full nodes and edges of each threat's best path only, the
 * one path per threat the answer shows. Undefined when the device matched nothing.
 */
export async function exposureFromStore(analytics: AnalyticsStore, deviceId: string, hops: number, bestPaths = true): Promise<Exposure | undefined> {
  return analytics.inReadTransaction(async (store) => {
    const rows = await store.exposure(deviceId, hops);
    if (!rows) return undefined;
    const byThreat = scoreExposurePaths(rows, rows.paths, (s) => s);
    if (!bestPaths) return exposureAnswer(rows, byThreat, hops, null);
    const best = [...byThreat.values()].flatMap((paths) => (paths[0] ? [paths[0].row] : []));
    const full = await store.pathRows(best, rows.keys, [...rows.threats, rows.anchor]);
    const fullOf = new Map(best.map((sketch, i) => [sketch, full[i]]));
    return exposureAnswer(rows, byThreat, hops, (p) => {
      const row = fullOf.get(p.row);
      if (!row) throw new Error(`exposure: best path ${p.nodeIds.join(' > ')} was not read`);
      return row;
    });
  });
}

/** The exposure answer from its rows (paths from any threat into the device, `anchor`), all in full (what-if). */
export function exposureFromRows(rows: RiskPathsRows, hops: number): Exposure {
  return exposureAnswer(rows, scoreExposurePaths(rows, rows.paths, idsOfRow), hops, (p) => p.row);
}

/** The paths of each threat reaching the device, scored, best first (threats without a row are left out). */
function scoreExposurePaths<P>(
  rows: Pick<RiskPathsRows, 'threats' | 'mitigations'>,
  paths: readonly P[],
  idsOf: (p: P) => PathIds,
): Map<string, ScoredPath<P>[]> {
  // the mitigations of each threat, grouped once (in their order) rather than filtered per path
  const factsByThreat = new Map<string, MitigationFact[]>();
  for (const m of rows.mitigations) {
    const list = factsByThreat.get(m.threatId);
    if (list) list.push(m);
    else factsByThreat.set(m.threatId, [m]);
  }
  const threatRows = new Map<string, NodeRow>(rows.threats.map((t) => [t.id, t]));
  const scored = scoreEach(
    paths,
    idsOf,
    (_p, ids) => threatRows.get(ids.nodeIds[0] ?? ''),
    (_p, ids) => factsByThreat.get(ids.nodeIds[0] ?? '') ?? [],
  );
  const byThreat = new Map<string, ScoredPath<P>[]>();
  for (const p of scored) {
    const threatId = p.nodeIds[0] ?? '';
    const list = byThreat.get(threatId);
    if (list) list.push(p);
    else byThreat.set(threatId, [p]);
  }
  return byThreat;
}

/** The answer: per threat its best path (in full, from `fullRow`; none when null) and counts, the combined score. */
function exposureAnswer<P>(
  rows: Omit<RiskPathsRows, 'paths'>,
  byThreat: ReadonlyMap<string, ScoredPath<P>[]>,
  hops: number,
  fullRow: ((p: ScoredPath<P>) => PathRow) | null,
): Exposure {
  const device = rowOf(['Device'], rows.anchor);
  const threatRows = new Map(rows.threats.map((t) => [t.id, t]));
  const threats = [...byThreat.entries()].flatMap(([threatId, paths]) => {
    const threat = threatRows.get(threatId);
    const best = paths[0];
    if (!threat || !best) return [];
    const mitigated = paths.filter((p) => p.scored.mitigated).length;
    return [
      {
        threat,
        score: best.score,
        ...(fullRow ? { bestPath: riskPathOut({ ...best, row: fullRow(best) }, rows) } : {}),
        pathCount: paths.length,
        mitigatedPathCount: mitigated,
        unmitigatedPathCount: paths.length - mitigated,
      },
    ];
  });
  threats.sort((a, b) => b.score - a.score || cmp(a.threat.id, b.threat.id));
  const summaries: ThreatSummary[] = threats.map((t) => ({
    threatId: t.threat.id,
    best: t.score,
    pathCount: t.pathCount,
    mitigated: t.mitigatedPathCount,
    unmitigated: t.unmitigatedPathCount,
  }));
  const score = combineExposure(summaries.map((s) => s.best));
  return { device, score, explanation: explainExposure(score, summaries, rows.truncated), threats, truncated: rows.truncated, maxHops: hops };
}

export async function blastRadius(
  ctx: AnalyticsDeps,
  args: { componentId?: string | null; vulnerabilityId?: string | null; maxHops?: number | null },
): Promise<BlastRadius> {
  exactlyOne(args.componentId, args.vulnerabilityId, ['componentId', 'vulnerabilityId']);
  const hops = hopsOrThrow(args.maxHops);
  const argument = args.componentId ? 'componentId' : 'vulnerabilityId';
  const id = args.componentId ?? args.vulnerabilityId ?? '';
  const found = await ctx.store.getNodes([id]);
  const source = expectNode(found, id, [args.componentId ? 'Component' : 'Vulnerability'], argument);
  const rows = await storeOf(ctx).blastRadius(id, hops);
  return blastFromRows(source, rows, hops);
}

/** The blastRadius answer from its paths (shortest first, then by node ids). */
export function blastFromRows(source: NodeRow, rows: { paths: PathRow[]; truncated: boolean }, hops: number): BlastRadius {
  // paths come shortest first, then by node ids: the first one per target is the one reported
  const best = new Map<string, PathRow>();
  for (const row of rows.paths) {
    const target = row.nodes[row.nodes.length - 1];
    if (target && !best.has(target.id)) best.set(target.id, row);
  }
  const hits = [...best.values()].sort(
    (a, b) => a.edges.length - b.edges.length || cmp(a.nodes[a.nodes.length - 1]?.id ?? '', b.nodes[b.nodes.length - 1]?.id ?? ''),
  );
  const hit = (row: PathRow) => ({ node: row.nodes[row.nodes.length - 1] ?? source, hops: row.edges.length, path: graphPath(row) });
  const ofLabel = (label: Label) => hits.filter((r) => r.nodes[r.nodes.length - 1]?.__label === label);
  return {
    source,
    devices: ofLabel('Device').map(hit),
    deployments: ofLabel('Deployment').map(hit),
    components: ofLabel('Component').map(hit),
    certifications: ofLabel('Certification').map((row) => ({
      certification: rowOf(['Certification'], row.nodes[row.nodes.length - 1] ?? source),
      affectedAsset: row.nodes[row.nodes.length - 2] ?? source,
      hops: row.edges.length,
      path: graphPath(row),
    })),
    truncated: rows.truncated,
    maxHops: hops,
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A certification row's facts for the lineage rules, with the history its statement read (`__history`, see CERT_WITH_HISTORY). */
export function certFacts(row: CertificationRow): CertFacts {
  return { id: row.id, status: str(row.status), issuedAt: str(row.issuedAt), validUntil: str(row.validUntil), history: historyOfRow(row) ?? [] };
}

function findingsOut(validity: Validity | undefined, certs: Map<string, CertificationRow>): LineageFinding[] {
  return (validity?.findings ?? []).map((f) => ({
    reason: f.reason,
    explanation: f.explanation,
    relatedCertification: f.relatedId ? (certs.get(f.relatedId) ?? null) : null,
  }));
}

export async function certificationLineage(ctx: AnalyticsDeps, args: { certificationId: string; asOf?: unknown }): Promise<CertificationLineage> {
  const asOf = dateArg(args.asOf, 'asOf');
  const rows = await storeOf(ctx).lineage(args.certificationId);
  const root = rows?.certifications.find((c) => c.depth === 0)?.node;
  if (!rows || !root) throw notFound(`certificationId: no certification with id ${echoInput(args.certificationId)} is visible to you`, ['certificationId']);
  const certs = new Map([...rows.certifications.map((c) => [c.node.id, c.node] as const), ...rows.outsideSuccessors.map((n) => [n.id, n] as const)]);
  const validity = evaluateLineage(
    {
      certs: [...certs.values()].map(certFacts),
      basedOn: rows.links.filter((l) => l.type === 'BASED_ON').map((l) => [l.fromId, l.toId] as const),
      supersedes: rows.links.filter((l) => l.type === 'SUPERSEDES').map((l) => [l.fromId, l.toId] as const),
    },
    asOf,
  );
  const entries = rows.certifications.map((c) => {
    const v = validity.get(c.node.id);
    return { certification: c.node, depth: c.depth, holds: v?.holds ?? false, findings: findingsOut(v, certs) };
  });
  const links = rows.links
    .flatMap((l) => {
      const from = certs.get(l.fromId);
      const to = certs.get(l.toId);
      if (!from || !to) return [];
      const holds = l.type === 'BASED_ON' ? (validity.get(l.toId)?.holds ?? false) : isInEffect(certFacts(from), asOf);
      return [{ type: l.type, from, to, holds }];
    })
    .sort((a, b) => cmp(a.type, b.type) || cmp(a.from.id, b.from.id) || cmp(a.to.id, b.to.id));
  return { root, asOf, holds: validity.get(root.id)?.holds ?? false, entries, links, truncated: rows.truncated };
}

export async function scopeDrift(
  ctx: AnalyticsDeps,
  args: { organizationId?: string | null; deploymentId?: string | null; asOf?: unknown; onlyDrifting?: boolean | null },
): Promise<ScopeDriftReport> {
  exactlyOne(args.organizationId, args.deploymentId, ['organizationId', 'deploymentId']);
  const asOf = dateArg(args.asOf, 'asOf');
  const argument = args.organizationId ? 'organizationId' : 'deploymentId';
  const id = args.organizationId ?? args.deploymentId ?? '';
  expectNode(await ctx.store.getNodes([id]), id, [args.organizationId ? 'Organization' : 'Deployment'], argument);
  const { rows, truncated } = await storeOf(ctx).deploymentScopes(args.organizationId ? { organizationId: args.organizationId } : { deploymentId: id });
  return driftReport(rows, truncated, asOf, args.onlyDrifting === true, (ids) => ctx.store.getNodes(ids));
}

/** The scopeDrift answer from its rows; `loadNodes` reads the rows of missing controls (one batch). */
export async function driftReport(
  rows: readonly DeploymentScopeRow[],
  truncated: boolean,
  asOf: string,
  onlyDrifting: boolean,
  loadNodes: (ids: string[]) => Promise<NodeRow[]>,
): Promise<ScopeDriftReport> {
  const deployments = rows.map((row) => {
    const implemented = new Set(row.implementedControlIds);
    const certs = new Map(row.coverage.map((c) => [c.certification.id, c.certification]));
    const coverage: Coverage[] = row.coverage.map((c) => ({
      cert: certFacts(c.certification),
      minOsVersion: c.minOsVersion,
      maxOsVersion: c.maxOsVersion,
      supersededBy: c.supersededBy.map(certFacts),
      missingControlIds: c.requiredControlIds.filter((controlId) => !implemented.has(controlId)),
    }));
    const osVersion = str(row.os?.version) ?? str(row.deployment.osVersion);
    const vulns = new Map(row.knownExploited.map((v) => [v.id, v]));
    const release = row.os ? { id: row.os.id, supportEndsAt: str(row.os.supportEndsAt), knownExploited: row.knownExploited.map(exploitedFact) } : null;
    const result = assessDeployment({ deploymentId: row.deployment.id, deviceId: row.device?.id ?? null, osVersion, coverage, release }, asOf);
    const findings = result.findings.map((f) => ({
      reason: f.reason,
      explanation: f.explanation,
      certification: f.certificationId ? (certs.get(f.certificationId) ?? null) : null,
      control: null as ControlRow | null,
      controlId: f.controlId,
      vulnerability: f.vulnerabilityId ? (vulns.get(f.vulnerabilityId) ?? null) : null,
      date: f.date,
    }));
    return {
      deployment: row.deployment,
      device: row.device,
      osRelease: row.os,
      osVersion,
      inScope: result.inScope,
      atRisk: result.findings.some((f) => RELEASE_REASONS.includes(f.reason)),
      coveredBy: result.coveredBy.flatMap((certId) => certs.get(certId) ?? []),
      findings,
    };
  });
  // missing controls are named by id in the finding; load their rows in one batch
  const controlIds = [...new Set(deployments.flatMap((d) => d.findings.flatMap((f) => (f.controlId ? [f.controlId] : []))))];
  const controls = new Map((controlIds.length > 0 ? await loadNodes(controlIds) : []).map((c) => [c.id, rowOf(['Control'], c)]));
  const out = deployments.map((d) => ({
    ...d,
    findings: d.findings.map(({ controlId, ...f }) => ({ ...f, control: controlId ? (controls.get(controlId) ?? null) : null })),
  }));
  return {
    asOf,
    deployments: onlyDrifting ? out.filter((d) => !d.inScope) : out,
    driftingCount: out.filter((d) => !d.inScope).length,
    atRiskCount: out.filter((d) => d.atRisk).length,
    truncated,
  };
}

function exploitedFact(v: VulnerabilityRow): ExploitedFact {
  return { id: v.id, kevDateAdded: str(v.kevDateAdded), kevDueDate: str(v.kevDueDate) };
}

export async function remediation(ctx: AnalyticsDeps, args: { deploymentId: string; asOf?: unknown }): Promise<Remediation> {
  const asOf = dateArg(args.asOf, 'asOf');
  const rows = (await storeOf(ctx).remediation(args.deploymentId)) ?? (await missingAnchor(ctx, [args.deploymentId], [['Deployment']], ['deploymentId']));
  const release = rows.os ? { id: rows.os.id, name: str(rows.os.name), version: str(rows.os.version), releasedAt: str(rows.os.releasedAt) } : null;
  const plan = planRemediation(
    {
      deploymentId: rows.deployment.id,
      deviceId: rows.device?.id ?? null,
      release,
      knownExploited: rows.knownExploited.map(exploitedFact),
      candidates: rows.candidates.map((c) => ({
        id: c.release.id,
        name: str(c.release.name),
        version: str(c.release.version),
        releasedAt: str(c.release.releasedAt),
        distance: c.distance,
        affectedBy: c.affectedBy,
      })),
      coverage: rows.coverage.map((c) => ({
        cert: certFacts(c.certification),
        minOsVersion: c.minOsVersion,
        maxOsVersion: c.maxOsVersion,
        supersededBy: c.supersededBy.map(certFacts),
      })),
    },
    asOf,
  );
  const vulns = new Map(rows.knownExploited.map((v) => [v.id, v]));
  const releases = new Map(rows.candidates.map((c) => [c.release.id, c.release]));
  const certs = new Map(rows.coverage.map((c) => [c.certification.id, c]));
  return {
    deployment: rows.deployment,
    asOf,
    osRelease: rows.os,
    knownExploited: plan.knownExploitedIds.flatMap((id) => vulns.get(id) ?? []),
    candidates: plan.candidates.flatMap((c) => {
      const node = releases.get(c.id);
      return node
        ? [{ release: node, distance: c.distance, fixesAll: c.fixesAll, stillAffectedBy: c.stillAffectedBy.flatMap((id) => vulns.get(id) ?? []) }]
        : [];
    }),
    lowestFix: plan.lowestFixId ? (releases.get(plan.lowestFixId) ?? null) : null,
    certifications: plan.certifications.flatMap((c) => {
      const cov = certs.get(c.certId);
      return cov
        ? [
            {
              certification: cov.certification,
              minOsVersion: cov.minOsVersion,
              maxOsVersion: cov.maxOsVersion,
              holds: c.holds,
              currentInScope: c.currentInScope,
              fixInScope: c.fixInScope,
              explanation: c.explanation,
            },
          ]
        : [];
    }),
    fixKeepsScope: plan.fixKeepsScope,
    explanation: plan.explanation,
    truncated: rows.truncated,
  };
}
