/**
 * A device whose parts share sub-assemblies (a lattice: every part of one layer contains every
 * part of the next) has far more HAS_COMPONENT paths than parts. The scope-drift reads (the
 * per-level one the feed refresh runs after every write, the scopeDrift query's, the what-if's)
 * must do work that grows with the parts and their links, not with the paths: a generated
 * world whose parts shared sub-assemblies kept the generator's feed refresh running for minutes
 * (CI, Node 24 leg of 2026-12-01: test/generator/load.test.ts's beforeAll past 300 s).
 *
 * Checked without timing: the answers equal a brute-force walk of every path, and PROFILE's
 * database hits grow like the links (4× from width 4 to 8), not like the paths (16×).
 */
import neo4j from 'neo4j-driver';
import { CLASSIFICATIONS } from '../../src/domain/model';
import { deploymentScopesByLevelStatement, deploymentScopesStatement, driftWhatIfStatement, toLeveledScope } from '../../src/store/analyticsStore';
import type { Database } from '../../src/store/database';
import { reachDeploymentsStatement } from '../../src/store/feedEmitters';
import type { Statement } from '../../src/store/statement';
import { cleanup, testDatabase, uniquePrefix } from '../helpers/app';
import { writeGraph, type TestNode, type TestRel } from '../helpers/graph';

const LAYERS = 4;

interface Lattice {
  deployment: string;
  nodes: TestNode[];
  rels: TestRel[];
}

/** A device with LAYERS layers of `width` parts, every part linked to every part of the next layer; markings spread over the four levels. */
function lattice(prefix: string, width: number): Lattice {
  const device = `${prefix}w${width}-device`;
  const deployment = `${prefix}w${width}-fleet`;
  const part = (layer: number, j: number) => `${prefix}w${width}-p${layer}-${j}`;
  const control = (j: number) => `${prefix}w${width}-ctl-${j}`;
  const mark = (n: number) => CLASSIFICATIONS[n % CLASSIFICATIONS.length];
  const nodes: TestNode[] = [
    { label: 'Device', id: device, name: device, classification: 'UNCLASSIFIED' },
    { label: 'Deployment', id: deployment, name: deployment, classification: 'UNCLASSIFIED' },
  ];
  const rels: TestRel[] = [{ type: 'OF', from: deployment, to: device, classification: 'UNCLASSIFIED' }];
  for (let layer = 1; layer <= LAYERS; layer += 1) {
    for (let j = 0; j < width; j += 1) {
      // Mostly unclassified, some parts marked higher, so the lowest way to a part is not the first one.
      nodes.push({
        label: 'Component',
        id: part(layer, j),
        name: part(layer, j),
        kind: 'HARDWARE',
        classification: mark((layer * 5 + j * 3) % 7 > 3 ? layer + j : 0),
      });
      if (layer === 1) rels.push({ type: 'HAS_COMPONENT', from: device, to: part(1, j), classification: mark(j) });
      else {
        for (let k = 0; k < width; k += 1)
          rels.push({ type: 'HAS_COMPONENT', from: part(layer - 1, k), to: part(layer, j), classification: mark((k + j + layer) % 5 === 0 ? 2 : 0) });
      }
    }
  }
  for (let j = 0; j < width; j += 1) {
    nodes.push({ label: 'Control', id: control(j), name: control(j), classification: 'UNCLASSIFIED' });
    rels.push({ type: 'IMPLEMENTS', from: part(LAYERS, j), to: control(j), classification: 'UNCLASSIFIED' });
  }
  return { deployment, nodes, rels };
}

/** Every control's lowest level over every path (brute force: each path enumerated). */
function bruteForceLevels(l: Lattice, device: string): Map<string, number> {
  const rank = (c: unknown) => CLASSIFICATIONS.indexOf((c ?? 'UNCLASSIFIED') as (typeof CLASSIFICATIONS)[number]);
  const nodeRank = new Map(l.nodes.map((n) => [n.id, rank(n.classification)]));
  const out = new Map<string, number>();
  const walk = (at: string, level: number, hops: number) => {
    for (const r of l.rels) {
      if (r.from !== at) continue;
      if (r.type === 'IMPLEMENTS') {
        const lv = Math.max(level, rank(r.classification), nodeRank.get(r.to) ?? 0);
        out.set(r.to, Math.min(out.get(r.to) ?? Infinity, lv));
      } else if (r.type === 'HAS_COMPONENT' && hops < LAYERS) {
        walk(r.to, Math.max(level, rank(r.classification), nodeRank.get(r.to) ?? 0), hops + 1);
      }
    }
  };
  walk(device, 0, 0);
  return out;
}

interface PlanNode {
  dbHits: number | { toNumber(): number };
  children: PlanNode[];
}
const hitsOf = (p: PlanNode): number => Number(p.dbHits) + p.children.reduce((sum, c) => sum + hitsOf(c), 0);

async function profiledHits(db: Database, st: Statement): Promise<number> {
  const session = db.driver.session({ database: db.database, defaultAccessMode: neo4j.session.READ });
  try {
    const result = await session.run(`PROFILE ${st.cypher}`, st.params);
    return hitsOf(result.summary.profile as unknown as PlanNode);
  } finally {
    await session.close();
  }
}

describe('scope-drift reads over parts that share sub-assemblies', () => {
  let db: Database;
  const p = uniquePrefix('lattice');
  const small = lattice(p, 3);
  const w4 = lattice(p, 4);
  const w8 = lattice(p, 8);

  beforeAll(async () => {
    db = testDatabase();
    for (const l of [small, w4, w8]) await writeGraph(db, l.nodes, l.rels);
  });
  afterAll(async () => {
    await cleanup(db, p);
    await db.close();
  });

  it('gives every implemented control the lowest level over all paths (equal to a brute-force walk)', async () => {
    const st = deploymentScopesByLevelStatement([small.deployment], 10);
    const rows = await db.read(undefined, st.name, st.cypher, st.params);
    expect(rows).toHaveLength(1);
    const scope = toLeveledScope(rows[0] ?? {});
    const device = scope.devices[0];
    expect(device).toBeDefined();
    const got = new Map((device?.implemented ?? []).map((c) => [c.id, c.level]));
    const expected = bruteForceLevels(small, `${p}w3-device`);
    expect(expected.size).toBe(3);
    // Not all at one level: the lattice's markings make the answer depend on the path taken.
    expect(new Set(expected.values()).size).toBeGreaterThan(1);
    expect(got).toEqual(expected);
  });

  it('finds the same parts in the scopeDrift and what-if reads', async () => {
    const scope = deploymentScopesStatement([...CLASSIFICATIONS], { deploymentId: small.deployment }, 10);
    const rows = await db.read(undefined, scope.name, scope.cypher, scope.params);
    expect(rows.map((r) => [...(r.implemented as string[])].sort())).toEqual([[0, 1, 2].map((j) => `${p}w3-ctl-${j}`)]);
    const whatIf = driftWhatIfStatement([...CLASSIFICATIONS], [small.deployment], []);
    const [row] = await db.read(undefined, whatIf.name, whatIf.cypher, whatIf.params);
    const deployments = (row?.deployments ?? []) as { holders: string[] }[];
    // The device and all 4 layers of 3 parts.
    expect(deployments[0]?.holders).toHaveLength(1 + LAYERS * 3);
  });

  it('reaches the fleet from a bottom part (the feed reach the last case measures)', async () => {
    const st = reachDeploymentsStatement([`${p}w4-p${LAYERS}-0`], 10);
    const rows = await db.read(undefined, st.name, st.cypher, st.params);
    expect(rows.map((r) => r.id)).toEqual([w4.deployment]);
  });

  it.each([
    ['per-level (feed refresh)', (dep: string) => deploymentScopesByLevelStatement([dep], 10)],
    ['scopeDrift', (dep: string) => deploymentScopesStatement([...CLASSIFICATIONS], { deploymentId: dep }, 10)],
    ['what-if', (dep: string) => driftWhatIfStatement([...CLASSIFICATIONS], [dep], [])],
    // the feed's reach from a written part up to the deployments (the bottom layer: the most ways up)
    ['feed reach', (dep: string) => reachDeploymentsStatement([dep.replace(/fleet$/, `p${LAYERS}-0`)], 10)],
  ])('%s: database work grows with the links, not the paths', async (_name, statement) => {
    const hits4 = await profiledHits(db, statement(w4.deployment));
    const hits8 = await profiledHits(db, statement(w8.deployment));
    // Width 4 → 8: links 3·16+4 → 3·64+8 (about 4×), paths 4+16+64+256 → 8+64+512+4096 (about 14×).
    expect(hits4).toBeGreaterThan(0);
    expect(hits8 / hits4).toBeLessThan(7);
  });
});
