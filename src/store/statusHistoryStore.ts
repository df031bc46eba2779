/**
 * TEMPORARY stand-in until h-status ("status-history API ready") is merged: the same signature as
 * its recordStatusChanges. Replaced by the real file at the merge.
 */
import { toNeo4jDate, toNeo4jDateTime } from './convert';
import type { Tx } from './database';

export interface StatusChangeInput {
  certificationId: string;
  status: 'ACTIVE' | 'PENDING' | 'SUSPENDED' | 'REVOKED' | 'EXPIRED' | 'WITHDRAWN';
  effectiveFrom: string;
  reason?: string | null;
  source: string;
  sourceRef?: string | null;
  classification?: string | null;
  recordedAt?: Date | string;
}

export async function recordStatusChanges(tx: Tx, changes: readonly StatusChangeInput[]): Promise<{ id: string }[]> {
  if (changes.length === 0) return [];
  const now = new Date();
  const byId = new Map<string, Record<string, unknown>>();
  for (const c of changes) {
    const id = `status:${c.certificationId}:${c.effectiveFrom}:${c.status}`;
    if (byId.has(id)) continue;
    byId.set(id, {
      id,
      certificationId: c.certificationId,
      status: c.status,
      effectiveFrom: toNeo4jDate(c.effectiveFrom),
      reason: c.reason ?? null,
      recordedAt: toNeo4jDateTime(c.recordedAt ?? now),
      source: c.source,
      sourceRef: c.sourceRef ?? null,
      classification: c.classification ?? null,
    });
  }
  const rows = await tx.run(
    'statusHistory.record',
    `UNWIND $rows AS row
       MATCH (c:Certification {id: row.certificationId})
       OPTIONAL MATCH (old:StatusChange {id: row.id})
       WITH row, c, old IS NULL AS isNew
       MERGE (s:StatusChange {id: row.id})
         ON CREATE SET s.status = row.status, s.effectiveFrom = row.effectiveFrom, s.reason = row.reason,
                       s.recordedAt = row.recordedAt, s.source = row.source, s.sourceRef = row.sourceRef,
                       s.classification = coalesce(row.classification, c.classification, 'UNCLASSIFIED'), s.certificationId = c.id
       MERGE (c)-[:HAS_STATUS_CHANGE]->(s)
       WITH s, isNew WHERE isNew
       RETURN s.id AS id`,
    { rows: [...byId.values()] },
  );
  return rows.map((r) => ({ id: String(r.id) }));
}
