/**
 * The status history of certifications (docs/CERTIFICATION-LIFECYCLE.md):
 * `(:Certification)-[:HAS_STATUS_CHANGE]->(:StatusChange)`.
 *
 * ONE write path: `recordStatusChanges(tx, changes)`, inside the caller's transaction, one UNWIND
 * MERGE on the deterministic id; it returns the entries that were new. Curator mutations, the
 * CMVP and Common Criteria importers, the seed and any expiry sweep write through it (the change
 * feed hooks its events in here). Reads are batched: the histories of many certifications in one
 * statement (`HISTORY_OF` inside another statement, or `readHistories`), never one per certification.
 */
import { HAS_STATUS_CHANGE, STATUS_CHANGE_LABEL, isCertificationStatus, type CertificationStatus } from '../domain/model';
import { statusChangeId, type StatusFact } from '../domain/statusHistory';
import { toNeo4jDate, toNeo4jDateTime } from './convert';
import { emitStatusEvents } from './eventStore';
import type { Database, QueryStats, Tx } from './database';
import type { Statement } from './statement';

/** A status change to record. */
export interface StatusChangeInput {
  certificationId: string;
  status: CertificationStatus;
  /** YYYY-MM-DD: first day in force. */
  effectiveFrom: string;
  /** Why (issuer's words, curator's reason, "sunset date passed"). */
  reason?: string | null;
  /** Provenance: `import:<format>:<document>`, `curator:<subject>`, `seed` or `sweep`. */
  source: string;
  /** E.g. the snapshot date or certificate number. */
  sourceRef?: string | null;
  /** Marking; default: the certification's marking. The caller checks it against the writer's clearance. */
  classification?: string | null;
  /** When the graph learned it; default: now. */
  recordedAt?: Date | string;
}

/** A stored entry, as reads and recordStatusChanges return it. */
export interface StatusChangeRow extends StatusFact {
  id: string;
  certificationId: string;
  status: CertificationStatus;
  effectiveFrom: string;
  reason: string | null;
  recordedAt: string;
  source: string;
  sourceRef: string | null;
  classification: string;
  retracted: boolean;
  retractedAt: string | null;
  retractedBy: string | null;
  retractionReason: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The projection of a history entry `s` (its own fields only: a new entry also carries its status
 * event's properties, src/store/eventStore.ts, which a history read does not return), with
 * `certificationId` from the expression given, else the entry's own.
 */
export function ENTRY_PROJECTION(s: string, certificationId?: string): string {
  const fields =
    '.id, .status, .effectiveFrom, .reason, .recordedAt, .source, .sourceRef, .classification, .retracted, .retractedAt, .retractedBy, .retractionReason';
  return `${s} {${fields}, ${certificationId === undefined ? '.certificationId' : `certificationId: ${certificationId}`}}`;
}

/** A projected StatusChange map (ENTRY_PROJECTION) as a row; undefined when malformed. */
export function toStatusChangeRow(value: unknown, certificationId?: string): StatusChangeRow | undefined {
  const v = value as Record<string, unknown>;
  const status = v.status;
  const effectiveFrom = str(v.effectiveFrom);
  if (!isCertificationStatus(status) || effectiveFrom === null) return undefined;
  return {
    id: String(v.id),
    certificationId: str(v.certificationId) ?? certificationId ?? '',
    status,
    effectiveFrom,
    reason: str(v.reason),
    recordedAt: str(v.recordedAt) ?? '',
    source: str(v.source) ?? 'unknown',
    sourceRef: str(v.sourceRef),
    classification: str(v.classification) ?? 'UNCLASSIFIED',
    retracted: v.retracted === true,
    retractedAt: str(v.retractedAt),
    retractedBy: str(v.retractedBy),
    retractionReason: str(v.retractionReason),
  };
}

/** The history entries carried on a projected certification row (`__history`, see HISTORY_OF). */
export function historyOfRow(row: Record<string, unknown>): StatusChangeRow[] | undefined {
  const raw = row.__history;
  if (!Array.isArray(raw)) return undefined;
  return raw.flatMap((e) => toStatusChangeRow(e, String(row.id)) ?? []);
}

/**
 * A COLLECT subquery with the visible, non-retracted history of the bound certification `v`
 * (read with the statement's `$markings`), for projections: `v {.*, __history: HISTORY_OF(v)}`.
 */
export function HISTORY_OF(v: string): string {
  const s = `${v}_sc`;
  return `COLLECT { MATCH (${v})-[:${HAS_STATUS_CHANGE}]->(${s}:${STATUS_CHANGE_LABEL})
      WHERE ${s}.classification IN $markings AND NOT coalesce(${s}.retracted, false)
      RETURN ${ENTRY_PROJECTION(s, `${v}.id`)} }`;
}

/** A certification projection with its history: `v {.*, __label, __history}`. */
export const CERT_WITH_HISTORY = (v: string): string => `${v} {.*, __label: labels(${v})[0], __history: ${HISTORY_OF(v)}}`;

/** Options of recordStatusChanges. */
export interface RecordStatusOptions {
  /**
   * BENCHMARK ONLY (bench/eventCost.ts measures the events' cost against the same write without
   * them): records the entries without their change-feed events. No API, CLI, importer, seed or
   * sweep path sets it; a write without its events breaks the feed's guarantee (docs/EVENTS.md).
   */
  skipEventsForBenchmark?: boolean;
}

/** The recordStatusChanges statement (pure). */
export function recordStatusChangesStatement(rows: readonly Record<string, unknown>[]): Statement {
  return {
    name: 'statusHistory.record',
    cypher: `UNWIND $rows AS row
       MATCH (c:Certification {id: row.certificationId})
       OPTIONAL MATCH (old:${STATUS_CHANGE_LABEL} {id: row.id})
       WITH row, c, old IS NULL AS isNew
       MERGE (s:${STATUS_CHANGE_LABEL} {id: row.id})
         ON CREATE SET s.status = row.status, s.effectiveFrom = row.effectiveFrom, s.reason = row.reason,
                       s.recordedAt = row.recordedAt, s.source = row.source, s.sourceRef = row.sourceRef,
                       s.classification = coalesce(row.classification, c.classification, 'UNCLASSIFIED'), s.certificationId = c.id
       MERGE (c)-[:${HAS_STATUS_CHANGE}]->(s)
       WITH s, isNew WHERE isNew
       RETURN ${ENTRY_PROJECTION('s')} AS entry`,
    params: { rows: [...rows] },
  };
}

/**
 * Records status changes in the caller's transaction with one UNWIND MERGE on the deterministic id
 * (`status:<certificationId>:<effectiveFrom>:<status>`) and returns the entries that were new, in
 * input order; an entry whose id exists (even retracted) is not new and is left as it is. The
 * certifications must exist (throws naming the missing ids, so the caller's transaction rolls
 * back). No rule is checked here: callers check the history with src/domain/statusHistory.ts.
 */
export async function recordStatusChanges(tx: Tx, changes: readonly StatusChangeInput[], options: RecordStatusOptions = {}): Promise<StatusChangeRow[]> {
  if (changes.length === 0) return [];
  const now = new Date();
  const byId = new Map<string, Record<string, unknown>>();
  for (const c of changes) {
    const id = statusChangeId(c.certificationId, c.effectiveFrom, c.status);
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
  const certIds = [...new Set(changes.map((c) => c.certificationId))];
  const found = await tx.run('statusHistory.certificationsExist', `UNWIND $ids AS id MATCH (c:Certification {id: id}) RETURN c.id AS id`, { ids: certIds });
  const present = new Set(found.map((r) => String(r.id)));
  const missing = certIds.filter((id) => !present.has(id));
  if (missing.length > 0) throw new Error(`recordStatusChanges: no certification with id ${missing.slice(0, 5).join(', ')}`);
  const st = recordStatusChangesStatement([...byId.values()]);
  const rows = await tx.run(st.name, st.cypher, st.params);
  const created = new Map(rows.flatMap((r) => toStatusChangeRow(r.entry) ?? []).map((e) => [e.id, e]));
  const entries = [...byId.keys()].flatMap((id) => created.get(id) ?? []);
  // The change feed (docs/EVENTS.md): the events of the new entries, in this same transaction.
  if (options.skipEventsForBenchmark !== true) await emitStatusEvents(tx, entries);
  return entries;
}

/** The batched history read (pure): visible entries of many certifications, retracted ones only when asked. */
export function readHistoriesStatement(markings: readonly string[], certificationIds: readonly string[], includeRetracted: boolean): Statement {
  return {
    name: includeRetracted ? 'statusHistory.readWithRetracted' : 'statusHistory.read',
    cypher: `UNWIND $ids AS cid
       MATCH (c:Certification {id: cid})-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL})
       WHERE c.classification IN $markings AND s.classification IN $markings ${includeRetracted ? '' : 'AND NOT coalesce(s.retracted, false)'}
       RETURN c.id AS certificationId, ${ENTRY_PROJECTION('s')} AS entry
       ORDER BY certificationId, s.effectiveFrom, s.recordedAt, s.id`,
    params: { ids: [...new Set(certificationIds)], markings: [...markings] },
  };
}

function groupHistories(rows: readonly Record<string, unknown>[], ids: readonly string[]): Map<string, StatusChangeRow[]> {
  const out = new Map<string, StatusChangeRow[]>(ids.map((id) => [id, []]));
  for (const r of rows) {
    const certificationId = String(r.certificationId);
    const entry = toStatusChangeRow(r.entry, certificationId);
    if (entry) out.get(certificationId)?.push(entry);
  }
  return out;
}

/** Histories of many certifications in one statement, keyed by certification id (every id asked is a key). */
export async function readHistories(
  db: Database,
  stats: QueryStats | undefined,
  markings: readonly string[],
  certificationIds: readonly string[],
  includeRetracted = false,
): Promise<Map<string, StatusChangeRow[]>> {
  if (certificationIds.length === 0) return new Map();
  const st = readHistoriesStatement(markings, certificationIds, includeRetracted);
  return groupHistories(await db.read(stats, st.name, st.cypher, st.params), certificationIds);
}

/** The same read inside a write transaction (a mutation checks the history it is about to extend). */
export async function readHistoriesTx(
  tx: Tx,
  markings: readonly string[],
  certificationIds: readonly string[],
  includeRetracted = false,
): Promise<Map<string, StatusChangeRow[]>> {
  if (certificationIds.length === 0) return new Map();
  const st = readHistoriesStatement(markings, certificationIds, includeRetracted);
  return groupHistories(await tx.run(st.name, st.cypher, st.params), certificationIds);
}

/** Whether the certification has history entries the reader cannot see (a write must not contradict what it cannot see). */
export async function hasHiddenHistory(tx: Tx, markings: readonly string[], certificationId: string): Promise<boolean> {
  const rows = await tx.run(
    'statusHistory.hidden',
    `MATCH (:Certification {id: $id})-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL})
     WHERE NOT s.classification IN $markings AND NOT coalesce(s.retracted, false)
     RETURN count(s) > 0 AS hidden`,
    { id: certificationId, markings: [...markings] },
  );
  return rows[0]?.hidden === true;
}

/** Marks one visible entry retracted (an admin correction), in the caller's transaction; the retracted entry, or undefined when not visible. */
export async function retractStatusChange(
  tx: Tx,
  markings: readonly string[],
  entryId: string,
  by: string,
  reason: string,
): Promise<StatusChangeRow | undefined> {
  const rows = await tx.run(
    'statusHistory.retract',
    `MATCH (c:Certification)-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL} {id: $id})
     WHERE c.classification IN $markings AND s.classification IN $markings AND NOT coalesce(s.retracted, false)
     SET s.retracted = true, s.retractedAt = $at, s.retractedBy = $by, s.retractionReason = $reason
     RETURN ${ENTRY_PROJECTION('s', 'c.id')} AS entry`,
    { id: entryId, markings: [...markings], at: toNeo4jDateTime(new Date()), by, reason },
  );
  return rows[0] ? toStatusChangeRow(rows[0].entry) : undefined;
}

/** The certification a visible entry belongs to (undefined when the entry is missing or above the markings). */
export async function statusChangeOwner(tx: Tx, markings: readonly string[], entryId: string): Promise<string | undefined> {
  const rows = await tx.run(
    'statusHistory.owner',
    `MATCH (c:Certification)-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL} {id: $id})
     WHERE c.classification IN $markings AND s.classification IN $markings
     RETURN c.id AS certificationId, coalesce(s.retracted, false) AS retracted`,
    { id: entryId, markings: [...markings] },
  );
  return rows[0] && rows[0].retracted !== true ? String(rows[0].certificationId) : undefined;
}
