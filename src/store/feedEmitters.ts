/**
 * The change feed's emitters beside the status-history hook (docs/EVENTS.md), each run inside
 * the transaction of the write that caused its events:
 *
 * - `emitRetractionEvents`: an admin retraction (STATUS_RETRACTED and its lineage consequences);
 * - `emitLinkEvents`: new SUPERSEDES / CERTIFIES claims between certifications and what they
 *   certify written by the bulk write path (importers, seed, generator, fixtures);
 * - `refreshFeedState`: at the end of a write that can change scope drift or which known-exploited
 *   vulnerabilities affect a watched release, recomputes both for the deployments and releases the
 *   write can reach (bounded), compares them with the fingerprints stored in `FeedState` nodes
 *   (`drift:<LEVEL>:<deploymentId>`: sorted finding keys as a caller of clearance LEVEL sees them;
 *   `kev:<releaseId>`: sorted vulnerability ids) and writes SCOPE_DRIFT_CHANGED (one per level whose
 *   view changed, with `viewClearance`) / KEV_AFFECTS events for what changed, then the new
 *   fingerprints.
 *
 * Reads here are at full knowledge (every marking; the drift read annotates each item with the
 * lowest clearance that sees it): the events carry the markings of what they reveal, and readers
 * only receive those at or below their clearance (drift events: only their own level's view).
 */
import { assessDeployment } from '../domain/drift';
import { clearanceRank, factsAtLevel } from '../domain/driftLevels';
import { FEED_LABELS, highestMarking, linkEvent, markingRank, type EventDraft, type Related, type StatusEntry, type StoredEvent } from '../domain/events';
import {
  driftChangedEvent,
  driftFingerprint,
  driftStateId,
  feedStateIdsOf,
  kevAffectsEvent,
  parseDriftFindingKey,
  retractionEvents,
  type NamedNode,
} from '../domain/feedEvents';
import { today } from '../domain/lineage';
import { scalarText } from '../domain/text';
import { CLASSIFICATIONS, RELATIONSHIPS, type Classification, type RelationshipType } from '../domain/model';
import { BLOCKING_VEX_STATES } from '../domain/risk';
import { deploymentScopesByLevelStatement, toLeveledScope } from './analyticsStore';
import type { Database, Row, Tx } from './database';
import { appendEvents, loadNeighbourhood } from './eventStore';
import type { Statement } from './statement';

const STATE = FEED_LABELS.state;
/** Most deployments (and, separately, releases) one write re-assesses; beyond it the rest is left for a later write or the sweep. */
export const MAX_FEED_STATE_SUBJECTS = 2000;
/** Deepest HAS_COMPONENT chain from a device model to a changed part. */
const PART_DEPTH = 4;
const { CERTIFIES, SUPERSEDES, ISSUED_BY, OPERATES, OF, RUNS, AFFECTS, HAS_COMPONENT, REQUIRES, IMPLEMENTS, MAPS_TO } = RELATIONSHIPS;

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : scalarText(v);
}

// ------------------------------------------------------------------ retraction

/**
 * The events of a retracted status entry (already marked retracted in this transaction), then the
 * drift refresh of the deployments its certification reaches. Returns the events written.
 */
export async function emitRetractionEvents(tx: Tx, entry: StatusEntry, source: string, reason: string): Promise<StoredEvent[]> {
  const n = await loadNeighbourhood(tx, [entry.certificationId]);
  const written = await appendEvents(tx, retractionEvents(n, entry, source, reason));
  return [...written, ...(await refreshFeedState(tx, [entry.certificationId], source))];
}

// ------------------------------------------------------------------ bulk link events

/** A relationship the bulk write path created (it did not exist before). */
export interface CreatedLink {
  type: string;
  fromId: string;
  toId: string;
  /** The model label of the end node (the relationship group's `toLabel`). */
  toLabel: string;
  classification: string | null;
}

/** Whether a created relationship can be a feed link event (CERTIFIES from, SUPERSEDES between, certifications). */
export function isLinkEventCandidate(type: string, fromLabel: string, toLabel: string): boolean {
  return (
    (type === CERTIFIES.type && fromLabel === 'Certification') || (type === SUPERSEDES.type && fromLabel === 'Certification' && toLabel === 'Certification')
  );
}

/** End labels a link event's claim can have (CERTIFIES to a device or component, SUPERSEDES to a certification). */
const LINK_END_LABELS = ['Certification', 'Device', 'Component'] as const;

/**
 * The ends of created claims: one pipeline per end label over the links to that label (found by
 * the label's id index; a per-link CALL over the three labels cost a subquery per link and label),
 * with the certification's issuers.
 */
export function linkEndsStatement(links: readonly CreatedLink[]): Statement {
  const byLabel = Object.fromEntries(
    LINK_END_LABELS.map((label) => [label, links.flatMap((l, i) => (l.toLabel === label ? [{ i, fromId: l.fromId, toId: l.toId }] : []))]),
  );
  return {
    name: 'events.linkEnds',
    cypher: `CALL () {
       ${LINK_END_LABELS.map(
         (label) => `UNWIND $byLabel.${label} AS l MATCH (a:Certification {id: l.fromId}) MATCH (b:${label} {id: l.toId}) RETURN l.i AS i, a, b`,
       ).join('\n       UNION ALL ')}
     }
     CALL (a) {
       OPTIONAL MATCH (a)-[r:${ISSUED_BY.type}]->(o:Organization)
       RETURN collect({id: o.id, classification: o.classification, edgeClassification: r.classification}) AS issuers
     }
     RETURN i, a {.id, .name, .classification, .issuedAt} AS from, b {.id, .name, .classification, .issuedAt, label: labels(b)[0]} AS to, issuers
     ORDER BY i`,
    params: { byLabel },
  };
}

/**
 * One SUPERSEDED or CERTIFIES event per created claim (src/domain/events.ts linkEvent), its
 * organizations the certification's issuers at or below the event's marking. One read, one append.
 */
export async function emitLinkEvents(tx: Tx, links: readonly CreatedLink[], source: string): Promise<StoredEvent[]> {
  if (links.length === 0) return [];
  const st = linkEndsStatement(links);
  const rows = await tx.run(st.name, st.cypher, st.params);
  const drafts: EventDraft[] = [];
  const day = today();
  for (const row of rows) {
    const link = links[Number(row.i)];
    if (!link) continue;
    const a = row.from as Record<string, unknown>;
    const b = row.to as Record<string, unknown>;
    const node = (n: Record<string, unknown>, label: string) => ({
      id: String(n.id),
      name: str(n.name) ?? String(n.id),
      classification: str(n.classification),
      label,
      issuedAt: str(n.issuedAt)?.slice(0, 10) ?? null,
    });
    const event = linkEvent(link.type, node(a, 'Certification'), node(b, String(b.label)), link.classification, source, day);
    if (!event) continue;
    const issuers = (row.issuers as Related[]).filter((o) => o.id !== null);
    const orgs = issuers.filter((o) => highestMarking([o.classification, o.edgeClassification, event.classification]) === event.classification);
    drafts.push({ ...event, organizationIds: [...new Set(orgs.map((o) => o.id))].sort() });
  }
  return appendEvents(tx, drafts);
}

// ------------------------------------------------------------------ drift and KEV state

/**
 * Labels whose own properties take part in a deployment's findings or a release's known-exploited
 * set (status and dates of certifications, versions and support ends of components, KEV flags and
 * dates of vulnerabilities, the deployment's OS version; devices kept to be safe). Organization and
 * Control properties do not (the state is read at every marking; they only name things in events).
 */
const FEED_STATE_LABELS: ReadonlySet<string> = new Set(['Deployment', 'Device', 'Component', 'Vulnerability', 'Certification']);

/** Relationship types the reach and the assessment traverse: writing one can change what its ends reach. */
const FEED_STATE_RELATIONSHIPS: ReadonlySet<string> = new Set([
  OPERATES.type,
  OF.type,
  RUNS.type,
  AFFECTS.type,
  HAS_COMPONENT.type,
  CERTIFIES.type,
  SUPERSEDES.type,
  REQUIRES.type,
  IMPLEMENTS.type,
  MAPS_TO.type,
]);

/** Whether writing a node of this label can change scope drift or known-exploited state. */
export function canChangeFeedState(label: string): boolean {
  return FEED_STATE_LABELS.has(label);
}

/** Whether writing a relationship of this model type (key of RELATIONSHIPS) can change scope drift or known-exploited state. */
export function canChangeFeedStateByLink(type: RelationshipType): boolean {
  return FEED_STATE_RELATIONSHIPS.has(RELATIONSHIPS[type].type);
}

/**
 * The reach statement: deployments whose scope drift the ids' nodes take part in, capped. Each
 * branch runs once over all the ids (a label's index seek finds only the ids of that label), not
 * once per id: a per-id CALL of the twelve branches cost a subquery per id and branch (0.4 s of a
 * CMVP snapshot import's 5 000 ids, docs/BENCHMARKS.md).
 */
export function reachDeploymentsStatement(ids: readonly string[], cap: number) {
  const branches = [
    `MATCH (dep:Deployment {id: id})`,
    `MATCH (:Organization {id: id})-[:${OPERATES.type}]->(dep:Deployment)`,
    `MATCH (:Device {id: id})<-[:${OF.type}]-(dep:Deployment)`,
    `MATCH (:Component {id: id})<-[:${RUNS.type}]-(dep:Deployment)`,
    `MATCH (:Component {id: id})<-[:${HAS_COMPONENT.type}*1..${PART_DEPTH}]-(:Device)<-[:${OF.type}]-(dep:Deployment)`,
    `MATCH (:Vulnerability {id: id})-[:${AFFECTS.type}]->(:Component)<-[:${RUNS.type}]-(dep:Deployment)`,
    `MATCH (:Certification {id: id})-[:${CERTIFIES.type}]->(:Device)<-[:${OF.type}]-(dep:Deployment)`,
    `MATCH (:Certification {id: id})-[:${SUPERSEDES.type}]->(:Certification)-[:${CERTIFIES.type}]->(:Device)<-[:${OF.type}]-(dep:Deployment)`,
    `MATCH (:Control {id: id})<-[:${REQUIRES.type}]-(:Certification)-[:${CERTIFIES.type}]->(:Device)<-[:${OF.type}]-(dep:Deployment)`,
    `MATCH (:Control {id: id})<-[:${IMPLEMENTS.type}]-(:Device)<-[:${OF.type}]-(dep:Deployment)`,
    `MATCH (:Control {id: id})<-[:${IMPLEMENTS.type}]-(:Component)<-[:${RUNS.type}]-(dep:Deployment)`,
    `MATCH (:Control {id: id})<-[:${IMPLEMENTS.type}]-(:Component)<-[:${HAS_COMPONENT.type}*1..${PART_DEPTH}]-(:Device)<-[:${OF.type}]-(dep:Deployment)`,
  ];
  return {
    name: 'events.driftReach',
    cypher: `CALL () {
         ${branches.map((b) => `UNWIND $ids AS id ${b} RETURN dep`).join('\n         UNION ')}
       }
       WITH dep ORDER BY dep.id ASC LIMIT toInteger($cap)
       RETURN dep.id AS id`,
    params: { ids: [...ids], cap },
  };
}

/** The reach of releases: OS releases the ids' nodes touch that a deployment runs or a device model has (each branch once over all ids). */
export function reachReleasesStatement(ids: readonly string[], cap: number) {
  return {
    name: 'events.kevReach',
    cypher: `CALL () {
         UNWIND $ids AS id MATCH (c:Component {id: id}) RETURN c
         UNION UNWIND $ids AS id MATCH (:Vulnerability {id: id})-[:${AFFECTS.type}]->(c:Component) RETURN c
         UNION UNWIND $ids AS id MATCH (:Deployment {id: id})-[:${RUNS.type}]->(c:Component) RETURN c
         UNION UNWIND $ids AS id MATCH (:Device {id: id})-[:${HAS_COMPONENT.type}]->(c:Component) RETURN c
       }
       WITH c WHERE c.kind = 'OS_RELEASE' AND (EXISTS { (c)<-[:${RUNS.type}]-(:Deployment) } OR EXISTS { (c)<-[:${HAS_COMPONENT.type}]-(:Device) })
       WITH c ORDER BY c.id ASC LIMIT toInteger($cap)
       RETURN c.id AS id`,
    params: { ids: [...ids], cap },
  };
}

async function readStates(tx: Tx, ids: readonly string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.run('events.readFeedState', `UNWIND $ids AS id MATCH (s:${STATE} {id: id}) RETURN s.id AS id, s.keys AS keys`, { ids: [...ids] });
  return new Map(rows.map((r) => [String(r.id), Array.isArray(r.keys) ? r.keys.map(String) : []]));
}

async function writeStates(tx: Tx, states: { id: string; keys: string[] }[]): Promise<void> {
  if (states.length === 0) return;
  await tx.run('events.writeFeedState', `UNWIND $states AS s MERGE (f:${STATE} {id: s.id}) SET f.keys = s.keys, f.updatedAt = datetime()`, { states });
}

/** Controls named by findings, with their markings (one read). */
async function controlMarkings(tx: Tx, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.run('events.controlMarkings', `UNWIND $ids AS id MATCH (c:Control {id: id}) RETURN c.id AS id, c.classification AS classification`, {
    ids: [...ids],
  });
  return new Map(rows.map((r) => [String(r.id), str(r.classification)]));
}

/** Operators of deployments (OPERATES, with the edge's marking), for naming in drift events. */
async function deploymentOperators(tx: Tx, ids: readonly string[]): Promise<Map<string, Related[]>> {
  const rows = await tx.run(
    'events.deploymentContext',
    `UNWIND $ids AS id MATCH (dep:Deployment {id: id})
     CALL (dep) {
       OPTIONAL MATCH (o:Organization)-[r:${OPERATES.type}]->(dep)
       RETURN collect({id: o.id, classification: o.classification, edgeClassification: r.classification}) AS operators
     }
     RETURN dep.id AS id, operators`,
    { ids: [...ids] },
  );
  return new Map(rows.map((r) => [String(r.id), (r.operators as Related[]).filter((o) => o.id !== null)]));
}

/** One clearance level's view of one deployment whose drift keys differ from the stored ones. */
interface ChangedView {
  level: Classification;
  deployment: NamedNode;
  device: { id: string; level: number } | null;
  previous: string[];
  keys: string[];
  markingOf: Map<string, string | null>;
}

/**
 * The drift of the reached deployments per clearance level: one read of them at full knowledge,
 * annotated with the level of every item (deploymentScopesByLevelStatement), assessed once per
 * level as a caller of that clearance (factsAtLevel, assessDeployment) and compared with the keys
 * stored for that (deployment, level). One SCOPE_DRIFT_CHANGED per level whose view changed,
 * carrying `viewClearance`. A deployment a level can no longer see gets its stored keys emptied
 * at that level, without an event (its readers can no longer name it).
 */
async function driftDrafts(
  tx: Tx,
  deploymentIds: readonly string[],
  source: string,
  asOf: string,
  knownMarkings: ReadonlyMap<string, string | null>,
): Promise<{ drafts: EventDraft[]; states: { id: string; keys: string[] }[] }> {
  if (deploymentIds.length === 0) return { drafts: [], states: [] };
  const st = deploymentScopesByLevelStatement(deploymentIds, MAX_FEED_STATE_SUBJECTS);
  const scopes = (await tx.run(st.name, st.cypher, st.params)).map((r: Row) => toLeveledScope(r));
  const stored = await readStates(
    tx,
    scopes.flatMap((sc) => CLASSIFICATIONS.map((level) => driftStateId(level, sc.deploymentId))),
  );
  const changed: ChangedView[] = [];
  const states: { id: string; keys: string[] }[] = [];
  for (const sc of scopes) {
    for (const level of CLASSIFICATIONS) {
      const id = driftStateId(level, sc.deploymentId);
      const previous = stored.get(id);
      const view = factsAtLevel(sc, clearanceRank(level));
      if (!view) {
        if (previous && previous.length > 0) states.push({ id, keys: [] });
        continue;
      }
      const keys = driftFingerprint(assessDeployment(view.facts, asOf).findings);
      const before = previous ?? [];
      if (before.length === keys.length && before.every((k, i) => k === keys[i])) continue;
      states.push({ id, keys });
      changed.push({
        level,
        deployment: { id: sc.deploymentId, name: sc.name, classification: sc.classification },
        device: view.device,
        previous: before,
        keys,
        markingOf: view.markingOf,
      });
    }
  }
  if (changed.length === 0) return { drafts: [], states };
  const controls = await controlMarkings(tx, [
    ...new Set(changed.flatMap((c) => [...c.keys, ...c.previous].flatMap((k) => parseDriftFindingKey(k).controlId ?? []))),
  ]);
  const operators = await deploymentOperators(tx, [...new Set(changed.map((c) => c.deployment.id))]);
  // resolved findings may name nodes no longer in the view: their markings are read here too
  const previousNamed = [
    ...new Set(
      changed.flatMap((c) =>
        c.previous.flatMap((k) => {
          const p = parseDriftFindingKey(k);
          return [p.certificationId, p.vulnerabilityId].filter((x): x is string => x !== null);
        }),
      ),
    ),
  ];
  const previousMarkings = await nodeMarkings(tx, previousNamed);
  const drafts: EventDraft[] = [];
  for (const c of changed) {
    const subject = {
      deployment: c.deployment,
      device: c.device ? { id: c.device.id, classification: CLASSIFICATIONS[c.device.level] ?? 'SECRET', edgeClassification: null } : null,
      operators: operators.get(c.deployment.id) ?? [],
      markingOf: new Map([...knownMarkings, ...previousMarkings, ...controls, ...c.markingOf]),
    };
    const event = driftChangedEvent(subject, c.previous, c.keys, asOf, source, c.level);
    if (event) drafts.push(event);
  }
  return { drafts, states };
}

async function nodeMarkings(tx: Tx, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.run(
    'events.nodeMarkings',
    `UNWIND $ids AS id
     CALL (id) {
       MATCH (n:Certification {id: id}) RETURN n
       UNION MATCH (n:Vulnerability {id: id}) RETURN n
     }
     RETURN n.id AS id, n.classification AS classification`,
    { ids: [...ids] },
  );
  return new Map(rows.map((r) => [String(r.id), str(r.classification)]));
}

async function kevDrafts(
  tx: Tx,
  releaseIds: readonly string[],
  source: string,
  asOf: string,
): Promise<{ drafts: EventDraft[]; states: { id: string; keys: string[] }[] }> {
  if (releaseIds.length === 0) return { drafts: [], states: [] };
  const rows = await tx.run(
    'events.kevOfReleases',
    `UNWIND $ids AS id MATCH (c:Component {id: id})
     CALL (c) {
       OPTIONAL MATCH (v:Vulnerability)-[a:${AFFECTS.type}]->(c)
       WHERE v.knownExploited = true AND NOT coalesce(a.vexState, '') IN $blockingVex
       RETURN collect({id: v.id, name: v.name, classification: v.classification, edgeClassification: a.classification}) AS kev
     }
     CALL (c) {
       OPTIONAL MATCH (dep:Deployment)-[r:${RUNS.type}]->(c)
       CALL (dep) {
         OPTIONAL MATCH (dep)-[o:${OF.type}]->(d:Device)
         RETURN collect({id: d.id, classification: d.classification, edgeClassification: o.classification}) AS devices
       }
       CALL (dep) {
         OPTIONAL MATCH (org:Organization)-[o:${OPERATES.type}]->(dep)
         RETURN collect({id: org.id, classification: org.classification, edgeClassification: o.classification}) AS operators
       }
       RETURN collect({deployment: {id: dep.id, classification: dep.classification, edgeClassification: r.classification}, devices: devices, operators: operators}) AS runners
     }
     CALL (c) {
       OPTIONAL MATCH (d:Device)-[h:${HAS_COMPONENT.type}]->(c)
       RETURN collect({id: d.id, classification: d.classification, edgeClassification: h.classification}) AS models
     }
     OPTIONAL MATCH (s:${STATE} {id: 'kev:' + c.id})
     RETURN c.id AS id, c.name AS name, c.classification AS classification, kev, runners, models, s.keys AS stored`,
    { ids: [...releaseIds], blockingVex: [...BLOCKING_VEX_STATES] },
  );
  const drafts: EventDraft[] = [];
  const states: { id: string; keys: string[] }[] = [];
  for (const r of rows) {
    const kev = (r.kev as (Related & { name: string | null })[]).filter((v) => v.id !== null);
    // per vulnerability, its least-marked AFFECTS claim
    const byVuln = new Map<string, Related & { name: string | null }>();
    for (const v of kev) {
      const seen = byVuln.get(v.id);
      if (!seen || markingRank(v.edgeClassification) < markingRank(seen.edgeClassification)) byVuln.set(v.id, v);
    }
    const keys = [...byVuln.keys()].sort();
    const stored = Array.isArray(r.stored) ? r.stored.map(String) : [];
    if (keys.length === stored.length && keys.every((k, i) => k === stored[i])) continue;
    states.push({ id: `kev:${String(r.id)}`, keys });
    const before = new Set(stored);
    const runners = (r.runners as { deployment: Related; devices: Related[]; operators: Related[] }[])
      .filter((x) => x.deployment.id !== null)
      .map((x) => ({
        deployment: x.deployment,
        device: x.devices.filter((d) => d.id !== null).sort((a, b) => (a.id < b.id ? -1 : 1))[0] ?? null,
        operators: x.operators.filter((o) => o.id !== null),
      }));
    const models = (r.models as Related[]).filter((m) => m.id !== null);
    const release = { id: String(r.id), name: str(r.name), classification: str(r.classification) };
    for (const id of keys) {
      if (before.has(id)) continue;
      const v = byVuln.get(id);
      if (!v) continue;
      drafts.push(
        kevAffectsEvent({ id: v.id, name: v.name, classification: v.classification }, v.edgeClassification, { release, runners, models }, source, asOf),
      );
    }
  }
  return { drafts, states };
}

/**
 * Re-assesses, inside the caller's transaction, the deployments (scope drift on `asOf`, default
 * today) and the watched OS releases (known-exploited vulnerabilities affecting them) that the
 * given node ids reach, writes SCOPE_DRIFT_CHANGED and KEV_AFFECTS events for what changed since
 * the stored fingerprints, and stores the new fingerprints. At most MAX_FEED_STATE_SUBJECTS of
 * each per call. Returns the events written.
 */
export async function refreshFeedState(tx: Tx, touchedIds: readonly string[], source: string, asOf: string = today()): Promise<StoredEvent[]> {
  const subjects = await reachFeedSubjects(tx, touchedIds);
  return refreshSubjects(tx, subjects, source, asOf, new Map());
}

/** The deployments and watched OS releases whose feed state the ids' nodes take part in (each capped at MAX_FEED_STATE_SUBJECTS). */
export interface FeedSubjects {
  deploymentIds: string[];
  releaseIds: string[];
}

/** The reach step of refreshFeedState on its own: what the ids' nodes reach now (two reads; none for no ids). */
export async function reachFeedSubjects(tx: Tx, touchedIds: readonly string[]): Promise<FeedSubjects> {
  const ids = [...new Set(touchedIds)];
  if (ids.length === 0) return { deploymentIds: [], releaseIds: [] };
  const releases = reachReleasesStatement(ids, MAX_FEED_STATE_SUBJECTS);
  const releaseIds = (await tx.run(releases.name, releases.cypher, releases.params)).map((r) => String(r.id));
  const deployments = reachDeploymentsStatement(ids, MAX_FEED_STATE_SUBJECTS);
  const deploymentIds = (await tx.run(deployments.name, deployments.cypher, deployments.params)).map((r) => String(r.id));
  return { deploymentIds, releaseIds };
}

/** Re-assesses the given subjects, writes the events of what changed and the new fingerprints. */
async function refreshSubjects(
  tx: Tx,
  subjects: FeedSubjects,
  source: string,
  asOf: string,
  knownMarkings: ReadonlyMap<string, string | null>,
): Promise<StoredEvent[]> {
  const kev = await kevDrafts(tx, subjects.releaseIds, source, asOf);
  const drift = await driftDrafts(tx, subjects.deploymentIds, source, asOf, knownMarkings);
  await writeStates(tx, [...kev.states, ...drift.states]);
  return appendEvents(tx, [...kev.drafts, ...drift.drafts]);
}

/** A node a `deleteNode` removed in this transaction: its id, label and marking as they were. */
export interface DeletedNode {
  id: string;
  label: string;
  classification: string | null;
}

/**
 * The feed refresh of a deleted node, in the deleting transaction. `subjects` must be read with
 * reachFeedSubjects BEFORE the DETACH DELETE (afterwards the node reaches nothing). Removes the
 * node's own stored state (a deployment's `drift:<LEVEL>:<id>` at every level, a release's `kev:<id>`; no event for the
 * deleted subject itself), then re-assesses the other subjects it reached: a resolved finding
 * naming the deleted node is marked with the node's marking as it was (it is no longer in the
 * graph to be read). Returns the events written.
 */
export async function refreshFeedStateAfterDelete(tx: Tx, deleted: DeletedNode, subjects: FeedSubjects, source: string): Promise<StoredEvent[]> {
  const own = feedStateIdsOf(deleted.label, deleted.id);
  if (own.length > 0) await tx.run('events.deleteFeedState', `UNWIND $ids AS id MATCH (s:${STATE} {id: id}) DELETE s`, { ids: own });
  const others = {
    deploymentIds: subjects.deploymentIds.filter((id) => id !== deleted.id),
    releaseIds: subjects.releaseIds.filter((id) => id !== deleted.id),
  };
  return refreshSubjects(tx, others, source, today(), new Map([[deleted.id, deleted.classification ?? 'UNCLASSIFIED']]));
}

/** Deployments re-assessed per transaction by `refreshAllDeployments`. */
export const REFRESH_BATCH = 500;

/**
 * Scope drift changes by date alone (a support end or KEV due date passes, a validity ends): the
 * sweep re-assesses every deployment on `asOf`, REFRESH_BATCH per transaction, and writes the
 * SCOPE_DRIFT_CHANGED events of those whose findings changed. Returns the number of events.
 * `idPrefix` limits it to the deployments whose id starts with it (the generator: its own `gen:`
 * world, which reaches nothing else; re-assessing every other deployment in the database there
 * only took locks on other writers' feed state).
 */
export async function refreshAllDeployments(db: Database, source: string, asOf: string, idPrefix = ''): Promise<number> {
  let afterId = '';
  let written = 0;
  for (;;) {
    const batch = await db.writeTransaction(undefined, async (tx) => {
      const rows = await tx.run(
        'events.deploymentsPage',
        `MATCH (dep:Deployment) WHERE dep.id > $afterId AND dep.id STARTS WITH $idPrefix RETURN dep.id AS id ORDER BY id LIMIT toInteger($limit)`,
        { afterId, idPrefix, limit: REFRESH_BATCH },
      );
      const ids = rows.map((r) => String(r.id));
      const events = await refreshFeedState(tx, ids, source, asOf);
      return { ids, events: events.length };
    });
    written += batch.events;
    const last = batch.ids[batch.ids.length - 1];
    if (!last || batch.ids.length < REFRESH_BATCH) break;
    afterId = last;
  }
  return written;
}
