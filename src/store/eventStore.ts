/**
 * The change feed's durable log (docs/EVENTS.md): `CertificationEvent` nodes numbered by one
 * `EventSequence` counter node, written in the transaction of the change that caused them.
 *
 * Numbering: `appendEvents` increments the counter with SET in the writing transaction, which
 * takes the counter node's write lock until that transaction commits or rolls back. Writers of
 * events are therefore serialized (across every API instance on the same Neo4j), sequence
 * numbers are gap-free, and they become visible in commit order: a reader that has seen event n
 * never later finds an event numbered below n. A rolled-back change rolls back its events and
 * its increment. The price: a transaction that writes events holds the counter lock until it
 * commits, so event-writing transactions queue behind each other (they are short; an import
 * writes its events at the end of its transaction).
 */
import { HAS_STATUS_CHANGE, RELATIONSHIPS, STATUS_CHANGE_LABEL, type CertificationStatus, type Classification } from '../domain/model';
import { scalarText } from '../domain/text';
import {
  carriedByEntry,
  FEED_LABELS,
  highestMarking,
  lineageEvents,
  statusAsOf,
  statusChangeEvent,
  type EventDraft,
  type EventEntry,
  type StatusEntry,
  type EventType,
  type LineageCert,
  type LineageNeighbourhood,
  type StoredEvent,
  type normalizeFilter,
} from '../domain/events';
import type { Database, QueryStats, Row, Tx } from './database';
import type { Statement } from './statement';

const EVENT = FEED_LABELS.event;
const SEQUENCE = FEED_LABELS.sequence;
const SEQUENCE_ID = 'certification-events';
/** Most certifications loaded to evaluate the lineages a batch of status changes touches. */
export const MAX_NEIGHBOURHOOD = 5000;
/** Deepest BASED_ON chain followed up (to dependents) and down (to their bases). */
export const FEED_LINEAGE_DEPTH = 8;

const { BASED_ON, SUPERSEDES, CERTIFIES, ISSUED_BY, MAKES, SUPPLIED_BY } = RELATIONSHIPS;

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : scalarText(v);
}
function orNull(list: readonly string[]): readonly string[] | null {
  return list.length === 0 ? null : list;
}
function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export function toStoredEvent(row: Row): StoredEvent {
  return {
    sequence: Number(row.sequence),
    recordedAt: str(row.recordedAt) ?? '',
    type: str(row.type) as EventType,
    effectiveDate: str(row.effectiveDate),
    certificationIds: strs(row.certificationIds),
    deviceIds: strs(row.deviceIds),
    organizationIds: strs(row.organizationIds),
    summary: str(row.summary) ?? '',
    source: str(row.source) ?? '',
    classification: (str(row.classification) ?? 'SECRET') as StoredEvent['classification'],
    oldStatus: str(row.oldStatus),
    newStatus: str(row.newStatus),
    reason: str(row.reason),
    causeIds: strs(row.causeIds),
    watchId: str(row.watchId),
    deploymentIds: strs(row.deploymentIds),
    vulnerabilityIds: strs(row.vulnerabilityIds),
    findingsAdded: strs(row.findingsAdded),
    findingsResolved: strs(row.findingsResolved),
    viewClearance: (str(row.viewClearance) as Classification | null) ?? null,
  };
}

/**
 * A status event is carried by its own history entry: the entry's `StatusChange` node also gets
 * the `CertificationEvent` label and the event's own properties (`sequence`, `type`,
 * `eventRecordedAt`, `eventClassification`, `deviceIds`, `organizationIds`, `summary`,
 * `oldStatus`), instead of a second node per entry (docs/EVENTS.md "Storage"; the cost of one node
 * per event, bench/eventCost.ts). What the entry already holds is read from it: `effectiveDate`
 * (its `effectiveFrom`), `certificationIds` (`[certificationId]`), `newStatus` (`status`),
 * `source`, `reason`. Those entry properties are written once (MERGE … ON CREATE) and never
 * changed (a retraction adds `retracted*` properties only), so the event reads the same forever.
 * Every other event (lineage, link, drift, watch; and status events written before this) is a
 * node of its own with every field. `onEntry(e)` tells which.
 */
const onEntry = (e: string) => `${e}:${STATUS_CHANGE_LABEL}`;
const VIEW = {
  classification: (e: string) => `CASE WHEN ${onEntry(e)} THEN ${e}.eventClassification ELSE ${e}.classification END`,
  recordedAt: (e: string) => `CASE WHEN ${onEntry(e)} THEN ${e}.eventRecordedAt ELSE ${e}.recordedAt END`,
  effectiveDate: (e: string) => `CASE WHEN ${onEntry(e)} THEN ${e}.effectiveFrom ELSE ${e}.effectiveDate END`,
  certificationIds: (e: string) => `CASE WHEN ${onEntry(e)} THEN [${e}.certificationId] ELSE ${e}.certificationIds END`,
  newStatus: (e: string) => `CASE WHEN ${onEntry(e)} THEN ${e}.status ELSE ${e}.newStatus END`,
};

const EVENT_FIELDS = (e: string) =>
  `${e}.sequence AS sequence, ${VIEW.recordedAt(e)} AS recordedAt, ${e}.type AS type, ${VIEW.effectiveDate(e)} AS effectiveDate,
   ${VIEW.certificationIds(e)} AS certificationIds, ${e}.deviceIds AS deviceIds, ${e}.organizationIds AS organizationIds,
   ${e}.summary AS summary, ${e}.source AS source, ${VIEW.classification(e)} AS classification, ${e}.oldStatus AS oldStatus,
   ${VIEW.newStatus(e)} AS newStatus, ${e}.reason AS reason, ${e}.causeIds AS causeIds, ${e}.watchId AS watchId,
   ${e}.deploymentIds AS deploymentIds, ${e}.vulnerabilityIds AS vulnerabilityIds, ${e}.findingsAdded AS findingsAdded,
   ${e}.findingsResolved AS findingsResolved, ${e}.viewClearance AS viewClearance`;

/**
 * The append statement: the counter is incremented once for the whole batch (one sequence range
 * per append), then the events carried by their new history entries are set on those entries
 * (unique id seek, label and the event's own properties) and the others are created, one UNWIND
 * each; it returns only the range's base, the recording time and how many were written (the
 * events themselves are known to the caller, so no event is read back). `entries[i]`, when given,
 * is the new entry that carries `drafts[i]` (carriedByEntry must hold).
 */
export function appendEventsStatement(drafts: readonly EventDraft[], entries: readonly (EventEntry | undefined)[] = []): Statement {
  const onEntries: Record<string, unknown>[] = [];
  const nodes: Record<string, unknown>[] = [];
  drafts.forEach((d, i) => {
    const entry = entries[i];
    if (entry !== undefined) {
      if (!carriedByEntry(d, entry)) throw new Error(`events.append: event ${i} cannot be carried by entry ${entry.id}`);
      onEntries.push({
        entryId: entry.id,
        offset: i + 1,
        type: d.type,
        classification: d.classification,
        deviceIds: orNull(d.deviceIds),
        organizationIds: orNull(d.organizationIds),
        summary: d.summary,
        oldStatus: d.oldStatus,
      });
      return;
    }
    // empty id lists are not stored (a property less per list; read back as [] by toStoredEvent)
    nodes.push({
      ...d,
      offset: i + 1,
      certificationIds: orNull(d.certificationIds),
      deviceIds: orNull(d.deviceIds),
      organizationIds: orNull(d.organizationIds),
      causeIds: orNull(d.causeIds),
      deploymentIds: orNull(d.deploymentIds ?? []),
      vulnerabilityIds: orNull(d.vulnerabilityIds ?? []),
      findingsAdded: orNull(d.findingsAdded ?? []),
      findingsResolved: orNull(d.findingsResolved ?? []),
      viewClearance: d.viewClearance ?? null,
    });
  });
  return {
    name: 'events.append',
    cypher: `MERGE (s:${SEQUENCE} {id: $sequenceId})
       SET s.value = coalesce(s.value, 0) + $count
       WITH s.value - $count AS base, datetime() AS at
       CALL (base, at) {
         UNWIND $onEntries AS d
         MATCH (x:${STATUS_CHANGE_LABEL} {id: d.entryId}) WHERE NOT x:${EVENT}
         SET x:${EVENT}, x.sequence = base + d.offset, x.eventRecordedAt = at, x.type = d.type,
             x.eventClassification = d.classification, x.deviceIds = d.deviceIds, x.organizationIds = d.organizationIds,
             x.summary = d.summary, x.oldStatus = d.oldStatus
         RETURN count(x) AS carried
       }
       CALL (base, at) {
         UNWIND $nodes AS d
         CREATE (e:${EVENT} {
           sequence: base + d.offset, recordedAt: at, type: d.type, effectiveDate: date(d.effectiveDate),
           certificationIds: d.certificationIds, deviceIds: d.deviceIds, organizationIds: d.organizationIds,
           summary: d.summary, source: d.source, classification: d.classification, oldStatus: d.oldStatus,
           newStatus: d.newStatus, reason: d.reason, causeIds: d.causeIds, watchId: d.watchId,
           deploymentIds: d.deploymentIds, vulnerabilityIds: d.vulnerabilityIds,
           findingsAdded: d.findingsAdded, findingsResolved: d.findingsResolved, viewClearance: d.viewClearance })
         RETURN count(e) AS created
       }
       RETURN base, at, carried + created AS written`,
    params: { sequenceId: SEQUENCE_ID, count: drafts.length, onEntries, nodes },
  };
}

/** Numbers and writes the events in the caller's transaction; returns them as stored (in sequence order). */
export async function appendEvents(tx: Tx, drafts: readonly EventDraft[], entries: readonly (EventEntry | undefined)[] = []): Promise<StoredEvent[]> {
  if (drafts.length === 0) return [];
  const st = appendEventsStatement(drafts, entries);
  const rows = await tx.run(st.name, st.cypher, st.params);
  const base = Number(rows[0]?.base);
  const recordedAt = str(rows[0]?.at) ?? '';
  if (!Number.isInteger(base) || Number(rows[0]?.written) !== drafts.length)
    throw new Error(`events.append: wrote ${String(rows[0]?.written)} of ${drafts.length} events`);
  return drafts.map((d, i) => ({ ...d, sequence: base + i + 1, recordedAt }));
}

export type NormalizedFilter = ReturnType<typeof normalizeFilter>;

/**
 * Events after `after` matching the filter, at the given markings (those visible to one clearance,
 * `markingsVisibleTo`: the last is the clearance), in sequence order; `limit + 1` rows so the caller
 * knows whether more follow. An event computed for one clearance level's view (`viewClearance`,
 * SCOPE_DRIFT_CHANGED) is returned only to a reader of exactly that clearance.
 */
export function listEventsStatement(markings: readonly string[], after: number, limit: number, filter: NormalizedFilter): Statement {
  return {
    name: 'events.list',
    cypher: `MATCH (e:${EVENT}) WHERE e.sequence > $after AND ${VIEW.classification('e')} IN $markings
         AND (e.viewClearance IS NULL OR e.viewClearance = $clearance)
         AND ($types IS NULL OR e.type IN $types)
         AND ($deviceIds IS NULL OR any(x IN e.deviceIds WHERE x IN $deviceIds))
         AND ($certificationIds IS NULL OR any(x IN ${VIEW.certificationIds('e')} WHERE x IN $certificationIds))
         AND ($organizationIds IS NULL OR any(x IN e.organizationIds WHERE x IN $organizationIds))
       RETURN ${EVENT_FIELDS('e')} ORDER BY e.sequence ASC LIMIT toInteger($limit) + 1`,
    params: { markings: [...markings], clearance: markings[markings.length - 1] ?? null, after, limit, ...filter },
  };
}

/** Reads of the log at one caller's markings. */
export class EventStore {
  constructor(
    private readonly db: Database,
    private readonly stats: QueryStats | undefined,
    readonly markings: readonly string[],
  ) {}

  /** The database the store reads (live delivery reads the head sequence through it). */
  get database(): Database {
    return this.db;
  }

  async list(after: number, limit: number, filter: NormalizedFilter): Promise<{ events: StoredEvent[]; hasMore: boolean }> {
    const st = listEventsStatement(this.markings, after, limit, filter);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    return { events: rows.slice(0, limit).map(toStoredEvent), hasMore: rows.length > limit };
  }
}

/** The highest sequence number written (0 for an empty log): what the live pollers watch. */
export async function headSequence(db: Database): Promise<number> {
  const rows = await db.read(undefined, 'events.head', `OPTIONAL MATCH (s:${SEQUENCE} {id: $sequenceId}) RETURN coalesce(s.value, 0) AS head`, {
    sequenceId: SEQUENCE_ID,
  });
  return Number(rows[0]?.head ?? 0);
}

/**
 * Everything needed to build the events of a batch of status changes: the changed
 * certifications, the certifications resting on them (BASED_ON, transitively, up to
 * FEED_LINEAGE_DEPTH), every basis of those, their successors (SUPERSEDES), the claims between
 * them with their markings, each one's status history, what it certifies and its organizations.
 * Read at full knowledge: the events built from it carry the markings of what they reveal.
 */
export function neighbourhoodStatement(certificationIds: readonly string[]): Statement {
  const D = FEED_LINEAGE_DEPTH;
  return {
    name: 'events.lineageNeighbourhood',
    cypher: `UNWIND $ids AS id
       MATCH (changed:Certification {id: id})
       CALL (changed) {
         OPTIONAL MATCH (dep:Certification)-[:${BASED_ON.type}*1..${D}]->(changed)
         RETURN collect(DISTINCT dep) AS deps
       }
       WITH collect(DISTINCT changed) AS changedCerts, collect(deps) AS depLists
       WITH changedCerts + reduce(acc = [], l IN depLists | acc + l) AS tops
       UNWIND tops AS t
       MATCH (t)-[:${BASED_ON.type}*0..${D}]->(b:Certification)
       WITH collect(DISTINCT b) AS core
       CALL (core) {
         UNWIND core AS c
         OPTIONAL MATCH (s:Certification)-[:${SUPERSEDES.type}]->(c)
         RETURN collect(DISTINCT s) AS successors
       }
       WITH core + [s IN successors WHERE NOT s IN core] AS everyCert
       WITH everyCert[0..toInteger($cap)] AS certs, size(everyCert) > toInteger($cap) AS truncated
       CALL (certs) {
         UNWIND certs AS a
         MATCH (a)-[r:${BASED_ON.type}|${SUPERSEDES.type}]->(b:Certification) WHERE b IN certs
         RETURN collect({type: type(r), fromId: a.id, toId: b.id, classification: r.classification}) AS links
       }
       UNWIND certs AS c
       CALL (c) {
         OPTIONAL MATCH (c)-[:${HAS_STATUS_CHANGE}]->(h:${STATUS_CHANGE_LABEL}) WHERE coalesce(h.retracted, false) = false
         RETURN collect({id: h.id, status: h.status, effectiveFrom: h.effectiveFrom, recordedAt: h.recordedAt}) AS history
       }
       CALL (c) {
         OPTIONAL MATCH (c)-[r:${CERTIFIES.type}]->(x)
         RETURN collect({id: x.id, classification: x.classification, edgeClassification: r.classification}) AS certifies
       }
       CALL (c) {
         OPTIONAL MATCH (c)-[r:${ISSUED_BY.type}]->(o:Organization)
         RETURN collect({id: o.id, classification: o.classification, edges: [r.classification]}) AS issuers
       }
       CALL (c) {
         OPTIONAL MATCH (c)-[r:${CERTIFIES.type}]->(d:Device)<-[m:${MAKES.type}]-(o:Organization)
         RETURN collect({id: o.id, classification: o.classification, edges: [r.classification, d.classification, m.classification]}) AS makers
       }
       CALL (c) {
         OPTIONAL MATCH (c)-[r:${CERTIFIES.type}]->(x:Component)-[s:${SUPPLIED_BY.type}]->(o:Organization)
         RETURN collect({id: o.id, classification: o.classification, edges: [r.classification, x.classification, s.classification]}) AS suppliers
       }
       RETURN {id: c.id, name: c.name, classification: c.classification, status: c.status, issuedAt: c.issuedAt,
               validUntil: c.validUntil, history: history, certifies: certifies,
               organizations: issuers + makers + suppliers} AS cert, links, truncated`,
    params: { ids: [...certificationIds], cap: MAX_NEIGHBOURHOOD },
  };
}

interface OrgRow {
  id: string;
  classification: string | null;
  edges: (string | null)[];
}

export async function loadNeighbourhood(tx: Tx, certificationIds: readonly string[]): Promise<LineageNeighbourhood & { truncated: boolean }> {
  if (certificationIds.length === 0) return { certs: [], basedOn: [], supersedes: [], truncated: false };
  const st = neighbourhoodStatement(certificationIds);
  const rows = await tx.run(st.name, st.cypher, st.params);
  const first = rows[0];
  const links = (Array.isArray(first?.links) ? first.links : []) as { type: string; fromId: string; toId: string; classification: string | null }[];
  const certs = rows.map((row) => toLineageCert(row.cert as Record<string, unknown>));
  return {
    certs,
    basedOn: links.filter((l) => l.type === BASED_ON.type).map((l) => ({ fromId: l.fromId, toId: l.toId, classification: l.classification })),
    supersedes: links.filter((l) => l.type === SUPERSEDES.type).map((l) => ({ fromId: l.fromId, toId: l.toId, classification: l.classification })),
    truncated: Boolean(first?.truncated),
  };
}

/**
 * What the status events of a batch need, for each changed certification, in one indexed read
 * (unique id seek, then its own edges only): its name, marking and recorded status, what it
 * certifies, its organizations, how many history entries it has (a degree count: only those with
 * entries beyond the batch's new ones need their history read, see statusHistoryStatement) and
 * whether any certification rests on it (BASED_ON): only those need the lineage neighbourhood.
 */
export function statusContextStatement(certificationIds: readonly string[]): Statement {
  return {
    name: 'events.statusContext',
    cypher: `UNWIND $ids AS id
       MATCH (c:Certification {id: id})
       RETURN c.id AS id, c.name AS name, c.classification AS classification, c.status AS status,
         EXISTS { (c)<-[:${BASED_ON.type}]-(:Certification) } AS hasDependents,
         COUNT { (c)-[:${HAS_STATUS_CHANGE}]->() } AS historySize,
         COLLECT { MATCH (c)-[r:${CERTIFIES.type}]->(x)
                   RETURN {id: x.id, classification: x.classification, edgeClassification: r.classification} } AS certifies,
         COLLECT { MATCH (c)-[r:${ISSUED_BY.type}]->(o:Organization)
                   RETURN {id: o.id, classification: o.classification, edges: [r.classification]} }
         + COLLECT { MATCH (c)-[r:${CERTIFIES.type}]->(d:Device)<-[m:${MAKES.type}]-(o:Organization)
                   RETURN {id: o.id, classification: o.classification, edges: [r.classification, d.classification, m.classification]} }
         + COLLECT { MATCH (c)-[r:${CERTIFIES.type}]->(x:Component)-[s:${SUPPLIED_BY.type}]->(o:Organization)
                   RETURN {id: o.id, classification: o.classification, edges: [r.classification, x.classification, s.classification]} } AS organizations`,
    params: { ids: [...certificationIds] },
  };
}

/** The non-retracted history of certifications (indexed id seek, then their own entries). */
export function statusHistoryStatement(certificationIds: readonly string[]): Statement {
  return {
    name: 'events.statusHistory',
    cypher: `UNWIND $ids AS id
       MATCH (c:Certification {id: id})-[:${HAS_STATUS_CHANGE}]->(h:${STATUS_CHANGE_LABEL})
       WHERE coalesce(h.retracted, false) = false
       RETURN c.id AS id, collect({id: h.id, status: h.status, effectiveFrom: h.effectiveFrom, recordedAt: h.recordedAt}) AS history`,
    params: { ids: [...certificationIds] },
  };
}

/** A changed certification as the status events see it. */
interface StatusContext extends LineageCert {
  hasDependents: boolean;
  /** Its history entries (retracted ones included). */
  historySize: number;
}

function toLineageCert(c: Record<string, unknown>): LineageCert {
  const history = (Array.isArray(c.history) ? c.history : []) as {
    id: string | null;
    status: CertificationStatus;
    effectiveFrom: string;
    recordedAt: string;
  }[];
  const certifies = (Array.isArray(c.certifies) ? c.certifies : []) as {
    id: string | null;
    classification: string | null;
    edgeClassification: string | null;
  }[];
  const organizations = (Array.isArray(c.organizations) ? c.organizations : []) as (OrgRow & { id: string | null })[];
  return {
    id: String(c.id),
    name: str(c.name) ?? String(c.id),
    classification: str(c.classification),
    status: str(c.status),
    issuedAt: str(c.issuedAt),
    validUntil: str(c.validUntil),
    history: history
      .filter((h) => h.id !== null)
      .map((h) => ({ id: String(h.id), status: h.status, effectiveFrom: h.effectiveFrom, recordedAt: h.recordedAt })),
    certifies: certifies
      .filter((x) => x.id !== null)
      .map((x) => ({ id: String(x.id), classification: x.classification, edgeClassification: x.edgeClassification })),
    organizations: organizations
      .filter((o) => o.id !== null)
      .map((o) => ({ id: String(o.id), classification: o.classification, edgeClassification: highestMarking(o.edges) })),
  };
}

export async function loadStatusContext(tx: Tx, certificationIds: readonly string[]): Promise<StatusContext[]> {
  if (certificationIds.length === 0) return [];
  const st = statusContextStatement(certificationIds);
  const rows = await tx.run(st.name, st.cypher, st.params);
  return rows.map((row) => ({ ...toLineageCert(row), hasDependents: row.hasDependents === true, historySize: Number(row.historySize ?? 0) }));
}

/**
 * The change feed's hook in the status-history write path (recordStatusChanges): the events of
 * the new entries (one status event each, and the lineage events of the certifications resting
 * on them), numbered and written in the same transaction. Returns the events written.
 *
 * Cost (docs/EVENTS.md, bench/eventCost.ts): one indexed read of the changed certifications
 * (`events.statusContext`); their earlier history (`events.statusHistory`) only for those that
 * had entries before the batch; the lineage neighbourhood (`events.lineageNeighbourhood`) only for
 * the changed certifications something rests on (BASED_ON), which a snapshot import mostly has
 * none of (a certification with no dependent cannot break a lineage: a lineage event names a
 * certification with a BASED_ON path to the changed one); one append for the whole batch.
 */
export async function emitStatusEvents(tx: Tx, entries: readonly StatusEntry[]): Promise<StoredEvent[]> {
  if (entries.length === 0) return [];
  const context = await loadStatusContext(tx, [...new Set(entries.map((e) => e.certificationId))]);
  const byId = new Map(context.map((c) => [c.id, c]));
  const newIds = new Set(entries.map((e) => e.id));
  // The status before each entry comes from the entries that were there before this batch: read
  // only for the certifications that have some (a first import has none).
  const newPerCert = new Map<string, number>();
  for (const e of entries) newPerCert.set(e.certificationId, (newPerCert.get(e.certificationId) ?? 0) + 1);
  const withOlder = context.filter((c) => c.historySize > (newPerCert.get(c.id) ?? 0)).map((c) => c.id);
  if (withOlder.length > 0) {
    const st = statusHistoryStatement(withOlder);
    for (const row of await tx.run(st.name, st.cypher, st.params)) {
      const cert = byId.get(String(row.id));
      if (cert) cert.history = toLineageCert({ id: row.id, history: row.history }).history;
    }
  }
  const drafts: EventDraft[] = [];
  // each status event is carried by its own new entry (see onEntry), when the entry says the same
  const carriers: (EventEntry | undefined)[] = [];
  for (const entry of entries) {
    const cert = byId.get(entry.certificationId);
    if (!cert) continue;
    const before = statusAsOf(
      cert.history.filter((h) => !newIds.has(h.id)),
      entry.effectiveFrom,
      cert.status,
    );
    const draft = statusChangeEvent(entry, before, cert);
    drafts.push(draft);
    carriers.push(carriedByEntry(draft, entry) ? entry : undefined);
  }
  const withDependents = context.filter((c) => c.hasDependents).map((c) => c.id);
  if (withDependents.length > 0) drafts.push(...lineageEvents(await loadNeighbourhood(tx, withDependents), entries));
  return appendEvents(tx, drafts, carriers);
}
