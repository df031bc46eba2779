/**
 * (f) The floor of an import: the same rows as the parsed ATT&CK bundle, written with a plain
 * `UNWIND … MERGE … SET +=` per label and relationship type in one transaction. No change
 * detection, no provenance, no joins, no stale marking: what the database costs for the rows.
 */
import { RELATIONSHIPS, propertySpec, type Label, type RelationshipSpec, type RelationshipType } from '../src/domain/model';
import type { ImportBatch } from '../src/importers/types';
import { toNeo4jProperty } from '../src/store/convert';
import type { Database } from '../src/store/database';

/** Plain node merge; the label comes from the model (ImportBatch is typed by Label). */
export const PLAIN_MERGE_NODES = (label: Label): string => `
UNWIND $rows AS row
MERGE (n:${label} {id: row.id})
SET n += row.props`;

/** Plain relationship merge; the target is matched by id, or by the parser's join key. */
export const PLAIN_MERGE_RELATIONSHIPS = (type: string, fromLabel: Label, toLabel: Label, toKey: string): string => `
UNWIND $rows AS row
MATCH (a:${fromLabel} {id: row.fromId})
MATCH (b:${toLabel} {${toKey}: row.toId})
MERGE (a)-[r:${type}]->(b)
SET r += row.props`;

const KEY_RE = /^[A-Za-z][A-Za-z0-9]*$/;

function nodeProps(label: Label, props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const spec = propertySpec(label, k);
    if (v === undefined || v === null || !spec) continue;
    out[k] = toNeo4jProperty(spec, v);
  }
  return out;
}

function relProps(type: RelationshipType, props: Record<string, unknown>): Record<string, unknown> {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const p = spec.properties[k];
    if (v === undefined || v === null) continue;
    out[k] = p ? toNeo4jProperty(p, v) : v;
  }
  return out;
}

export function batchRowCount(batch: ImportBatch): number {
  return [...batch.nodes.values()].reduce((n, rows) => n + rows.length, 0) + batch.relationships.reduce((n, g) => n + g.rows.length, 0);
}

/** Writes the batch's rows with plain UNWIND … MERGE in one transaction. Returns the statements run. */
export async function plainUnwindMerge(db: Database, batch: ImportBatch): Promise<number> {
  return db.writeTransaction(undefined, async (tx) => {
    let statements = 0;
    for (const [label, rows] of batch.nodes) {
      await tx.run(`plain merge ${label}`, PLAIN_MERGE_NODES(label), { rows: rows.map((r) => ({ id: r.id, props: nodeProps(label, r.props) })) });
      statements += 1;
    }
    for (const group of batch.relationships) {
      const key = group.toKey ?? 'id';
      if (!KEY_RE.test(key)) throw new Error(`unexpected join key ${key}`);
      const spec: RelationshipSpec = RELATIONSHIPS[group.type];
      await tx.run(`plain merge ${group.type}`, PLAIN_MERGE_RELATIONSHIPS(spec.type, group.fromLabel, group.toLabel, key), {
        rows: group.rows.map((r) => ({ fromId: r.fromId, toId: r.toId, props: relProps(group.type, r.props) })),
      });
      statements += 1;
    }
    return statements;
  });
}
