/**
 * The change feed's later event kinds (docs/EVENTS.md), built without I/O: a retracted status
 * entry (STATUS_RETRACTED and its lineage consequences), a deployment whose scope drift changed
 * (SCOPE_DRIFT_CHANGED) and a known-exploited vulnerability that newly affects a release a
 * deployment runs (KEV_AFFECTS). Same marking rule as src/domain/events.ts: an event is marked
 * with the highest marking of what it names and follows; related devices and organizations
 * marked above that are left out instead of raising it.
 */
import type { DriftFinding } from './drift';
import {
  basisPath,
  capSummary,
  graphOn,
  highestMarking,
  label,
  markingRank,
  relatedWithin,
  statusAsOf,
  type EventDraft,
  type LineageCert,
  type LineageNeighbourhood,
  type Related,
  type StatusEntry,
} from './events';
import { evaluateLineage } from './lineage';
import { CLASSIFICATIONS, type Classification } from './model';
import { cmp } from './risk';

/**
 * The events of an admin retraction of `retracted` (already marked retracted, so absent from the
 * neighbourhood's histories): STATUS_RETRACTED for the certification (old status: the retracted
 * entry's; new status: the one in force on its effective date without it), and LINEAGE_BROKEN /
 * LINEAGE_RESTORED for every certification resting on it (BASED_ON, transitively) whose lineage
 * holds differently on that date with and without the entry.
 */
export function retractionEvents(n: LineageNeighbourhood, retracted: StatusEntry, source: string, retractionReason: string): EventDraft[] {
  const byId = new Map(n.certs.map((c) => [c.id, c]));
  const cert = byId.get(retracted.certificationId);
  if (!cert) return [];
  const date = retracted.effectiveFrom;
  const nowInForce = statusAsOf(cert.history, date, cert.status);
  const marking = highestMarking([cert.classification, retracted.classification]);
  const drafts: EventDraft[] = [
    {
      type: 'STATUS_RETRACTED',
      effectiveDate: date,
      certificationIds: [cert.id],
      deviceIds: relatedWithin(cert.certifies, marking),
      organizationIds: relatedWithin(cert.organizations, marking),
      summary: capSummary(
        `${label(cert)}: the entry ${retracted.status} from ${date} was retracted (${retractionReason}); status in force from ${date}: ${nowInForce ?? 'none'}`,
      ),
      source,
      classification: marking,
      oldStatus: retracted.status,
      newStatus: nowInForce,
      reason: retractionReason,
      causeIds: [],
      watchId: null,
    },
  ];
  // before: the neighbourhood with the entry back in its certification's history
  const withEntry: LineageNeighbourhood = {
    ...n,
    certs: n.certs.map((c) =>
      c.id === cert.id ? { ...c, history: [...c.history, { id: retracted.id, status: retracted.status, effectiveFrom: date, recordedAt: '' }] } : c,
    ),
  };
  const none = new Set<string>();
  const before = evaluateLineage(graphOn(withEntry, none), date);
  const after = evaluateLineage(graphOn(n, none), date);
  for (const dep of [...n.certs].sort((a, b) => cmp(a.id, b.id))) {
    if (dep.id === cert.id) continue;
    const was = before.get(dep.id)?.holds;
    const is = after.get(dep.id)?.holds;
    if (was === undefined || is === undefined || was === is) continue;
    const path = basisPath(n, dep.id, cert.id);
    if (!path) continue;
    const eventMarking = highestMarking([
      dep.classification,
      retracted.classification,
      ...path.nodes.map((id) => byId.get(id)?.classification ?? 'SECRET'),
      ...path.edgeMarkings,
    ]);
    drafts.push({
      type: is ? 'LINEAGE_RESTORED' : 'LINEAGE_BROKEN',
      effectiveDate: date,
      certificationIds: [dep.id, cert.id],
      deviceIds: relatedWithin(dep.certifies, eventMarking),
      organizationIds: relatedWithin(dep.organizations, eventMarking),
      summary: capSummary(
        `${label(dep)} ${is ? 'holds again' : 'no longer holds'} from ${date}: it rests on ${label(cert)}, whose ${retracted.status} entry from ${date} was retracted`,
      ),
      source,
      classification: eventMarking,
      oldStatus: null,
      newStatus: null,
      reason: retractionReason,
      causeIds: [cert.id],
      watchId: null,
    });
  }
  return drafts;
}

/** A BASED_ON claim added or removed by a curator (`link` / `unlink`). */
export interface BasisChange {
  /** The certification that rests (or rested) on `basisId`. */
  certificationId: string;
  basisId: string;
  kind: 'added' | 'removed';
}

/**
 * LINEAGE_BROKEN / LINEAGE_RESTORED after a BASED_ON claim was added or removed: for the
 * certification that gained or lost the basis and every certification resting on it (transitively)
 * whose lineage holds differently on `date` before and after the change. `before` and `after` are
 * the lineage neighbourhoods of `change.certificationId` read before and after the write (the one
 * with the claim in it gives the path and the claim's marking). The event names the certification,
 * the one whose basis changed and the basis (the cause); its marking covers those, the
 * certifications and claims on the way, and the changed claim itself.
 */
export function basisChangeEvents(before: LineageNeighbourhood, after: LineageNeighbourhood, change: BasisChange, source: string, date: string): EventDraft[] {
  const none = new Set<string>();
  const was = evaluateLineage(graphOn(before, none), date);
  const is = evaluateLineage(graphOn(after, none), date);
  const withClaim = change.kind === 'added' ? after : before;
  const byId = new Map(withClaim.certs.map((c) => [c.id, c]));
  const holder = byId.get(change.certificationId);
  const basis = byId.get(change.basisId);
  const claim = withClaim.basedOn.find((e) => e.fromId === change.certificationId && e.toId === change.basisId);
  if (!holder || !basis || !claim) return [];
  const drafts: EventDraft[] = [];
  for (const cert of [...after.certs].sort((a, b) => cmp(a.id, b.id))) {
    const held = was.get(cert.id)?.holds;
    const holds = is.get(cert.id)?.holds;
    if (held === undefined || holds === undefined || held === holds) continue;
    const path = cert.id === holder.id ? { nodes: [holder.id], edgeMarkings: [] } : basisPath(withClaim, cert.id, holder.id);
    if (!path) continue;
    const marking = highestMarking([
      cert.classification,
      basis.classification,
      claim.classification,
      ...path.nodes.map((id) => byId.get(id)?.classification ?? 'SECRET'),
      ...path.edgeMarkings,
    ]);
    const what = change.kind === 'added' ? `${label(holder)} now rests on ${label(basis)}` : `${label(holder)} no longer rests on ${label(basis)}`;
    drafts.push({
      type: holds ? 'LINEAGE_RESTORED' : 'LINEAGE_BROKEN',
      effectiveDate: date,
      certificationIds: [...new Set([cert.id, holder.id, basis.id])],
      deviceIds: relatedWithin(cert.certifies, marking),
      organizationIds: relatedWithin(cert.organizations, marking),
      summary: capSummary(`${label(cert)} ${holds ? 'holds again' : 'no longer holds'} from ${date}: ${what}`),
      source,
      classification: marking,
      oldStatus: null,
      newStatus: null,
      reason: `BASED_ON ${change.kind === 'added' ? 'claim added' : 'claim removed'}`,
      causeIds: [basis.id],
      watchId: null,
    });
  }
  return drafts;
}

/** A node as the drift and KEV events name it. */
export interface NamedNode {
  id: string;
  name: string | null;
  classification: string | null;
}

/** The stable key of a drift finding: what it is about, not its wording. */
export function driftFindingKey(f: Pick<DriftFinding, 'reason' | 'certificationId' | 'controlId' | 'vulnerabilityId'>): string {
  return [f.reason, f.certificationId ?? '', f.controlId ?? '', f.vulnerabilityId ?? ''].join('|');
}

/** The parts of a key (see driftFindingKey). */
export function parseDriftFindingKey(key: string): {
  reason: string;
  certificationId: string | null;
  controlId: string | null;
  vulnerabilityId: string | null;
} {
  const [reason = '', certificationId = '', controlId = '', vulnerabilityId = ''] = key.split('|');
  return { reason, certificationId: certificationId || null, controlId: controlId || null, vulnerabilityId: vulnerabilityId || null };
}

/**
 * The ids of the FeedState nodes stored about a node itself (docs/EVENTS.md): a deployment's drift
 * fingerprints `drift:<LEVEL>:<id>` (one per clearance level), a component's (OS release's) known-exploited set `kev:<id>`; none for
 * other labels. Removed with the node when it is deleted.
 */
export function feedStateIdsOf(label: string, id: string): string[] {
  if (label === 'Deployment') return CLASSIFICATIONS.map((level) => driftStateId(level, id));
  if (label === 'Component') return [`kev:${id}`];
  return [];
}

/** The FeedState id of a deployment's drift as one clearance level sees it. */
export function driftStateId(level: Classification, deploymentId: string): string {
  return `drift:${level}:${deploymentId}`;
}

/** Sorted, de-duplicated keys of a deployment's findings: its stored drift fingerprint. */
export function driftFingerprint(findings: readonly DriftFinding[]): string[] {
  return [...new Set(findings.map(driftFindingKey))].sort(cmp);
}

/** What the drift event of one deployment is built from. */
export interface DriftSubject {
  deployment: NamedNode;
  /** The device model (OF), with the OF edge's marking. */
  device: Related | null;
  /** Operators (OPERATES), with the edge's marking. */
  operators: Related[];
  /** Markings of the nodes a finding key names (certifications, controls, vulnerabilities). */
  markingOf: ReadonlyMap<string, string | null>;
}

function nodeName(n: NamedNode): string {
  return n.name && n.name !== n.id ? `${n.name} (${n.id})` : n.id;
}

function describeKey(key: string): string {
  const k = parseDriftFindingKey(key);
  const about = [k.certificationId, k.controlId, k.vulnerabilityId].filter((x): x is string => x !== null);
  return about.length > 0 ? `${k.reason} ${about.join(' ')}` : k.reason;
}

/** Ids of the nodes a finding key names. */
function namedBy(key: string): string[] {
  const p = parseDriftFindingKey(key);
  return [p.certificationId, p.controlId, p.vulnerabilityId].filter((x): x is string => x !== null);
}

/**
 * SCOPE_DRIFT_CHANGED for a deployment whose findings on `asOf` differ from its stored
 * fingerprint (`previous`), naming the added and resolved findings; undefined when equal.
 * Marked with the deployment, its device model and every node a changed finding names (an
 * unknown one counts as SECRET); the device and operators are named only at or below that marking.
 *
 * `viewClearance`: the clearance level whose view of the drift `previous` and `current` are
 * (src/domain/driftLevels.ts); the event carries it, and a changed finding naming a node now above
 * it (a resolved finding about a node since marked higher, or deleted) is left out, so the event
 * is never marked above its view; undefined when nothing is left.
 */
export function driftChangedEvent(
  subject: DriftSubject,
  previous: readonly string[],
  current: readonly string[],
  asOf: string,
  source: string,
  viewClearance?: Classification,
): EventDraft | undefined {
  const before = new Set(previous);
  const now = new Set(current);
  const markingOfId = (id: string) => (subject.markingOf.has(id) ? subject.markingOf.get(id) : 'SECRET');
  const shown = (k: string) => viewClearance === undefined || namedBy(k).every((id) => markingRank(markingOfId(id)) <= markingRank(viewClearance));
  const added = current.filter((k) => !before.has(k) && shown(k));
  const resolved = previous.filter((k) => !now.has(k) && shown(k));
  if (added.length === 0 && resolved.length === 0) return undefined;
  const named = [...added, ...resolved].flatMap(namedBy);
  const marking: Classification = highestMarking([
    subject.deployment.classification,
    subject.device?.classification,
    subject.device?.edgeClassification,
    ...named.map(markingOfId),
  ]);
  const certificationIds = [...new Set([...added, ...resolved].flatMap((k) => parseDriftFindingKey(k).certificationId ?? []))].sort(cmp);
  const vulnerabilityIds = [...new Set([...added, ...resolved].flatMap((k) => parseDriftFindingKey(k).vulnerabilityId ?? []))].sort(cmp);
  const parts = [
    added.length > 0 ? `new: ${added.map(describeKey).join(', ')}` : '',
    resolved.length > 0 ? `resolved: ${resolved.map(describeKey).join(', ')}` : '',
  ].filter((p) => p !== '');
  return {
    type: 'SCOPE_DRIFT_CHANGED',
    effectiveDate: asOf,
    certificationIds,
    deviceIds: subject.device ? relatedWithin([subject.device], marking) : [],
    organizationIds: relatedWithin(subject.operators, marking),
    deploymentIds: [subject.deployment.id],
    vulnerabilityIds,
    summary: capSummary(`${nodeName(subject.deployment)}: scope drift changed on ${asOf}; ${parts.join('; ')}`),
    source,
    classification: marking,
    oldStatus: previous.length === 0 ? 'NO_FINDINGS' : `${previous.length} FINDINGS`,
    newStatus: current.length === 0 ? 'NO_FINDINGS' : `${current.length} FINDINGS`,
    reason: null,
    causeIds: [],
    watchId: null,
    findingsAdded: added,
    findingsResolved: resolved,
    ...(viewClearance === undefined ? {} : { viewClearance }),
  };
}

/** A release some deployment runs, with what the KEV event may name. */
export interface KevRelease {
  release: NamedNode;
  /** Deployments running it (RUNS), their device models (OF) and operators (OPERATES), each with the markings on the way. */
  runners: { deployment: Related; device: Related | null; operators: Related[] }[];
  /** Device models it is a part of (HAS_COMPONENT): the releases a certified model supports. */
  models: Related[];
}

/**
 * KEV_AFFECTS: a known-exploited vulnerability newly affects a release deployments run. Marked
 * with the vulnerability, the AFFECTS claim and the release; a deployment (with its device and
 * operators) is named only when it, its RUNS claim, and the device or operator with its edge are
 * at or below that marking.
 */
export function kevAffectsEvent(vulnerability: NamedNode, affectsClassification: string | null, k: KevRelease, source: string, today: string): EventDraft {
  const marking = highestMarking([vulnerability.classification, affectsClassification, k.release.classification]);
  const deployments = k.runners.filter((r) => relatedWithin([r.deployment], marking).length > 0);
  const devices = [...deployments.flatMap((r) => (r.device ? relatedWithin([r.device], marking) : [])), ...relatedWithin(k.models, marking)];
  const deviceIds = [...new Set(devices)].sort(cmp);
  return {
    type: 'KEV_AFFECTS',
    effectiveDate: today,
    certificationIds: [],
    deviceIds: [...new Set([k.release.id, ...deviceIds])],
    organizationIds: [...new Set(deployments.flatMap((r) => relatedWithin(r.operators, marking)))].sort(cmp),
    deploymentIds: deployments.map((r) => r.deployment.id).sort(cmp),
    vulnerabilityIds: [vulnerability.id],
    summary: capSummary(
      `Known-exploited ${nodeName(vulnerability)} now affects ${nodeName(k.release)}${deviceIds.length > 0 ? `, on ${deviceIds.join(', ')}` : ''}`,
    ),
    source,
    classification: marking,
    oldStatus: null,
    newStatus: null,
    reason: null,
    causeIds: [],
    watchId: null,
  };
}

export type { LineageCert };
