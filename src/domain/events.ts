/**
 * The change feed's events (docs/EVENTS.md), built without I/O: what a status change, a lineage
 * that stops or starts holding, or a failing webhook watch tells a watcher, with the marking of
 * everything it reveals. The store (src/store/eventStore.ts) numbers and writes them in the
 * transaction of the change that caused them.
 *
 * The marking rule: an event's `classification` is the highest marking of the nodes it names
 * and the claims (BASED_ON, CERTIFIES, ISSUED_BY edges) it follows; a related device or
 * organization marked above that is left out of the event instead of raising it, so an event
 * never names a node above its own marking and its summary names only nodes it carries.
 */
import { evaluateLineage, type CertFacts, type LineageGraph } from './lineage';
import { CLASSIFICATIONS, type CertificationStatus, type Classification } from './model';
import { checkStatusChange, nextDay, previousDay, statusOn } from './statusHistory';
import { cmp } from './risk';

export const EVENT_TYPES = [
  'STATUS_CHANGED',
  'CERTIFICATION_EXPIRED',
  'LINEAGE_BROKEN',
  'LINEAGE_RESTORED',
  'SUPERSEDED',
  'CERTIFIES',
  'WATCH_FAILING',
  'STATUS_RETRACTED',
  'SCOPE_DRIFT_CHANGED',
  'KEV_AFFECTS',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Labels of the feed's own nodes: declared here, never taken from input. */
export const FEED_LABELS = {
  event: 'CertificationEvent',
  sequence: 'EventSequence',
  watch: 'Watch',
  delivery: 'WebhookDelivery',
  jobLease: 'JobLease',
  state: 'FeedState',
} as const;

/** Most ids of one kind an event carries (a certification certifying more devices names the first ones by id). */
export const MAX_EVENT_IDS = 50;
/** Longest summary. */
export const MAX_SUMMARY_LENGTH = 500;
/** Most ids of one kind in a filter. */
export const MAX_FILTER_IDS = 100;

export function markingRank(marking: string | null | undefined): number {
  const i = CLASSIFICATIONS.indexOf((marking ?? 'UNCLASSIFIED') as Classification);
  return i < 0 ? CLASSIFICATIONS.length - 1 : i;
}

/** The highest of the markings (UNCLASSIFIED for none; an unknown marking counts as the highest). */
export function highestMarking(markings: readonly (string | null | undefined)[]): Classification {
  let rank = 0;
  for (const m of markings) rank = Math.max(rank, markingRank(m));
  return CLASSIFICATIONS[rank] ?? 'SECRET';
}

export function atOrBelow(marking: string | null | undefined, clearance: string): boolean {
  return markingRank(marking) <= markingRank(clearance);
}

/** An event before the store numbers it. */
export interface EventDraft {
  type: EventType;
  /** YYYY-MM-DD the change takes effect, when it has one. */
  effectiveDate: string | null;
  certificationIds: string[];
  deviceIds: string[];
  organizationIds: string[];
  summary: string;
  /** Provenance of the change: `import:<format>:<document>`, `curator:<id>`, `sweep`, `webhook`. */
  source: string;
  classification: Classification;
  oldStatus: string | null;
  newStatus: string | null;
  reason: string | null;
  /** Certifications whose change caused a lineage event. */
  causeIds: string[];
  watchId: string | null;
  /** SCOPE_DRIFT_CHANGED, KEV_AFFECTS: the deployments (fleets) it is about. */
  deploymentIds?: string[];
  /** SCOPE_DRIFT_CHANGED, KEV_AFFECTS: the vulnerabilities it names. */
  vulnerabilityIds?: string[];
  /** SCOPE_DRIFT_CHANGED: keys of the new findings (`reason|certificationId|controlId|vulnerabilityId`). */
  findingsAdded?: string[];
  /** SCOPE_DRIFT_CHANGED: keys of the findings resolved. */
  findingsResolved?: string[];
  /**
   * SCOPE_DRIFT_CHANGED: the clearance level whose view of the drift the event reports; only a
   * reader of exactly that clearance receives it (docs/EVENTS.md). Absent on other events.
   */
  viewClearance?: Classification | null;
}

/** A stored event: a draft with its sequence number and recording time. */
export interface StoredEvent extends EventDraft {
  sequence: number;
  recordedAt: string;
}

/** A node related to a certification, with the marking of the node and of the edge that relates it. */
export interface Related {
  id: string;
  classification: string | null;
  edgeClassification: string | null;
}

/** What an event may say about a certification. */
export interface CertContext {
  id: string;
  name: string;
  classification: string | null;
  /** Devices and components it CERTIFIES. */
  certifies: Related[];
  /** Its issuer (ISSUED_BY) and the makers of the devices it certifies. */
  organizations: Related[];
}

/** A new status-history entry (docs/CERTIFICATION-LIFECYCLE.md). */
export interface StatusEntry {
  id: string;
  certificationId: string;
  status: CertificationStatus;
  effectiveFrom: string;
  reason: string | null;
  source: string;
  classification: string | null;
}

/** A new history entry a status event can be carried by (src/store/eventStore.ts stores the event on the entry's node). */
export interface EventEntry {
  id: string;
  certificationId: string;
  status: string;
  effectiveFrom: string;
  reason: string | null;
  source: string;
}

/**
 * Whether the event can be carried by the entry: what a reader derives from the entry
 * (effectiveDate, certificationIds, newStatus, source, reason) must be exactly the event's, and
 * only the status event types are carried (a retraction or lineage event is a node of its own).
 */
export function carriedByEntry(draft: EventDraft, entry: EventEntry): boolean {
  return (
    (draft.type === 'STATUS_CHANGED' || draft.type === 'CERTIFICATION_EXPIRED') &&
    draft.effectiveDate === entry.effectiveFrom &&
    draft.certificationIds.length === 1 &&
    draft.certificationIds[0] === entry.certificationId &&
    draft.newStatus === entry.status &&
    draft.source === entry.source &&
    draft.reason === entry.reason &&
    draft.causeIds.length === 0 &&
    draft.watchId === null &&
    (draft.deploymentIds ?? []).length === 0 &&
    (draft.vulnerabilityIds ?? []).length === 0 &&
    (draft.findingsAdded ?? []).length === 0 &&
    (draft.findingsResolved ?? []).length === 0 &&
    (draft.viewClearance ?? null) === null
  );
}

export function capSummary(text: string): string {
  return text.length <= MAX_SUMMARY_LENGTH ? text : `${text.slice(0, MAX_SUMMARY_LENGTH - 1)}…`;
}

/** Related ids at or below the marking (node and edge), sorted, capped. */
export function relatedWithin(related: readonly Related[], marking: Classification): string[] {
  const ids = related.filter((r) => atOrBelow(r.classification, marking) && atOrBelow(r.edgeClassification, marking)).map((r) => r.id);
  return [...new Set(ids)].sort(cmp).slice(0, MAX_EVENT_IDS);
}

export function label(cert: CertContext): string {
  return cert.name && cert.name !== cert.id ? `${cert.name} (${cert.id})` : cert.id;
}

/**
 * One event per new status entry: CERTIFICATION_EXPIRED when the new status is EXPIRED,
 * STATUS_CHANGED otherwise; both carry the old and new status and the effective date.
 * `oldStatus` is the certification's status on the effective date before the entry.
 */
export function statusChangeEvent(entry: StatusEntry, oldStatus: string | null, cert: CertContext): EventDraft {
  const marking = highestMarking([cert.classification, entry.classification]);
  const type: EventType = entry.status === 'EXPIRED' ? 'CERTIFICATION_EXPIRED' : 'STATUS_CHANGED';
  const from = oldStatus ? `${oldStatus} → ` : '';
  const why = entry.reason ? ` (${entry.reason})` : '';
  return {
    type,
    effectiveDate: entry.effectiveFrom,
    certificationIds: [cert.id],
    deviceIds: relatedWithin(cert.certifies, marking),
    organizationIds: relatedWithin(cert.organizations, marking),
    summary: capSummary(`${label(cert)}: ${from}${entry.status} from ${entry.effectiveFrom}${why}`),
    source: entry.source,
    classification: marking,
    oldStatus,
    newStatus: entry.status,
    reason: entry.reason,
    causeIds: [],
    watchId: null,
  };
}

/** A certification of a lineage neighbourhood with its status history (non-retracted entries). */
export interface LineageCert extends CertContext {
  /** Status recorded at creation (Certification.status). */
  status: string | null;
  issuedAt: string | null;
  validUntil: string | null;
  history: { id: string; status: CertificationStatus; effectiveFrom: string; recordedAt: string }[];
}

export interface LineageEdge {
  fromId: string;
  toId: string;
  classification: string | null;
}

export interface LineageNeighbourhood {
  certs: LineageCert[];
  basedOn: LineageEdge[];
  supersedes: LineageEdge[];
}

/** The status in force on `asOf` by the history alone (src/domain/statusHistory.ts statusOn; validity dates aside). */
export function statusAsOf(history: LineageCert['history'], asOf: string, fallback: string | null): string | null {
  return statusOn(history, asOf, fallback);
}

export function graphOn(n: LineageNeighbourhood, excluded: ReadonlySet<string>): LineageGraph {
  const certs: CertFacts[] = n.certs.map((c) => ({
    id: c.id,
    status: c.status,
    issuedAt: c.issuedAt,
    validUntil: c.validUntil,
    history: c.history.filter((h) => !excluded.has(h.id)),
  }));
  return {
    certs,
    basedOn: n.basedOn.map((e) => [e.fromId, e.toId] as const),
    supersedes: n.supersedes.map((e) => [e.fromId, e.toId] as const),
  };
}

/** A BASED_ON path from `from` down to `to` (breadth first), as the node and edge markings along it; undefined when none. */
export function basisPath(n: LineageNeighbourhood, from: string, to: string): { nodes: string[]; edgeMarkings: (string | null)[] } | undefined {
  const out = new Map<string, LineageEdge[]>();
  for (const e of n.basedOn) out.set(e.fromId, [...(out.get(e.fromId) ?? []), e]);
  const previous = new Map<string, LineageEdge | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (id === to) break;
    for (const e of [...(out.get(id) ?? [])].sort((a, b) => cmp(a.toId, b.toId))) {
      if (previous.has(e.toId)) continue;
      previous.set(e.toId, e);
      queue.push(e.toId);
    }
  }
  if (!previous.has(to) || from === to) return undefined;
  const nodes = [to];
  const edgeMarkings: (string | null)[] = [];
  let at = to;
  for (let e = previous.get(at); e; e = previous.get(at)) {
    edgeMarkings.push(e.classification);
    at = e.fromId;
    nodes.push(at);
  }
  return { nodes: nodes.reverse(), edgeMarkings };
}

/**
 * LINEAGE_BROKEN / LINEAGE_RESTORED for every certification of the neighbourhood whose lineage
 * (evaluateLineage) holds before the new entries and not after, or the reverse, on each
 * effective date of the new entries. The certifications whose own status changed get their
 * status event instead. The event names the certification and the changed certification(s) it
 * rests on (the cause); its marking covers both and the BASED_ON claims between them.
 */
export function lineageEvents(n: LineageNeighbourhood, entries: readonly StatusEntry[]): EventDraft[] {
  const newIds = new Set(entries.map((e) => e.id));
  const changed = new Set(entries.map((e) => e.certificationId));
  const byId = new Map(n.certs.map((c) => [c.id, c]));
  const dates = [...new Set(entries.map((e) => e.effectiveFrom))].sort(cmp);
  const drafts: EventDraft[] = [];
  for (const date of dates) {
    const causesOn = entries.filter((e) => e.effectiveFrom === date);
    // An expiry takes effect by date alone (the day after validUntil, whether recorded or not):
    // compare with the day before, when the expiring certification still held.
    const beforeDate = causesOn.every((e) => e.status === 'EXPIRED') ? previousDay(date) : date;
    const before = evaluateLineage(graphOn(n, newIds), beforeDate);
    const after = evaluateLineage(graphOn(n, new Set()), date);
    for (const cert of [...n.certs].sort((a, b) => cmp(a.id, b.id))) {
      if (changed.has(cert.id)) continue;
      const was = before.get(cert.id)?.holds;
      const is = after.get(cert.id)?.holds;
      if (was === undefined || is === undefined || was === is) continue;
      const paths = causesOn
        .map((e) => ({ entry: e, path: basisPath(n, cert.id, e.certificationId) }))
        .filter((p): p is { entry: StatusEntry; path: { nodes: string[]; edgeMarkings: (string | null)[] } } => p.path !== undefined);
      if (paths.length === 0) continue;
      const causeCerts = paths.map((p) => byId.get(p.entry.certificationId)).filter((c): c is LineageCert => c !== undefined);
      const marking = highestMarking([
        cert.classification,
        ...paths.flatMap((p) => [...p.path.nodes.map((id) => byId.get(id)?.classification ?? 'SECRET'), ...p.path.edgeMarkings, p.entry.classification]),
      ]);
      const causeText = paths
        .map((p) => `${label(byId.get(p.entry.certificationId) ?? { ...cert, id: p.entry.certificationId, name: '' })} is now ${p.entry.status}`)
        .join('; ');
      const type: EventType = is ? 'LINEAGE_RESTORED' : 'LINEAGE_BROKEN';
      const verb = is ? 'holds again' : 'no longer holds';
      drafts.push({
        type,
        effectiveDate: date,
        certificationIds: [...new Set([cert.id, ...causeCerts.map((c) => c.id)])],
        deviceIds: relatedWithin(cert.certifies, marking),
        organizationIds: relatedWithin(cert.organizations, marking),
        summary: capSummary(`${label(cert)} ${verb} from ${date}: it rests on ${causeText}`),
        source: paths[0]?.entry.source ?? 'unknown',
        classification: marking,
        oldStatus: null,
        newStatus: null,
        reason: null,
        causeIds: causeCerts.map((c) => c.id).sort(cmp),
        watchId: null,
      });
    }
  }
  return drafts;
}

/**
 * The event that says a watch stopped being delivered. It names only the watch (not its URL);
 * the worker marks it at the watch owner's clearance.
 */
export function watchFailingEvent(watch: { id: string }, lastError: string, since: string): EventDraft {
  return {
    type: 'WATCH_FAILING',
    effectiveDate: since.slice(0, 10),
    certificationIds: [],
    deviceIds: [],
    organizationIds: [],
    summary: capSummary(`Watch ${watch.id}: deliveries failed past the retry horizon (first failure ${since}); last error: ${lastError}`),
    source: 'webhook',
    classification: 'UNCLASSIFIED',
    oldStatus: 'ACTIVE',
    newStatus: 'FAILING',
    reason: lastError,
    causeIds: [],
    watchId: watch.id,
  };
}

/** What a caller filters the feed by. */
export interface EventFilter {
  types?: readonly EventType[] | null;
  deviceIds?: readonly string[] | null;
  certificationIds?: readonly string[] | null;
  organizationIds?: readonly string[] | null;
}

/** The filter with empty lists dropped; throws a message naming the field when a list is too long. */
export function normalizeFilter(filter: EventFilter | null | undefined): {
  types: EventType[] | null;
  deviceIds: string[] | null;
  certificationIds: string[] | null;
  organizationIds: string[] | null;
} {
  const list = <T>(value: readonly T[] | null | undefined, field: string): T[] | null => {
    if (!value || value.length === 0) return null;
    if (value.length > MAX_FILTER_IDS) throw new RangeError(`filter.${field}: at most ${MAX_FILTER_IDS} values (got ${value.length})`);
    return [...new Set(value)];
  };
  return {
    types: list(filter?.types, 'types'),
    deviceIds: list(filter?.deviceIds, 'deviceIds'),
    certificationIds: list(filter?.certificationIds, 'certificationIds'),
    organizationIds: list(filter?.organizationIds, 'organizationIds'),
  };
}

/** Whether an event matches a normalized filter (every given list must share a value with the event). */
export function matchesFilter(event: EventDraft, filter: ReturnType<typeof normalizeFilter>): boolean {
  const shares = (wanted: string[] | null, have: readonly string[]) => wanted === null || wanted.some((w) => have.includes(w));
  return (
    (filter.types === null || filter.types.includes(event.type)) &&
    shares(filter.deviceIds, event.deviceIds) &&
    shares(filter.certificationIds, event.certificationIds) &&
    shares(filter.organizationIds, event.organizationIds)
  );
}

/** A cursor is the decimal sequence number of the last event seen. */
export function parseSequenceCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined || cursor === '') return 0;
  if (!/^\d{1,15}$/.test(cursor))
    throw new RangeError(`after: a cursor is the sequence number of an event (digits), got ${JSON.stringify(cursor.slice(0, 40))}`);
  return Number(cursor);
}

/** Exponential backoff for webhook retries: base * 2^(attempt-1), capped, with up to 10% jitter from `random`. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = 0): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(raw * (1 + 0.1 * random));
}

/** A certification the expiry sweep looks at: its validity end and history. */
export interface ExpiryCandidate {
  id: string;
  status: string | null;
  issuedAt: string | null;
  validUntil: string;
  history: { id: string; status: CertificationStatus; effectiveFrom: string; recordedAt: string }[];
}

/**
 * The EXPIRED entries the sweep records on `asOf`: for every certification whose validUntil has
 * passed (validUntil < asOf), EXPIRED from the day after validUntil, unless the history refuses it
 * (already EXPIRED, REVOKED or WITHDRAWN by then, or a later entry it would contradict:
 * checkStatusChange). An entry already recorded is a duplicate, so a second run records nothing.
 */
export function expiryChanges(candidates: readonly ExpiryCandidate[], asOf: string): { certificationId: string; effectiveFrom: string }[] {
  const out: { certificationId: string; effectiveFrom: string }[] = [];
  for (const c of candidates) {
    if (!(c.validUntil < asOf)) continue;
    const effectiveFrom = nextDay(c.validUntil);
    const check = checkStatusChange(
      { id: c.id, status: c.status, issuedAt: c.issuedAt, validUntil: c.validUntil, history: c.history },
      { status: 'EXPIRED', effectiveFrom },
    );
    if (check.kind === 'ok') out.push({ certificationId: c.id, effectiveFrom });
  }
  return out;
}

/** A node as a link event names it. */
export interface LinkedNode {
  id: string;
  name: string;
  classification: string | null;
  label: string;
  issuedAt?: string | null;
}

/**
 * The event of a new CERTIFIES or SUPERSEDES claim between certifications written by the link
 * mutation: CERTIFIES (a certification now certifies a device or component) or SUPERSEDED (the
 * older certification is superseded by the newer). Undefined for any other claim. Marked with the
 * highest marking of both ends and the claim; names both ends.
 */
export function linkEvent(
  type: string,
  from: LinkedNode,
  to: LinkedNode,
  edgeClassification: string | null,
  source: string,
  today: string,
): EventDraft | undefined {
  const marking = highestMarking([from.classification, to.classification, edgeClassification]);
  const name = (n: LinkedNode) => (n.name && n.name !== n.id ? `${n.name} (${n.id})` : n.id);
  const base = { oldStatus: null, newStatus: null, reason: null, causeIds: [], watchId: null, source, classification: marking, organizationIds: [] };
  if (type === 'CERTIFIES' && from.label === 'Certification') {
    return {
      ...base,
      type: 'CERTIFIES',
      effectiveDate: from.issuedAt ?? today,
      certificationIds: [from.id],
      deviceIds: [to.id],
      summary: capSummary(`${name(from)} now certifies ${to.label === 'Device' ? 'device' : 'component'} ${name(to)}`),
    };
  }
  if (type === 'SUPERSEDES' && from.label === 'Certification' && to.label === 'Certification') {
    return {
      ...base,
      type: 'SUPERSEDED',
      effectiveDate: from.issuedAt ?? today,
      certificationIds: [to.id, from.id],
      deviceIds: [],
      summary: capSummary(`${name(to)} is superseded by ${name(from)}${from.issuedAt ? ` (issued ${from.issuedAt})` : ''}`),
    };
  }
  return undefined;
}
