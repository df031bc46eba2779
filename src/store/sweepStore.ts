/**
 * The expiry sweep's reads and its lease (docs/EVENTS.md, "Expiry sweep"). Candidates are
 * certifications whose validUntil has passed and whose history holds no final entry (EXPIRED,
 * REVOKED, WITHDRAWN); the pure rule (src/domain/events.ts expiryChanges) decides, and the
 * service records through recordStatusChanges, which writes the events.
 */
import { FEED_LABELS, type ExpiryCandidate } from '../domain/events';
import { HAS_STATUS_CHANGE, STATUS_CHANGE_LABEL, type CertificationStatus } from '../domain/model';
import { scalarText } from '../domain/text';
import type { Database, Tx } from './database';

/** Certifications past their validity end on asOf, in id order after `afterId`, at most `limit`. */
export async function expiryCandidates(tx: Tx, asOf: string, afterId: string, limit: number): Promise<ExpiryCandidate[]> {
  const rows = await tx.run(
    'sweep.candidates',
    `MATCH (c:Certification) WHERE c.validUntil < date($asOf) AND c.id > $afterId
       AND NOT EXISTS { MATCH (c)-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL})
                        WHERE s.status IN ['EXPIRED', 'REVOKED', 'WITHDRAWN'] AND NOT coalesce(s.retracted, false) }
     WITH c ORDER BY c.id ASC LIMIT toInteger($limit)
     RETURN c.id AS id, c.status AS status, c.issuedAt AS issuedAt, c.validUntil AS validUntil,
            COLLECT { MATCH (c)-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL}) WHERE NOT coalesce(s.retracted, false)
                      RETURN {id: s.id, status: s.status, effectiveFrom: s.effectiveFrom, recordedAt: s.recordedAt} } AS history`,
    { asOf, afterId, limit },
  );
  return rows.map((r) => ({
    id: scalarText(r.id),
    status: r.status === null || r.status === undefined ? null : scalarText(r.status),
    issuedAt: r.issuedAt === null || r.issuedAt === undefined ? null : scalarText(r.issuedAt),
    validUntil: scalarText(r.validUntil),
    history: (Array.isArray(r.history) ? r.history : []) as { id: string; status: CertificationStatus; effectiveFrom: string; recordedAt: string }[],
  }));
}

/**
 * Claims the named job for this run when its interval has passed since the last run and no other
 * instance holds it: the job's lease node is locked (SET) before it is re-read, so of instances
 * asking at once exactly one wins. Returns whether this instance won.
 */
export async function claimJob(db: Database, job: string, instance: string, intervalMs: number, leaseMs: number): Promise<boolean> {
  const rows = await db.write(
    undefined,
    'jobs.claim',
    `MERGE (l:${FEED_LABELS.jobLease} {id: $job})
     SET l._lock = true REMOVE l._lock
     WITH l WHERE (l.leaseUntil IS NULL OR l.leaseUntil < datetime())
       AND (l.lastRunAt IS NULL OR l.lastRunAt + duration({milliseconds: $intervalMs}) <= datetime())
     SET l.leaseOwner = $instance, l.leaseUntil = datetime() + duration({milliseconds: $leaseMs})
     RETURN l.id AS id`,
    { job, instance, intervalMs, leaseMs },
  );
  return rows.length > 0;
}

/** Marks the job run (by this instance) and frees its lease. */
export async function finishJob(db: Database, job: string, instance: string, result: string): Promise<void> {
  await db.write(
    undefined,
    'jobs.finish',
    `MATCH (l:${FEED_LABELS.jobLease} {id: $job}) WHERE l.leaseOwner = $instance
     SET l.lastRunAt = datetime(), l.lastResult = $result, l.leaseUntil = null, l.runs = coalesce(l.runs, 0) + 1`,
    { job, instance, result },
  );
}
