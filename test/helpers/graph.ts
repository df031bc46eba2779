/**
 * Writes a small graph for a test through the store's one write path (`writeBatch`, as the seed,
 * the generator and the importers do), in one transaction. Fixtures set their markings
 * explicitly: a node without `classification` is UNCLASSIFIED (also when it was stored higher).
 */
import type { Label, RelationshipType } from '../../src/domain/model';
import { groupNodes, groupRelationships, writeBatch } from '../../src/store/batchWriter';
import type { Database } from '../../src/store/database';
import { FIXTURE_TIMEOUT_MS } from './app';

export interface TestNode {
  label: Label;
  id: string;
  name: string;
  [prop: string]: unknown;
}

export interface TestRel {
  type: RelationshipType;
  from: string;
  to: string;
  [prop: string]: unknown;
}

export async function writeGraph(db: Database, nodes: TestNode[], rels: TestRel[] = []): Promise<void> {
  const labels = new Map(nodes.map((n) => [n.id, n.label]));
  const stamp = { source: 'test', sourceRef: 'jest', assertedBy: 'test', assertedAt: new Date() };
  const batch = {
    nodes: groupNodes(nodes.map(({ label, id, ...props }) => ({ label, id, props }))),
    relationships: groupRelationships(
      rels.map(({ type, from, to, ...props }) => ({ type, fromId: from, toId: to, props })),
      (id) => labels.get(id),
      (r) => new Error(`test graph: unknown end in ${r.type} ${r.fromId} -> ${r.toId}`),
    ),
  };
  await writeBatch(
    db,
    batch,
    stamp,
    {
      clearance: 'SECRET',
      defaultMarking: 'UNCLASSIFIED',
      onMissing: (g, missing) => {
        throw new Error(`test graph: ${g.type} ${missing[0]?.fromId} -> ${missing[0]?.toId} not written`);
      },
    },
    { timeoutMs: FIXTURE_TIMEOUT_MS },
  );
}

/** Counts of nodes and relationships touching ids with the prefix (to prove nothing changed). */
export async function snapshot(db: Database, prefix: string): Promise<string> {
  const rows = await db.read(
    undefined,
    'test snapshot',
    `MATCH (n) WHERE n.id STARTS WITH $prefix
     OPTIONAL MATCH (n)-[r]->(m)
     WITH n, collect(type(r) + '>' + coalesce(m.id, '')) AS rels
     RETURN n.id AS id, properties(n) AS props, rels ORDER BY id`,
    { prefix },
  );
  return JSON.stringify(rows.map((r) => ({ ...r, rels: [...(r.rels as string[])].sort() })));
}
