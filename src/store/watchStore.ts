/**
 * Webhook watches and their delivery log (docs/EVENTS.md). A `Watch` belongs to its creator
 * and carries the creator's clearance; its `cursor` is the sequence number of the last event
 * delivered (or skipped as not matching). Deliveries are claimed per watch with a lease stored
 * on the watch (`leaseOwner`, `leaseToken`, `leaseUntil`): a claim takes the watch's write lock
 * first and re-reads the lease under it, so two instances never both hold it; a lease not
 * renewed (its instance died) expires and the next claim takes the watch over. Every write of
 * a delivery result checks the token (fencing): an instance whose lease was taken over cannot
 * advance the cursor.
 */
import { markingsVisibleTo, type Classification } from '../domain/model';
import { scalarText } from '../domain/text';
import { appendEvents, headSequence, listEventsStatement, toStoredEvent, type NormalizedFilter } from './eventStore';
import { FEED_LABELS, watchFailingEvent, type EventType, type StoredEvent } from '../domain/events';
import type { Database, QueryStats, Row } from './database';

const WATCH = FEED_LABELS.watch;
const DELIVERY = FEED_LABELS.delivery;

export interface WatchRow {
  id: string;
  owner: string;
  clearance: Classification;
  url: string;
  filter: NormalizedFilter;
  status: 'ACTIVE' | 'FAILING';
  createdAt: string;
  cursor: number;
  attempts: number;
  lastError: string | null;
  failingSince: string | null;
  nextAttemptAt: string | null;
}

export interface ClaimedWatch extends WatchRow {
  secret: string;
  leaseToken: string;
  firstFailureAt: string | null;
}

export interface DeliveryRow {
  sequence: number;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  httpStatus: number | null;
  lastError: string | null;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : scalarText(v);
}
function list(v: unknown): string[] | null {
  return Array.isArray(v) && v.length > 0 ? v.map(String) : null;
}

const WATCH_FIELDS = `w.id AS id, w.owner AS owner, w.clearance AS clearance, w.url AS url, w.types AS types, w.deviceIds AS deviceIds,
  w.certificationIds AS certificationIds, w.organizationIds AS organizationIds, w.status AS status, w.createdAt AS createdAt,
  w.cursor AS cursor, w.attempts AS attempts, w.lastError AS lastError, w.failingSince AS failingSince, w.nextAttemptAt AS nextAttemptAt`;

function toWatch(row: Row): WatchRow {
  return {
    id: String(row.id),
    owner: String(row.owner),
    clearance: String(row.clearance) as Classification,
    url: String(row.url),
    filter: {
      types: list(row.types) as EventType[] | null,
      deviceIds: list(row.deviceIds),
      certificationIds: list(row.certificationIds),
      organizationIds: list(row.organizationIds),
    },
    status: row.status === 'FAILING' ? 'FAILING' : 'ACTIVE',
    createdAt: String(row.createdAt),
    cursor: Number(row.cursor ?? 0),
    attempts: Number(row.attempts ?? 0),
    lastError: str(row.lastError),
    failingSince: str(row.failingSince),
    nextAttemptAt: str(row.nextAttemptAt),
  };
}

/** A caller's watches: every statement is bound to the owner (another caller's watch is answered like a missing one). */
export class WatchStore {
  constructor(
    private readonly db: Database,
    private readonly stats: QueryStats | undefined,
    private readonly owner: string,
  ) {}

  /** Creates the watch unless the owner already has `limit`; it starts after the newest event (only what happens next is delivered). */
  async create(
    input: { id: string; clearance: Classification; url: string; secret: string; filter: NormalizedFilter },
    limit: number,
  ): Promise<WatchRow | 'LIMIT'> {
    return this.db.writeTransaction(this.stats, async (tx) => {
      const count = await tx.run('watches.count', `MATCH (w:${WATCH} {owner: $owner}) RETURN count(w) AS n`, { owner: this.owner });
      if (Number(count[0]?.n ?? 0) >= limit) return 'LIMIT';
      const rows = await tx.run(
        'watches.create',
        `OPTIONAL MATCH (s:${FEED_LABELS.sequence} {id: 'certification-events'})
         CREATE (w:${WATCH} {id: $id, owner: $owner, clearance: $clearance, url: $url, secret: $secret, types: $types,
           deviceIds: $deviceIds, certificationIds: $certificationIds, organizationIds: $organizationIds, status: 'ACTIVE',
           createdAt: datetime(), cursor: coalesce(s.value, 0), attempts: 0})
         RETURN ${WATCH_FIELDS}`,
        { ...input, ...input.filter, owner: this.owner },
      );
      return toWatch(rows[0] as Row);
    });
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.write(
      this.stats,
      'watches.delete',
      `MATCH (w:${WATCH} {id: $id, owner: $owner})
       OPTIONAL MATCH (d:${DELIVERY} {watchId: $id})
       DETACH DELETE d
       WITH DISTINCT w DETACH DELETE w RETURN count(*) AS n`,
      { id, owner: this.owner },
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  async list(): Promise<WatchRow[]> {
    const rows = await this.db.read(this.stats, 'watches.list', `MATCH (w:${WATCH} {owner: $owner}) RETURN ${WATCH_FIELDS} ORDER BY w.createdAt, w.id`, {
      owner: this.owner,
    });
    return rows.map(toWatch);
  }

  /** The delivery log of one of the owner's watches, newest first. */
  async deliveries(watchId: string, limit: number): Promise<DeliveryRow[]> {
    const rows = await this.db.read(
      this.stats,
      'watches.deliveries',
      `MATCH (w:${WATCH} {id: $watchId, owner: $owner})
       MATCH (d:${DELIVERY} {watchId: $watchId})
       RETURN d.sequence AS sequence, d.status AS status, d.attempts AS attempts, d.httpStatus AS httpStatus, d.lastError AS lastError,
              d.firstAttemptAt AS firstAttemptAt, d.lastAttemptAt AS lastAttemptAt, d.deliveredAt AS deliveredAt
       ORDER BY d.sequence DESC LIMIT toInteger($limit)`,
      { watchId, owner: this.owner, limit },
    );
    return rows.map((r) => ({
      sequence: Number(r.sequence),
      status: String(r.status) as DeliveryRow['status'],
      attempts: Number(r.attempts ?? 0),
      httpStatus: r.httpStatus === null || r.httpStatus === undefined ? null : Number(r.httpStatus),
      lastError: str(r.lastError),
      firstAttemptAt: str(r.firstAttemptAt),
      lastAttemptAt: str(r.lastAttemptAt),
      deliveredAt: str(r.deliveredAt),
    }));
  }
}

/** The statements of the delivery worker (src/services/webhooks.ts): claims, the next event, results. */
export class DeliveryStore {
  constructor(private readonly db: Database) {}

  /**
   * Claims up to `limit` active watches that are due (no retry pending) and behind the log, whose
   * lease is free or expired. The SET of `_lock` takes each watch's write lock before its lease is
   * re-read, so a watch claimed by another instance meanwhile is skipped.
   */
  async claim(instance: string, token: string, leaseMs: number, limit: number): Promise<ClaimedWatch[]> {
    const rows = await this.db.write(
      undefined,
      'deliveries.claim',
      `OPTIONAL MATCH (s:${FEED_LABELS.sequence} {id: 'certification-events'})
       WITH coalesce(s.value, 0) AS head
       MATCH (w:${WATCH}) WHERE w.status = 'ACTIVE' AND w.cursor < head
         AND (w.nextAttemptAt IS NULL OR w.nextAttemptAt <= datetime())
         AND (w.leaseUntil IS NULL OR w.leaseUntil < datetime())
       WITH w ORDER BY w.nextAttemptAt ASC, w.id ASC LIMIT toInteger($limit)
       SET w._lock = true REMOVE w._lock
       WITH w WHERE w.status = 'ACTIVE' AND (w.leaseUntil IS NULL OR w.leaseUntil < datetime())
       SET w.leaseOwner = $instance, w.leaseToken = $token, w.leaseUntil = datetime() + duration({milliseconds: $leaseMs})
       RETURN ${WATCH_FIELDS}, w.secret AS secret, w.leaseToken AS leaseToken, w.firstFailureAt AS firstFailureAt`,
      { instance, token, leaseMs, limit },
    );
    return rows.map((r) => ({ ...toWatch(r), secret: String(r.secret), leaseToken: String(r.leaseToken), firstFailureAt: str(r.firstFailureAt) }));
  }

  /** The next event the watch may receive after its cursor, or the head it may skip to when none matches. */
  async next(watch: WatchRow): Promise<{ event: StoredEvent } | { skipTo: number }> {
    const head = await headSequence(this.db);
    const st = listEventsStatement(markingsVisibleTo(watch.clearance), watch.cursor, 1, watch.filter);
    const rows = await this.db.read(undefined, st.name, st.cypher, st.params);
    const first = rows[0];
    if (first) return { event: toStoredEvent(first) };
    // Events at or below head were committed before head was read (the counter commits in order): none of them matches.
    return { skipTo: head };
  }

  /** Moves the cursor past events that do not match (only while the lease is held). */
  async skip(watch: ClaimedWatch, to: number): Promise<boolean> {
    const rows = await this.db.write(
      undefined,
      'deliveries.skip',
      `MATCH (w:${WATCH} {id: $id}) WHERE w.leaseToken = $token AND w.cursor < $to SET w.cursor = $to RETURN w.cursor AS cursor`,
      { id: watch.id, token: watch.leaseToken, to },
    );
    return rows.length > 0;
  }

  /** A 2xx answer: the delivery is logged as DELIVERED and the cursor moves to its event (only while the lease is held). */
  async delivered(watch: ClaimedWatch, sequence: number, httpStatus: number, leaseMs: number): Promise<boolean> {
    const rows = await this.db.write(
      undefined,
      'deliveries.delivered',
      `MATCH (w:${WATCH} {id: $id}) WHERE w.leaseToken = $token AND w.cursor < $sequence
       SET w.cursor = $sequence, w.attempts = 0, w.nextAttemptAt = null, w.firstFailureAt = null, w.lastError = null,
           w.leaseUntil = datetime() + duration({milliseconds: $leaseMs})
       MERGE (d:${DELIVERY} {id: $id + ':' + toString($sequence)})
       ON CREATE SET d.watchId = $id, d.sequence = $sequence, d.attempts = 0, d.firstAttemptAt = datetime()
       SET d.attempts = d.attempts + 1, d.status = 'DELIVERED', d.httpStatus = $httpStatus, d.lastAttemptAt = datetime(), d.deliveredAt = datetime()
       RETURN w.cursor AS cursor`,
      { id: watch.id, token: watch.leaseToken, sequence, httpStatus, leaseMs },
    );
    return rows.length > 0;
  }

  /**
   * A failed attempt: logged, the next attempt scheduled after `retryMs`; once the first failure
   * of this event is older than `horizonMs` the watch is marked FAILING and a WATCH_FAILING event
   * is written in the same transaction.
   */
  async failed(
    watch: ClaimedWatch,
    sequence: number,
    error: string,
    httpStatus: number | null,
    retryMs: number,
    horizonMs: number,
  ): Promise<{ failing: boolean } | undefined> {
    return this.db.writeTransaction(undefined, async (tx) => {
      const rows = await tx.run(
        'deliveries.failed',
        `MATCH (w:${WATCH} {id: $id}) WHERE w.leaseToken = $token
         SET w.attempts = coalesce(w.attempts, 0) + 1, w.lastError = $error, w.firstFailureAt = coalesce(w.firstFailureAt, datetime()),
             w.nextAttemptAt = datetime() + duration({milliseconds: $retryMs}), w.leaseUntil = null, w.leaseToken = null, w.leaseOwner = null
         WITH w, w.firstFailureAt + duration({milliseconds: $horizonMs}) < datetime() AS pastHorizon
         MERGE (d:${DELIVERY} {id: $id + ':' + toString($sequence)})
         ON CREATE SET d.watchId = $id, d.sequence = $sequence, d.attempts = 0, d.firstAttemptAt = datetime()
         SET d.attempts = d.attempts + 1, d.status = CASE WHEN pastHorizon THEN 'FAILED' ELSE 'PENDING' END, d.httpStatus = $httpStatus,
             d.lastError = $error, d.lastAttemptAt = datetime()
         FOREACH (_ IN CASE WHEN pastHorizon THEN [1] ELSE [] END | SET w.status = 'FAILING', w.failingSince = datetime())
         RETURN pastHorizon, toString(w.firstFailureAt) AS since, w.url AS url, w.clearance AS clearance`,
        { id: watch.id, token: watch.leaseToken, sequence, error: error.slice(0, 500), httpStatus, retryMs, horizonMs },
      );
      const row = rows[0];
      if (!row) return undefined;
      const failing = row.pastHorizon === true;
      if (failing) {
        const event = watchFailingEvent({ id: watch.id }, error.slice(0, 200), String(row.since));
        await appendEvents(tx, [{ ...event, classification: watch.clearance }]);
      }
      return { failing };
    });
  }

  /**
   * Keeps the `keep` newest records of a watch's delivery log (by sequence) and deletes the older
   * ones; returns how many were deleted. Needs no lease: every instance may prune, and records are
   * only ever added above the cursor.
   */
  async pruneLog(watchId: string, keep: number): Promise<number> {
    const rows = await this.db.write(
      undefined,
      'deliveries.prune',
      `MATCH (d:${DELIVERY} {watchId: $id})
       WITH d ORDER BY d.sequence DESC SKIP toInteger($keep)
       DELETE d RETURN count(*) AS pruned`,
      { id: watchId, keep },
    );
    return rows[0] ? Number(rows[0].pruned) : 0;
  }

  /** Gives the lease back (a graceful stop, or the end of a batch) so another instance need not wait for it to expire. */
  async release(watch: ClaimedWatch): Promise<void> {
    await this.db.write(
      undefined,
      'deliveries.release',
      `MATCH (w:${WATCH} {id: $id}) WHERE w.leaseToken = $token SET w.leaseUntil = null, w.leaseToken = null, w.leaseOwner = null`,
      { id: watch.id, token: watch.leaseToken },
    );
  }
}
