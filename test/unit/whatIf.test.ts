/**
 * The pure what-if rules (src/domain/whatIf.ts) on hand-built graphs: the expected scores follow
 * from the documented formula (docs/ANALYTICS.md, "Scoring"): score = base × Π(1 − effectiveness),
 * exposure = 10 × (1 − Π(1 − best/10)).
 */
import { combineExposure, scorePath } from '../../src/domain/risk';
import {
  applyAssumption,
  mitigationFacts,
  pathsFrom,
  pathsInto,
  shortestFrom,
  threatsOf,
  type Assumption,
  type GraphEdge,
  type GraphNode,
  type Subgraph,
} from '../../src/domain/whatIf';
import type { RelationshipType } from '../../src/domain/model';

type Rel = { label: string };
const node = (id: string, __label: string, props: Record<string, unknown> = {}): GraphNode => ({ id, __label, ...props });
const edge = (type: RelationshipType, fromId: string, toId: string, more: Partial<GraphEdge<Rel>> = {}): GraphEdge<Rel> => ({
  type,
  fromId,
  toId,
  vexState: null,
  effectiveness: null,
  rel: { label: `${type} ${fromId}->${toId}` },
  ...more,
});
const graph = (nodes: GraphNode[], edges: GraphEdge<Rel>[]): Subgraph<GraphNode, Rel> => ({ nodes: new Map(nodes.map((n) => [n.id, n])), edges });
const none = (): Assumption<Rel> => ({ effectiveness: new Map(), remove: [], add: [], moves: [] });
const runs = (): Rel => ({ label: 'assumed RUNS' });

/**
 * Threat T (severity 8 × likelihood 0.5: base 4) targets parts A and B of device D.
 * Control C1 (MITIGATES T at 0.5) is implemented by A; control C2 (its own effectiveness 0.8,
 * MITIGATES T without one) by D. So T→A→D scores 4 × 0.5 × 0.2 = 0.4 and T→B→D 4 × 0.2 = 0.8.
 */
function device(): Subgraph<GraphNode, Rel> {
  return graph(
    [
      node('T', 'Threat', { severity: 8, likelihood: 0.5 }),
      node('D', 'Device'),
      node('A', 'Component'),
      node('B', 'Component'),
      node('E', 'Component'),
      node('C1', 'Control'),
      node('C2', 'Control', { effectiveness: 0.8 }),
    ],
    [
      edge('TARGETS', 'T', 'A'),
      edge('TARGETS', 'T', 'B'),
      edge('HAS_COMPONENT', 'D', 'A'),
      edge('HAS_COMPONENT', 'D', 'B'),
      edge('IMPLEMENTS', 'A', 'C1'),
      edge('IMPLEMENTS', 'D', 'C2'),
      edge('MITIGATES', 'C1', 'T', { effectiveness: 0.5 }),
      edge('MITIGATES', 'C2', 'T'),
    ],
  );
}

/** Scores every path into D from T the way the service does (the source is not a step). */
function scores(g: Subgraph<GraphNode, Rel>, assumed: ReadonlyMap<string, number> = new Map()): Record<string, number> {
  const found = pathsInto(g, 'D', (n) => n.__label === 'Threat', 5, 1000);
  const facts = mitigationFacts(g, new Set(found.paths.flatMap((p) => p.nodeIds)), new Set(['T']), assumed);
  return Object.fromEntries(found.paths.map((p) => [p.nodeIds.join('>'), scorePath(4, p.nodeIds.slice(1), facts).score]));
}

describe('what-if on a hand-built graph', () => {
  it('without an assumption, paths and scores follow the formula', () => {
    expect(scores(device())).toEqual({ 'T>A>D': 0.4, 'T>B>D': 0.8 });
    // exposure: 10 × (1 − (1 − 0.8/10)) over the best path of the one threat
    expect(combineExposure([0.8])).toBe(0.8);
  });

  it('a failing control counts with effectiveness 0, marked ASSUMED; a strengthened one with its new value', () => {
    const g = device();
    expect(scores(g, new Map([['C2', 0]]))).toEqual({ 'T>A>D': 2, 'T>B>D': 4 });
    expect(scores(g, new Map([['C2', 0.9]]))).toEqual({ 'T>A>D': 0.2, 'T>B>D': 0.4 });
    const facts = mitigationFacts(g, new Set(['D']), new Set(['T']), new Map([['C2', 0]]));
    expect(scorePath(4, ['B', 'D'], facts).controlsByNode.get('D')).toEqual([{ controlId: 'C2', threatId: 'T', effectiveness: 0, source: 'ASSUMED' }]);
    expect(scorePath(4, ['B', 'D'], facts).mitigated).toBe(false);
    // the exposure rises from 0.8 to 4 (the best path, now unmitigated): 10 × (1 − (1 − 0.4)) = 4
    expect(combineExposure([4])).toBe(4);
  });

  it('a removed relationship removes the paths over it; the stored graph is untouched', () => {
    const g = device();
    const after = applyAssumption(g, { ...none(), remove: [{ type: 'HAS_COMPONENT', fromId: 'D', toId: 'B' }] }, runs);
    expect(scores(after)).toEqual({ 'T>A>D': 0.4 });
    expect(scores(g)).toEqual({ 'T>A>D': 0.4, 'T>B>D': 0.8 });
  });

  it('added relationships bring a node into reach; an added MITIGATES counts with its assumed effectiveness', () => {
    const g = device();
    const add = [edge('HAS_COMPONENT', 'D', 'E', { assumed: true }), edge('TARGETS', 'T', 'E', { assumed: true })];
    expect(scores(applyAssumption(g, { ...none(), add }, runs))).toEqual({ 'T>A>D': 0.4, 'T>B>D': 0.8, 'T>E>D': 0.8 });
    const guarded = applyAssumption(
      g,
      { ...none(), add: [...add, edge('IMPLEMENTS', 'E', 'C1', { assumed: true }), edge('MITIGATES', 'C1', 'T', { effectiveness: 0.75, assumed: true })] },
      runs,
    );
    // C1 now has two claims on T (0.5 stored, 0.75 assumed): its strongest counts once per path
    expect(scores(guarded)['T>E>D']).toBe(0.2); // 4 × (1 − 0.75) × (1 − 0.8)
    expect(scores(guarded)['T>A>D']).toBe(0.2);
    const facts = mitigationFacts(guarded, new Set(['E']), new Set(['T']), new Map());
    const claims = facts.map((f) => [f.controlId, f.assumedEffectiveness ?? null]);
    expect(claims).toHaveLength(2);
    expect(claims).toEqual(
      expect.arrayContaining([
        ['C1', 0.75],
        ['C1', null],
      ]),
    );
  });

  it('a moved fleet runs the new release instead of its OS releases (other RUNS stay)', () => {
    const g = graph(
      [
        node('T', 'Threat'),
        node('F', 'Deployment'),
        node('R1', 'Component', { kind: 'OS_RELEASE' }),
        node('R2', 'Component', { kind: 'OS_RELEASE' }),
        node('APP', 'Component', { kind: 'APPLICATION' }),
      ],
      [edge('RUNS', 'F', 'R1'), edge('RUNS', 'F', 'APP'), edge('TARGETS', 'T', 'R2'), edge('TARGETS', 'T', 'R1')],
    );
    const into = (x: Subgraph<GraphNode, Rel>) => pathsInto(x, 'F', () => true, 3, 100).paths.map((p) => p.nodeIds.join('>'));
    expect(into(g)).toEqual(['APP>F', 'R1>F', 'T>R1>F']);
    const after = applyAssumption(g, { ...none(), moves: [{ deploymentId: 'F', osReleaseId: 'R2' }] }, runs);
    expect(into(after)).toEqual(['APP>F', 'R2>F', 'T>R2>F']);
    expect(after.edges.find((e) => e.type === 'RUNS' && e.toId === 'R2')?.rel).toEqual({ label: 'assumed RUNS' });
  });

  it('an AFFECTS in VEX state NOT_AFFECTED or FIXED is never crossed, assumed or stored', () => {
    const g = graph(
      [node('T', 'Threat'), node('V', 'Vulnerability'), node('X', 'Component'), node('Y', 'Component')],
      [edge('EXPLOITS', 'T', 'V'), edge('AFFECTS', 'V', 'X', { vexState: 'FIXED' })],
    );
    expect(pathsFrom(g, 'T', (n) => n.__label === 'Component', 3, 100).paths).toEqual([]);
    const after = applyAssumption(g, { ...none(), add: [edge('AFFECTS', 'V', 'Y', { vexState: 'NOT_AFFECTED' }), edge('AFFECTS', 'V', 'X')] }, runs);
    expect(pathsFrom(after, 'T', (n) => n.__label === 'Component', 3, 100).paths.map((p) => p.nodeIds)).toEqual([['T', 'V', 'X']]);
    expect(threatsOf(after, 'V')).toEqual(['T']);
  });

  it('never visits a node twice, respects the hop bound, and stops at the enumeration budget', () => {
    const names = ['P', 'Q', 'R', 'S'];
    const g = graph(
      [node('T', 'Threat'), ...names.map((n) => node(n, 'Component'))],
      [edge('TARGETS', 'T', 'P'), ...names.flatMap((a) => names.filter((b) => b !== a).map((b) => edge('DEPENDS_ON', b, a)))],
    );
    const all = pathsFrom(g, 'T', () => true, 8, 10000);
    // from P, every ordering of a subset of the other three: 1 + 3 + 6 + 6 = 16 paths, none repeating a node
    expect(all.paths).toHaveLength(16);
    expect(all.paths.every((p) => new Set(p.nodeIds).size === p.nodeIds.length)).toBe(true);
    expect(pathsFrom(g, 'T', () => true, 2, 10000).paths).toHaveLength(4);
    expect(pathsFrom(g, 'T', () => true, 8, 5).truncated).toBe(true);
    const small = pathsFrom(g, 'T', () => true, 8, 10000, 3);
    expect(small.truncated).toBe(true);
    expect(small.paths.length).toBeLessThanOrEqual(3);
  });

  it('shortestFrom keeps one shortest path per node, the first by node ids', () => {
    const g = graph(
      [node('V', 'Vulnerability'), node('M', 'Component'), node('N', 'Component'), node('D', 'Device')],
      [edge('AFFECTS', 'V', 'N'), edge('AFFECTS', 'V', 'M'), edge('HAS_COMPONENT', 'D', 'N'), edge('HAS_COMPONENT', 'D', 'M')],
    );
    expect(shortestFrom(g, 'V', (n) => n.__label !== 'Vulnerability', 5, 100).paths.map((p) => p.nodeIds)).toEqual([
      ['V', 'M'],
      ['V', 'N'],
      ['V', 'M', 'D'],
    ]);
    const cut = applyAssumption(g, { ...none(), remove: [{ type: 'HAS_COMPONENT', fromId: 'D', toId: 'M' }] }, runs);
    expect(shortestFrom(cut, 'V', (n) => n.__label === 'Device', 5, 100).paths.map((p) => p.nodeIds)).toEqual([['V', 'N', 'D']]);
  });
});
