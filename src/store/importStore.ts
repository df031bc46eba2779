/**
 * The importers' loader: writes one parsed document (an ImportBatch) in ONE write transaction
 * through the store's one write path (`writeBatch`, src/store/batchWriter.ts), with the
 * importers' rules as its write policy: cross-source joins, refused ids and keyed ends as guards,
 * the visible-merge rule for relationships, the caller's clearance; then, in the same
 * transaction, CVE matching and the stale marking of what an earlier version of the same document
 * wrote but this one no longer contains.
 *
 * Ownership: a node belongs to the document that created it (its `sourceRef` starts with the
 * document key). Nodes of other origin that this document joins to (a seed Threat with the same
 * ATT&CK id, a CVE first written by KEV and named again in an SBOM) are only enriched: missing
 * properties are filled, nothing is overwritten, their provenance and run stay their owner's.
 */
import { planDatedHistory, planSnapshot, type PlannedChange, type PreviousState, type SnapshotStatus } from '../domain/cmvp';
import { LABELS, RELATIONSHIPS, markingsVisibleTo, type Classification, type Label } from '../domain/model';
import type { BatchNode, BatchRelationship, ImportBatch, RelationshipGroup } from '../importers/types';
import { writeBatch, type BatchCounts, type RelationshipGroupWrite, type WriteBatch } from './batchWriter';
import { matchCveRanges } from './cveMatchStore';
import type { Database, QueryStats, Tx } from './database';
import type { ProvenanceStamp, WriteCounts } from './graphStore';
import { recordSnapshotChanges } from './snapshotStatusStore';

export interface LoadCounts extends WriteCounts {
  /** Rows not written: duplicates, or relationships whose ends are not in the graph. */
  skipped: number;
  /** Nodes or relationships of an earlier version of the document marked stale by this run. */
  stale: number;
}

export interface LoadResult {
  nodes: Record<string, LoadCounts>;
  relationships: Record<string, LoadCounts>;
  /** Non-fatal remarks (e.g. a control a component-definition names that is not in the graph). */
  problems: string[];
  /** Ids remapped to existing nodes by a join key: imported id -> existing id. */
  joined: Record<string, string>;
  /** Counts the loader adds to the parser's (CVE matching: `noComponentMatched`, `matchedVulnerabilities`). */
  stats: Record<string, number>;
  /**
   * Relationship ends the document names that are not in the graph or not visible to the caller,
   * counted per label as distinct ids (or key values, e.g. a Threat `externalId`).
   */
  missingEnds: Record<string, number>;
  /** What a dated list changed in the status history (formats with a status snapshot only). */
  snapshot?: SnapshotSummary;
}

export interface SnapshotStatusChange {
  certificationId: string;
  reference: string;
  status: SnapshotStatus;
  effectiveFrom: string;
  reason: string;
}

export interface SnapshotSummary {
  asOf: string;
  /** Latest earlier snapshot of the same document in the graph, if any. */
  previousAsOf: string | null;
  /** Certificate numbers first seen in this snapshot while an earlier one was in the graph. */
  newCertifications: string[];
  /** Certifications active in an earlier snapshot and expired or revoked in this one. */
  moved: SnapshotStatusChange[];
  /** Status history entries this import recorded (re-recording an existing one does not count). */
  statusChangesRecorded: number;
  /** Certifications a newer snapshot already wrote: left as they are (no roll-back). */
  keptNewer: number;
}

/**
 * One document is one transaction; a large catalog (KEV: 1,404 entries) takes seconds, more on
 * a cold JVM, so imports get a longer transaction timeout than API queries.
 */
export const IMPORT_TRANSACTION_TIMEOUT_MS = 300_000;

export interface LoadOptions {
  runId: string;
  assertedBy: string;
  assertedAt: Date;
  /** Run everything, report what would change, then roll back. */
  dryRun: boolean;
  /** Clearance of the caller: nodes above it are neither joined to nor written (default SECRET, for trusted tools). */
  clearance?: Classification;
  stats?: QueryStats;
  onProgress?: (done: number, total: number) => void;
  /**
   * BENCHMARK ONLY (bench/eventCost.ts): write without the change feed's events (a snapshot's
   * status events and the new claims' link events), to measure what the events cost. The import
   * service and CLI never set it.
   */
  skipEventsForBenchmark?: boolean;
  /** BENCHMARK ONLY (bench/feedRefreshCost.ts): see WriteOptions.skipFeedRefreshForBenchmark (src/store/batchWriter.ts). */
  skipFeedRefreshForBenchmark?: boolean;
}

/** What the import service writes through: one batch, one transaction. */
export interface BatchLoader {
  load(batch: ImportBatch, options: LoadOptions): Promise<LoadResult>;
}

/**
 * A loader over the database. With `bound`, every load runs at that clearance and counts its
 * round trips in those stats whatever the options say (the API binds it to the caller).
 */
export function batchLoader(db: Database, bound: { clearance?: Classification; stats?: QueryStats } = {}): BatchLoader {
  return {
    load: (batch, options) =>
      loadBatch(db, batch, { ...options, ...(bound.clearance ? { clearance: bound.clearance } : {}), ...(bound.stats ? { stats: bound.stats } : {}) }),
  };
}

/** Thrown inside the transaction to roll a dry run back while keeping its result. */
class DryRunRollback extends Error {
  constructor(readonly result: LoadResult) {
    super('dry run');
  }
}

const ALL_LABELS = LABELS.join('|');

function emptyCounts(): LoadCounts {
  return { created: 0, updated: 0, unchanged: 0, skipped: 0, stale: 0 };
}

function addCounts(into: LoadCounts, c: WriteCounts): void {
  into.created += c.created;
  into.updated += c.updated;
  into.unchanged += c.unchanged;
}

/** sourceRef prefix shared by every version of the document. */
export function documentPrefix(batch: ImportBatch): string {
  return `${batch.documentKey}@`;
}

/**
 * `<document key>@<version>`, with `%` and `@` in the version percent-encoded: the last `@` then
 * always separates key and version, so a document is matched by its exact key (see `ownedBy`) and
 * a name like `X` never reaches the nodes of a document named `X@Y`.
 */
export function documentRef(batch: ImportBatch): string {
  return `${documentPrefix(batch)}${batch.documentVersion.replace(/%/g, '%25').replace(/@/g, '%40')}`;
}

/** Whether a sourceRef was stamped by a version of exactly the document with this prefix (the same test as `OWNED_BY` in Cypher). */
export function ownedBy(sourceRef: string | null, prefix: string): boolean {
  return sourceRef !== null && sourceRef.startsWith(prefix) && !sourceRef.slice(prefix.length).includes('@');
}

/** Cypher for `ownedBy` on variable `v` with parameter `$prefix`. */
const OWNED_BY = (v: string) => `${v}.sourceRef STARTS WITH $prefix AND NOT substring(${v}.sourceRef, size($prefix)) CONTAINS '@'`;

/**
 * Nodes already in the graph under another id with the same join-key value (e.g. a seed Threat
 * with `externalId: "T1474"`), for the rows whose own id does not exist yet.
 */
async function resolveJoins(tx: Tx, label: Label, key: string, rows: BatchNode[], markings: Classification[]): Promise<Map<string, string>> {
  const candidates = rows.filter((r) => typeof r.props[key] === 'string').map((r) => ({ id: r.id, value: r.props[key] }));
  if (candidates.length === 0) return new Map();
  const result = await tx.run(
    `importJoin${label}.${key}`,
    `UNWIND $rows AS row
     OPTIONAL MATCH (own:${label} {id: row.id})
     WITH row, own WHERE own IS NULL
     MATCH (other:${label}) WHERE other[$key] = row.value AND other.classification IN $markings
     // Several candidates: the smallest id wins, deterministically.
     RETURN row.id AS id, min(other.id) AS joined`,
    { rows: candidates, key, markings },
  );
  return new Map(result.map((r) => [String(r.id), String(r.joined)]));
}

interface Existing {
  label: string;
  classification: string | null;
  sourceRef: string | null;
  stale: boolean;
  props: Record<string, unknown>;
}

/** The nodes already using each id, whatever their label or marking (ids are unique across labels, as for `upsert*`). */
async function readExisting(tx: Tx, ids: string[]): Promise<Map<string, Existing[]>> {
  const rows = await tx.run(
    'importExisting',
    // One index seek per label (a label disjunction `n:A|B|…` is not answered from the id indexes).
    `UNWIND $ids AS id
     CALL (id) {
       ${LABELS.map((l) => `MATCH (n:${l} {id: id}) RETURN n`).join('\n       UNION ALL\n       ')}
     }
     RETURN n.id AS id, labels(n)[0] AS label, n.classification AS classification, n.sourceRef AS sourceRef, coalesce(n.stale, false) AS stale, properties(n) AS props`,
    { ids },
  );
  const out = new Map<string, Existing[]>();
  for (const r of rows) {
    const list = out.get(String(r.id)) ?? [];
    list.push({
      label: String(r.label),
      classification: typeof r.classification === 'string' ? r.classification : null,
      sourceRef: typeof r.sourceRef === 'string' ? r.sourceRef : null,
      stale: r.stale === true,
      props: (r.props ?? {}) as Record<string, unknown>,
    });
    out.set(String(r.id), list);
  }
  return out;
}

/**
 * The one answer for a document row whose id another node uses: of another label (visible or
 * not) or of the same label above the caller's clearance. It names neither label nor marking.
 */
export function idInUseProblem(where: string, label: Label, id: string): string {
  return `${where}: ${label} ${id} not written: the id is already used by another node`;
}

/** Targets named by a property value (e.g. `controlId`) -> node ids. */
async function resolveByKey(tx: Tx, label: Label, key: string, values: string[], markings: Classification[]): Promise<Map<string, string>> {
  const rows = await tx.run(
    `importResolve${label}.${key}`,
    `UNWIND $values AS value MATCH (n:${label}) WHERE n[$key] = value AND coalesce(n.stale, false) = false AND n.classification IN $markings
     RETURN value, min(n.id) AS id`,
    { values: [...new Set(values)], key, markings },
  );
  return new Map(rows.map((r) => [String(r.value), String(r.id)]));
}

function dedupe(rows: BatchRelationship[]): { rows: BatchRelationship[]; duplicates: number } {
  const seen = new Set<string>();
  const out: BatchRelationship[] = [];
  for (const r of rows) {
    const key = `${r.fromId}\u0000${r.toId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return { rows: out, duplicates: rows.length - out.length };
}

/** Records a missing end once per label and id. */
function noteMissing(seen: Map<string, Set<string>>, label: Label, id: string): void {
  const ids = seen.get(label) ?? new Set<string>();
  ids.add(id);
  seen.set(label, ids);
}

/** A writer's counts as the loader reports them (kept rows do not occur in imports). */
function loadCounts(c: BatchCounts): LoadCounts {
  // Kept rows: certifications a newer snapshot already wrote (left as they are).
  return { created: c.created, updated: c.updated, unchanged: c.unchanged + c.kept, skipped: c.skipped, stale: 0 };
}

/** A date as the store hands it back ('YYYY-MM-DD'), or null. */
function dateText(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}

/** Latest snapshot date of the document's certifications before `asOf`. */
async function previousSnapshotDate(tx: Tx, prefix: string, asOf: string): Promise<string | null> {
  const rows = await tx.run(
    'importPreviousSnapshot',
    `MATCH (c:Certification) WHERE c.snapshotDate < date($asOf) AND ${OWNED_BY('c')}
     RETURN max(c.snapshotDate) AS previous`,
    { asOf, prefix },
  );
  return dateText(rows[0]?.previous);
}

/** Writes a parsed document in one transaction (or rolls it back for a dry run). */
export async function loadBatch(db: Database, batch: ImportBatch, options: LoadOptions): Promise<LoadResult> {
  const prefix = documentPrefix(batch);
  const stamp: ProvenanceStamp = {
    source: batch.source,
    sourceRef: documentRef(batch),
    assertedBy: options.assertedBy,
    assertedAt: options.assertedAt,
    runId: options.runId,
  };
  const total = [...batch.nodes.values()].reduce((n, rows) => n + rows.length, 0) + batch.relationships.reduce((n, g) => n + g.rows.length, 0);
  const clearance = options.clearance ?? 'SECRET';
  const markings = markingsVisibleTo(clearance);
  const result: LoadResult = { nodes: {}, relationships: {}, problems: [], joined: {}, stats: {}, missingEnds: {} };
  const missingEnds = new Map<string, Set<string>>();
  const remap = new Map<string, string>();
  // Ids the document may not write (used by a hidden node or a node of another label): not written, nor linked to.
  const refused = new Set<string>();
  // The parser's groups, for their keyed ends (the writer hands back the same group objects).
  const keyed = new Map<RelationshipGroupWrite<BatchRelationship>, RelationshipGroup>(batch.relationships.map((g) => [g, g]));
  // Dated lists: what the graph held of each certification before this import, and the latest earlier snapshot.
  const snapshot = batch.statusSnapshot;
  const previous = new Map<string, PreviousState>();
  const keptNewer = new Set<string>();
  let previousAsOf: string | null = null;
  const rows: WriteBatch<BatchNode, BatchRelationship> = {
    nodes: [...batch.nodes].map(([label, nodes]) => ({ label, rows: nodes })),
    relationships: batch.relationships,
  };
  try {
    await writeBatch(
      db,
      rows,
      stamp,
      {
        clearance,
        relationshipMerge: 'visible',
        feedSource: `import:${batch.format.toLowerCase()}:${documentRef(batch)}`,
        // Joins, duplicates, refused ids; nodes another source owns are only enriched.
        nodeGuard: async (tx, { label, rows: nodes }) => {
          let skipped = 0;
          const key = batch.joinKeys[label];
          if (key) {
            for (const [from, to] of await resolveJoins(tx, label, key, nodes, markings)) {
              remap.set(from, to);
              result.joined[from] = to;
            }
          }
          const unique = new Map<string, BatchNode>();
          for (const row of nodes) {
            const id = remap.get(row.id) ?? row.id;
            if (unique.has(id)) {
              skipped += 1;
              continue;
            }
            unique.set(id, { id, props: row.props, where: row.where });
          }
          const existing = await readExisting(tx, [...unique.keys()]);
          const where = new Map(nodes.map((r) => [remap.get(r.id) ?? r.id, r.where]));
          let kept = 0;
          if (snapshot && label === 'Certification') {
            if (!snapshot.datedHistory) previousAsOf = await previousSnapshotDate(tx, prefix, snapshot.asOf);
            for (const [id, users] of existing) {
              const found = users.find((u) => u.label === 'Certification' && markings.includes(u.classification as Classification));
              if (!found || !ownedBy(found.sourceRef, prefix)) continue;
              const state: PreviousState = {
                status: typeof found.props.status === 'string' ? found.props.status : null,
                snapshotDate: dateText(found.props.snapshotDate),
                validUntil: dateText(found.props.validUntil),
              };
              previous.set(id, state);
              // An older snapshot imported after a newer one leaves what the newer one wrote.
              if (!snapshot.datedHistory && state.snapshotDate !== null && state.snapshotDate > snapshot.asOf) {
                keptNewer.add(id);
                unique.delete(id);
                kept += 1;
              }
            }
          }
          const owned: BatchNode[] = [];
          const foreign: { id: string; props: Record<string, unknown> }[] = [];
          for (const row of unique.values()) {
            const users = existing.get(row.id) ?? [];
            const found = users.find((u) => u.label === label);
            if (users.some((u) => u.label !== label) || (found && !markings.includes(found.classification as Classification))) {
              refused.add(row.id);
              skipped += 1;
              result.problems.push(idInUseProblem(where.get(row.id) ?? label, label, row.id));
              continue;
            }
            if (!found || found.stale || ownedBy(found.sourceRef, prefix)) owned.push(row);
            else {
              const missing: Record<string, unknown> = {};
              for (const [k, v] of Object.entries(row.props))
                if (v !== null && v !== undefined && (found.props[k] === null || found.props[k] === undefined)) missing[k] = v;
              foreign.push({ id: row.id, props: missing });
            }
          }
          return { write: owned, enrich: foreign, skipped, kept };
        },
        // Joined ids, ends named by a key, rows touching a refused id, duplicates.
        relationshipGuard: async (tx, group) => {
          const parsed = keyed.get(group);
          if (!parsed) throw new Error(`relationship group ${group.type} is not the document's`);
          const counts = emptyCounts();
          let rels = group.rows.map((r) => ({
            ...r,
            fromId: parsed.fromKey ? r.fromId : (remap.get(r.fromId) ?? r.fromId),
            toId: parsed.toKey ? r.toId : (remap.get(r.toId) ?? r.toId),
          }));
          if (parsed.fromKey) rels = await resolveKeyedEnds(tx, parsed, 'from', rels, result, counts, markings, missingEnds);
          if (parsed.toKey) rels = await resolveKeyedEnds(tx, parsed, 'to', rels, result, counts, markings, missingEnds);
          const touchingRefused = rels.filter((r) => refused.has(r.fromId) || refused.has(r.toId)).length;
          counts.skipped += touchingRefused;
          if (touchingRefused > 0) rels = rels.filter((r) => !refused.has(r.fromId) && !refused.has(r.toId));
          const { rows: uniqueRows, duplicates } = dedupe(rels);
          return { write: uniqueRows, skipped: counts.skipped + duplicates };
        },
        // An end the caller cannot see is answered as a missing one (the same remark).
        onMissing: (group, missing, counts) => {
          for (const m of missing) {
            counts.skipped += 1;
            if (m.missingFrom) noteMissing(missingEnds, group.fromLabel, m.fromId);
            if (m.missingTo) noteMissing(missingEnds, group.toLabel, m.toId);
            result.problems.push(
              `${m.where}: ${group.type} ${m.fromId} -> ${m.toId} skipped: no ${group.toLabel} ${m.toId} (or ${group.fromLabel} ${m.fromId}) in the graph`,
            );
          }
        },
        onProgress: (done) => options.onProgress?.(done, total),
      },
      {
        stats: options.stats,
        timeoutMs: Math.max(db.queryTimeoutMs, IMPORT_TRANSACTION_TIMEOUT_MS),
        ...(options.skipFeedRefreshForBenchmark === true ? { skipFeedRefreshForBenchmark: true } : {}),
        ...(options.skipEventsForBenchmark === true ? { skipLinkEventsForBenchmark: true } : {}),
        finish: async (tx, written) => {
          for (const [label, counts] of Object.entries(written.nodes)) result.nodes[label] = loadCounts(counts);
          for (const [type, counts] of Object.entries(written.relationships)) result.relationships[type] = loadCounts(counts);
          for (const [label, ids] of missingEnds) result.missingEnds[label] = ids.size;
          // CVE ranges <-> components: the document's vulnerabilities, and any components it wrote.
          const writtenIds = (label: Label) =>
            [...new Set((batch.nodes.get(label) ?? []).map((r) => remap.get(r.id) ?? r.id))].filter((id) => !refused.has(id));
          const vulnerabilityIds = batch.format === 'CVE' ? writtenIds('Vulnerability') : [];
          const componentIds = batch.cveMatching === false ? [] : writtenIds('Component');
          if (vulnerabilityIds.length > 0 || componentIds.length > 0) {
            const match = await matchCveRanges(tx, { vulnerabilityIds, componentIds }, stamp, markings);
            if (match.evaluated > 0 || batch.format === 'CVE') {
              const counts = (result.relationships.AFFECTS ??= emptyCounts());
              addCounts(counts, match);
              counts.stale += match.stale;
              result.stats.matchedVulnerabilities = match.evaluated - match.noComponentMatched.length;
              if (batch.format === 'CVE') result.stats['no component matched'] = match.noComponentMatched.length;
            }
          }
          if (batch.staleMarking !== false) await markStale(tx, prefix, options.runId, batch, result, markings);
          if (snapshot) {
            const entries = snapshot.entries.filter((e) => !refused.has(e.certificationId));
            const plan = snapshot.datedHistory
              ? { changes: planDatedHistory(entries, previous), newReferences: [], newerKept: [] }
              : planSnapshot(snapshot.asOf, entries, previous, previousAsOf);
            const recorded = await recordSnapshotChanges(tx, plan.changes, {
              source: `import:${batch.format.toLowerCase()}:${documentRef(batch)}`,
              sourceRef: `${snapshot.program} snapshot ${snapshot.asOf}`,
              recordedAt: options.assertedAt,
              skipEventsForBenchmark: options.skipEventsForBenchmark === true,
            });
            const moved = (c: PlannedChange): SnapshotStatusChange => ({
              certificationId: c.certificationId,
              reference: c.reference,
              status: c.status,
              effectiveFrom: c.effectiveFrom,
              reason: c.reason,
            });
            result.snapshot = {
              asOf: snapshot.asOf,
              previousAsOf,
              newCertifications: plan.newReferences,
              moved: plan.changes.filter((c) => c.moved).map(moved),
              statusChangesRecorded: recorded,
              keptNewer: keptNewer.size,
            };
          }
          if (options.dryRun) throw new DryRunRollback(result);
        },
      },
    );
    return result;
  } catch (error) {
    if (error instanceof DryRunRollback) return error.result;
    throw error;
  }
}

/** Resolves the ends of one side named by a property value (`toKey` / `fromKey`) to node ids; rows without a visible match are skipped and counted. */
async function resolveKeyedEnds(
  tx: Tx,
  group: RelationshipGroup,
  side: 'from' | 'to',
  rows: BatchRelationship[],
  result: LoadResult,
  counts: LoadCounts,
  markings: Classification[],
  missingEnds: Map<string, Set<string>>,
): Promise<BatchRelationship[]> {
  const key = (side === 'from' ? group.fromKey : group.toKey) ?? 'id';
  const label = side === 'from' ? group.fromLabel : group.toLabel;
  const value = (r: BatchRelationship) => (side === 'from' ? r.fromId : r.toId);
  const ids = await resolveByKey(tx, label, key, rows.map(value), markings);
  const out: BatchRelationship[] = [];
  for (const r of rows) {
    const id = ids.get(value(r));
    if (id) out.push(side === 'from' ? { ...r, fromId: id } : { ...r, toId: id });
    else {
      counts.skipped += 1;
      noteMissing(missingEnds, label, value(r));
      result.problems.push(`${r.where}: no ${label} with ${key} ${value(r)} in the graph; ${group.type} skipped`);
    }
  }
  return out;
}

/**
 * Everything an earlier version of this document wrote that this run did not see becomes
 * stale (kept, flagged, with the run that last saw it in `lastSeenRun`).
 */
async function markStale(tx: Tx, prefix: string, runId: string, batch: ImportBatch, result: LoadResult, markings: Classification[]): Promise<void> {
  // Only what the caller can see: a node at or below its clearance; a relationship whose marking
  // and both ends are (what is hidden from it is neither flagged nor counted).
  const nodes = await tx.run(
    'importMarkStaleNodes',
    `MATCH (n:${ALL_LABELS})
     WHERE ${OWNED_BY('n')} AND n.classification IN $markings AND coalesce(n.lastSeenRun, '') <> $runId AND coalesce(n.stale, false) = false
     SET n.stale = true
     RETURN labels(n)[0] AS label, count(*) AS stale`,
    { prefix, runId, markings },
  );
  for (const r of nodes) (result.nodes[String(r.label)] ??= emptyCounts()).stale += Number(r.stale);
  // Only the relationship types this format writes (parsers declare their groups even when
  // empty), so the scan does not walk every relationship of the graph.
  const types = [...new Set(batch.relationships.map((g) => RELATIONSHIPS[g.type].type))];
  if (types.length === 0) return;
  const rels = await tx.run(
    'importMarkStaleRelationships',
    `MATCH (a)-[r:${types.join('|')}]->(b)
     WHERE ${OWNED_BY('r')} AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings AND a.classification IN $markings AND b.classification IN $markings
       AND coalesce(r.lastSeenRun, '') <> $runId AND coalesce(r.stale, false) = false
     SET r.stale = true
     RETURN type(r) AS type, count(*) AS stale`,
    { prefix, runId, markings },
  );
  for (const r of rels) (result.relationships[String(r.type)] ??= emptyCounts()).stale += Number(r.stale);
}

export interface MitigatedTechnique {
  externalId: string | null;
  threatId: string;
  name: string;
  /** Cleared devices whose own or component controls mitigate the technique. */
  devices: string[];
  /** The implemented controls that mitigate it (directly or through a MAPS_TO mapping). */
  controls: string[];
}

/**
 * The cross-source question: techniques of a platform (e.g. `iOS`) mitigated by controls that a
 * device covered by an active clearance implements, itself or through its components. Revoked,
 * deprecated and stale techniques are left out; nothing above the caller's clearance is used.
 */
export async function techniquesMitigatedOnClearedDevices(db: Database, platform: string, clearance: Classification): Promise<MitigatedTechnique[]> {
  const rows = await db.read(
    undefined,
    'techniquesMitigatedOnClearedDevices',
    `MATCH (cert:Certification {kind: 'CLEARANCE'})-[:CERTIFIES]->(d:Device)
     WHERE coalesce(cert.status, 'ACTIVE') = 'ACTIVE' AND cert.classification IN $markings AND d.classification IN $markings
     // the device itself (0 hops) or any component under it implements the control
     MATCH (d)-[:HAS_COMPONENT*0..4]->(asset)-[:IMPLEMENTS]->(c:Control)
     WHERE asset.classification IN $markings AND c.classification IN $markings AND coalesce(c.stale, false) = false
     // the control mitigates the technique itself or through a cross-framework mapping
     MATCH (c)-[:MAPS_TO*0..1]-(m:Control)-[mit:MITIGATES]->(t:Threat)
     WHERE m.classification IN $markings AND t.classification IN $markings AND $platform IN coalesce(t.platforms, [])
       AND t.externalId IS NOT NULL
       AND coalesce(t.revoked, false) = false AND coalesce(t.deprecated, false) = false AND coalesce(t.stale, false) = false
       AND coalesce(mit.stale, false) = false
     RETURN t.id AS threatId, t.externalId AS externalId, t.name AS name,
            collect(DISTINCT d.id) AS devices, collect(DISTINCT c.id) AS controls
     ORDER BY externalId, threatId`,
    { platform, markings: markingsVisibleTo(clearance) },
  );
  return rows.map((r) => ({
    threatId: String(r.threatId),
    externalId: typeof r.externalId === 'string' ? r.externalId : null,
    name: String(r.name),
    devices: (r.devices as string[]).slice().sort(),
    controls: (r.controls as string[]).slice().sort(),
  }));
}
