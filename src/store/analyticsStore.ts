/**
 * Cypher of the risk analytics (docs/ANALYTICS.md): named, parameterized, every node and
 * relationship filtered by the caller's `$markings`, so a path through a hidden node or claim is
 * never returned. Variable-length parts carry their upper bound in the Cypher text, built only
 * from a validated integer (Cypher cannot take it as a parameter), and every result set is capped
 * with LIMIT (one row more than the cap, so callers can say when it was truncated).
 */
import { BACKWARD_RISK_EDGES, BLOCKING_VEX_STATES, FORWARD_RISK_EDGES, MAX_HOPS, MIN_HOPS, type MitigationFact } from '../domain/risk';
import { RELATIONSHIPS } from '../domain/model';
import type { Database, QueryStats, Row } from './database';
import { toNodeRow, toRelationshipRow } from './projection';
import type { NodeRow, RelationshipRow } from './rows';
import type { Statement } from './statement';
import { CERT_WITH_HISTORY } from './statusHistoryStore';

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

const VISIBLE_REL = (r: string) => `coalesce(${r}.classification, 'UNCLASSIFIED') IN $markings`;
const NODE = (v: string) => `${v} {.*, __label: labels(${v})[0]}`;
const REL = (r: string) => `${r} {.*, __type: type(${r}), __from: startNode(${r}).id, __to: endNode(${r}).id}`;
/** No node twice on a path (cycles are walked at most once round). */
const ACYCLIC = `all(i IN range(0, length(p) - 1) WHERE none(j IN range(i + 1, length(p)) WHERE nodes(p)[i] = nodes(p)[j]))`;

function relTypes(names: readonly (keyof typeof RELATIONSHIPS)[]): string {
  return names.map((n) => RELATIONSHIPS[n].type).join('|');
}

/** The bound of a variable-length pattern, from a validated integer only. */
function hopBound(hops: number): number {
  if (!Number.isInteger(hops) || hops < MIN_HOPS || hops > MAX_HOPS) throw new RangeError(`hops out of range: ${hops}`);
  return hops;
}

/**
 * One step of a risk path, as a quantified path pattern: a visible node to a visible node over a
 * visible risk edge, in the direction risk flows (see FORWARD/BACKWARD_RISK_EDGES), never over an
 * AFFECTS edge whose VEX state says the component is not affected.
 */
function riskStep(hops: number): string {
  return `((x)-[r:${relTypes([...FORWARD_RISK_EDGES, ...BACKWARD_RISK_EDGES])}]-(y)
      WHERE x.classification IN $markings AND y.classification IN $markings AND ${VISIBLE_REL('r')}
        AND ((type(r) IN $forwardTypes AND startNode(r) = x) OR (type(r) IN $backwardTypes AND endNode(r) = x))
        AND NOT (type(r) = 'AFFECTS' AND coalesce(r.vexState, '') IN $blockingVex)){1,${hopBound(hops)}}`;
}

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
 * no-node-twice rules as riskStep (the test suite and bench/ compare both on the same graphs).
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

/** From any visible threat to a bound `dst`: the backward part from `dst`, then one or two forward steps into each node reached. */
function pathsFromAnyThreatToTarget(hops: number): string {
  const h = hopBound(hops);
  const forward = relTypes(FORWARD_RISK_EDGES);
  return `${backwardFromTarget(h, 'dst', 'true')}
    CALL (q, mid) {
      MATCH f = (src:Threat)-[r:${forward}]->(mid) WHERE length(q) <= ${h - 1} AND ${forwardStep('src', 'r', 'mid')}
      RETURN f
      UNION
      MATCH f = (src:Threat)-[r1:${forward}]->(x)-[r2:${forward}]->(mid) WHERE length(q) <= ${h - 2} AND ${forwardStep('src', 'r1', 'x')} AND ${forwardStep('x', 'r2', 'mid')}
      RETURN f
    }
    ${JOIN_AND_CAP}`;
}

/**
 * Tail shared by riskPaths and exposure: given `paths` ({nodes, rels}) and `threats`, the controls
 * implemented by a node on a path that mitigate one of the threats, then the rows, with the
 * `anchor` node (the source, or the exposed device) so the caller needs no lookup of its own.
 */
const MITIGATIONS_AND_RETURN = (anchor: string) => `
  CALL (paths, threats) {
    UNWIND paths AS p
    UNWIND p.nodes AS n
    WITH DISTINCT n, threats
    MATCH (n)-[i:IMPLEMENTS]->(c:Control)-[m:MITIGATES]->(t:Threat)
    WHERE t IN threats AND c.classification IN $markings AND ${VISIBLE_REL('i')} AND ${VISIBLE_REL('m')}
    RETURN collect({nodeId: n.id, controlId: c.id, threatId: t.id, edgeEffectiveness: m.effectiveness, controlEffectiveness: c.effectiveness}) AS mitigations,
           collect(DISTINCT ${NODE('c')}) AS controls
  }
  RETURN [t IN threats | ${NODE('t')}] AS threats,
         [p IN paths | {nodes: [n IN p.nodes | ${NODE('n')}], edges: [r IN p.rels | ${REL('r')}]}] AS paths,
         mitigations, controls, ${NODE(anchor)} AS anchor`;

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
  threats: NodeRow[];
  paths: PathRow[];
  mitigations: MitigationFact[];
  controls: Map<string, NodeRow>;
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

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** Undefined when the query matched no anchor (absent, of another label, or not visible). */
function toRiskPathsRows(row: Row | undefined, cap: number): RiskPathsRows | undefined {
  if (!row) return undefined;
  const paths = (row.paths as unknown[]).map(toPathRow);
  const mitigations = (row.mitigations as Record<string, unknown>[]).map((m) => ({
    nodeId: String(m.nodeId),
    controlId: String(m.controlId),
    threatId: String(m.threatId),
    edgeEffectiveness: numOrNull(m.edgeEffectiveness),
    controlEffectiveness: numOrNull(m.controlEffectiveness),
  }));
  const controls = new Map((row.controls as unknown[]).map(toNodeRow).map((c) => [c.id, c]));
  return {
    anchor: toNodeRow(row.anchor),
    threats: (row.threats as unknown[]).map(toNodeRow),
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
  certifications: { node: NodeRow; depth: number }[];
  links: { type: 'BASED_ON' | 'SUPERSEDES'; fromId: string; toId: string }[];
  /** Visible certifications that supersede a lineage member but lie beyond the depth bound. */
  outsideSuccessors: NodeRow[];
  truncated: boolean;
}

export interface CoverageRow {
  certification: NodeRow;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  supersededBy: NodeRow[];
  requiredControlIds: string[];
}

export interface DeploymentScopeRow {
  deployment: NodeRow;
  device: NodeRow | null;
  os: NodeRow | null;
  implementedControlIds: string[];
  coverage: CoverageRow[];
  /** Known-exploited vulnerabilities that AFFECT the running release, no VEX statement stopping them. */
  knownExploited: NodeRow[];
}

export interface RemediationCandidateRow {
  release: NodeRow;
  distance: number;
  /** Ids of the known-exploited vulnerabilities that AFFECT it (VEX-stopped edges left out). */
  affectedBy: string[];
}

export interface RemediationRows {
  deployment: NodeRow;
  device: NodeRow | null;
  os: NodeRow | null;
  knownExploited: NodeRow[];
  candidates: RemediationCandidateRow[];
  coverage: CoverageRow[];
  truncated: boolean;
}

function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function toCoverageRows(value: unknown): CoverageRow[] {
  return (value as Record<string, unknown>[]).map((c) => ({
    certification: toNodeRow(c.certification),
    minOsVersion: strOrNull(c.minOsVersion),
    maxOsVersion: strOrNull(c.maxOsVersion),
    supersededBy: (c.supersededBy as unknown[]).map(toNodeRow),
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
       MATCH p = (src) ${riskStep(hops)} (dst:Device)
       WHERE ${ACYCLIC}
       WITH p ORDER BY length(p) ASC, [n IN nodes(p) | n.id] ASC LIMIT toInteger($cap) + 1
       RETURN collect({nodes: nodes(p), rels: relationships(p)}) AS paths
     }
     ${MITIGATIONS_AND_RETURN('src')}`
      : `MATCH (src:Threat|Vulnerability {id: $fromId}) WHERE src.classification IN $markings
     MATCH (dst:Device|Component|Deployment|Certification {id: $toId}) WHERE dst.classification IN $markings
     ${threats}
     CALL (src, dst) {
       ${pathsFromSourceToTarget(hops)}
     }
     ${MITIGATIONS_AND_RETURN('src')}`;
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
       ${MITIGATIONS_AND_RETURN('dst')}`,
    params: { deviceId, cap, markings: [...markings], ...STEP_PARAMS },
  };
}

/** The blastRadius statement (see AnalyticsStore.blastRadius). */
export function blastRadiusStatement(markings: readonly string[], fromId: string, hops: number, cap: number): Statement {
  return {
    name: 'analytics.blastRadius',
    cypher: `MATCH (src:Component|Vulnerability {id: $fromId}) WHERE src.classification IN $markings
       CALL (src) {
         MATCH p = ALL SHORTEST (src) ${riskStep(hops)} (dst:Device|Deployment|Certification|Component)
         WITH p ORDER BY length(p) ASC, [n IN nodes(p) | n.id] ASC LIMIT toInteger($cap) + 1
         RETURN collect(p) AS paths
       }
       RETURN [p IN paths | {nodes: [n IN nodes(p) | ${NODE('n')}], edges: [r IN relationships(p) | ${REL('r')}]}] AS paths`,
    params: { fromId, cap, markings: [...markings], ...STEP_PARAMS },
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
export function deploymentScopesStatement(markings: readonly string[], scope: { organizationId: string } | { deploymentId: string }, cap: number): Statement {
  const first =
    'organizationId' in scope
      ? `MATCH (o:Organization {id: $organizationId})-[op:OPERATES]->(dep:Deployment)
         WHERE o.classification IN $markings AND ${VISIBLE_REL('op')} AND dep.classification IN $markings`
      : `MATCH (dep:Deployment {id: $deploymentId}) WHERE dep.classification IN $markings`;
  const partOf = `((pa)-[hc:HAS_COMPONENT]->(pb:Component) WHERE pb.classification IN $markings AND ${VISIBLE_REL('hc')}){1,${PART_DEPTH}}`;
  return {
    name: 'organizationId' in scope ? 'analytics.scopeDrift.organization' : 'analytics.scopeDrift.deployment',
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

export class AnalyticsStore {
  constructor(
    readonly db: Database,
    readonly stats: QueryStats,
    readonly markings: readonly string[],
  ) {}

  /**
   * Paths from a threat or vulnerability to `toId`, or to every reachable device when `toId` is
   * null, with the controls along them. Shortest first, then by node ids, capped.
   */
  async riskPaths(fromId: string, toId: string | null, hops: number, cap = MAX_CANDIDATE_PATHS): Promise<RiskPathsRows | undefined> {
    const st = riskPathsStatement(this.markings, fromId, toId, hops, cap);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    return toRiskPathsRows(rows[0], cap);
  }

  /** Every path from any threat to the device, with the controls along them, capped. */
  async exposure(deviceId: string, hops: number, cap = MAX_CANDIDATE_PATHS): Promise<RiskPathsRows | undefined> {
    const st = exposureStatement(this.markings, deviceId, hops, cap);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    return toRiskPathsRows(rows[0], cap);
  }

  /**
   * The shortest paths (all of equal shortest length) from a component or vulnerability to each
   * device, deployment, certification and component it puts at risk, capped.
   */
  async blastRadius(fromId: string, hops: number, cap = MAX_BLAST_TARGETS): Promise<BlastRows> {
    const st = blastRadiusStatement(this.markings, fromId, hops, cap);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
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
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const row = rows[0];
    if (!row) return undefined;
    const certs = (row.certs as { node: unknown; depth: number }[]).map((c) => ({ node: toNodeRow(c.node), depth: Number(c.depth) }));
    return {
      certifications: certs.slice(0, cap),
      links: (row.links as Record<string, unknown>[]).map((l) => ({
        type: l.type === 'BASED_ON' ? 'BASED_ON' : 'SUPERSEDES',
        fromId: String(l.fromId),
        toId: String(l.toId),
      })),
      outsideSuccessors: (row.outside as unknown[]).map(toNodeRow),
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
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const mapped = rows.map((row): DeploymentScopeRow => ({
      deployment: toNodeRow(row.deployment),
      device: row.device ? toNodeRow(row.device) : null,
      os: row.os ? toNodeRow(row.os) : null,
      implementedControlIds: (row.implemented as unknown[]).map(String),
      coverage: toCoverageRows(row.coverage),
      knownExploited: (row.knownExploited as unknown[]).map(toNodeRow),
    }));
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
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const row = rows[0];
    if (!row) return undefined;
    const candidates = (row.candidates as Record<string, unknown>[]).map((c) => ({
      release: toNodeRow(c.release),
      distance: Number(c.distance),
      affectedBy: (c.affectedBy as unknown[]).map(String),
    }));
    return {
      deployment: toNodeRow(row.deployment),
      device: row.device ? toNodeRow(row.device) : null,
      os: row.os ? toNodeRow(row.os) : null,
      knownExploited: (row.knownExploited as unknown[]).map(toNodeRow),
      candidates: candidates.slice(0, cap),
      coverage: toCoverageRows(row.coverage),
      truncated: candidates.length > cap,
    };
  }
}
