/**
 * What-if analysis over a subgraph read once (docs/ANALYTICS.md, "What-if"). Pure: no I/O.
 *
 * The store reads the bounded part of the graph an analysis can reach (with the caller's
 * markings); this module applies an assumption to it (controls failing or strengthened,
 * relationships removed or added, fleets moved to another release) and finds the risk paths
 * and blast-radius hits in memory, with exactly the traversal rules of src/domain/risk.ts:
 * a step x → y crosses a forward edge (TARGETS, EXPLOITS, AFFECTS) from x to y, or a backward
 * edge (HAS_COMPONENT, DEPENDS_ON, OF, RUNS, CERTIFIES) stored from y to x; never an AFFECTS
 * edge in VEX state NOT_AFFECTED or FIXED; never a node twice.
 */
import type { RelationshipType } from './model';
import { BACKWARD_RISK_EDGES, BLOCKING_VEX_STATES, cmp, cmpIdLists, FORWARD_RISK_EDGES, type MitigationFact } from './risk';

/** Most entries in each list of an assumption. */
export const MAX_ASSUMPTION_ENTRIES = 50;
/** Partial paths one in-memory enumeration may visit before it stops (the answer is then `truncated`). */
export const ENUMERATION_BUDGET = 200_000;

/** Relationship types an assumption may add or remove: the risk edges and the mitigation edges. */
export const WHAT_IF_TYPES: readonly RelationshipType[] = [...FORWARD_RISK_EDGES, ...BACKWARD_RISK_EDGES, 'IMPLEMENTS', 'MITIGATES'];

export interface GraphNode {
  id: string;
  __label: string;
  [property: string]: unknown;
}

/** A relationship of the subgraph; `rel` is the caller's payload (the stored row, or a synthetic one). */
export interface GraphEdge<R> {
  type: RelationshipType;
  fromId: string;
  toId: string;
  /** AFFECTS: VEX state. */
  vexState: string | null;
  /** MITIGATES: its own effectiveness. */
  effectiveness: number | null;
  /** Added by the assumption (not stored). */
  assumed?: boolean;
  rel: R;
}

export interface Subgraph<N extends GraphNode, R> {
  nodes: Map<string, N>;
  edges: GraphEdge<R>[];
}

export interface RelationshipRef {
  type: RelationshipType;
  fromId: string;
  toId: string;
}

/** An assumption in domain terms (ids already checked to be visible). */
export interface Assumption<R> {
  /** Control id → assumed effectiveness (0 for a failing control). */
  effectiveness: Map<string, number>;
  remove: RelationshipRef[];
  add: GraphEdge<R>[];
  moves: { deploymentId: string; osReleaseId: string }[];
}

const FORWARD = new Set<string>(FORWARD_RISK_EDGES);
const BACKWARD = new Set<string>(BACKWARD_RISK_EDGES);
const BLOCKING = new Set<string>(BLOCKING_VEX_STATES);

export function sameRef(a: RelationshipRef, b: RelationshipRef): boolean {
  return a.type === b.type && a.fromId === b.fromId && a.toId === b.toId;
}

/**
 * The subgraph as the assumption says it is: removed relationships gone, each moved fleet's RUNS
 * relationships to OS releases replaced by one to its new release, added relationships present.
 * Nodes are unchanged (the store reads every node an assumption names).
 */
export function applyAssumption<N extends GraphNode, R>(
  graph: Subgraph<N, R>,
  assumption: Assumption<R>,
  runsEdge: (deploymentId: string, releaseId: string) => R,
): Subgraph<N, R> {
  const moved = new Map(assumption.moves.map((m) => [m.deploymentId, m.osReleaseId]));
  const kept = graph.edges.filter((e) => {
    if (assumption.remove.some((r) => sameRef(r, e))) return false;
    if (e.type === 'RUNS' && moved.has(e.fromId) && graph.nodes.get(e.toId)?.kind === 'OS_RELEASE') return false;
    return true;
  });
  const runs: GraphEdge<R>[] = assumption.moves.map((m) => ({
    type: 'RUNS',
    fromId: m.deploymentId,
    toId: m.osReleaseId,
    vexState: null,
    effectiveness: null,
    assumed: true,
    rel: runsEdge(m.deploymentId, m.osReleaseId),
  }));
  return { nodes: graph.nodes, edges: [...kept, ...assumption.add, ...runs] };
}

/** A path found in memory: `nodeIds[i]` and `nodeIds[i+1]` are joined by `edges[i]`. */
export interface FoundPath<R> {
  nodeIds: string[];
  edges: GraphEdge<R>[];
}

interface Step<R> {
  next: string;
  edge: GraphEdge<R>;
}

/** Risk steps out of (forward) and into (reverse) each node; parallel relationships of one type count once. */
function adjacency<N extends GraphNode, R>(graph: Subgraph<N, R>): { out: Map<string, Step<R>[]>; into: Map<string, Step<R>[]> } {
  const out = new Map<string, Step<R>[]>();
  const into = new Map<string, Step<R>[]>();
  const seen = new Set<string>();
  const push = (map: Map<string, Step<R>[]>, key: string, step: Step<R>) => {
    const list = map.get(key);
    if (list) list.push(step);
    else map.set(key, [step]);
  };
  for (const edge of graph.edges) {
    if (!graph.nodes.has(edge.fromId) || !graph.nodes.has(edge.toId)) continue;
    let x: string;
    let y: string;
    if (FORWARD.has(edge.type)) {
      if (edge.type === 'AFFECTS' && edge.vexState !== null && BLOCKING.has(edge.vexState)) continue;
      [x, y] = [edge.fromId, edge.toId];
    } else if (BACKWARD.has(edge.type)) {
      [x, y] = [edge.toId, edge.fromId];
    } else continue;
    const key = JSON.stringify([edge.type, x, y]);
    if (seen.has(key)) continue;
    seen.add(key);
    push(out, x, { next: y, edge });
    push(into, y, { next: x, edge });
  }
  return { out, into };
}

export interface Enumeration<R> {
  /** Shortest first, then by node ids; at most `cap`. */
  paths: FoundPath<R>[];
  /** More paths than the cap, or the enumeration budget ran out. */
  truncated: boolean;
}

function capped<R>(found: FoundPath<R>[], cap: number, exhausted: boolean): Enumeration<R> {
  found.sort((a, b) => a.nodeIds.length - b.nodeIds.length || cmpIdLists(a.nodeIds, b.nodeIds));
  return { paths: found.slice(0, cap), truncated: exhausted || found.length > cap };
}

/**
 * Every path of 1..hops steps that ends at `targetId` and starts at a node `isSource` accepts,
 * walked backwards from the target (the same paths as a walk forward from each source).
 */
export function pathsInto<N extends GraphNode, R>(
  graph: Subgraph<N, R>,
  targetId: string,
  isSource: (node: N) => boolean,
  hops: number,
  cap: number,
  budget = ENUMERATION_BUDGET,
): Enumeration<R> {
  const { into } = adjacency(graph);
  const found: FoundPath<R>[] = [];
  let visits = 0;
  let exhausted = false;
  // reversed: nodes from the target back towards a source
  const nodes: string[] = [targetId];
  const edges: GraphEdge<R>[] = [];
  const onPath = new Set<string>([targetId]);
  const walk = (at: string) => {
    if (edges.length >= hops) return;
    for (const step of into.get(at) ?? []) {
      if (onPath.has(step.next)) continue;
      visits += 1;
      if (visits > budget) {
        exhausted = true;
        return;
      }
      nodes.push(step.next);
      edges.push(step.edge);
      onPath.add(step.next);
      const node = graph.nodes.get(step.next);
      if (node && isSource(node)) found.push({ nodeIds: [...nodes].reverse(), edges: [...edges].reverse() });
      walk(step.next);
      onPath.delete(step.next);
      nodes.pop();
      edges.pop();
      if (exhausted) return;
    }
  };
  if (graph.nodes.has(targetId)) walk(targetId);
  return capped(found, cap, exhausted);
}

/** Every path of 1..hops steps from `sourceId` to a node `isTarget` accepts. */
export function pathsFrom<N extends GraphNode, R>(
  graph: Subgraph<N, R>,
  sourceId: string,
  isTarget: (node: N) => boolean,
  hops: number,
  cap: number,
  budget = ENUMERATION_BUDGET,
): Enumeration<R> {
  const { out } = adjacency(graph);
  const found: FoundPath<R>[] = [];
  let visits = 0;
  let exhausted = false;
  const nodes: string[] = [sourceId];
  const edges: GraphEdge<R>[] = [];
  const onPath = new Set<string>([sourceId]);
  const walk = (at: string) => {
    if (edges.length >= hops) return;
    for (const step of out.get(at) ?? []) {
      if (onPath.has(step.next)) continue;
      visits += 1;
      if (visits > budget) {
        exhausted = true;
        return;
      }
      nodes.push(step.next);
      edges.push(step.edge);
      onPath.add(step.next);
      const node = graph.nodes.get(step.next);
      if (node && isTarget(node)) found.push({ nodeIds: [...nodes], edges: [...edges] });
      walk(step.next);
      onPath.delete(step.next);
      nodes.pop();
      edges.pop();
      if (exhausted) return;
    }
  };
  if (graph.nodes.has(sourceId)) walk(sourceId);
  return capped(found, cap, exhausted);
}

/**
 * For each node `isTarget` accepts within 1..hops steps of the source: its shortest path, the first
 * by node ids when several are equally short (breadth first, so the work is bounded by the edges).
 * Ordered by hops, then by node ids; at most `cap`.
 */
export function shortestFrom<N extends GraphNode, R>(
  graph: Subgraph<N, R>,
  sourceId: string,
  isTarget: (node: N) => boolean,
  hops: number,
  cap: number,
): Enumeration<R> {
  const { out } = adjacency(graph);
  const best = new Map<string, FoundPath<R>>();
  if (!graph.nodes.has(sourceId)) return { paths: [], truncated: false };
  best.set(sourceId, { nodeIds: [sourceId], edges: [] });
  let layer = [sourceId];
  for (let depth = 1; depth <= hops && layer.length > 0; depth += 1) {
    const next = new Map<string, FoundPath<R>>();
    for (const at of layer) {
      const path = best.get(at);
      if (!path) continue;
      for (const step of out.get(at) ?? []) {
        if (best.has(step.next)) continue;
        const candidate = { nodeIds: [...path.nodeIds, step.next], edges: [...path.edges, step.edge] };
        const current = next.get(step.next);
        if (!current || cmpIdLists(candidate.nodeIds, current.nodeIds) < 0) next.set(step.next, candidate);
      }
    }
    for (const [id, path] of next) best.set(id, path);
    layer = [...next.keys()];
  }
  const hits = [...best.values()].filter((p) => {
    const last = graph.nodes.get(p.nodeIds[p.nodeIds.length - 1] ?? '');
    return p.edges.length > 0 && last !== undefined && isTarget(last);
  });
  hits.sort((a, b) => a.edges.length - b.edges.length || cmpIdLists(a.nodeIds, b.nodeIds));
  return { paths: hits.slice(0, cap), truncated: hits.length > cap };
}

/** The threats whose mitigations count on paths from `sourceId`: itself (a Threat), else the threats that EXPLOIT it. */
export function threatsOf<N extends GraphNode, R>(graph: Subgraph<N, R>, sourceId: string): string[] {
  const source = graph.nodes.get(sourceId);
  if (!source) return [];
  if (source.__label === 'Threat') return [sourceId];
  const ids = graph.edges.filter((e) => e.type === 'EXPLOITS' && e.toId === sourceId && graph.nodes.has(e.fromId)).map((e) => e.fromId);
  return [...new Set(ids)].sort(cmp);
}

/**
 * The controls implemented by `nodeIds` that mitigate one of `threatIds`, with the effectiveness
 * the assumption sets (`assumedEffectiveness`) where it sets one.
 */
export function mitigationFacts<N extends GraphNode, R>(
  graph: Subgraph<N, R>,
  nodeIds: ReadonlySet<string>,
  threatIds: ReadonlySet<string>,
  assumed: ReadonlyMap<string, number>,
): MitigationFact[] {
  const mitigates = new Map<string, GraphEdge<R>[]>();
  for (const e of graph.edges) {
    if (e.type !== 'MITIGATES' || !threatIds.has(e.toId) || !graph.nodes.has(e.fromId) || !graph.nodes.has(e.toId)) continue;
    mitigates.set(e.fromId, [...(mitigates.get(e.fromId) ?? []), e]);
  }
  const facts: MitigationFact[] = [];
  const seen = new Set<string>();
  for (const e of graph.edges) {
    if (e.type !== 'IMPLEMENTS' || !nodeIds.has(e.fromId) || !graph.nodes.has(e.toId)) continue;
    const control = graph.nodes.get(e.toId);
    for (const m of mitigates.get(e.toId) ?? []) {
      const key = JSON.stringify([e.fromId, e.toId, m.toId, m.effectiveness]);
      if (seen.has(key)) continue;
      seen.add(key);
      const own = control?.effectiveness;
      facts.push({
        nodeId: e.fromId,
        controlId: e.toId,
        threatId: m.toId,
        edgeEffectiveness: m.effectiveness,
        controlEffectiveness: typeof own === 'number' ? own : null,
        assumedEffectiveness: assumed.get(e.toId) ?? (m.assumed === true && m.effectiveness !== null ? m.effectiveness : null),
      });
    }
  }
  return facts;
}

/** Identity of a path across the two answers: its nodes and relationship types. */
export function routeKey(nodeIds: readonly string[], types: readonly string[]): string {
  return JSON.stringify([nodeIds, types]);
}
