/**
 * The one write path for bulk data: the importers' loader (importStore.ts), the seed
 * (src/seed/loadSeed.ts), the generator (src/generator/load.ts) and the test fixtures
 * (test/helpers/graph.ts) all write through `writeBatch`.
 *
 * A call takes node rows grouped by label and relationship rows grouped by type and end labels,
 * a provenance stamp and a write policy, and writes them with UNWIND (the bulk writers of
 * graphStore.ts) in ONE write transaction: every node group first, in order, then every
 * relationship group. On the way every row is validated against the model
 * (src/domain/validation.ts) at the writer's clearance, so no writer can set a marking above its
 * clearance or a value the model refuses. Each caller keeps its own rules as a policy:
 *
 * - `defaultMarking`: the marking given to node rows that carry none (seed, fixtures);
 * - `relationshipMerge`: `merge` (one relationship per pair and type, trusted writers) or
 *   `visible` (the importers' rule: only relationships visible at the writer's markings are
 *   compared and updated, one is created beside a hidden one);
 * - `nodeGuard` / `relationshipGuard`: per group, decides which rows are written, which only
 *   enrich a node another source owns, which are kept as they are and which are skipped (the
 *   seed's ownership rule; the importers' joins, refused ids and keyed ends);
 * - `onMissing`: what to do with relationship rows whose end is missing or hidden (left out, it
 *   is reported in the result's `missing`);
 * - `finish`: more work in the same transaction before it commits (CVE matching, stale marking,
 *   the rollback of a dry run).
 */
import { RELATIONSHIPS, markingsVisibleTo, propertySpec, type Classification, type Label, type RelationshipType } from '../domain/model';
import { validateId, validateNodeInput, validateRelationshipProperties, type Problem } from '../domain/validation';
import { toNeo4jProperty } from './convert';
import type { Database, QueryStats, Tx } from './database';
import {
  mergeRelationships,
  relProps,
  stampParams,
  upsertNodes,
  type NodeWrite,
  type ProvenanceStamp,
  type RelationshipWrite,
  type WriteCounts,
} from './bulkWrites';
import { canChangeFeedState, canChangeFeedStateByLink, emitLinkEvents, isLinkEventCandidate, refreshFeedState, type CreatedLink } from './feedEmitters';

/** A node row; `where` names its place in the source (a document path, a seed file) for messages. */
export interface NodeRow extends NodeWrite {
  where?: string;
}

/** A relationship row; `where` names its place in the source for messages. */
export interface RelationshipRow extends RelationshipWrite {
  where?: string;
}

export interface NodeGroup<N extends NodeRow = NodeRow> {
  label: Label;
  /** Overrides the stamp's `source` for this group (the seed names a source per row). */
  source?: string;
  rows: N[];
}

export interface RelationshipGroupWrite<R extends RelationshipRow = RelationshipRow> {
  type: RelationshipType;
  fromLabel: Label;
  toLabel: Label;
  /** Overrides the stamp's `source` for this group. */
  source?: string;
  rows: R[];
}

export interface WriteBatch<N extends NodeRow = NodeRow, R extends RelationshipRow = RelationshipRow> {
  nodes: NodeGroup<N>[];
  relationships: RelationshipGroupWrite<R>[];
}

/** What a guard decided for one group's rows. */
export interface GuardDecision<T> {
  /** Rows written with the stamp (possibly changed by the guard, e.g. a remapped id). */
  write: T[];
  /** Node rows whose properties only fill what is missing on a node another source owns (its provenance is kept). */
  enrich?: NodeWrite[];
  /** Rows left as they are on purpose (someone else changed them since). */
  kept?: number;
  /** Rows not written (duplicates, refused ids, unresolved ends). */
  skipped?: number;
}

export type NodeGuard<N extends NodeRow = NodeRow> = (tx: Tx, group: NodeGroup<N>) => Promise<GuardDecision<N>>;
export type RelationshipGuard<R extends RelationshipRow = RelationshipRow> = (tx: Tx, group: RelationshipGroupWrite<R>) => Promise<GuardDecision<R>>;

/** A relationship row not written because an end is missing or not visible, and which. */
export type MissingRow<R extends RelationshipRow = RelationshipRow> = R & { missingFrom: boolean; missingTo: boolean };

export interface BatchCounts extends WriteCounts {
  kept: number;
  skipped: number;
}

export interface BatchWriteResult<R extends RelationshipRow = RelationshipRow> {
  /** Per label, for every node group (also empty ones). */
  nodes: Record<string, BatchCounts>;
  /** Per relationship type, for every relationship group (also empty ones). */
  relationships: Record<string, BatchCounts>;
  /** Relationship rows with a missing or hidden end not handed to `onMissing`. */
  missing: { group: RelationshipGroupWrite<R>; rows: MissingRow<R>[] }[];
  /** New SUPERSEDES / CERTIFIES claims of certifications (the change feed's link events). */
  createdLinks: CreatedLink[];
  /**
   * Ids the change feed's drift and KEV refresh starts from: the nodes written whose label can
   * change that state (`canChangeFeedState`) and the ends of the relationships written whose type
   * can (`canChangeFeedStateByLink`). Empty for a write that cannot change it (e.g. ATT&CK).
   */
  touchedIds: Set<string>;
}

export interface WritePolicy<N extends NodeRow = NodeRow, R extends RelationshipRow = RelationshipRow> {
  /** The writer's clearance: rows are validated at it, and `visible` merges see only what it sees. */
  clearance: Classification;
  /** Marking of node rows that carry none. Without it a new node is UNCLASSIFIED and a stored one keeps its marking. */
  defaultMarking?: Classification;
  /** `merge` (default): one relationship per pair and type. `visible`: the importers' rule (see docs/SECURITY.md). */
  relationshipMerge?: 'merge' | 'visible';
  /** Validate every row against the model before writing (default true). */
  validate?: boolean;
  nodeGuard?: NodeGuard<N>;
  relationshipGuard?: RelationshipGuard<R>;
  /** Called right after each relationship group is written with its rows whose end is missing or hidden; may throw (rolls back). */
  onMissing?: (group: RelationshipGroupWrite<R>, rows: MissingRow<R>[], counts: BatchCounts) => void;
  /** Called after each group with the number of rows handled so far. */
  onProgress?: (done: number) => void;
  /** Provenance on the change feed's events (docs/EVENTS.md); default `<source>:<sourceRef>` of the stamp. */
  feedSource?: string;
}

export interface WriteOptions<R extends RelationshipRow = RelationshipRow> {
  stats?: QueryStats;
  timeoutMs?: number;
  /** More work in the same transaction, after the groups are written and before the commit. */
  finish?: (tx: Tx, result: BatchWriteResult<R>) => Promise<void>;
  /**
   * BENCHMARK ONLY (bench/feedRefreshCost.ts): skip the change feed's drift and known-exploited
   * refresh, to measure what it costs. No API, CLI, importer, seed or generator path sets it.
   */
  skipFeedRefreshForBenchmark?: boolean;
  /**
   * BENCHMARK ONLY (bench/eventCost.ts): skip the change feed's link events (new CERTIFIES /
   * SUPERSEDES claims), to measure what events cost. No API, CLI, importer, seed or generator path sets it.
   */
  skipLinkEventsForBenchmark?: boolean;
  /**
   * The caller refreshes the feed's drift and known-exploited state itself once its last batch is
   * written (the generator: `refreshAllDeployments` after all its chunks), instead of after each
   * batch: a load split into many transactions then reports the net change, once.
   */
  deferFeedRefresh?: boolean;
}

/** A row refused by the model or the writer's clearance; nothing of the call is written. */
export class InvalidRowError extends Error {}

function emptyCounts(): BatchCounts {
  return { created: 0, updated: 0, unchanged: 0, kept: 0, skipped: 0 };
}

function addCounts(into: BatchCounts, c: WriteCounts): void {
  into.created += c.created;
  into.updated += c.updated;
  into.unchanged += c.unchanged;
}

function refuse(place: string, problem: Problem): never {
  const path = problem.path.join('.');
  throw new InvalidRowError(`${place}${path ? `.${path}` : ''}: ${problem.message}`);
}

/** Checks every row of the batch against the model at the writer's clearance; throws InvalidRowError naming the first bad row. */
export function validateWriteBatch(batch: WriteBatch, clearance: Classification): void {
  for (const group of batch.nodes) {
    for (const row of group.rows) {
      const place = row.where ?? `${group.label} ${row.id}`;
      const problem = validateId(row.id, ['id'])[0] ?? validateNodeInput(group.label, row.props, clearance, {}, [])[0];
      if (problem) refuse(place, problem);
    }
  }
  for (const group of batch.relationships) {
    for (const row of group.rows) {
      const problem = validateRelationshipProperties(group.type, row.props, clearance, [])[0];
      if (problem) refuse(row.where ?? `${group.type} ${row.fromId} -> ${row.toId}`, problem);
    }
  }
}

/** Groups flat node rows by label (and source), in first-seen order. */
export function groupNodes<T extends { label: Label; source?: string } & NodeRow>(rows: T[]): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  for (const { label, source, ...row } of rows) {
    const key = JSON.stringify([label, source ?? null]);
    const group = groups.get(key) ?? { label, ...(source === undefined ? {} : { source }), rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Groups flat relationship rows by type, end labels (looked up by id in `labelOf`) and source, in
 * first-seen order. An end without a label is refused with `unknownEnd`.
 */
export function groupRelationships<T extends { type: RelationshipType; source?: string } & RelationshipRow>(
  rows: T[],
  labelOf: (id: string) => Label | undefined,
  unknownEnd: (row: T) => Error,
): RelationshipGroupWrite[] {
  const groups = new Map<string, RelationshipGroupWrite>();
  for (const row of rows) {
    const { type, source, ...rest } = row;
    const fromLabel = labelOf(row.fromId);
    const toLabel = labelOf(row.toId);
    if (!fromLabel || !toLabel) throw unknownEnd(row);
    const key = JSON.stringify([type, fromLabel, toLabel, source ?? null]);
    const group = groups.get(key) ?? { type, fromLabel, toLabel, ...(source === undefined ? {} : { source }), rows: [] };
    group.rows.push(rest);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Fills properties missing on nodes another source owns (their provenance is kept); returns how many nodes changed. */
async function enrichNodes(tx: Tx, label: Label, rows: NodeWrite[]): Promise<number> {
  const writes = rows
    .filter((r) => Object.keys(r.props).length > 0)
    .map((r) => {
      const props: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(r.props)) {
        const spec = propertySpec(label, key);
        if (!spec) throw new Error(`unknown property ${label}.${key}`);
        props[key] = toNeo4jProperty(spec, value);
      }
      return { id: r.id, props };
    });
  if (writes.length === 0) return 0;
  await tx.run(`importEnrich${label}`, `UNWIND $rows AS row MATCH (n:${label} {id: row.id}) SET n += row.props`, { rows: writes });
  return writes.length;
}

/**
 * Merges relationships of one type as the writer sees the graph, with UNWIND in the caller's
 * transaction (the importers' visible-merge rule):
 * - an end that is missing or above the writer's markings makes the row `missing` (nothing written);
 * - only relationships of this type between the two ends that the writer can see are compared and
 *   updated; when there is none, one is created, also when a relationship above the writer's
 *   markings joins the same two nodes. That one is neither changed nor reported: the row is
 *   answered as for a pair with no relationship (the two claims coexist, each at its marking).
 */
export async function mergeVisibleRelationships<R extends RelationshipWrite>(
  tx: Tx,
  type: RelationshipType,
  fromLabel: Label,
  toLabel: Label,
  rows: R[],
  stamp: ProvenanceStamp,
  markings: readonly Classification[],
  batchSize = 5000,
): Promise<WriteCounts & { missing: MissingRow<R & RelationshipRow>[]; createdRows: R[] }> {
  const relType = RELATIONSHIPS[type].type;
  const counts = { created: 0, updated: 0, unchanged: 0, missing: [] as MissingRow<R & RelationshipRow>[], createdRows: [] as R[] };
  for (let i = 0; i < rows.length; i += batchSize) {
    const slice = rows.slice(i, i + batchSize);
    const batch = slice.map((r, index) => ({ index, fromId: r.fromId, toId: r.toId, sourceRef: r.sourceRef ?? null, props: relProps(type, r.props) }));
    const result = await tx.run(
      `importMerge ${fromLabel}-${type}->${toLabel}`,
      `UNWIND $rows AS row
       // The id index, not the classification one: in a transaction that created the nodes, a
       // lookup on the low-selectivity classification index walks every node created so far.
       OPTIONAL MATCH (a:${fromLabel} {id: row.fromId}) USING INDEX a:${fromLabel}(id) WHERE a.classification IN $markings
       OPTIONAL MATCH (b:${toLabel} {id: row.toId}) USING INDEX b:${toLabel}(id) WHERE b.classification IN $markings
       WITH row, a, b
       CALL (row, a, b) {
         WITH row, a, b WHERE a IS NOT NULL AND b IS NOT NULL
         OPTIONAL MATCH (a)-[existing:${relType}]->(b) WHERE coalesce(existing.classification, 'UNCLASSIFIED') IN $markings
         WITH row, a, b, collect(existing) AS visible
         WITH row, a, b, visible,
              CASE WHEN size(visible) = 0 THEN 'created'
                   WHEN all(e IN visible WHERE coalesce(e.stale, false) = false
                        AND all(k IN keys(row.props) WHERE e[k] = row.props[k] OR (e[k] IS NULL AND row.props[k] IS NULL))) THEN 'unchanged'
                   ELSE 'updated' END AS outcome
         FOREACH (_ IN CASE WHEN outcome = 'created' THEN [1] ELSE [] END |
           CREATE (a)-[r:${relType}]->(b)
           SET r += row.props, r.source = $source, r.sourceRef = coalesce(row.sourceRef, $sourceRef),
               r.assertedBy = $assertedBy, r.assertedAt = $assertedAt, r.stale = false, r.lastSeenRun = $runId)
         FOREACH (e IN CASE WHEN outcome = 'updated' THEN visible ELSE [] END |
           SET e += row.props, e.source = $source, e.sourceRef = coalesce(row.sourceRef, $sourceRef, e.sourceRef),
               e.assertedBy = $assertedBy, e.assertedAt = $assertedAt, e.stale = false)
         FOREACH (e IN visible | SET e.lastSeenRun = $runId)
         RETURN outcome, false AS missingFrom, false AS missingTo
         UNION
         WITH row, a, b WHERE a IS NULL OR b IS NULL
         RETURN 'missing' AS outcome, a IS NULL AS missingFrom, b IS NULL AS missingTo
       }
       RETURN row.index AS index, outcome, missingFrom, missingTo`,
      { rows: batch, markings: [...markings], ...stampParams(stamp) },
    );
    for (const r of result) {
      const outcome = String(r.outcome);
      if (outcome === 'missing') {
        const missingRow = slice[Number(r.index)];
        if (missingRow) counts.missing.push({ ...missingRow, missingFrom: r.missingFrom === true, missingTo: r.missingTo === true });
      } else {
        counts[outcome as keyof WriteCounts] += 1;
        const createdRow = outcome === 'created' ? slice[Number(r.index)] : undefined;
        if (createdRow) counts.createdRows.push(createdRow);
      }
    }
  }
  return counts;
}

/** Records the created claims the change feed reports (link events). */
function noteCreated<R extends RelationshipRow>(result: BatchWriteResult<R>, group: RelationshipGroupWrite<R>, rows: readonly RelationshipWrite[]): void {
  const type = RELATIONSHIPS[group.type].type;
  if (!isLinkEventCandidate(type, group.fromLabel, group.toLabel)) return;
  for (const r of rows) {
    const marking = relProps(group.type, { classification: r.props.classification }).classification;
    result.createdLinks.push({ type, fromId: r.fromId, toId: r.toId, toLabel: group.toLabel, classification: typeof marking === 'string' ? marking : null });
  }
}

/** Writes the batch's groups in the caller's transaction (see `writeBatch`). */
async function writeGroups<N extends NodeRow, R extends RelationshipRow>(
  tx: Tx,
  batch: WriteBatch<N, R>,
  stamp: ProvenanceStamp,
  policy: WritePolicy<N, R>,
): Promise<BatchWriteResult<R>> {
  const result: BatchWriteResult<R> = { nodes: {}, relationships: {}, missing: [], createdLinks: [], touchedIds: new Set() };
  const markings = markingsVisibleTo(policy.clearance);
  let done = 0;
  for (const group of batch.nodes) {
    const counts = (result.nodes[group.label] ??= emptyCounts());
    const withMarking = policy.defaultMarking
      ? { ...group, rows: group.rows.map((r) => ({ ...r, props: { classification: policy.defaultMarking, ...r.props } })) }
      : group;
    const decision: GuardDecision<N> = policy.nodeGuard ? await policy.nodeGuard(tx, withMarking) : { write: withMarking.rows };
    counts.kept += decision.kept ?? 0;
    counts.skipped += decision.skipped ?? 0;
    const groupStamp = group.source === undefined ? stamp : { ...stamp, source: group.source };
    if (decision.write.length > 0) addCounts(counts, await upsertNodes(tx, group.label, decision.write, groupStamp));
    if (canChangeFeedState(group.label)) for (const r of [...decision.write, ...(decision.enrich ?? [])]) result.touchedIds.add(r.id);
    const enrich = decision.enrich ?? [];
    if (enrich.length > 0) {
      const enriched = await enrichNodes(tx, group.label, enrich);
      counts.updated += enriched;
      counts.unchanged += enrich.length - enriched;
    }
    done += group.rows.length;
    policy.onProgress?.(done);
  }
  for (const group of batch.relationships) {
    const counts = (result.relationships[group.type] ??= emptyCounts());
    const decision: GuardDecision<R> = policy.relationshipGuard ? await policy.relationshipGuard(tx, group) : { write: group.rows };
    counts.kept += decision.kept ?? 0;
    counts.skipped += decision.skipped ?? 0;
    const groupStamp = group.source === undefined ? stamp : { ...stamp, source: group.source };
    let missing: MissingRow<R>[] = [];
    if (decision.write.length > 0) {
      if (policy.relationshipMerge === 'visible') {
        const written = await mergeVisibleRelationships(tx, group.type, group.fromLabel, group.toLabel, decision.write, groupStamp, markings);
        addCounts(counts, written);
        missing = written.missing;
        noteCreated(result, group, written.createdRows);
      } else {
        const written = await mergeRelationships(tx, group.type, group.fromLabel, group.toLabel, decision.write, groupStamp);
        addCounts(counts, written);
        noteCreated(result, group, written.createdRows);
        // mergeRelationships does not say which end is missing.
        missing = (written.missing as R[]).map((r) => ({ ...r, missingFrom: true, missingTo: true }));
      }
    }
    if (canChangeFeedStateByLink(group.type)) for (const r of decision.write) result.touchedIds.add(r.fromId).add(r.toId);
    if (missing.length > 0) {
      if (policy.onMissing) policy.onMissing(group, missing, counts);
      else result.missing.push({ group, rows: missing });
    }
    done += group.rows.length;
    policy.onProgress?.(done);
  }
  return result;
}

/**
 * Writes a batch in one write transaction: rows validated against the model at the policy's
 * clearance (nothing is written when one is refused), node groups then relationship groups, each
 * with UNWIND, then `finish` in the same transaction.
 */
export async function writeBatch<N extends NodeRow, R extends RelationshipRow>(
  db: Database,
  batch: WriteBatch<N, R>,
  stamp: ProvenanceStamp,
  policy: WritePolicy<N, R>,
  options: WriteOptions<R> = {},
): Promise<BatchWriteResult<R>> {
  if (policy.validate !== false) validateWriteBatch(batch, policy.clearance);
  return db.writeTransaction(
    options.stats,
    async (tx) => {
      const result = await writeGroups(tx, batch, stamp, policy);
      if (options.finish) await options.finish(tx, result);
      // The change feed (docs/EVENTS.md), in this transaction: new certification claims, then the
      // scope drift and known-exploited changes of what the write reaches.
      const source = policy.feedSource ?? (stamp.sourceRef ? `${stamp.source}:${stamp.sourceRef}` : stamp.source);
      if (options.skipLinkEventsForBenchmark !== true) await emitLinkEvents(tx, result.createdLinks, source);
      if (options.skipFeedRefreshForBenchmark !== true && options.deferFeedRefresh !== true) await refreshFeedState(tx, [...result.touchedIds], source);
      return result;
    },
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}
