/**
 * What-if analyses (docs/ANALYTICS.md, "What-if"): `riskPaths`, `exposure`, `blastRadius` and
 * `scopeDrift` with an `assume` argument. Nothing is written. In one read transaction, with the
 * caller's markings, the ids the assumption names are looked up (a hidden id is refused like a
 * missing one, naming the field of the assumption), then the bounded part of the graph the
 * analysis can reach is read once; the answer without and with the assumption are both computed
 * in memory from it (src/domain/whatIf.ts), with the same scoring and assembly as the plain
 * analyses (./analytics.ts), and compared.
 */
import { invalidInput as badInput, notFoundError as notFound } from '../domain/errors';
import { isLabel, relationshipAllows, type Label, type RelationshipType } from '../domain/model';
import { cmp, round4 } from '../domain/risk';
import { echoInput } from '../domain/validation';
import {
  applyAssumption,
  mitigationFacts,
  MAX_ASSUMPTION_ENTRIES,
  pathsFrom,
  pathsInto,
  routeKey,
  sameRef,
  shortestFrom,
  threatsOf,
  WHAT_IF_TYPES,
  type Assumption,
  type Enumeration,
  type GraphEdge,
  type RelationshipRef,
  type Subgraph,
} from '../domain/whatIf';
import {
  MAX_BLAST_TARGETS,
  MAX_CANDIDATE_PATHS,
  type AnalyticsStore,
  type DeploymentScopeRow,
  type PathRow,
  type RiskPathsRows,
} from '../store/analyticsStore';
import { rowOf } from '../store/projection';
import type { NodeRow, RelationshipRow } from '../store/rows';
import {
  blastFromRows,
  dateArg,
  driftReport,
  exactlyOne,
  expectNode,
  exposureFromRows,
  firstOrThrow,
  hopsOrThrow,
  riskPathOut,
  scorePaths,
  type AnalyticsDeps,
  type ScoredPath,
} from './analytics';
import type {
  BlastHit,
  BlastRadius,
  DriftFinding,
  DriftFindingChange,
  Exposure,
  RiskPathChange,
  RiskPathResult,
  ScopeDriftReport,
  ThreatExposureChange,
} from './analyticsResults';

/** The `assume` argument as GraphQL gives it. */
export interface AssumptionArgs {
  failControls?: readonly string[] | null;
  setControlEffectiveness?: readonly { controlId: string; effectiveness: number }[] | null;
  removeRelationships?: readonly { type: RelationshipType; fromId: string; toId: string }[] | null;
  addRelationships?:
    | readonly {
        type: RelationshipType;
        fromId: string;
        toId: string;
        effectiveness?: number | null;
        vexState?: string | null;
        minOsVersion?: string | null;
        maxOsVersion?: string | null;
      }[]
    | null;
  moveFleets?: readonly { deploymentId: string; osReleaseId: string }[] | null;
  asOf?: unknown;
}

type Path = (string | number)[];

interface NamedId {
  id: string;
  path: Path;
  labels: readonly Label[] | null;
}

interface AddedRelationship {
  ref: RelationshipRef;
  effectiveness: number | null;
  vexState: string | null;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  path: Path;
}

/** An assumption after its shape was checked (ids not yet looked up). */
interface ParsedAssumption {
  effectiveness: Map<string, number>;
  failed: Set<string>;
  remove: { ref: RelationshipRef; path: Path }[];
  add: AddedRelationship[];
  moves: { deploymentId: string; osReleaseId: string; path: Path }[];
  asOf: string | null;
  ids: NamedId[];
}

const ASSUME = 'assume';

function list<T>(value: readonly T[] | null | undefined, name: string): readonly T[] {
  const items = value ?? [];
  if (items.length > MAX_ASSUMPTION_ENTRIES) {
    throw badInput(`${ASSUME}.${name}: at most ${MAX_ASSUMPTION_ENTRIES} entries (got ${items.length})`, [ASSUME, name]);
  }
  return items;
}

function checkEffectiveness(value: number, path: Path): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw badInput(`${path.join('.')}: effectiveness must be between 0 and 1 (got ${value})`, path);
  return value;
}

/** Checks the assumption's shape: list sizes, effectiveness ranges, relationship types. */
export function parseAssumption(args: AssumptionArgs): ParsedAssumption {
  const ids: NamedId[] = [];
  const effectiveness = new Map<string, number>();
  const failed = new Set<string>();
  list(args.failControls, 'failControls').forEach((id, i) => {
    ids.push({ id, path: [ASSUME, 'failControls', i], labels: ['Control'] });
    effectiveness.set(id, 0);
    failed.add(id);
  });
  list(args.setControlEffectiveness, 'setControlEffectiveness').forEach((c, i) => {
    const path = [ASSUME, 'setControlEffectiveness', i];
    ids.push({ id: c.controlId, path: [...path, 'controlId'], labels: ['Control'] });
    if (failed.has(c.controlId)) throw badInput(`${path.join('.')}: control ${echoInput(c.controlId)} is also in failControls`, [...path, 'controlId']);
    effectiveness.set(c.controlId, checkEffectiveness(c.effectiveness, [...path, 'effectiveness']));
  });
  const typeOk = (type: RelationshipType, path: Path) => {
    if (!WHAT_IF_TYPES.includes(type)) throw badInput(`${path.join('.')}: ${type} does not enter any analysis; use one of ${WHAT_IF_TYPES.join(', ')}`, path);
  };
  const remove = list(args.removeRelationships, 'removeRelationships').map((r, i) => {
    const path = [ASSUME, 'removeRelationships', i];
    typeOk(r.type, [...path, 'type']);
    ids.push({ id: r.fromId, path: [...path, 'fromId'], labels: null }, { id: r.toId, path: [...path, 'toId'], labels: null });
    return { ref: { type: r.type, fromId: r.fromId, toId: r.toId }, path };
  });
  const add = list(args.addRelationships, 'addRelationships').map((r, i): AddedRelationship => {
    const path = [ASSUME, 'addRelationships', i];
    typeOk(r.type, [...path, 'type']);
    const only = (field: string, value: unknown, type: RelationshipType) => {
      if (value !== null && value !== undefined && r.type !== type) throw badInput(`${path.join('.')}.${field}: only for ${type}`, [...path, field]);
    };
    only('effectiveness', r.effectiveness, 'MITIGATES');
    only('vexState', r.vexState, 'AFFECTS');
    only('minOsVersion', r.minOsVersion, 'CERTIFIES');
    only('maxOsVersion', r.maxOsVersion, 'CERTIFIES');
    ids.push({ id: r.fromId, path: [...path, 'fromId'], labels: null }, { id: r.toId, path: [...path, 'toId'], labels: null });
    return {
      ref: { type: r.type, fromId: r.fromId, toId: r.toId },
      effectiveness: typeof r.effectiveness === 'number' ? checkEffectiveness(r.effectiveness, [...path, 'effectiveness']) : null,
      vexState: r.vexState ?? null,
      minOsVersion: r.minOsVersion ?? null,
      maxOsVersion: r.maxOsVersion ?? null,
      path,
    };
  });
  const moves = list(args.moveFleets, 'moveFleets').map((m, i) => {
    const path = [ASSUME, 'moveFleets', i];
    ids.push(
      { id: m.deploymentId, path: [...path, 'deploymentId'], labels: ['Deployment'] },
      { id: m.osReleaseId, path: [...path, 'osReleaseId'], labels: ['Component'] },
    );
    return { deploymentId: m.deploymentId, osReleaseId: m.osReleaseId, path };
  });
  const seen = new Set<string>();
  for (const m of moves) {
    if (seen.has(m.deploymentId)) throw badInput(`${m.path.join('.')}: deployment ${echoInput(m.deploymentId)} is moved twice`, [...m.path, 'deploymentId']);
    seen.add(m.deploymentId);
  }
  const asOf = args.asOf === null || args.asOf === undefined ? null : dateArg(args.asOf, `${ASSUME}.asOf`);
  return { effectiveness, failed, remove, add, moves, asOf, ids };
}

/**
 * Looks up every id the assumption names (visible ones only) and every relationship it removes,
 * in the caller's read transaction; refuses a hidden or missing one as NOT_FOUND naming the field.
 */
async function resolveAssumption(store: AnalyticsStore, parsed: ParsedAssumption, anchorIds: readonly string[]): Promise<Map<string, NodeRow>> {
  const wanted = [...new Set([...parsed.ids.map((n) => n.id), ...anchorIds])];
  const nodes = new Map((await store.whatIfNodes(wanted)).map((n) => [n.id, n]));
  for (const named of parsed.ids) {
    const node = nodes.get(named.id);
    const where = named.path.join('.');
    if (!node) throw notFound(`${where}: no node with id ${echoInput(named.id)} is visible to you`, named.path);
    if (named.labels && !named.labels.includes(node.__label))
      throw badInput(`${where}: ${echoInput(named.id)} is a ${node.__label}; expected ${named.labels.join(' or ')}`, named.path);
  }
  for (const m of parsed.moves) {
    const release = nodes.get(m.osReleaseId);
    if (!release || !('kind' in release) || release.kind !== 'OS_RELEASE') {
      throw badInput(`${m.path.join('.')}.osReleaseId: ${echoInput(m.osReleaseId)} is not an OS release (Component of kind OS_RELEASE)`, [
        ...m.path,
        'osReleaseId',
      ]);
    }
  }
  for (const a of parsed.add) {
    const from = nodes.get(a.ref.fromId)?.__label;
    const to = nodes.get(a.ref.toId)?.__label;
    if (from && to && isLabel(from) && isLabel(to) && !relationshipAllows(a.ref.type, from, to)) {
      throw badInput(`${a.path.join('.')}: a ${a.ref.type} relationship cannot go from a ${from} to a ${to}`, a.path);
    }
  }
  const existing = await store.whatIfExistingRelationships(parsed.remove.map((r) => r.ref));
  parsed.remove.forEach((r, i) => {
    if (!existing.has(i)) {
      throw notFound(
        `${r.path.join('.')}: no ${r.ref.type} relationship from ${echoInput(r.ref.fromId)} to ${echoInput(r.ref.toId)} is visible to you`,
        r.path,
      );
    }
  });
  return nodes;
}

function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The row shown for a relationship that exists only in the assumption (provenance source `assumption`). */
function assumedRelationship(type: RelationshipType, props: Record<string, unknown>): RelationshipRow {
  const row: RelationshipRow = { type, classification: 'UNCLASSIFIED', source: 'assumption' };
  for (const [key, value] of Object.entries(props)) if (value !== null && value !== undefined) row[key] = value;
  return row;
}

function edgeOf(e: { relationship: RelationshipRow; fromId: string; toId: string }): GraphEdge<RelationshipRow> {
  return {
    type: e.relationship.type,
    fromId: e.fromId,
    toId: e.toId,
    vexState: strOrNull(e.relationship.vexState),
    effectiveness: numOrNull(e.relationship.effectiveness),
    rel: e.relationship,
  };
}

function domainAssumption(parsed: ParsedAssumption): Assumption<RelationshipRow> {
  return {
    effectiveness: parsed.effectiveness,
    remove: parsed.remove.map((r) => r.ref),
    add: parsed.add.map((a) => ({
      ...a.ref,
      vexState: a.vexState,
      effectiveness: a.effectiveness,
      assumed: true,
      rel: assumedRelationship(a.ref.type, {
        effectiveness: a.effectiveness,
        vexState: a.vexState,
        minOsVersion: a.minOsVersion,
        maxOsVersion: a.maxOsVersion,
      }),
    })),
    moves: parsed.moves.map((m) => ({ deploymentId: m.deploymentId, osReleaseId: m.osReleaseId })),
  };
}

const BACKWARD_TYPES: readonly RelationshipType[] = ['HAS_COMPONENT', 'DEPENDS_ON', 'OF', 'RUNS', 'CERTIFIES'];

/** Reads the subgraph (see AnalyticsStore.riskSubgraph) and returns it before and after the assumption. */
async function readGraphs(
  store: AnalyticsStore,
  parsed: ParsedAssumption,
  nodes: Map<string, NodeRow>,
  plan: { direction: 'down' | 'up'; anchorId: string | null; sourceId: string | null; hops: number },
): Promise<{ before: Subgraph<NodeRow, RelationshipRow>; after: Subgraph<NodeRow, RelationshipRow>; truncated: boolean }> {
  const seeds = new Set<string>(plan.anchorId === null ? [] : [plan.anchorId]);
  for (const a of parsed.add) {
    const backward = BACKWARD_TYPES.includes(a.ref.type);
    if (plan.direction === 'down' && backward) seeds.add(a.ref.toId);
    if (plan.direction === 'up') seeds.add(backward ? a.ref.fromId : a.ref.toId);
  }
  for (const m of parsed.moves) seeds.add(plan.direction === 'down' ? m.osReleaseId : m.deploymentId);
  const extraIds = [...new Set(parsed.ids.map((n) => n.id))];
  const forwardVulnIds =
    plan.direction === 'up' ? parsed.add.filter((a) => a.ref.type === 'EXPLOITS' && a.ref.fromId === plan.sourceId).map((a) => a.ref.toId) : [];
  const rows = await store.riskSubgraph({ direction: plan.direction, seedIds: [...seeds], sourceId: plan.sourceId, hops: plan.hops, extraIds, forwardVulnIds });
  const all = new Map(rows.nodes.map((n) => [n.id, n]));
  for (const n of nodes.values()) all.set(n.id, n);
  const before: Subgraph<NodeRow, RelationshipRow> = { nodes: all, edges: rows.edges.map(edgeOf) };
  const after = applyAssumption(before, domainAssumption(parsed), () => assumedRelationship('RUNS', {}));
  return { before, after, truncated: rows.truncated };
}

/** Risk-path rows (as the store gives them for the plain analyses) from paths found in memory. */
function rowsOf(
  graph: Subgraph<NodeRow, RelationshipRow>,
  found: Enumeration<RelationshipRow>,
  anchor: NodeRow,
  threatIds: readonly string[],
  assumed: ReadonlyMap<string, number>,
  truncated: boolean,
): RiskPathsRows {
  const paths: PathRow[] = found.paths.map((p) => ({
    nodes: p.nodeIds.flatMap((id) => graph.nodes.get(id) ?? []),
    edges: p.edges.map((e) => ({ relationship: e.rel, fromId: e.fromId, toId: e.toId })),
  }));
  const onPaths = new Set(found.paths.flatMap((p) => p.nodeIds));
  const threats = new Set(threatIds);
  const mitigations = mitigationFacts(graph, onPaths, threats, assumed);
  const controls = new Map(
    mitigations.flatMap((m) => {
      const control = graph.nodes.get(m.controlId);
      return control ? [[m.controlId, rowOf(['Control'], control)] as const] : [];
    }),
  );
  return {
    anchor,
    threats: [...threats].flatMap((id) => {
      const threat = graph.nodes.get(id);
      return threat ? [rowOf(['Threat'], threat)] : [];
    }),
    paths,
    mitigations,
    controls,
    truncated: truncated || found.truncated,
  };
}

const keyOf = (p: ScoredPath) =>
  routeKey(
    p.nodeIds,
    p.row.edges.map((e) => e.relationship.type),
  );

/** What an assumption does not touch in an analysis, in words. */
function notApplied(parsed: ParsedAssumption, analysis: 'riskPaths' | 'exposure' | 'blastRadius' | 'scopeDrift'): string[] {
  const out: string[] = [];
  const at = (path: Path) => path.join('.');
  if (analysis === 'blastRadius') {
    if (parsed.effectiveness.size > 0) out.push(`${ASSUME}.failControls / setControlEffectiveness: controls do not stop a blast radius (it has no scores)`);
    for (const r of [...parsed.remove, ...parsed.add]) {
      if (r.ref.type === 'IMPLEMENTS' || r.ref.type === 'MITIGATES') out.push(`${at(r.path)}: ${r.ref.type} does not enter a blast radius`);
    }
  }
  if (analysis === 'exposure') {
    for (const m of parsed.moves) out.push(`${at(m.path)}: paths into a device model do not pass through its fleets`);
    for (const r of [...parsed.remove, ...parsed.add]) {
      if (r.ref.type === 'OF' || r.ref.type === 'RUNS' || r.ref.type === 'CERTIFIES')
        out.push(`${at(r.path)}: paths into a device model never cross ${r.ref.type}`);
    }
  }
  if (analysis === 'scopeDrift') {
    for (const c of parsed.effectiveness.keys()) {
      if (!parsed.failed.has(c))
        out.push(`${ASSUME}.setControlEffectiveness (${c}): effectiveness does not enter scope drift (a certification REQUIRES implementation)`);
    }
    for (const r of parsed.remove) {
      if (!['OF', 'RUNS', 'CERTIFIES', 'IMPLEMENTS', 'AFFECTS'].includes(r.ref.type)) out.push(`${at(r.path)}: ${r.ref.type} does not enter scope drift`);
    }
    for (const a of parsed.add) {
      if (!['IMPLEMENTS', 'AFFECTS'].includes(a.ref.type)) {
        out.push(`${at(a.path)}: an added ${a.ref.type} is not assessed by scope drift${a.ref.type === 'RUNS' ? ' (use moveFleets)' : ''}`);
      }
    }
  }
  return out;
}

function refuseDate(parsed: ParsedAssumption): void {
  if (parsed.asOf !== null)
    throw badInput(`${ASSUME}.asOf: riskPaths, exposure and blastRadius do not depend on a date; asOf applies to scopeDrift only`, [ASSUME, 'asOf']);
}

// ------------------------------------------------------------------ riskPaths

export interface RiskPathsWhatIfArgs {
  from: string;
  to?: string | null;
  maxHops?: number | null;
  includeMitigated?: boolean | null;
  first?: number | null;
  assume: AssumptionArgs;
}

function change(before: ScoredPath, after: ScoredPath, rowsBefore: RiskPathsRows, rowsAfter: RiskPathsRows): RiskPathChange {
  return { before: riskPathOut(before, rowsBefore), after: riskPathOut(after, rowsAfter), scoreDelta: round4(after.score - before.score) };
}

export async function riskPaths(ctx: AnalyticsDeps, args: RiskPathsWhatIfArgs): Promise<RiskPathResult> {
  const hops = hopsOrThrow(args.maxHops);
  const first = firstOrThrow(args.first);
  const parsed = parseAssumption(args.assume);
  refuseDate(parsed);
  const to = args.to ?? null;
  const includeMitigated = args.includeMitigated !== false;
  return ctx.analytics.inReadTransaction(async (store) => {
    const nodes = await resolveAssumption(store, parsed, to === null ? [args.from] : [args.from, to]);
    const source = expectNode([...nodes.values()], args.from, ['Threat', 'Vulnerability'], 'from');
    if (to !== null) expectNode([...nodes.values()], to, ['Device', 'Deployment', 'Certification', 'Component'], 'to');
    const graphs = await readGraphs(store, parsed, nodes, {
      direction: to === null ? 'up' : 'down',
      anchorId: to,
      sourceId: source.id,
      hops,
    });
    const answer = (graph: Subgraph<NodeRow, RelationshipRow>, assumed: ReadonlyMap<string, number>) => {
      const found =
        to === null
          ? pathsFrom(graph, source.id, (n) => n.__label === 'Device', hops, MAX_CANDIDATE_PATHS)
          : pathsInto(graph, to, (n) => n.id === source.id, hops, MAX_CANDIDATE_PATHS);
      const rows = rowsOf(graph, found, source, threatsOf(graph, source.id), assumed, graphs.truncated);
      const scored = scorePaths(rows, () => rows.mitigations);
      const shown = scored.filter((p) => includeMitigated || !p.scored.mitigated);
      const result: RiskPathResult = {
        source,
        paths: shown.slice(0, first).map((p) => riskPathOut(p, rows)),
        totalCount: shown.length,
        truncated: rows.truncated,
        maxHops: hops,
      };
      return { rows, scored, shown, result };
    };
    const before = answer(graphs.before, new Map());
    const after = answer(graphs.after, parsed.effectiveness);
    const beforeByKey = new Map(before.scored.map((p) => [keyOf(p), p]));
    const afterByKey = new Map(after.scored.map((p) => [keyOf(p), p]));
    const both = after.scored.flatMap((p) => {
      const b = beforeByKey.get(keyOf(p));
      return b ? [{ b, a: p }] : [];
    });
    const shownFilter = (p: ScoredPath) => includeMitigated || !p.scored.mitigated;
    return {
      ...after.result,
      whatIf: {
        before: before.result,
        appeared: after.shown
          .filter((p) => !beforeByKey.has(keyOf(p)))
          .slice(0, first)
          .map((p) => riskPathOut(p, after.rows)),
        disappeared: before.shown
          .filter((p) => !afterByKey.has(keyOf(p)))
          .slice(0, first)
          .map((p) => riskPathOut(p, before.rows)),
        lostMitigation: both
          .filter(({ b, a }) => b.scored.mitigated && !a.scored.mitigated)
          .slice(0, first)
          .map(({ b, a }) => change(b, a, before.rows, after.rows)),
        gainedMitigation: both
          .filter(({ b, a }) => !b.scored.mitigated && a.scored.mitigated && shownFilter(a))
          .slice(0, first)
          .map(({ b, a }) => change(b, a, before.rows, after.rows)),
        scoreChanged: both
          .filter(({ b, a }) => b.score !== a.score && (shownFilter(a) || shownFilter(b)))
          .sort((x, y) => Math.abs(y.a.score - y.b.score) - Math.abs(x.a.score - x.b.score))
          .slice(0, first)
          .map(({ b, a }) => change(b, a, before.rows, after.rows)),
        totalCountBefore: before.shown.length,
        notApplied: notApplied(parsed, 'riskPaths'),
      },
    };
  });
}

// ------------------------------------------------------------------ exposure

export async function exposure(ctx: AnalyticsDeps, args: { deviceId: string; maxHops?: number | null; assume: AssumptionArgs }): Promise<Exposure> {
  const hops = hopsOrThrow(args.maxHops);
  const parsed = parseAssumption(args.assume);
  refuseDate(parsed);
  return ctx.analytics.inReadTransaction(async (store) => {
    const nodes = await resolveAssumption(store, parsed, [args.deviceId]);
    const device = expectNode([...nodes.values()], args.deviceId, ['Device'], 'deviceId');
    const graphs = await readGraphs(store, parsed, nodes, { direction: 'down', anchorId: device.id, sourceId: null, hops });
    const answer = (graph: Subgraph<NodeRow, RelationshipRow>, assumed: ReadonlyMap<string, number>) => {
      const found = pathsInto(graph, device.id, (n) => n.__label === 'Threat', hops, MAX_CANDIDATE_PATHS);
      const threatIds = [...new Set(found.paths.map((p) => p.nodeIds[0] ?? ''))];
      const rows = rowsOf(graph, found, device, threatIds, assumed, graphs.truncated);
      return exposureFromRows(rows, hops);
    };
    const before = answer(graphs.before, new Map());
    const after = answer(graphs.after, parsed.effectiveness);
    const byThreat = (e: Exposure) => new Map(e.threats.map((t) => [t.threat.id, t]));
    const b = byThreat(before);
    const a = byThreat(after);
    const route = (p: { path: { nodes: NodeRow[]; edges: { type: string }[] } } | undefined) =>
      p
        ? routeKey(
            p.path.nodes.map((n) => n.id),
            p.path.edges.map((e) => e.type),
          )
        : null;
    const changedThreats: ThreatExposureChange[] = [...new Set([...b.keys(), ...a.keys()])].flatMap((id) => {
      const x = b.get(id);
      const y = a.get(id);
      const routeChanged = route(x?.bestPath) !== route(y?.bestPath);
      if (x && y && x.score === y.score && !routeChanged) return [];
      const threat = y?.threat ?? x?.threat;
      if (!threat) return [];
      return [
        {
          threat,
          scoreBefore: x?.score ?? null,
          scoreAfter: y?.score ?? null,
          scoreDelta: round4((y?.score ?? 0) - (x?.score ?? 0)),
          bestPathBefore: x?.bestPath ?? null,
          bestPathAfter: y?.bestPath ?? null,
          routeChanged,
        },
      ];
    });
    changedThreats.sort((x, y) => Math.abs(y.scoreDelta) - Math.abs(x.scoreDelta) || cmp(x.threat.id, y.threat.id));
    return {
      ...after,
      whatIf: {
        before,
        scoreBefore: before.score,
        scoreAfter: after.score,
        scoreDelta: round4(after.score - before.score),
        changedThreats,
        notApplied: notApplied(parsed, 'exposure'),
      },
    };
  });
}

// ------------------------------------------------------------------ blastRadius

const BLAST_LABELS = new Set(['Device', 'Deployment', 'Certification', 'Component']);

function allHits(r: BlastRadius): BlastHit[] {
  return [...r.devices, ...r.deployments, ...r.components, ...r.certifications.map((c) => ({ node: c.certification, hops: c.hops, path: c.path }))];
}

export async function blastRadius(
  ctx: AnalyticsDeps,
  args: { componentId?: string | null; vulnerabilityId?: string | null; maxHops?: number | null; assume: AssumptionArgs },
): Promise<BlastRadius> {
  exactlyOne(args.componentId, args.vulnerabilityId, ['componentId', 'vulnerabilityId']);
  const hops = hopsOrThrow(args.maxHops);
  const parsed = parseAssumption(args.assume);
  refuseDate(parsed);
  const argument = args.componentId ? 'componentId' : 'vulnerabilityId';
  const id = args.componentId ?? args.vulnerabilityId ?? '';
  return ctx.analytics.inReadTransaction(async (store) => {
    const nodes = await resolveAssumption(store, parsed, [id]);
    const source = expectNode([...nodes.values()], id, [args.componentId ? 'Component' : 'Vulnerability'], argument);
    const graphs = await readGraphs(store, parsed, nodes, {
      direction: 'up',
      anchorId: source.__label === 'Component' ? source.id : null,
      sourceId: source.__label === 'Vulnerability' ? source.id : null,
      hops,
    });
    const answer = (graph: Subgraph<NodeRow, RelationshipRow>) => {
      const found = shortestFrom(graph, source.id, (n) => BLAST_LABELS.has(n.__label), hops, MAX_BLAST_TARGETS);
      const paths: PathRow[] = found.paths.map((p) => ({
        nodes: p.nodeIds.flatMap((n) => graph.nodes.get(n) ?? []),
        edges: p.edges.map((e) => ({ relationship: e.rel, fromId: e.fromId, toId: e.toId })),
      }));
      return blastFromRows(source, { paths, truncated: found.truncated || graphs.truncated }, hops);
    };
    const before = answer(graphs.before);
    const after = answer(graphs.after);
    const ids = (r: BlastRadius) => new Set(allHits(r).map((h) => h.node.id));
    const beforeIds = ids(before);
    const afterIds = ids(after);
    const order = (x: BlastHit, y: BlastHit) => x.hops - y.hops || cmp(x.node.id, y.node.id);
    return {
      ...after,
      whatIf: {
        before,
        reached: allHits(after)
          .filter((h) => !beforeIds.has(h.node.id))
          .sort(order),
        noLongerReached: allHits(before)
          .filter((h) => !afterIds.has(h.node.id))
          .sort(order),
        notApplied: notApplied(parsed, 'blastRadius'),
      },
    };
  });
}

// ------------------------------------------------------------------ scopeDrift

function findingKey(deploymentId: string, f: DriftFinding): string {
  return JSON.stringify([deploymentId, f.reason, f.certification?.id ?? null, f.control?.id ?? null, f.vulnerability?.id ?? null]);
}

const touches = (refs: readonly { ref: RelationshipRef }[], type: RelationshipType) => refs.some((r) => r.ref.type === type);

export async function scopeDrift(
  ctx: AnalyticsDeps,
  args: { organizationId?: string | null; deploymentId?: string | null; asOf?: unknown; onlyDrifting?: boolean | null; assume: AssumptionArgs },
): Promise<ScopeDriftReport> {
  exactlyOne(args.organizationId, args.deploymentId, ['organizationId', 'deploymentId']);
  const asOf = dateArg(args.asOf, 'asOf');
  const parsed = parseAssumption(args.assume);
  const asOfAfter = parsed.asOf ?? asOf;
  const argument = args.organizationId ? 'organizationId' : 'deploymentId';
  const id = args.organizationId ?? args.deploymentId ?? '';
  const onlyDrifting = args.onlyDrifting === true;
  return ctx.analytics.inReadTransaction(async (store) => {
    const nodes = await resolveAssumption(store, parsed, [id]);
    expectNode([...nodes.values()], id, [args.organizationId ? 'Organization' : 'Deployment'], argument);
    const { rows, truncated } = await store.deploymentScopes(args.organizationId ? { organizationId: id } : { deploymentId: id });
    const implementationChanges =
      parsed.failed.size > 0 ||
      parsed.moves.length > 0 ||
      touches(parsed.add, 'IMPLEMENTS') ||
      touches(parsed.remove, 'IMPLEMENTS') ||
      touches(parsed.remove, 'RUNS');
    const extra = await store.driftWhatIf(
      rows.map((r) => r.deployment.id),
      parsed.moves.map((m) => m.osReleaseId),
      parsed.add.filter((a) => a.ref.type === 'IMPLEMENTS').map((a) => a.ref.toId),
    );
    const moved = new Map(parsed.moves.map((m) => [m.deploymentId, m.osReleaseId]));
    const removed = (type: RelationshipType, fromId: string, toId: string) => parsed.remove.some((r) => sameRef(r.ref, { type, fromId, toId }));
    const equivalents = new Map<string, Set<string>>();
    for (const [x, y] of extra.equivalents) equivalents.set(x, (equivalents.get(x) ?? new Set()).add(y));
    const afterRows: DeploymentScopeRow[] = rows.map((row) => {
      const dep = row.deployment.id;
      const device = row.device && !removed('OF', dep, row.device.id) ? row.device : null;
      const coverage = device ? row.coverage.filter((c) => !removed('CERTIFIES', c.certification.id, device.id)) : [];
      const movedTo = moved.get(dep);
      const release = movedTo
        ? (extra.releases.get(movedTo) ?? null)
        : row.os && !removed('RUNS', dep, row.os.id)
          ? (extra.releases.get(row.os.id) ?? null)
          : null;
      const os = movedTo ? (release?.release ?? null) : row.os && !removed('RUNS', dep, row.os.id) ? row.os : null;
      const exploited = new Map((movedTo ? (release?.knownExploited ?? []) : os ? row.knownExploited : []).map((v) => [v.id, v]));
      if (os) {
        for (const r of parsed.remove) if (r.ref.type === 'AFFECTS' && r.ref.toId === os.id) exploited.delete(r.ref.fromId);
        for (const a of parsed.add) {
          const v = nodes.get(a.ref.fromId);
          const stopped = a.vexState === 'NOT_AFFECTED' || a.vexState === 'FIXED';
          if (a.ref.type === 'AFFECTS' && a.ref.toId === os.id && v !== undefined && 'knownExploited' in v && v.knownExploited === true && !stopped)
            exploited.set(v.id, v);
        }
      }
      let implemented = row.implementedControlIds;
      if (implementationChanges || device !== row.device) {
        const holders = new Set([...(device ? (extra.deviceHolders.get(dep) ?? []) : []), ...(os ? [os.id] : [])]);
        const direct = [...(device ? (extra.deviceImplements.get(dep) ?? []) : []), ...(release?.implements ?? [])]
          .filter((h) => !removed('IMPLEMENTS', h.holderId, h.controlId))
          .map((h) => h.controlId);
        for (const a of parsed.add) if (a.ref.type === 'IMPLEMENTS' && holders.has(a.ref.fromId)) direct.push(a.ref.toId);
        const alive = direct.filter((c) => !parsed.failed.has(c));
        const withEquivalents = new Set(alive.flatMap((c) => [c, ...(equivalents.get(c) ?? [])]));
        implemented = [...withEquivalents].filter((c) => !parsed.failed.has(c));
      }
      return { ...row, device, coverage, os, knownExploited: [...exploited.values()], implementedControlIds: implemented };
    });
    const loadNodes = (ids: string[]) => store.whatIfNodes(ids);
    const before = await driftReport(rows, truncated, asOf, onlyDrifting, loadNodes);
    const after = await driftReport(afterRows, truncated, asOfAfter, onlyDrifting, loadNodes);
    // compare over every examined deployment, not only the drifting ones
    const full = async (r: readonly DeploymentScopeRow[], date: string) => (onlyDrifting ? await driftReport(r, truncated, date, false, loadNodes) : null);
    const beforeAll = (await full(rows, asOf)) ?? before;
    const afterAll = (await full(afterRows, asOfAfter)) ?? after;
    const keyed = (r: ScopeDriftReport) =>
      new Map(r.deployments.flatMap((d) => d.findings.map((f) => [findingKey(d.deployment.id, f), { deployment: d.deployment, finding: f }] as const)));
    const b = keyed(beforeAll);
    const a = keyed(afterAll);
    const byDeployment = (x: DriftFindingChange, y: DriftFindingChange) => cmp(x.deployment.id, y.deployment.id);
    const inScope = (r: ScopeDriftReport) => new Map(r.deployments.map((d) => [d.deployment.id, d]));
    const sb = inScope(beforeAll);
    const sa = inScope(afterAll);
    return {
      ...after,
      whatIf: {
        before,
        appeared: [...a.entries()]
          .filter(([k]) => !b.has(k))
          .map(([, v]) => v)
          .sort(byDeployment),
        resolved: [...b.entries()]
          .filter(([k]) => !a.has(k))
          .map(([, v]) => v)
          .sort(byDeployment),
        leftScope: [...sb.values()].filter((d) => d.inScope && sa.get(d.deployment.id)?.inScope === false).map((d) => d.deployment),
        enteredScope: [...sb.values()].filter((d) => !d.inScope && sa.get(d.deployment.id)?.inScope === true).map((d) => d.deployment),
        notApplied: notApplied(parsed, 'scopeDrift'),
      },
    };
  });
}
