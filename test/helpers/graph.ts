/**
 * Writes a small graph for a test through the store's bulk writers (the same path as the
 * seed and importers), in one transaction.
 */
import type { Label, RelationshipType } from '../../src/domain/model';
import type { Database } from '../../src/store/database';
import { mergeRelationships, upsertNodes } from '../../src/store/graphStore';
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
  await db.writeTransaction(
    undefined,
    async (tx) => {
      const byLabel = new Map<Label, { id: string; props: Record<string, unknown> }[]>();
      for (const node of nodes) {
        const { label, id, ...props } = node;
        byLabel.set(label, [...(byLabel.get(label) ?? []), { id, props: { classification: 'UNCLASSIFIED', ...props } }]);
      }
      for (const [label, rows] of byLabel) await upsertNodes(tx, label, rows, stamp);
      const byType = new Map<
        string,
        { type: RelationshipType; fromLabel: Label; toLabel: Label; rows: { fromId: string; toId: string; props: Record<string, unknown> }[] }
      >();
      for (const rel of rels) {
        const { type, from, to, ...props } = rel;
        const fromLabel = labels.get(from);
        const toLabel = labels.get(to);
        if (!fromLabel || !toLabel) throw new Error(`test graph: unknown end in ${type} ${from} -> ${to}`);
        const key = `${type}:${fromLabel}:${toLabel}`;
        const group = byType.get(key) ?? { type, fromLabel, toLabel, rows: [] };
        group.rows.push({ fromId: from, toId: to, props });
        byType.set(key, group);
      }
      for (const g of byType.values()) {
        const result = await mergeRelationships(tx, g.type, g.fromLabel, g.toLabel, g.rows, stamp);
        if (result.missing.length > 0) throw new Error(`test graph: ${g.type} ${result.missing[0]?.fromId} -> ${result.missing[0]?.toId} not written`);
      }
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
