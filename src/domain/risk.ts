/**
 * Risk scoring and the traversal rules of risk paths. Pure: no I/O. See docs/ANALYTICS.md.
 *
 * score(path) = base(source) × Π over distinct controls c on the path (1 − effectiveness(c))
 *   base(Threat)        = severity (0..10, default 5) × likelihood (0..1, default 0.5)
 *   base(Vulnerability) = cvss (0..10, default 5) × (1 when known exploited, else 0.5)
 *   effectiveness(c)    = MITIGATES.effectiveness, else Control.effectiveness, else 0.5
 *                         (a what-if assumption's value wins over all three)
 * exposure(device)      = 10 × (1 − Π over threats t (1 − best(t) / 10)), best(t) = max path score
 */
import type { RelationshipType } from './model';

export const MIN_HOPS = 1;
export const MAX_HOPS = 8;
export const DEFAULT_HOPS = 5;
export const DEFAULT_SEVERITY = 5;
export const DEFAULT_LIKELIHOOD = 0.5;
export const DEFAULT_CVSS = 5;
/** Likelihood of a vulnerability that is not known to be exploited. */
export const UNEXPLOITED_LIKELIHOOD = 0.5;
export const DEFAULT_CONTROL_EFFECTIVENESS = 0.5;

/** Edges followed from the source (threat or vulnerability) towards what it puts at risk. */
export const FORWARD_RISK_EDGES = ['TARGETS', 'EXPLOITS', 'AFFECTS'] as const satisfies readonly RelationshipType[];
/**
 * Edges followed against their direction: a compromised part puts its parent (HAS_COMPONENT),
 * its dependents (DEPENDS_ON), the fleets of the device or running the release (OF, RUNS) and
 * the certifications covering it (CERTIFIES) at risk.
 */
export const BACKWARD_RISK_EDGES = ['HAS_COMPONENT', 'DEPENDS_ON', 'OF', 'RUNS', 'CERTIFIES'] as const satisfies readonly RelationshipType[];
export const RISK_EDGES: readonly RelationshipType[] = [...FORWARD_RISK_EDGES, ...BACKWARD_RISK_EDGES];
/** AFFECTS edges in these VEX states carry no risk: a path never crosses them. */
export const BLOCKING_VEX_STATES = ['NOT_AFFECTED', 'FIXED'] as const;

export type HopsCheck = { ok: true; hops: number } | { ok: false; message: string };

/** Validates maxHops (an integer in 1..8, default 5). */
export function checkHops(value: number | null | undefined): HopsCheck {
  const hops = value ?? DEFAULT_HOPS;
  if (!Number.isInteger(hops) || hops < MIN_HOPS || hops > MAX_HOPS) {
    return { ok: false, message: `maxHops must be an integer between ${MIN_HOPS} and ${MAX_HOPS} (got ${hops})` };
  }
  return { ok: true, hops };
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function round4(value: number): number {
  return Math.round(value * 10000) / 10000;
}

export interface BaseRisk {
  severity: number;
  likelihood: number;
  base: number;
}

/** Base risk of a path's source node (a Threat or Vulnerability row). */
export function baseRisk(source: { __label: string; [key: string]: unknown }): BaseRisk {
  if (source.__label === 'Vulnerability') {
    const severity = num(source.cvss, DEFAULT_CVSS);
    const likelihood = source.knownExploited === true ? 1 : UNEXPLOITED_LIKELIHOOD;
    return { severity, likelihood, base: round4(severity * likelihood) };
  }
  const severity = num(source.severity, DEFAULT_SEVERITY);
  const likelihood = num(source.likelihood, DEFAULT_LIKELIHOOD);
  return { severity, likelihood, base: round4(severity * likelihood) };
}

export type EffectivenessSource = 'MITIGATES_EDGE' | 'CONTROL' | 'DEFAULT' | 'ASSUMED';

/** A control implemented by a node on a path that mitigates one of the path's threats. */
export interface MitigationFact {
  nodeId: string;
  controlId: string;
  threatId: string;
  edgeEffectiveness: number | null;
  controlEffectiveness: number | null;
  /** Set by a what-if assumption (src/domain/whatIf.ts): wins over the recorded values. */
  assumedEffectiveness?: number | null;
}

export interface AppliedControl {
  controlId: string;
  threatId: string;
  effectiveness: number;
  source: EffectivenessSource;
}

export function effectivenessOf(fact: MitigationFact): { effectiveness: number; source: EffectivenessSource } {
  if (typeof fact.assumedEffectiveness === 'number') return { effectiveness: clamp01(fact.assumedEffectiveness), source: 'ASSUMED' };
  if (typeof fact.edgeEffectiveness === 'number') return { effectiveness: clamp01(fact.edgeEffectiveness), source: 'MITIGATES_EDGE' };
  if (typeof fact.controlEffectiveness === 'number') return { effectiveness: clamp01(fact.controlEffectiveness), source: 'CONTROL' };
  return { effectiveness: DEFAULT_CONTROL_EFFECTIVENESS, source: 'DEFAULT' };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export interface PathScore {
  /** Controls per node id of the path, strongest first, then by control id. */
  controlsByNode: Map<string, AppliedControl[]>;
  /** Π (1 − effectiveness) over the distinct controls on the path. */
  residualFactor: number;
  score: number;
  /** At least one control with effectiveness above 0 stands on the path. */
  mitigated: boolean;
  /** A control with effectiveness 1 stands on the path (score 0). */
  blocked: boolean;
}

/**
 * Scores one path. Each control counts once per path (a control implemented at two steps
 * does not compound); when it mitigates several of the path's threats, its strongest claim counts.
 */
export function scorePath(base: number, nodeIds: readonly string[], facts: readonly MitigationFact[]): PathScore {
  const onPath = new Set(nodeIds);
  const controlsByNode = new Map<string, AppliedControl[]>();
  const strongest = new Map<string, number>();
  for (const fact of facts) {
    if (!onPath.has(fact.nodeId)) continue;
    const { effectiveness, source } = effectivenessOf(fact);
    const list = controlsByNode.get(fact.nodeId) ?? [];
    list.push({ controlId: fact.controlId, threatId: fact.threatId, effectiveness, source });
    controlsByNode.set(fact.nodeId, list);
    strongest.set(fact.controlId, Math.max(strongest.get(fact.controlId) ?? 0, effectiveness));
  }
  for (const list of controlsByNode.values()) {
    list.sort((a, b) => b.effectiveness - a.effectiveness || cmp(a.controlId, b.controlId) || cmp(a.threatId, b.threatId));
  }
  let residual = 1;
  for (const e of strongest.values()) residual *= 1 - e;
  residual = round4(residual);
  return { controlsByNode, residualFactor: residual, score: round4(base * residual), mitigated: residual < 1, blocked: residual === 0 };
}

/** Code-unit string order (locale-independent, deterministic). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares id lists element by element, a shorter prefix first. */
export function cmpIdLists(a: readonly string[], b: readonly string[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const c = cmp(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Order of risk paths: score descending, then fewer hops, then node ids. */
export function comparePaths(a: { score: number; nodeIds: readonly string[] }, b: { score: number; nodeIds: readonly string[] }): number {
  return b.score - a.score || a.nodeIds.length - b.nodeIds.length || cmpIdLists(a.nodeIds, b.nodeIds);
}

/** Combines the best path score of each threat reaching a device (probabilistic OR on a 0..10 scale). */
export function combineExposure(threatScores: readonly number[]): number {
  let remaining = 1;
  for (const s of threatScores) remaining *= 1 - Math.min(10, Math.max(0, s)) / 10;
  return round4(10 * (1 - remaining));
}

export interface ThreatSummary {
  threatId: string;
  best: number;
  pathCount: number;
  mitigated: number;
  unmitigated: number;
}

/** A sentence explaining an exposure score. */
export function explainExposure(score: number, threats: readonly ThreatSummary[], truncated: boolean): string {
  if (threats.length === 0) return 'No threat reaches the device within the hop limit: exposure 0.';
  const unmitigated = threats.filter((t) => t.unmitigated > 0).length;
  const parts = threats.map((t) => `${t.threatId} ${t.best}`).join(', ');
  const note = truncated ? ' Path enumeration hit its cap, so counts are lower bounds.' : '';
  return (
    `${threats.length} threat(s) reach the device, ${unmitigated} of them through at least one unmitigated path. ` +
    `Exposure ${score} = 10 × (1 − Π(1 − best/10)) over each threat's best (highest-scoring) path: ${parts}.${note}`
  );
}
