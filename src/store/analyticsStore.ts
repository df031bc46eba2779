/**
 * Cypher of the risk analytics (docs/ANALYTICS.md): named, parameterized, every node and
 * relationship filtered by the caller's `$markings`, so a path through a hidden node or claim is
 * never returned. Variable-length parts carry their upper bound in the Cypher text, built only
 * from a validated integer (Cypher cannot take it as a parameter), and every result set is capped
 * with LIMIT (one row more than the cap, so callers can say when it was truncated).
 */
import { BACKWARD_RISK_EDGES, BLOCKING_VEX_STATES, FORWARD_RISK_EDGES, MAX_HOPS, MIN_HOPS, type MitigationFact } from '../domain/risk';
import type { LeveledCert, LeveledId, LeveledScope } from '../domain/driftLevels';
import { CLASSIFICATIONS, LABELS, RELATIONSHIPS, type Label, type RelationshipType } from '../domain/model';
import { scalarText } from '../domain/text';
import type { Database, QueryStats, Row, Tx } from './database';
import { labelExpr } from './modelKeys';
import { toNodeRow, toRelationshipRow, toRowOf } from './projection';
import type {
  CertificationRow,
  ComponentRow,
  ControlRow,
  DeploymentRow,
  DeviceRow,
  NodeRow,
  RelationshipRow,
  RowOf,
  ThreatRow,
  VulnerabilityRow,
} from './rows';
import type { Statement } from './statement';
import { CERT_WITH_HISTORY, historyOfRow } from './statusHistoryStore';

/** Most candidate paths a risk-path or exposure query returns before scoring. */
export const MAX_CANDIDATE_PATHS = 1000;
/** Most nodes a blast radius reports. */
export const MAX_BLAST_TARGETS = 1000;
/** Deepest BASED_ON / SUPERSEDES link followed from the root of a lineage. */
export const LINEAGE_MAX_DEPTH = 8;
/** Most certifications in one lineage. */
export const MAX_LINEAGE_CERTIFICATIONS = 500;
/** Most deployments one scope-drift call examines. */
export const MAX_DRIFT_DEPLOYMENTS = 500;
/** Deepest HAS_COMPONENT chain searched for a device part that implements a required control. */
const PART_DEPTH = 4;
/** Longest SUPERSEDES chain followed from a running release to newer ones. */
export const RELEASE_CHAIN_DEPTH = 16;
/** Most newer releases one remediation examines. */
export const MAX_REMEDIATION_CANDIDATES = 200;
/** Most nodes a what-if subgraph reads (reached by the bounded walk); beyond it the answer is `truncated`. */
export const MAX_WHAT_IF_NODES = 5000;
/** Most relationships of each kind (backward, TARGETS/AFFECTS, EXPLOITS, IMPLEMENTS, MITIGATES) a what-if subgraph reads. */
export const MAX_WHAT_IF_EDGES = 50000;

const VISIBLE_REL = (r: string) => `coalesce(${r}.classification, 'UNCLASSIFIED') IN $markings`;
const NODE = (v: string) => `${v} {.*, __label: labels(${v})[0]}`;
const REL = (r: string) => `${r} {.*, __type: type(${r}), __from: startNode(${r}).id, __to: endNode(${r}).id}`;

function relTypes(names: readonly (keyof typeof RELATIONSHIPS)[]): string {
  return names.map((n) => RELATIONSHIPS[n].type).join('|');
}

/** The bound of a variable-length pattern, from a validated integer only. */
function hopBound(hops: number): number {
  if (!Number.isInteger(hops) || hops < MIN_HOPS || hops > MAX_HOPS) throw new RangeError(`hops out of range: ${hops}`);
  return hops;
}

/*
 * The risk step rule: one step of a risk path goes from a visible node to a visible node over a
 * visible risk edge, in the direction risk flows (FORWARD_RISK_EDGES from their start node,
 * BACKWARD_RISK_EDGES from their end node), never over an AFFECTS edge whose VEX state says the
 * component is not affected; no node twice on a path. Until issue 16 this was one undirected
 * quantified pattern over all risk edges with the direction checked per step (`riskStep`); the
 * statements below follow each edge type in its risk direction only (the tests and
 * bench/analyticsCheck.ts compare the answers).
 */
const STEP_PARAMS = { forwardTypes: [...FORWARD_RISK_EDGES], backwardTypes: [...BACKWARD_RISK_EDGES], blockingVex: [...BLOCKING_VEX_STATES] };

/** A forward risk step a -[r]-> b: both ends and the edge visible, never over a blocking VEX state. */
function forwardStep(a: string, r: string, b: string): string {
  return `${a}.classification IN $markings AND ${b}.classification IN $markings AND ${VISIBLE_REL(r)}
          AND NOT (type(${r}) = 'AFFECTS' AND coalesce(${r}.vexState, '') IN $blockingVex)`;
}

/**
 * The backward part of risk paths into a bound `dst` (as `q` from `dst` to `mid`, so reversed with
 * respect to the path), walked from `dst` along the stored direction of HAS_COMPONENT, DEPENDS_ON,
 * OF, RUNS and CERTIFIES: a bounded, small fan-out from one target. `filter` narrows `mid`.
 */
function backwardFromTarget(h: number, imports: string, filter: string): string {
  // a quantifier's upper bound must be at least 1: with one hop there is no backward part
  const walk =
    h === 1
      ? `MATCH q = (dst) WITH q, dst AS mid`
      : `MATCH q = (dst) ((w)-[k:${relTypes(BACKWARD_RISK_EDGES)}]->(u)
                       WHERE u.classification IN $markings AND ${VISIBLE_REL('k')}){0,${h - 1}} (mid)`;
  return `CALL (${imports}) {
      ${walk}
      WITH q, mid WHERE ${filter}
      RETURN q, mid
    }`;
}

/** Joins forward part `f` and backward part `q` into paths ({nodes, rels}), no node twice, ordered and capped. */
const JOIN_AND_CAP = `WITH nodes(f) + reverse(nodes(q))[1..] AS ns, relationships(f) + reverse(relationships(q)) AS rs
    WHERE all(i IN range(0, size(ns) - 2) WHERE none(j IN range(i + 1, size(ns) - 1) WHERE ns[i] = ns[j]))
    WITH ns, rs ORDER BY size(rs) ASC, [n IN ns | n.id] ASC LIMIT toInteger($cap) + 1
    RETURN collect({nodes: ns, rels: rs}) AS paths`;

/*
 * Risk paths into a bound target. On this model a risk path is one or two forward steps
 * (TARGETS; EXPLOITS then AFFECTS; AFFECTS from a vulnerability) followed only by backward steps
 * (HAS_COMPONENT, DEPENDS_ON, OF, RUNS, CERTIFIES against their direction): no backward edge leads
 * to a threat or vulnerability, where forward edges start. So instead of enumerating everything
 * the source reaches in `hops` steps (tens of thousands of partial paths from a common threat),
 * the two parts are found separately and joined on their meeting node. Same visibility, VEX and
 * no-node-twice rules as the risk step rule (the test suite and bench/ compare both on the same graphs).
 */

/** From a bound `src` to a bound `dst`: the forward part from `src` once, then the backward part from `dst` into it. */
function pathsFromSourceToTarget(hops: number): string {
  const h = hopBound(hops);
  return `CALL (src) {
      MATCH f = (src) ((a)-[r:${relTypes(FORWARD_RISK_EDGES)}]->(b) WHERE ${forwardStep('a', 'r', 'b')}){1,2} (m)
      RETURN collect(f) AS forward, collect(DISTINCT m) AS meeting
    }
    ${backwardFromTarget(h, 'dst, meeting', 'mid IN meeting')}
    UNWIND [f IN forward WHERE last(nodes(f)) = mid AND length(f) + length(q) <= ${h}] AS f
    ${JOIN_AND_CAP}`;
}

/**
 * From a bound `src` to every visible device: the first `cap` + 1 risk paths by (length, node ids),
 * as `paths`. A risk path is one or two forward steps followed by backward steps only (see above),
 * so the paths of one length are a union of fixed shapes: `forward{1} backward{L-1}` and
 * `forward{2} backward{L-2}`, each walked in the risk direction of its edges. First the paths of
 * each length are counted, one length at a time from 1, until more than `cap` are found
 * (`depth`): the order puts shorter paths first, so longer ones can never enter the first `cap` + 1,
 * and lengths beyond `depth` are never walked. Then the paths up to `depth` are enumerated, sorted
 * and capped. Rows carry no lists (a list carried on every row of a sort is counted against the
 * transaction memory once per row). The old form (one undirected quantified pattern over all risk
 * edges from `src`, filtered by direction, every walk of up to `hops` steps enumerated before the
 * sort) did not finish from a busy threat at maxHops 8 within the query timeout.
 * Same visibility, VEX and no-node-twice rules as the risk step rule.
 */
function pathsFromSourceToDevices(hops: number): string {
  const h = hopBound(hops);
  const shape = (forwardLength: number, backLength: number) => {
    const fwd = `((a)-[r:${relTypes(FORWARD_RISK_EDGES)}]->(b) WHERE ${forwardStep('a', 'r', 'b')}){${forwardLength}}`;
    const back = `((x)<-[k:${relTypes(BACKWARD_RISK_EDGES)}]-(y) WHERE y.classification IN $markings AND ${VISIBLE_REL('k')}){${backLength}}`;
    return backLength === 0 ? `(src) ${fwd} (:Device)` : `(src) ${fwd} (m) ${back} (:Device)`;
  };
  /** The shapes of paths of length `L`, each a UNION ALL branch run only when `guard` holds. */
  const branches = (L: number, guard: string, ret: string) =>
    [1, 2]
      .filter((fl) => L - fl >= 0)
      .map(
        (fl) => `WITH src WHERE ${guard}
        MATCH p = ${shape(fl, L - fl)}
        RETURN ${ret}`,
      )
      .join('\n        UNION ALL\n        ');
  const noNodeTwice = `all(i IN range(0, size(ns) - 2) WHERE none(j IN range(i + 1, size(ns) - 1) WHERE ns[i] = ns[j]))`;
  const count = (L: number) => `CALL (src, have) {
      CALL (src, have) {
        ${branches(L, 'have <= toInteger($cap)', 'nodes(p) AS ns')}
      }
      WITH ns WHERE ${noNodeTwice}
      RETURN count(*) AS found
    }
    WITH src, have + found AS have, CASE WHEN have <= toInteger($cap) THEN ${L} ELSE depth END AS depth`;
  const lengths = Array.from({ length: h }, (_, i) => i + 1);
  return `WITH src, 0 AS have, 0 AS depth
    ${lengths.map(count).join('\n    ')}
    CALL (src, depth) {
      ${lengths.map((L) => branches(L, `depth >= ${L}`, 'p')).join('\n      UNION ALL\n      ')}
    }
    WITH p, nodes(p) AS ns WHERE ${noNodeTwice}
    WITH p ORDER BY length(p) ASC, [n IN nodes(p) | n.id] ASC LIMIT toInteger($cap) + 1
    RETURN collect({nodes: nodes(p), rels: relationships(p)}) AS paths`;
}

/** The forward risk edge types whose declared start labels include one of `labels` (model.ts). */
function forwardTypesFrom(labels: readonly Label[]): (typeof FORWARD_RISK_EDGES)[number][] {
  return FORWARD_RISK_EDGES.filter((n) => RELATIONSHIPS[n].from.some((l) => labels.includes(l)));
}
/** A threat's first forward step (declared from Threat: TARGETS, EXPLOITS). */
const THREAT_STEP = forwardTypesFrom(['Threat']);
/** The forward step after it (declared from what THREAT_STEP ends at: AFFECTS from a vulnerability). */
const SECOND_STEP = forwardTypesFrom(THREAT_STEP.flatMap((n) => RELATIONSHIPS[n].to));

/**
 * From any visible threat to a bound `dst`: the backward part from `dst` (every walk `q`), then
 * the forward steps into each node reached, found once per distinct node (`mid`) rather than once
 * per walk ending there (walks from a device share their ends: 770 walks for about a third as many
 * nodes on the busiest devices), then joined with the walks. Only the edge types a threat's first
 * step (THREAT_STEP) and the step after it (SECOND_STEP) can have are expanded: the same paths as
 * expanding every forward type into `mid` and keeping those from a threat (model.ts declares no
 * other start labels), without walking the many AFFECTS edges from vulnerabilities into `mid` for
 * a one-step path that must start at a threat.
 */
function pathsFromAnyThreatToTarget(hops: number): string {
  const h = hopBound(hops);
  const first = THREAT_STEP.map((n) => RELATIONSHIPS[n].type).join('|');
  const second = SECOND_STEP.map((n) => RELATIONSHIPS[n].type).join('|');
  const twoSteps =
    h >= 2
      ? `UNION
        MATCH f = (src:Threat)-[r1:${first}]->(x)-[r2:${second}]->(mid) WHERE shortest <= ${h - 2} AND ${forwardStep('src', 'r1', 'x')} AND ${forwardStep('x', 'r2', 'mid')}
        RETURN f`
      : '';
  return `${backwardFromTarget(h, 'dst', 'true')}
    WITH mid, collect(q) AS walks
    WITH mid, walks, reduce(s = ${h}, q IN walks | CASE WHEN length(q) < s THEN length(q) ELSE s END) AS shortest
    CALL (mid, shortest) {
        MATCH f = (src:Threat)-[r:${first}]->(mid) WHERE shortest <= ${h - 1} AND ${forwardStep('src', 'r', 'mid')}
        RETURN f
        ${twoSteps}
    }
    UNWIND walks AS q
    WITH f, q WHERE length(f) + length(q) <= ${h}
    ${JOIN_AND_CAP}`;
}

/** The distinct nodes of `paths` ({nodes, rels}). */
const PATH_NODES = `
  CALL (paths) {
    UNWIND paths AS p
    UNWIND p.nodes AS n
    RETURN collect(DISTINCT n) AS pathNodes
  }`;

/** The controls implemented by a path node that mitigate one of the threats (see MITIGATIONS_AND_RETURN). */
const MITIGATIONS = (from: 'pathNodes' | 'threats') => `
  CALL (pathNodes, threats) {
    ${
      from === 'pathNodes'
        ? `UNWIND pathNodes AS n
    MATCH (n)-[i:IMPLEMENTS]->(c:Control)-[m:MITIGATES]->(t:Threat)
    WHERE t IN threats`
        : `UNWIND threats AS t
    WITH DISTINCT t
    MATCH (n)-[i:IMPLEMENTS]->(c:Control)-[m:MITIGATES]->(t:Threat)
    WHERE n IN pathNodes`
    } AND c.classification IN $markings AND ${VISIBLE_REL('i')} AND ${VISIBLE_REL('m')}
    RETURN collect({nodeId: n.id, controlId: c.id, threatId: t.id, edgeEffectiveness: m.effectiveness, controlEffectiveness: c.effectiveness}) AS mitigations,
           collect(DISTINCT ${NODE('c')}) AS controls
  }
`;

/**
 * Tail of riskPaths: given `paths` ({nodes, rels}) and `threats`, the controls
 * implemented by a node on a path that mitigate one of the threats, then the rows, with the
 * `anchor` node (the source, or the exposed device) so the caller needs no lookup of its own.
 * Each node and edge on the paths is projected once (`pathNodes`, `pathRels`), the paths name them
 * by id and element id: projecting every node and edge of every path (up to 1000 paths sharing most of their nodes) was most of
 * exposure's database work (docs/BENCHMARKS.md); exposure now reads sketches instead (EXPOSURE_RETURN). The mitigations are found `from` the side with
 * fewer candidates: from the path nodes when the threats are many (exposure: every threat reaching
 * a device, over a few hundred path nodes), from the threats when they are few (riskPaths: the
 * source or the threats exploiting it, over up to a thousand path nodes that implement tens of
 * thousands of controls between them); the same facts either way.
 */
const MITIGATIONS_AND_RETURN = (anchor: string, from: 'pathNodes' | 'threats') => `${PATH_NODES}
  CALL (paths) {
    UNWIND paths AS p
    UNWIND p.rels AS r
    RETURN collect(DISTINCT r) AS pathRels
  }
  ${MITIGATIONS(from)}
  RETURN [t IN threats | ${NODE('t')}] AS threats,
         [n IN pathNodes | ${NODE('n')}] AS pathNodes,
         [r IN pathRels | {key: elementId(r), edge: ${REL('r')}}] AS pathRels,
         [p IN paths | {nodeIds: [n IN p.nodes | n.id], relKeys: [r IN p.rels | elementId(r)]}] AS paths,
         mitigations, controls, ${NODE(anchor)} AS anchor`;

/**
 * Tail of exposure: the threats and mitigations as riskPaths has them, but each path only as a
 * sketch (its node ids, then its edge types, in one list of strings) and each path node's element
 * id (valid in this read transaction only: pathRowsStatement runs in the same one).
 * The answer shows one path per threat (the best after scoring in Node), so the full nodes and
 * edges are read afterwards for those paths only (pathRowsStatement). Projecting every node and
 * edge of up to 1000 paths, and decoding them in the driver, was three quarters of exposure's time
 * (docs/BENCHMARKS.md).
 */
const EXPOSURE_RETURN = `${PATH_NODES}
  ${MITIGATIONS('pathNodes')}
  RETURN [t IN threats | ${NODE('t')}] AS threats,
         [n IN pathNodes | [n.id, elementId(n)]] AS nodeKeys,
         [p IN paths | [n IN p.nodes | n.id] + [r IN p.rels | type(r)]] AS paths,
         mitigations, controls, ${NODE('dst')} AS anchor`;

/** A path as exposure first reads it: node ids (the first is the threat) and edge types in path order. */
export interface PathSketch {
  nodeIds: string[];
  relTypes: string[];
}

/** Exposure's first read: RiskPathsRows with path sketches instead of full paths, and each path node's element id. */
export interface ExposureSketchRows extends Omit<RiskPathsRows, 'paths'> {
  paths: PathSketch[];
  /** Node id to element id, for pathRows in the same read transaction. */
  keys: Map<string, string>;
}

const FORWARD_TYPES: ReadonlySet<string> = new Set(FORWARD_RISK_EDGES.map((n) => RELATIONSHIPS[n].type));

/** The stored edges of a sketch: edge i joins node i and i + 1, from i when it is a forward risk edge, else from i + 1. */
export function sketchEdges(sketch: PathSketch): { fromId: string; type: string; toId: string }[] {
  return sketch.relTypes.map((type, i) => {
    const a = sketch.nodeIds[i] ?? '';
    const b = sketch.nodeIds[i + 1] ?? '';
    return FORWARD_TYPES.has(type) ? { fromId: a, type, toId: b } : { fromId: b, type, toId: a };
  });
}

const edgeKey = (fromId: string, type: string, toId: string) => JSON.stringify([fromId, type, toId]);

/**
 * The full nodes (but those `known`: already read whole) and stored edges of some path sketches
 * (the best exposure paths), found by the element ids `keys` of the sketch read (same read
 * transaction), visible ones only. An edge is the visible one of its type between its ends that a
 * path may cross (parallel edges of one type are one route: the first by element id).
 */
export function pathRowsStatement(
  markings: readonly string[],
  sketches: readonly PathSketch[],
  keys: ReadonlyMap<string, string>,
  known: ReadonlySet<string> = new Set(),
): Statement {
  const key = (id: string) => {
    const k = keys.get(id);
    if (k === undefined) throw new Error(`path node ${id} has no element id from the sketch read`);
    return k;
  };
  const ids = [...new Set(sketches.flatMap((s) => s.nodeIds))].filter((id) => !known.has(id)).sort();
  const edges = new Map(sketches.flatMap(sketchEdges).map((e) => [edgeKey(e.fromId, e.type, e.toId), e]));
  return {
    name: 'analytics.pathRows',
    cypher: `CALL () {
       UNWIND $nodes AS k
       MATCH (n) WHERE elementId(n) = k AND n.classification IN $markings
       RETURN collect(${NODE('n')}) AS nodes
     }
     CALL () {
       UNWIND $edges AS e
       MATCH (a) WHERE elementId(a) = e.from AND a.classification IN $markings
       MATCH (b) WHERE elementId(b) = e.to AND b.classification IN $markings
       MATCH (a)-[r]->(b)
       WHERE type(r) = e.type AND ${VISIBLE_REL('r')} AND NOT (type(r) = 'AFFECTS' AND coalesce(r.vexState, '') IN $blockingVex)
       WITH e, r ORDER BY elementId(r) ASC
       WITH e, collect(r)[0] AS r
       RETURN collect(${REL('r')}) AS edges
     }
     RETURN nodes, edges`,
    params: {
      markings: [...markings],
      blockingVex: [...BLOCKING_VEX_STATES],
      nodes: ids.map(key),
      edges: [...edges.values()].map((e) => ({ from: key(e.fromId), type: e.type, to: key(e.toId) })),
    },
  };
}

/** Exposure's first read as rows (undefined when no anchor matched). */
function toExposureSketchRows(row: Row | undefined, cap: number): ExposureSketchRows | undefined {
  if (!row) return undefined;
  const paths = (row.paths as unknown[][]).map((flat) => {
    const n = (flat.length + 1) / 2;
    return { nodeIds: flat.slice(0, n).map(String), relTypes: flat.slice(n).map(String) };
  });
  const keys = new Map((row.nodeKeys as unknown[][]).map((pair) => [String(pair[0]), String(pair[1])]));
  return {
    anchor: toNodeRow(row.anchor),
    threats: (row.threats as unknown[]).map(rowOf('Threat')),
    paths: paths.slice(0, cap),
    keys,
    mitigations: toMitigations(row.mitigations),
    controls: new Map((row.controls as unknown[]).map(rowOf('Control')).map((c) => [c.id, c])),
    truncated: paths.length > cap,
  };
}

/** An edge of a path with its stored direction. */
export interface PathEdgeRow {
  relationship: RelationshipRow;
  fromId: string;
  toId: string;
}

export interface PathRow {
  nodes: NodeRow[];
  edges: PathEdgeRow[];
}

export interface RiskPathsRows {
  /** The source threat or vulnerability (riskPaths), or the device (exposure). */
  anchor: NodeRow;
  /** Threats whose mitigations count on these paths. */
  threats: ThreatRow[];
  paths: PathRow[];
  mitigations: MitigationFact[];
  controls: Map<string, ControlRow>;
  /** More candidates existed than the cap. */
  truncated: boolean;
}

function toPathRow(value: unknown): PathRow {
  const v = value as { nodes: unknown[]; edges: Record<string, unknown>[] };
  return {
    nodes: v.nodes.map(toNodeRow),
    edges: v.edges.map((e) => {
      const { __from, __to, ...rest } = e;
      return { relationship: toRelationshipRow(rest), fromId: String(__from), toId: String(__to) };
    }),
  };
}

/** The row converter for nodes a statement matched by `label` (see toRowOf). */
const rowOf =
  <L extends Label>(label: L) =>
  (value: unknown): RowOf<L> =>
    toRowOf([label], value);

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** A path of MITIGATIONS_AND_RETURN: its nodes and edges by id, looked up among those projected once. */
function toPathRowByIds(value: unknown, nodes: Map<string, NodeRow>, edges: Map<string, PathEdgeRow>): PathRow {
  const v = value as { nodeIds: unknown[]; relKeys: unknown[] };
  const lookUp = <T>(map: Map<string, T>, key: unknown): T => {
    const found = map.get(String(key));
    if (found === undefined) throw new Error(`path element ${String(key)} missing from the projected ones`);
    return found;
  };
  return { nodes: v.nodeIds.map((id) => lookUp(nodes, id)), edges: v.relKeys.map((k) => lookUp(edges, k)) };
}

/** The mitigation facts of a risk-path or exposure row. */
function toMitigations(value: unknown): MitigationFact[] {
  return (value as Record<string, unknown>[]).map((m) => ({
    nodeId: String(m.nodeId),
    controlId: String(m.controlId),
    threatId: String(m.threatId),
    edgeEffectiveness: numOrNull(m.edgeEffectiveness),
    controlEffectiveness: numOrNull(m.controlEffectiveness),
  }));
}

/** Undefined when the query matched no anchor (absent, of another label, or not visible). */
function toRiskPathsRows(row: Row | undefined, cap: number): RiskPathsRows | undefined {
  if (!row) return undefined;
  const nodes = new Map((row.pathNodes as unknown[]).map(toNodeRow).map((n) => [n.id, n]));
  const rels = row.pathRels as { key: unknown; edge: unknown }[];
  const edgeRows = toPathRow({ nodes: [], edges: rels.map((r) => r.edge) }).edges;
  const edges = new Map(rels.map((r, i) => [String(r.key), edgeRows[i] as PathEdgeRow]));
  const paths = (row.paths as unknown[]).map((p) => toPathRowByIds(p, nodes, edges));
  const mitigations = toMitigations(row.mitigations);
  const controls = new Map((row.controls as unknown[]).map(rowOf('Control')).map((c) => [c.id, c]));
  return {
    anchor: toNodeRow(row.anchor),
    threats: (row.threats as unknown[]).map(rowOf('Threat')),
    paths: paths.slice(0, cap),
    mitigations,
    controls,
    truncated: paths.length > cap,
  };
}

export interface BlastRows {
  paths: PathRow[];
  truncated: boolean;
}

export interface LineageRows {
  certifications: { node: CertificationRow; depth: number }[];
  links: { type: 'BASED_ON' | 'SUPERSEDES'; fromId: string; toId: string }[];
  /** Visible certifications that supersede a lineage member but lie beyond the depth bound. */
  outsideSuccessors: CertificationRow[];
  truncated: boolean;
}

export interface CoverageRow {
  certification: CertificationRow;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  supersededBy: CertificationRow[];
  requiredControlIds: string[];
}

export interface DeploymentScopeRow {
  deployment: DeploymentRow;
  device: DeviceRow | null;
  os: ComponentRow | null;
  implementedControlIds: string[];
  coverage: CoverageRow[];
  /** Known-exploited vulnerabilities that AFFECT the running release, no VEX statement stopping them. */
  knownExploited: VulnerabilityRow[];
}

export interface RemediationCandidateRow {
  release: ComponentRow;
  distance: number;
  /** Ids of the known-exploited vulnerabilities that AFFECT it (VEX-stopped edges left out). */
  affectedBy: string[];
}

export interface RemediationRows {
  deployment: DeploymentRow;
  device: DeviceRow | null;
  os: ComponentRow | null;
  knownExploited: VulnerabilityRow[];
  candidates: RemediationCandidateRow[];
  coverage: CoverageRow[];
  truncated: boolean;
}

function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A scalar property as text (dates included), null when absent. */
function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : scalarText(value);
}

function toCoverageRows(value: unknown): CoverageRow[] {
  return (value as Record<string, unknown>[]).map((c) => ({
    certification: rowOf('Certification')(c.certification),
    minOsVersion: strOrNull(c.minOsVersion),
    maxOsVersion: strOrNull(c.maxOsVersion),
    supersededBy: (c.supersededBy as unknown[]).map(rowOf('Certification')),
    requiredControlIds: (c.required as unknown[]).map(String),
  }));
}

// ------------------------------------------------------------------ statements (pure)

/** The riskPaths statement (see AnalyticsStore.riskPaths). */
export function riskPathsStatement(markings: readonly string[], fromId: string, toId: string | null, hops: number, cap: number): Statement {
  const threats = `CALL (src) {
       OPTIONAL MATCH (t:Threat)-[e:EXPLOITS]->(src)
       WHERE t.classification IN $markings AND ${VISIBLE_REL('e')}
       WITH src, collect(t) AS exploiters
       RETURN CASE WHEN src:Threat THEN [src] ELSE exploiters END AS threats
     }`;
  // the threats whose mitigations count: the source itself, or the threats exploiting it
  const cypher =
    toId === null
      ? `MATCH (src:Threat|Vulnerability {id: $fromId}) WHERE src.classification IN $markings
     ${threats}
     CALL (src) {
       ${pathsFromSourceToDevices(hops)}
     }
     ${MITIGATIONS_AND_RETURN('src', 'threats')}`
      : `MATCH (src:Threat|Vulnerability {id: $fromId}) WHERE src.classification IN $markings
     MATCH (dst:Device|Component|Deployment|Certification {id: $toId}) WHERE dst.classification IN $markings
     ${threats}
     CALL (src, dst) {
       ${pathsFromSourceToTarget(hops)}
     }
     ${MITIGATIONS_AND_RETURN('src', 'threats')}`;
  return {
    name: toId === null ? 'analytics.riskPathsFromSource' : 'analytics.riskPathsToTarget',
    cypher,
    params: { fromId, toId, cap, markings: [...markings], ...STEP_PARAMS },
  };
}

/** The exposure statement (see AnalyticsStore.exposure). */
export function exposureStatement(markings: readonly string[], deviceId: string, hops: number, cap: number): Statement {
  return {
    name: 'analytics.exposure',
    cypher: `MATCH (dst:Device {id: $deviceId}) WHERE dst.classification IN $markings
       CALL (dst) {
         ${pathsFromAnyThreatToTarget(hops)}
       }
       WITH dst, paths, reduce(acc = [], p IN paths | CASE WHEN p.nodes[0] IN acc THEN acc ELSE acc + [p.nodes[0]] END) AS threats
       ${EXPOSURE_RETURN}`,
    params: { deviceId, cap, markings: [...markings], ...STEP_PARAMS },
  };
}

/**
 * The backward steps of a risk path from a bound start, as a quantified path pattern in the stored
 * direction of HAS_COMPONENT, DEPENDS_ON, OF, RUNS and CERTIFIES (walked from their end node to
 * their start node), each step's far node and edge visible.
 */
function backwardSteps(min: number, max: number): string {
  return `((x)<-[r:${relTypes(BACKWARD_RISK_EDGES)}]-(y) WHERE y.classification IN $markings AND ${VISIBLE_REL('r')}){${min},${max}}`;
}

/**
 * The blastRadius statement (see AnalyticsStore.blastRadius).
 *
 * Same answers as `ALL SHORTEST (src)` over the undirected risk step (see the risk step rule), but the walk follows each relationship type
 * only in its risk direction, so it touches only what `src` can reach (an undirected walk filtered
 * afterwards expanded the whole neighbourhood: 12 s for an SBOM root with no parents). On this
 * model (FORWARD/BACKWARD_RISK_EDGES and the endpoints in model.ts) a risk step out of a
 * Component is always backward, and out of a Vulnerability always an AFFECTS edge to a Component;
 * backward steps lead only to devices, components, deployments and certifications, where no
 * forward edge starts. So from a component the paths are backward steps only, and from a
 * vulnerability one AFFECTS step followed by backward steps.
 */
export function blastRadiusStatement(markings: readonly string[], fromId: string, hops: number, cap: number): Statement {
  const h = hopBound(hops);
  const targets = 'dst:Device|Deployment|Certification|Component';
  const affects = `(src)-[a:AFFECTS WHERE ${VISIBLE_REL('a')} AND NOT coalesce(a.vexState, '') IN $blockingVex]->(c:Component WHERE c.classification IN $markings)`;
  // a quantifier's upper bound must be at least 1: with one hop, the AFFECTS step alone (every such path is shortest)
  const fromVulnerability =
    h === 1
      ? `p = (src)-[a:AFFECTS WHERE ${VISIBLE_REL('a')} AND NOT coalesce(a.vexState, '') IN $blockingVex]->(dst:Component WHERE dst.classification IN $markings)`
      : `p = ALL SHORTEST ${affects} ${backwardSteps(0, h - 1)} (${targets})`;
  return {
    name: 'analytics.blastRadius',
    cypher: `MATCH (src:Component|Vulnerability {id: $fromId}) WHERE src.classification IN $markings
       CALL (src) {
         CALL (src) {
           MATCH p = ALL SHORTEST (src) ${backwardSteps(1, h)} (${targets})
           WHERE src:Component
           RETURN p
           UNION
           MATCH ${fromVulnerability}
           WHERE src:Vulnerability
           RETURN p
         }
         WITH p ORDER BY length(p) ASC, [n IN nodes(p) | n.id] ASC LIMIT toInteger($cap) + 1
         RETURN collect(p) AS paths
       }
       RETURN [p IN paths | {nodes: [n IN nodes(p) | ${NODE('n')}], edges: [r IN relationships(p) | ${REL('r')}]}] AS paths`,
    params: { fromId, cap, markings: [...markings], blockingVex: [...BLOCKING_VEX_STATES] },
  };
}

/** The certificationLineage statement (see AnalyticsStore.lineage). */
export function lineageStatement(markings: readonly string[], certificationId: string, cap: number): Statement {
  return {
    name: 'analytics.certificationLineage',
    cypher: `MATCH (root:Certification {id: $certificationId}) WHERE root.classification IN $markings
       CALL (root) {
         MATCH p = ANY SHORTEST (root) ((a:Certification)-[r:BASED_ON|SUPERSEDES]-(b:Certification)
             WHERE b.classification IN $markings AND ${VISIBLE_REL('r')} AND (type(r) = 'SUPERSEDES' OR startNode(r) = a)){0,${LINEAGE_MAX_DEPTH}} (c:Certification)
         WITH c, length(p) AS depth ORDER BY depth ASC, c.id ASC LIMIT toInteger($cap) + 1
         RETURN collect({node: ${CERT_WITH_HISTORY('c')}, depth: depth}) AS certs
       }
       WITH certs, [x IN certs | x.node.id] AS ids
       CALL (ids) {
         MATCH (a:Certification)-[r:BASED_ON|SUPERSEDES]->(b:Certification)
         WHERE a.id IN ids AND b.id IN ids AND ${VISIBLE_REL('r')}
         RETURN collect({type: type(r), fromId: a.id, toId: b.id}) AS links
       }
       CALL (ids) {
         MATCH (s:Certification)-[r:SUPERSEDES]->(b:Certification)
         WHERE b.id IN ids AND NOT s.id IN ids AND s.classification IN $markings AND ${VISIBLE_REL('r')}
         RETURN collect(DISTINCT ${CERT_WITH_HISTORY('s')}) AS outside, collect({type: 'SUPERSEDES', fromId: s.id, toId: b.id}) AS outsideLinks
       }
       RETURN certs, links + outsideLinks AS links, outside`,
    params: { certificationId, cap, markings: [...markings] },
  };
}

/** The device model (`d`) and running OS release (`os`) of a bound `dep`, each the first visible by id. */
const DEVICE_AND_RELEASE = `CALL (dep) {
         OPTIONAL MATCH (dep)-[r:OF]->(d:Device) WHERE d.classification IN $markings AND ${VISIBLE_REL('r')}
         RETURN d ORDER BY d.id ASC LIMIT 1
       }
       CALL (dep) {
         OPTIONAL MATCH (dep)-[r:RUNS]->(os:Component) WHERE os.classification IN $markings AND ${VISIBLE_REL('r')} AND os.kind = 'OS_RELEASE'
         RETURN os ORDER BY os.id ASC LIMIT 1
       }`;

/** A visible known-exploited `v` AFFECTS `target` over a visible edge `a` that no VEX statement (NOT_AFFECTED, FIXED) stops. */
const KEV_AFFECTS = (target: string) => `(v:Vulnerability)-[a:AFFECTS]->(${target})
         WHERE v.knownExploited = true AND v.classification IN $markings AND ${VISIBLE_REL('a')} AND NOT coalesce(a.vexState, '') IN $blockingVex`;

/** Certifications that CERTIFY a bound `d`, with their OS range and visible successors, as `coverage`. */
const COVERAGE = (withRequired: boolean) => `CALL (d) {
         MATCH (cert:Certification)-[cr:CERTIFIES]->(d) WHERE cert.classification IN $markings AND ${VISIBLE_REL('cr')}
         CALL (cert) {
           OPTIONAL MATCH (s:Certification)-[sr:SUPERSEDES]->(cert) WHERE s.classification IN $markings AND ${VISIBLE_REL('sr')}
           RETURN collect(${CERT_WITH_HISTORY('s')}) AS supersededBy
         }
         ${
           withRequired
             ? `CALL (cert) {
           OPTIONAL MATCH (cert)-[rq:REQUIRES]->(ctl:Control) WHERE ctl.classification IN $markings AND ${VISIBLE_REL('rq')}
           RETURN collect(ctl.id) AS required
         }`
             : 'WITH cert, cr, supersededBy, [] AS required'
         }
         WITH cert, cr, supersededBy, required ORDER BY cert.id ASC
         RETURN collect({certification: ${CERT_WITH_HISTORY('cert')}, minOsVersion: cr.minOsVersion, maxOsVersion: cr.maxOsVersion, supersededBy: supersededBy, required: required}) AS coverage
       }`;

/** The remediation statement (see AnalyticsStore.remediation). */
export function remediationStatement(markings: readonly string[], deploymentId: string, cap: number): Statement {
  return {
    name: 'analytics.remediation',
    cypher: `MATCH (dep:Deployment {id: $deploymentId}) WHERE dep.classification IN $markings
       ${DEVICE_AND_RELEASE}
       CALL (os) {
         OPTIONAL MATCH ${KEV_AFFECTS('os')}
         RETURN collect(DISTINCT ${NODE('v')}) AS knownExploited
       }
       CALL (os) {
         OPTIONAL MATCH p = (newer:Component) ((x)-[s:SUPERSEDES]->(y) WHERE x.classification IN $markings AND ${VISIBLE_REL('s')}){1,${RELEASE_CHAIN_DEPTH}} (os)
         WHERE newer.kind = 'OS_RELEASE'
         WITH newer, min(length(p)) AS distance
         WITH newer, distance ORDER BY distance ASC, newer.id ASC LIMIT toInteger($cap) + 1
         OPTIONAL MATCH ${KEV_AFFECTS('newer')}
         WITH newer, distance, collect(DISTINCT v.id) AS affectedBy
         RETURN collect(CASE WHEN newer IS NULL THEN null ELSE {release: ${NODE('newer')}, distance: distance, affectedBy: affectedBy} END) AS candidates
       }
       ${COVERAGE(false)}
       RETURN ${NODE('dep')} AS deployment, CASE WHEN d IS NULL THEN null ELSE ${NODE('d')} END AS device,
              CASE WHEN os IS NULL THEN null ELSE ${NODE('os')} END AS os, knownExploited, candidates, coverage`,
    params: { deploymentId, cap, markings: [...markings], blockingVex: [...BLOCKING_VEX_STATES] },
  };
}

/** The scopeDrift statement (see AnalyticsStore.deploymentScopes). */
export function deploymentScopesStatement(
  markings: readonly string[],
  scope: { organizationId: string } | { deploymentId: string } | { deploymentIds: readonly string[] },
  cap: number,
): Statement {
  const first =
    'organizationId' in scope
      ? `MATCH (o:Organization {id: $organizationId})-[op:OPERATES]->(dep:Deployment)
         WHERE o.classification IN $markings AND ${VISIBLE_REL('op')} AND dep.classification IN $markings`
      : 'deploymentIds' in scope
        ? `UNWIND $deploymentIds AS depId MATCH (dep:Deployment {id: depId}) WHERE dep.classification IN $markings`
        : `MATCH (dep:Deployment {id: $deploymentId}) WHERE dep.classification IN $markings`;
  const partOf = `((pa)-[hc:HAS_COMPONENT]->(pb:Component) WHERE pb.classification IN $markings AND ${VISIBLE_REL('hc')}){1,${PART_DEPTH}}`;
  return {
    name:
      'organizationId' in scope
        ? 'analytics.scopeDrift.organization'
        : 'deploymentIds' in scope
          ? 'analytics.scopeDrift.deployments'
          : 'analytics.scopeDrift.deployment',
    cypher: `${first}
       WITH DISTINCT dep ORDER BY dep.id ASC LIMIT toInteger($cap) + 1
       ${DEVICE_AND_RELEASE}
       CALL (os) {
         OPTIONAL MATCH ${KEV_AFFECTS('os')}
         RETURN collect(DISTINCT ${NODE('v')}) AS knownExploited
       }
       CALL (d, os) {
         CALL (d, os) {
           UNWIND [x IN [d, os] WHERE x IS NOT NULL] AS h RETURN h
           UNION
           MATCH (d) ${partOf} (h:Component) RETURN h
         }
         WITH DISTINCT h
         MATCH (h)-[i:IMPLEMENTS]->(c:Control) WHERE c.classification IN $markings AND ${VISIBLE_REL('i')}
         OPTIONAL MATCH (c)-[mt:MAPS_TO]-(eq:Control) WHERE eq.classification IN $markings AND ${VISIBLE_REL('mt')}
         RETURN collect(DISTINCT c.id) + collect(DISTINCT eq.id) AS implemented
       }
       ${COVERAGE(true)}
       RETURN ${NODE('dep')} AS deployment, CASE WHEN d IS NULL THEN null ELSE ${NODE('d')} END AS device,
              CASE WHEN os IS NULL THEN null ELSE ${NODE('os')} END AS os, implemented, coverage, knownExploited`,
    params: { ...scope, cap, markings: [...markings], blockingVex: [...BLOCKING_VEX_STATES] },
  };
}

/** A row of the scopeDrift statement. */
export function toDeploymentScopeRow(row: Row): DeploymentScopeRow {
  return {
    deployment: rowOf('Deployment')(row.deployment),
    device: row.device ? rowOf('Device')(row.device) : null,
    os: row.os ? rowOf('Component')(row.os) : null,
    implementedControlIds: (row.implemented as unknown[]).map(String),
    coverage: toCoverageRows(row.coverage),
    knownExploited: (row.knownExploited as unknown[]).map(rowOf('Vulnerability')),
  };
}

// ------------------------------------------------------------------ scope drift per clearance level

/** The rank of a node's marking (the statement passes `$rank`, CLASSIFICATIONS by index; a node it matched has a known marking). */
const RANK_NODE = (v: string) => `$rank[${v}.classification]`;
/** The rank of a relationship's marking (none: UNCLASSIFIED, as VISIBLE_REL reads it). */
const RANK_REL = (r: string) => `$rank[coalesce(${r}.classification, 'UNCLASSIFIED')]`;
/** The largest of integer expressions. */
const MAX_OF = (xs: readonly string[]) => `reduce(lvlM = 0, lvlX IN [${xs.join(', ')}] | CASE WHEN lvlX > lvlM THEN lvlX ELSE lvlM END)`;

/**
 * Controls implemented by the holders bound as rows `(h, hl)` (hl: the level at which the holder is
 * reached), with their MAPS_TO equivalents, as `implemented: [{id, level}]`, each at its lowest level:
 * the same controls as the scopeDrift statement's `implemented` for a clearance that sees `level`.
 */
const IMPLEMENTED_BY_LEVEL = `WITH h, min(hl) AS hl
         MATCH (h)-[i:IMPLEMENTS]->(c:Control) WHERE c.classification IN $markings AND ${VISIBLE_REL('i')}
         WITH c, min(${MAX_OF(['hl', RANK_REL('i'), RANK_NODE('c')])}) AS cl
         CALL (c, cl) {
           RETURN c.id AS ctlId, cl AS ctlLevel
           UNION
           MATCH (c)-[mt:MAPS_TO]-(eq:Control) WHERE eq.classification IN $markings AND ${VISIBLE_REL('mt')}
           RETURN eq.id AS ctlId, ${MAX_OF(['cl', RANK_REL('mt'), RANK_NODE('eq')])} AS ctlLevel
         }
         WITH ctlId, min(ctlLevel) AS ctlLevel
         RETURN collect({id: ctlId, level: ctlLevel}) AS implemented`;

/**
 * UNION branches returning `h, hl`: each component reachable from `start` over 1..PART_DEPTH
 * visible HAS_COMPONENT hops, and over every way there, the lowest rank of the highest marking on
 * the way. Walked one hop at a time, the frontier reduced to one row per part (its lowest level)
 * after every hop, so the work grows with the parts and their links, not with the paths: a shared
 * sub-assembly under many parents is expanded once per hop. (One `{1,4}` pattern with a level per
 * path enumerates every path; a generated world whose parts share sub-assemblies kept the feed
 * refresh running for minutes. test/analytics/part-lattice.test.ts.) Same answer as that pattern:
 * a walk that repeats a link contains a shorter trail to the same part, marked no higher.
 */
function partsWithinByLevel(start: string): string {
  const branches: string[] = [];
  for (let hops = 1; hops <= PART_DEPTH; hops += 1) {
    const steps: string[] = [];
    for (let i = 1; i <= hops; i += 1) {
      const from = i === 1 ? start : `p${i - 1}`;
      steps.push(`MATCH (${from})-[e${i}:HAS_COMPONENT]->(p${i}:Component) WHERE p${i}.classification IN $markings AND ${VISIBLE_REL(`e${i}`)}`);
      steps.push(`WITH p${i}, min(${MAX_OF([...(i > 1 ? [`l${i - 1}`] : []), RANK_REL(`e${i}`), RANK_NODE(`p${i}`)])}) AS l${i}`);
    }
    branches.push(`${steps.join('\n             ')}\n             RETURN p${hops} AS h, l${hops} AS hl`);
  }
  return branches.join('\n             UNION\n             ');
}

/**
 * The scopeDrift statement's reads for a list of deployments at full knowledge, annotated for
 * every clearance at once (src/domain/driftLevels.ts): each item the scopeDrift statement can use
 * comes with its `level`, the rank of the highest marking on the way to it, and the choices the
 * statement makes per caller (the first visible device model and running release by id) are left
 * to the pure code, so every device model and release is returned. Same filters as
 * deploymentScopesStatement (the one it must agree with), `$markings` being every marking.
 */
export function deploymentScopesByLevelStatement(deploymentIds: readonly string[], cap: number): Statement {
  return {
    name: 'analytics.scopeDrift.deploymentsByLevel',
    cypher: `UNWIND $deploymentIds AS depId MATCH (dep:Deployment {id: depId}) WHERE dep.classification IN $markings
       WITH DISTINCT dep ORDER BY dep.id ASC LIMIT toInteger($cap) + 1
       CALL (dep) {
         MATCH (dep)-[r:OF]->(d:Device) WHERE d.classification IN $markings AND ${VISIBLE_REL('r')}
         CALL (d) {
           CALL (d) {
             RETURN d AS h, 0 AS hl
             UNION
             ${partsWithinByLevel('d')}
           }
           ${IMPLEMENTED_BY_LEVEL}
         }
         CALL (d) {
           MATCH (cert:Certification)-[cr:CERTIFIES]->(d) WHERE cert.classification IN $markings AND ${VISIBLE_REL('cr')}
           CALL (cert) {
             MATCH (s:Certification)-[sr:SUPERSEDES]->(cert) WHERE s.classification IN $markings AND ${VISIBLE_REL('sr')}
             RETURN collect({certification: ${CERT_WITH_HISTORY('s')}, level: ${MAX_OF([RANK_NODE('s'), RANK_REL('sr')])}}) AS supersededBy
           }
           CALL (cert) {
             MATCH (cert)-[rq:REQUIRES]->(ctl:Control) WHERE ctl.classification IN $markings AND ${VISIBLE_REL('rq')}
             RETURN collect({id: ctl.id, level: ${MAX_OF([RANK_NODE('ctl'), RANK_REL('rq')])}}) AS required
           }
           WITH cert, cr, supersededBy, required ORDER BY cert.id ASC
           RETURN collect({certification: ${CERT_WITH_HISTORY('cert')}, level: ${MAX_OF([RANK_NODE('cert'), RANK_REL('cr')])},
                           minOsVersion: cr.minOsVersion, maxOsVersion: cr.maxOsVersion, supersededBy: supersededBy, required: required}) AS coverage
         }
         RETURN collect({id: d.id, level: ${MAX_OF([RANK_NODE('d'), RANK_REL('r')])}, implemented: implemented, coverage: coverage}) AS devices
       }
       CALL (dep) {
         MATCH (dep)-[r:RUNS]->(os:Component) WHERE os.classification IN $markings AND ${VISIBLE_REL('r')} AND os.kind = 'OS_RELEASE'
         CALL (os) {
           MATCH ${KEV_AFFECTS('os')}
           RETURN collect({vulnerability: ${NODE('v')}, level: ${MAX_OF([RANK_NODE('v'), RANK_REL('a')])}}) AS knownExploited
         }
         CALL (os) {
           WITH os AS h, 0 AS hl
           ${IMPLEMENTED_BY_LEVEL}
         }
         RETURN collect({release: ${NODE('os')}, level: ${MAX_OF([RANK_NODE('os'), RANK_REL('r')])}, implemented: implemented, knownExploited: knownExploited}) AS releases
       }
       RETURN ${NODE('dep')} AS deployment, devices, releases`,
    params: {
      deploymentIds: [...deploymentIds],
      cap,
      markings: [...CLASSIFICATIONS],
      rank: Object.fromEntries(CLASSIFICATIONS.map((c, i) => [c, i])),
      blockingVex: [...BLOCKING_VEX_STATES],
    },
  };
}

function leveledCert(value: unknown): LeveledCert {
  const row = rowOf('Certification')(value);
  return {
    id: row.id,
    status: textOrNull(row.status),
    issuedAt: textOrNull(row.issuedAt),
    validUntil: textOrNull(row.validUntil),
    classification: textOrNull(row.classification),
    history: historyOfRow(row) ?? [],
  };
}

function leveledIds(value: unknown): LeveledId[] {
  return (value as Record<string, unknown>[]).map((c) => ({ id: String(c.id), level: Number(c.level) }));
}

/** A row of deploymentScopesByLevelStatement. */
export function toLeveledScope(row: Row): LeveledScope {
  const dep = rowOf('Deployment')(row.deployment);
  return {
    deploymentId: dep.id,
    name: textOrNull(dep.name),
    classification: textOrNull(dep.classification),
    level: CLASSIFICATIONS.indexOf(dep.classification),
    osVersion: textOrNull(dep.osVersion),
    devices: (row.devices as Record<string, unknown>[]).map((d) => ({
      id: String(d.id),
      level: Number(d.level),
      implemented: leveledIds(d.implemented),
      coverage: (d.coverage as Record<string, unknown>[]).map((c) => ({
        cert: leveledCert(c.certification),
        level: Number(c.level),
        minOsVersion: strOrNull(c.minOsVersion),
        maxOsVersion: strOrNull(c.maxOsVersion),
        supersededBy: (c.supersededBy as Record<string, unknown>[]).map((s) => ({ cert: leveledCert(s.certification), level: Number(s.level) })),
        required: leveledIds(c.required),
      })),
    })),
    releases: (row.releases as Record<string, unknown>[]).map((r) => {
      const os = rowOf('Component')(r.release);
      return {
        id: os.id,
        level: Number(r.level),
        version: textOrNull(os.version),
        supportEndsAt: textOrNull(os.supportEndsAt),
        implemented: leveledIds(r.implemented),
        knownExploited: (r.knownExploited as Record<string, unknown>[]).map((k) => {
          const v = rowOf('Vulnerability')(k.vulnerability);
          return {
            id: v.id,
            classification: textOrNull(v.classification),
            level: Number(k.level),
            kevDateAdded: textOrNull(v.kevDateAdded),
            kevDueDate: textOrNull(v.kevDueDate),
          };
        }),
      };
    }),
  };
}

// ------------------------------------------------------------------ what-if reads

/** Nodes of any label by id, visible ones only (the ids a what-if assumption names). */
export function whatIfNodesStatement(markings: readonly string[], ids: readonly string[]): Statement {
  return {
    name: 'analytics.whatIf.nodes',
    cypher: `UNWIND $ids AS id
       MATCH (n:${labelExpr(LABELS)} {id: id}) WHERE n.classification IN $markings
       RETURN ${NODE('n')} AS node`,
    params: { ids: [...ids], markings: [...markings] },
  };
}

/** Which of the relationships (by index) exist with both ends and the relationship visible. */
export function whatIfRelationshipsStatement(
  markings: readonly string[],
  refs: readonly { type: RelationshipType; fromId: string; toId: string }[],
): Statement {
  return {
    name: 'analytics.whatIf.relationships',
    cypher: `UNWIND range(0, size($refs) - 1) AS i
       WITH i, $refs[i] AS ref
       MATCH (a:${labelExpr(LABELS)} {id: ref.fromId})-[r]->(b:${labelExpr(LABELS)} {id: ref.toId})
       WHERE type(r) = ref.type AND a.classification IN $markings AND b.classification IN $markings AND ${VISIBLE_REL('r')}
       RETURN DISTINCT i`,
    params: { refs: refs.map((r) => ({ type: RELATIONSHIPS[r.type].type, fromId: r.fromId, toId: r.toId })), markings: [...markings] },
  };
}

export interface SubgraphPlan {
  /**
   * `down`: from the seeds along the stored direction of HAS_COMPONENT, DEPENDS_ON, OF, RUNS and
   * CERTIFIES (what a target is made of: paths into a target). `up`: against it (what a
   * compromised node puts at risk: paths from a source).
   */
  direction: 'down' | 'up';
  /** Where the walk starts: the target, or what the source reaches; plus what the assumption connects. */
  seedIds: string[];
  /** A Threat or Vulnerability whose one or two forward steps also seed the walk (`up` from a threat or vulnerability). */
  sourceId: string | null;
  hops: number;
  /** Ids the assumption names: vulnerabilities whose exploiters and controls whose MITIGATES are read too. */
  extraIds: string[];
  /** Vulnerabilities whose AFFECTS ends also seed the walk (`up`: a source assumed to EXPLOIT them). */
  forwardVulnIds: string[];
}

/**
 * The part of the graph a what-if risk analysis can reach: the nodes within `hops` of the seeds
 * (ANY SHORTEST per node, so the walk is breadth-first and bounded by the nodes, not the paths),
 * the backward-type relationships among them, the TARGETS and AFFECTS into them, the EXPLOITS into
 * those vulnerabilities, and the IMPLEMENTS / MITIGATES of their controls. Everything visible only.
 */
export function riskSubgraphStatement(markings: readonly string[], plan: SubgraphPlan, cap: number): Statement {
  const h = hopBound(plan.hops);
  const back = relTypes(BACKWARD_RISK_EDGES);
  const walk =
    plan.direction === 'down'
      ? `((w)-[k:${back}]->(u) WHERE u.classification IN $markings AND ${VISIBLE_REL('k')}){0,${h}}`
      : `((w)<-[k:${back}]-(u) WHERE u.classification IN $markings AND ${VISIBLE_REL('k')}){0,${h}}`;
  return {
    name: `analytics.whatIf.subgraph.${plan.direction}`,
    cypher: `CALL () {
         UNWIND $seedIds AS seedId
         MATCH (s:Device|Component|Deployment|Certification {id: seedId}) WHERE s.classification IN $markings
         RETURN s
         UNION
         MATCH (src:Threat|Vulnerability {id: $sourceId})-[r1:${relTypes(FORWARD_RISK_EDGES)}]->(s) WHERE ${forwardStep('src', 'r1', 's')}
         RETURN s
         UNION
         MATCH (src:Threat {id: $sourceId})-[r1:EXPLOITS]->(v)-[r2:AFFECTS]->(s) WHERE ${forwardStep('src', 'r1', 'v')} AND ${forwardStep('v', 'r2', 's')}
         RETURN s
         UNION
         UNWIND $forwardVulnIds AS vid
         MATCH (v:Vulnerability {id: vid})-[r2:AFFECTS]->(s) WHERE ${forwardStep('v', 'r2', 's')}
         RETURN s
       }
       CALL (s) {
         MATCH p = ANY SHORTEST (s) ${walk} (n)
         RETURN n
       }
       WITH DISTINCT n LIMIT toInteger($cap) + 1
       WITH collect(n) AS reach
       CALL (reach) {
         UNWIND reach AS a
         MATCH (a)-[k:${back}]->(b) WHERE b IN reach AND ${VISIBLE_REL('k')}
         WITH k LIMIT toInteger($edgeCap) + 1
         RETURN collect(${REL('k')}) AS backEdges
       }
       CALL (reach) {
         UNWIND reach AS b
         MATCH (x:Threat|Vulnerability)-[r:TARGETS|AFFECTS]->(b) WHERE x.classification IN $markings AND ${VISIBLE_REL('r')}
         WITH x, r LIMIT toInteger($edgeCap) + 1
         RETURN collect(DISTINCT x) AS starts, collect(${REL('r')}) AS forwardEdges
       }
       CALL (starts) {
         CALL (starts) {
           UNWIND starts AS v
           MATCH (t:Threat)-[e:EXPLOITS]->(v:Vulnerability) WHERE t.classification IN $markings AND ${VISIBLE_REL('e')}
           RETURN t, e
           UNION
           UNWIND $extraIds AS xid
           MATCH (t:Threat)-[e:EXPLOITS]->(v:Vulnerability {id: xid}) WHERE t.classification IN $markings AND v.classification IN $markings AND ${VISIBLE_REL('e')}
           RETURN t, e
         }
         WITH t, e LIMIT toInteger($edgeCap) + 1
         RETURN collect(DISTINCT t) AS exploiters, collect(${REL('e')}) AS exploitEdges
       }
       CALL (reach) {
         UNWIND reach AS n
         MATCH (n)-[i:IMPLEMENTS]->(c:Control) WHERE c.classification IN $markings AND ${VISIBLE_REL('i')}
         WITH c, i LIMIT toInteger($edgeCap) + 1
         RETURN collect(DISTINCT c) AS controls, collect(${REL('i')}) AS implementEdges
       }
       CALL (controls) {
         CALL (controls) {
           UNWIND controls AS c
           MATCH (c)-[m:MITIGATES]->(t:Threat) WHERE t.classification IN $markings AND ${VISIBLE_REL('m')}
           RETURN m, t
           UNION
           UNWIND $extraIds AS xid
           MATCH (c:Control {id: xid})-[m:MITIGATES]->(t:Threat) WHERE c.classification IN $markings AND t.classification IN $markings AND ${VISIBLE_REL('m')}
           RETURN m, t
         }
         WITH t, m LIMIT toInteger($edgeCap) + 1
         RETURN collect(DISTINCT t) AS mitigated, collect(${REL('m')}) AS mitigateEdges
       }
       RETURN [x IN reach + starts + exploiters + controls + mitigated | ${NODE('x')}] AS nodes,
              backEdges + forwardEdges + exploitEdges + implementEdges + mitigateEdges AS edges,
              size(reach) > toInteger($cap)
                OR any(list IN [backEdges, forwardEdges, exploitEdges, implementEdges, mitigateEdges] WHERE size(list) > toInteger($edgeCap)) AS truncated`,
    params: {
      seedIds: [...plan.seedIds],
      sourceId: plan.sourceId,
      extraIds: [...plan.extraIds],
      forwardVulnIds: [...plan.forwardVulnIds],
      cap,
      edgeCap: MAX_WHAT_IF_EDGES,
      markings: [...markings],
      ...STEP_PARAMS,
    },
  };
}

export interface SubgraphRows {
  nodes: NodeRow[];
  edges: PathEdgeRow[];
  /** More nodes were reached than the cap. */
  truncated: boolean;
}

/** A control implemented by a holder (device, part or release). */
export interface HolderControl {
  holderId: string;
  controlId: string;
}

export interface DriftReleaseRow {
  release: ComponentRow;
  /** Known-exploited vulnerabilities that AFFECT it (the KNOWN_EXPLOITED rule). */
  knownExploited: VulnerabilityRow[];
  implements: HolderControl[];
}

export interface DriftWhatIfRows {
  /** Per deployment id: the controls its device model and the model's parts (up to 4 levels) implement. */
  deviceImplements: Map<string, HolderControl[]>;
  /** Per deployment id: its device model and the model's parts (up to 4 levels). */
  deviceHolders: Map<string, string[]>;
  /** The releases asked about (the running ones and those fleets move to), by id. */
  releases: Map<string, DriftReleaseRow>;
  /** MAPS_TO equivalents (either direction) of the controls above, as pairs. */
  equivalents: [string, string][];
}

/** What scope drift needs to re-assess deployments under an assumption (see AnalyticsStore.driftWhatIf). */
export function driftWhatIfStatement(markings: readonly string[], deploymentIds: readonly string[], releaseIds: readonly string[]): Statement {
  const partOf = `((pa)-[hc:HAS_COMPONENT]->(pb:Component) WHERE pb.classification IN $markings AND ${VISIBLE_REL('hc')}){1,${PART_DEPTH}}`;
  return {
    name: 'analytics.whatIf.drift',
    cypher: `CALL () {
         UNWIND $deploymentIds AS depId
         MATCH (dep:Deployment {id: depId}) WHERE dep.classification IN $markings
         ${DEVICE_AND_RELEASE}
         CALL (d) {
           CALL (d) {
             UNWIND [x IN [d] WHERE x IS NOT NULL] AS h RETURN h
             UNION
             MATCH (d) ${partOf} (h:Component) RETURN h
           }
           WITH DISTINCT h
           OPTIONAL MATCH (h)-[i:IMPLEMENTS]->(c:Control) WHERE c.classification IN $markings AND ${VISIBLE_REL('i')}
           RETURN collect(DISTINCT h.id) AS holders, collect(DISTINCT CASE WHEN c IS NULL THEN null ELSE {holderId: h.id, controlId: c.id} END) AS implements
         }
         RETURN collect({deploymentId: dep.id, holders: holders, implements: implements, releaseId: os.id}) AS deployments
       }
       CALL (deployments) {
         UNWIND $releaseIds + [x IN deployments WHERE x.releaseId IS NOT NULL | x.releaseId] AS relId
         WITH DISTINCT relId
         MATCH (os:Component {id: relId}) WHERE os.classification IN $markings
         CALL (os) {
           OPTIONAL MATCH ${KEV_AFFECTS('os')}
           RETURN collect(DISTINCT ${NODE('v')}) AS knownExploited
         }
         CALL (os) {
           OPTIONAL MATCH (os)-[i:IMPLEMENTS]->(c:Control) WHERE c.classification IN $markings AND ${VISIBLE_REL('i')}
           RETURN collect(DISTINCT c.id) AS controlIds
         }
         RETURN collect({release: ${NODE('os')}, knownExploited: knownExploited, controlIds: controlIds}) AS releases
       }
       CALL (deployments, releases) {
         UNWIND [x IN deployments | [y IN x.implements | y.controlId]] + [r IN releases | r.controlIds] + [$controlIds] AS ids
         UNWIND ids AS cid
         WITH DISTINCT cid
         MATCH (c:Control {id: cid})-[mt:MAPS_TO]-(eq:Control) WHERE eq.classification IN $markings AND ${VISIBLE_REL('mt')}
         RETURN collect(DISTINCT [c.id, eq.id]) AS equivalents
       }
       RETURN deployments, releases, equivalents`,
    params: { deploymentIds: [...deploymentIds], releaseIds: [...releaseIds], controlIds: [], markings: [...markings], blockingVex: [...BLOCKING_VEX_STATES] },
  };
}

export class AnalyticsStore {
  constructor(
    readonly db: Database,
    readonly stats: QueryStats,
    readonly markings: readonly string[],
    /** Set inside inReadTransaction: every query of this store then runs in that transaction. */
    private readonly tx?: Tx,
  ) {}

  private async run(st: Statement): Promise<Row[]> {
    return this.tx ? this.tx.run(st.name, st.cypher, st.params) : this.db.read(this.stats, st.name, st.cypher, st.params);
  }

  /**
   * Runs `work` with a store whose queries all run in one read transaction (a what-if reads the ids
   * its assumption names, the subgraph and the analysis' own rows from the same state).
   */
  async inReadTransaction<T>(work: (store: AnalyticsStore) => Promise<T>): Promise<T> {
    if (this.tx) return work(this);
    return this.db.readTransaction(this.stats, (tx) => work(new AnalyticsStore(this.db, this.stats, this.markings, tx)));
  }

  /** The visible nodes among `ids`. */
  async whatIfNodes(ids: readonly string[]): Promise<NodeRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.run(whatIfNodesStatement(this.markings, ids));
    return rows.map((r) => toNodeRow(r.node));
  }

  /** The indexes of the relationships that exist (visible, with visible ends). */
  async whatIfExistingRelationships(refs: readonly { type: RelationshipType; fromId: string; toId: string }[]): Promise<Set<number>> {
    if (refs.length === 0) return new Set();
    const rows = await this.run(whatIfRelationshipsStatement(this.markings, refs));
    return new Set(rows.map((r) => Number(r.i)));
  }

  /** The subgraph a what-if risk analysis can reach (see riskSubgraphStatement), capped at MAX_WHAT_IF_NODES nodes. */
  async riskSubgraph(plan: SubgraphPlan, cap = MAX_WHAT_IF_NODES): Promise<SubgraphRows> {
    const rows = await this.run(riskSubgraphStatement(this.markings, plan, cap));
    const row = rows[0];
    if (!row) return { nodes: [], edges: [], truncated: false };
    const edges = (row.edges as Record<string, unknown>[]).map((e) => {
      const { __from, __to, ...rest } = e;
      return { relationship: toRelationshipRow(rest), fromId: String(__from), toId: String(__to) };
    });
    return { nodes: (row.nodes as unknown[]).map(toNodeRow), edges, truncated: row.truncated === true };
  }

  /**
   * For scope drift under an assumption: the controls each deployment's device model and its parts
   * implement (by holder), the releases (running and moved to) with their known-exploited
   * vulnerabilities and controls, and the MAPS_TO equivalents of all those controls.
   */
  async driftWhatIf(deploymentIds: readonly string[], releaseIds: readonly string[], controlIds: readonly string[]): Promise<DriftWhatIfRows> {
    const st = driftWhatIfStatement(this.markings, deploymentIds, releaseIds);
    const rows = await this.run({ ...st, params: { ...st.params, controlIds: [...controlIds] } });
    const row = rows[0];
    const deviceImplements = new Map<string, HolderControl[]>();
    const deviceHolders = new Map<string, string[]>();
    const releases = new Map<string, DriftReleaseRow>();
    for (const d of (row?.deployments as Record<string, unknown>[] | undefined) ?? []) {
      deviceHolders.set(String(d.deploymentId), (d.holders as unknown[]).map(String));
      deviceImplements.set(
        String(d.deploymentId),
        (d.implements as Record<string, unknown>[]).map((i) => ({ holderId: String(i.holderId), controlId: String(i.controlId) })),
      );
    }
    for (const r of (row?.releases as Record<string, unknown>[] | undefined) ?? []) {
      const release = rowOf('Component')(r.release);
      releases.set(release.id, {
        release,
        knownExploited: (r.knownExploited as unknown[]).map(rowOf('Vulnerability')),
        implements: (r.controlIds as unknown[]).map((c) => ({ holderId: release.id, controlId: String(c) })),
      });
    }
    const equivalents = ((row?.equivalents as unknown[][] | undefined) ?? []).map((p) => [String(p[0]), String(p[1])] as [string, string]);
    return { deviceImplements, deviceHolders, releases, equivalents };
  }

  /**
   * Paths from a threat or vulnerability to `toId`, or to every reachable device when `toId` is
   * null, with the controls along them. Shortest first, then by node ids, capped.
   */
  async riskPaths(fromId: string, toId: string | null, hops: number, cap = MAX_CANDIDATE_PATHS): Promise<RiskPathsRows | undefined> {
    const st = riskPathsStatement(this.markings, fromId, toId, hops, cap);
    const rows = await this.run(st);
    return toRiskPathsRows(rows[0], cap);
  }

  /**
   * Every path from any threat to the device, as sketches, with the controls along them, capped.
   * Read the paths an answer shows with `pathRows`, in the same read transaction (inReadTransaction).
   */
  async exposure(deviceId: string, hops: number, cap = MAX_CANDIDATE_PATHS): Promise<ExposureSketchRows | undefined> {
    const st = exposureStatement(this.markings, deviceId, hops, cap);
    const rows = await this.run(st);
    return toExposureSketchRows(rows[0], cap);
  }

  /**
   * The full rows of path sketches an earlier read gave (in their order), the `known` nodes (read
   * whole by that read: the threats, the device) not read again; throws if one is no longer visible whole.
   */
  async pathRows(sketches: readonly PathSketch[], keys: ReadonlyMap<string, string>, known: readonly NodeRow[] = []): Promise<PathRow[]> {
    if (sketches.length === 0) return [];
    const rows = await this.run(pathRowsStatement(this.markings, sketches, keys, new Set(known.map((n) => n.id))));
    const nodes = new Map([...known, ...((rows[0]?.nodes as unknown[] | undefined) ?? []).map(toNodeRow)].map((n) => [n.id, n]));
    const edges = new Map(
      toPathRow({ nodes: [], edges: (rows[0]?.edges as unknown[] | undefined) ?? [] }).edges.map((e) => [edgeKey(e.fromId, e.relationship.type, e.toId), e]),
    );
    return sketches.map((s) => {
      const pathNodes = s.nodeIds.map((id) => nodes.get(id));
      const pathEdges = sketchEdges(s).map((e) => edges.get(edgeKey(e.fromId, e.type, e.toId)));
      if (pathNodes.some((n) => n === undefined) || pathEdges.some((e) => e === undefined))
        throw new Error(`path ${s.nodeIds.join(' > ')} is no longer visible whole`);
      return { nodes: pathNodes.filter((n): n is NodeRow => n !== undefined), edges: pathEdges.filter((e): e is PathEdgeRow => e !== undefined) };
    });
  }

  /**
   * The shortest paths (all of equal shortest length) from a component or vulnerability to each
   * device, deployment, certification and component it puts at risk, capped.
   */
  async blastRadius(fromId: string, hops: number, cap = MAX_BLAST_TARGETS): Promise<BlastRows> {
    const st = blastRadiusStatement(this.markings, fromId, hops, cap);
    const rows = await this.run(st);
    const paths = ((rows[0]?.paths as unknown[] | undefined) ?? []).map(toPathRow);
    return { paths: paths.slice(0, cap), truncated: paths.length > cap };
  }

  /**
   * The certifications linked to the root by BASED_ON (followed from a certification to what it
   * rests on) and SUPERSEDES (followed both ways), each at its shortest depth, the links among
   * them, and visible successors beyond the depth bound.
   */
  async lineage(certificationId: string, cap = MAX_LINEAGE_CERTIFICATIONS): Promise<LineageRows | undefined> {
    const st = lineageStatement(this.markings, certificationId, cap);
    const rows = await this.run(st);
    const row = rows[0];
    if (!row) return undefined;
    const certs = (row.certs as { node: unknown; depth: number }[]).map((c) => ({ node: rowOf('Certification')(c.node), depth: Number(c.depth) }));
    return {
      certifications: certs.slice(0, cap),
      links: (row.links as Record<string, unknown>[]).map((l) => ({
        type: l.type === 'BASED_ON' ? 'BASED_ON' : 'SUPERSEDES',
        fromId: String(l.fromId),
        toId: String(l.toId),
      })),
      outsideSuccessors: (row.outside as unknown[]).map(rowOf('Certification')),
      truncated: certs.length > cap,
    };
  }

  /**
   * Deployments of an operator (or one deployment) with their device model, running OS release,
   * the controls implemented by the device, its parts or the release (and their MAPS_TO
   * equivalents), and each certification covering the model with its OS range, successors and
   * required controls.
   */
  async deploymentScopes(
    scope: { organizationId: string } | { deploymentId: string },
    cap = MAX_DRIFT_DEPLOYMENTS,
  ): Promise<{ rows: DeploymentScopeRow[]; truncated: boolean }> {
    const st = deploymentScopesStatement(this.markings, scope, cap);
    const rows = await this.run(st);
    const mapped = rows.map(toDeploymentScopeRow);
    return { rows: mapped.slice(0, cap), truncated: mapped.length > cap };
  }

  /**
   * A deployment's device model and running OS release, the known-exploited vulnerabilities that
   * affect the release, the newer releases of its line (SUPERSEDES, up to RELEASE_CHAIN_DEPTH links,
   * nearest first, capped) with the known-exploited vulnerabilities affecting each, and the
   * certifications covering the model. Undefined when the deployment is not visible.
   */
  async remediation(deploymentId: string, cap = MAX_REMEDIATION_CANDIDATES): Promise<RemediationRows | undefined> {
    const st = remediationStatement(this.markings, deploymentId, cap);
    const rows = await this.run(st);
    const row = rows[0];
    if (!row) return undefined;
    const candidates = (row.candidates as Record<string, unknown>[]).map((c) => ({
      release: rowOf('Component')(c.release),
      distance: Number(c.distance),
      affectedBy: (c.affectedBy as unknown[]).map(String),
    }));
    return {
      deployment: rowOf('Deployment')(row.deployment),
      device: row.device ? rowOf('Device')(row.device) : null,
      os: row.os ? rowOf('Component')(row.os) : null,
      knownExploited: (row.knownExploited as unknown[]).map(rowOf('Vulnerability')),
      candidates: candidates.slice(0, cap),
      coverage: toCoverageRows(row.coverage),
      truncated: candidates.length > cap,
    };
  }
}
