/**
 * What changed between two dates: the status history entries (docs/CERTIFICATION-LIFECYCLE.md)
 * effective in a date range, across every certification the caller can see, in one statement.
 */
import { HAS_STATUS_CHANGE, STATUS_CHANGE_LABEL } from '../domain/model';
import type { Database, QueryStats } from './database';
import { toRowOf } from './projection';
import type { CertificationRow } from './rows';
import type { Statement } from './statement';
import { ENTRY_PROJECTION, toStatusChangeRow, type StatusChangeRow } from './statusHistoryStore';

export interface StatusChangesQuery {
  /** First and last day, YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  statuses: readonly string[] | null;
  /** Only certifications ISSUED_BY this organization. */
  issuedBy: string | null;
  limit: number;
}

export interface StatusEvent {
  certification: CertificationRow;
  change: StatusChangeRow;
}

/** The statement (pure): entries in the range, oldest first, then by certification id and status; with the total. */
export function statusChangesBetweenStatement(markings: readonly string[], q: StatusChangesQuery): Statement {
  return {
    name: 'lifecycle.statusChangesBetween',
    cypher: `MATCH (c:Certification)-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL})
       WHERE s.effectiveFrom >= date($from) AND s.effectiveFrom <= date($to)
         AND c.classification IN $markings AND s.classification IN $markings AND NOT coalesce(s.retracted, false)
         AND ($statuses IS NULL OR s.status IN $statuses)
         AND ($issuedBy IS NULL OR EXISTS {
           MATCH (c)-[r:ISSUED_BY]->(o:Organization {id: $issuedBy})
           WHERE o.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings })
       WITH c, s ORDER BY s.effectiveFrom, c.id, s.status
       WITH collect({cert: c {.*, __label: 'Certification'}, entry: ${ENTRY_PROJECTION('s', 'c.id')}}) AS events
       RETURN size(events) AS total, events[0..$limit] AS page`,
    params: {
      from: q.from,
      to: q.to,
      statuses: q.statuses === null ? null : [...q.statuses],
      issuedBy: q.issuedBy,
      limit: q.limit,
      markings: [...markings],
    },
  };
}

export async function statusChangesBetween(
  db: Database,
  stats: QueryStats | undefined,
  markings: readonly string[],
  q: StatusChangesQuery,
): Promise<{ total: number; items: StatusEvent[] }> {
  const st = statusChangesBetweenStatement(markings, q);
  const rows = await db.read(stats, st.name, st.cypher, st.params);
  const first = rows[0];
  const page = Array.isArray(first?.page) ? (first.page as { cert: unknown; entry: unknown }[]) : [];
  return {
    total: Number(first?.total ?? 0),
    items: page.flatMap((p) => {
      const change = toStatusChangeRow(p.entry);
      return change ? [{ certification: toRowOf(['Certification'], p.cert), change }] : [];
    }),
  };
}
