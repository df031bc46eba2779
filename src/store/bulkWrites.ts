/**
 * Bulk writes: nodes and relationships upserted with UNWIND in the caller's transaction, with
 * their provenance stamp. Labels, relationship types and property keys come only from the model.
 */
import { COMMON_NODE_PROPERTIES, RELATIONSHIPS, type Label, type RelationshipSpec, type RelationshipType } from '../domain/model';
import { toNeo4jDateTime, toNeo4jProperty } from './convert';
import type { Tx } from './database';
import { assertKey } from './modelKeys';

export interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface NodeWrite {
  id: string;
  /** Overrides the stamp's sourceRef for this row. */
  sourceRef?: string;
  /** Content properties (already validated); undefined keys are left as stored, null removes. */
  props: Record<string, unknown>;
}

export interface ProvenanceStamp {
  source: string;
  sourceRef?: string | null;
  assertedBy: string;
  assertedAt: Date;
  /** Import run id, when written by an importer. */
  runId?: string;
}

function neo4jProps(label: Label, props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const spec = assertKey(label, key);
    out[key] = toNeo4jProperty(spec, value);
  }
  return out;
}

export function stampParams(stamp: ProvenanceStamp): Record<string, unknown> {
  return {
    source: stamp.source,
    sourceRef: stamp.sourceRef ?? null,
    assertedBy: stamp.assertedBy,
    assertedAt: toNeo4jDateTime(stamp.assertedAt),
    runId: stamp.runId ?? null,
  };
}

const PROVENANCE_KEYS = Object.keys(COMMON_NODE_PROPERTIES).filter((k) =>
  ['source', 'sourceRef', 'assertedAt', 'assertedBy', 'stale', 'lastSeenRun'].includes(k),
);

/**
 * Upserts nodes of one label with UNWIND in the caller's transaction. A node whose content
 * properties already equal the given ones is left untouched (its provenance too), so
 * re-importing the same document reports everything unchanged.
 */
export async function upsertNodes(tx: Tx, label: Label, rows: NodeWrite[], stamp: ProvenanceStamp, batchSize = 5000): Promise<WriteCounts> {
  const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize).map((r) => ({ id: r.id, sourceRef: r.sourceRef ?? null, props: neo4jProps(label, r.props) }));
    for (const r of batch) for (const k of PROVENANCE_KEYS) if (k in r.props) throw new Error(`provenance key ${k} cannot be set as content`);
    const result = await tx.run(
      `upsert${label}`,
      `UNWIND $rows AS row
       OPTIONAL MATCH (existing:${label} {id: row.id})
       WITH row, existing,
            CASE WHEN existing IS NULL THEN 'created'
                 WHEN all(k IN keys(row.props) WHERE existing[k] = row.props[k] OR (existing[k] IS NULL AND row.props[k] IS NULL))
                      AND coalesce(existing.stale, false) = false THEN 'unchanged'
                 ELSE 'updated' END AS outcome
       MERGE (n:${label} {id: row.id})
       FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
         SET n += row.props,
             n.source = $source, n.sourceRef = coalesce(row.sourceRef, $sourceRef, n.sourceRef),
             n.assertedBy = $assertedBy, n.assertedAt = $assertedAt, n.stale = false)
       FOREACH (_ IN CASE WHEN n.classification IS NULL THEN [1] ELSE [] END | SET n.classification = 'UNCLASSIFIED')
       FOREACH (_ IN CASE WHEN $runId IS NULL THEN [] ELSE [1] END | SET n.lastSeenRun = $runId)
       RETURN outcome, count(*) AS n`,
      { rows: batch, ...stampParams(stamp) },
    );
    for (const r of result) counts[r.outcome as keyof WriteCounts] += Number(r.n);
  }
  return counts;
}

export interface RelationshipWrite {
  /** Overrides the stamp's sourceRef for this row. */
  sourceRef?: string;
  fromId: string;
  toId: string;
  props: Record<string, unknown>;
}

export function relProps(type: RelationshipType, props: Record<string, unknown>): Record<string, unknown> {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const p = spec.properties[key] ?? (key === 'classification' ? { type: 'string' as const } : undefined);
    if (!p) throw new Error(`unknown property ${type}.${key}`);
    out[key] = toNeo4jProperty(p, value);
  }
  return out;
}

/**
 * Merges relationships of one type between existing nodes with UNWIND, in the caller's
 * transaction. Returns counts and the rows whose ends were not found (nothing is written for them).
 */
export async function mergeRelationships(
  tx: Tx,
  type: RelationshipType,
  fromLabel: Label,
  toLabel: Label,
  rows: RelationshipWrite[],
  stamp: ProvenanceStamp,
  batchSize = 5000,
): Promise<WriteCounts & { missing: RelationshipWrite[]; createdRows: RelationshipWrite[] }> {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const counts = { created: 0, updated: 0, unchanged: 0, missing: [] as RelationshipWrite[], createdRows: [] as RelationshipWrite[] };
  for (let i = 0; i < rows.length; i += batchSize) {
    const slice = rows.slice(i, i + batchSize);
    const batch = slice.map((r, index) => ({ index, fromId: r.fromId, toId: r.toId, sourceRef: r.sourceRef ?? null, props: relProps(type, r.props) }));
    const result = await tx.run(
      `merge ${fromLabel}-${type}->${toLabel}`,
      `UNWIND $rows AS row
       OPTIONAL MATCH (a:${fromLabel} {id: row.fromId})
       OPTIONAL MATCH (b:${toLabel} {id: row.toId})
       WITH row, a, b
       CALL (row, a, b) {
         WITH row, a, b WHERE a IS NOT NULL AND b IS NOT NULL
         OPTIONAL MATCH (a)-[existing:${spec.type}]->(b)
         WITH row, a, b, existing,
              CASE WHEN existing IS NULL THEN 'created'
                   WHEN all(k IN keys(row.props) WHERE existing[k] = row.props[k] OR (existing[k] IS NULL AND row.props[k] IS NULL))
                        AND coalesce(existing.stale, false) = false THEN 'unchanged'
                   ELSE 'updated' END AS outcome
         MERGE (a)-[r:${spec.type}]->(b)
         FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
           SET r += row.props, r.source = $source, r.sourceRef = coalesce(row.sourceRef, $sourceRef, r.sourceRef),
               r.assertedBy = $assertedBy, r.assertedAt = $assertedAt, r.stale = false)
         FOREACH (_ IN CASE WHEN $runId IS NULL THEN [] ELSE [1] END | SET r.lastSeenRun = $runId)
         RETURN outcome
         UNION
         WITH row, a, b WHERE a IS NULL OR b IS NULL
         RETURN 'missing' AS outcome
       }
       RETURN row.index AS index, outcome`,
      { rows: batch, ...stampParams(stamp) },
    );
    for (const r of result) {
      const outcome = String(r.outcome);
      if (outcome === 'missing') {
        const missingRow = slice[Number(r.index)];
        if (missingRow) counts.missing.push(missingRow);
      } else {
        counts[outcome as keyof WriteCounts] += 1;
        const createdRow = outcome === 'created' ? slice[Number(r.index)] : undefined;
        if (createdRow) counts.createdRows.push(createdRow);
      }
    }
  }
  return counts;
}
