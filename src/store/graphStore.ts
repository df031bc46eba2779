/**
 * The graph store: every Cypher statement the API runs for reading and writing nodes and
 * relationships. Labels, relationship types and property keys come only from the model
 * declarations (src/domain/model.ts); every value is a parameter. Every read carries the
 * caller's visible markings (`$markings`) so nothing above its clearance is returned.
 */
import {
  COMMON_NODE_PROPERTIES,
  LABELS,
  RELATIONSHIPS,
  type Label,
  type PropertySpec,
  type RelationshipSpec,
  type RelationshipType,
  propertySpec,
} from '../domain/model';
import { toNeo4jDateTime, toNeo4jProperty } from './convert';
import type { Database, QueryStats, Tx } from './database';
import type { Statement } from './statement';
import { SEARCH_INDEX_NAME } from './migrations';
import type { NeighborItem, NodeRow, Page, RelationshipRow } from './rows';

/** A condition on a list query, built by the API layer from a filter input. */
export type Condition =
  | { op: 'in'; key: string; values: unknown[] }
  | { op: 'eq'; key: string; value: unknown }
  | { op: 'gte' | 'lte'; key: string; value: unknown }
  | { op: 'anyIn'; key: string; values: unknown[] }
  | { op: 'nameContains' | 'nameStartsWith'; value: string }
  | { op: 'related'; relationship: RelationshipType; direction: 'out' | 'in'; otherId: string }
  | { op: 'notTrue'; key: string };

export interface ListQuery {
  label: Label;
  conditions: Condition[];
  orderKey: string;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface NeighborQuery {
  parentLabel: Label;
  relationship: RelationshipType;
  direction: 'out' | 'in';
  /** Labels allowed at the other end. */
  targetLabels: readonly Label[];
  offset: number;
  limit: number;
}

/**
 * A nested relationship field answered inside its parent's query (built by the GraphQL layer's
 * look-ahead, src/graphql/prefetch.ts): the same neighbours, order, window and visibility as
 * `neighbors`, keyed by `key` on the parent row's `__nested`.
 */
export interface NestedPlan {
  key: string;
  relationship: RelationshipType;
  direction: 'out' | 'in';
  targets: readonly Label[];
  offset: number;
  limit: number;
  /** Stored properties to return for the nodes reached (null: all of them). */
  properties: readonly string[] | null;
  /** Stored properties to return for the relationships followed, besides type and classification (null: all). */
  viaProperties: readonly string[] | null;
  /** Whether the page's total is read (else it is not counted). */
  countTotal: boolean;
  children: NestedPlan[];
}

/** What to answer with a root node or page: its properties (null: all) and its nested pages. */
export interface Prefetch {
  properties: readonly string[] | null;
  nested: NestedPlan[];
}

export interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
}

function assertKey(label: Label, key: string): PropertySpec {
  const spec = key === 'id' ? ({ type: 'string' } as PropertySpec) : propertySpec(label, key);
  if (!spec) throw new Error(`unknown property ${label}.${key}`);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`invalid property key ${key}`);
  return spec;
}

function paramValue(spec: PropertySpec, value: unknown): unknown {
  return toNeo4jProperty(spec, value);
}

function labelExpr(labels: readonly Label[]): string {
  for (const l of labels) if (!LABELS.includes(l)) throw new Error(`unknown label ${l}`);
  return labels.join('|');
}

/** Normalises defaults so non-null GraphQL fields never see a missing property. */
export function toNodeRow(value: unknown): NodeRow {
  const row = value as Record<string, unknown>;
  return {
    ...row,
    __label: row.__label as Label,
    id: String(row.id),
    name: typeof row.name === 'string' ? row.name : String(row.id),
    classification: typeof row.classification === 'string' ? row.classification : 'UNCLASSIFIED',
    stale: row.stale === true,
    withdrawn: row.withdrawn === true,
    revoked: row.revoked === true,
    deprecated: row.deprecated === true,
    knownExploited: row.knownExploited === true,
    platforms: Array.isArray(row.platforms) ? row.platforms : [],
    tactics: Array.isArray(row.tactics) ? row.tactics : [],
  };
}

export function toRelationshipRow(value: unknown): RelationshipRow {
  const row = value as Record<string, unknown>;
  return { ...row, type: row.__type as RelationshipType, classification: typeof row.classification === 'string' ? row.classification : 'UNCLASSIFIED' };
}

const NODE_PROJECTION = (v: string) => `${v} {.*, __label: labels(${v})[0]}`;
const REL_PROJECTION = (v: string) => `${v} {.*, __type: type(${v})}`;

/** The pattern and visibility condition from a parent to its neighbours (shared by `neighbors` and nested plans). */
function neighborPattern(
  parent: string,
  rel: string,
  node: string,
  relationship: RelationshipType,
  direction: 'out' | 'in',
  targets: readonly Label[],
): { pattern: string; visible: string } {
  const type = RELATIONSHIPS[relationship].type;
  const pattern =
    direction === 'out' ? `(${parent})-[${rel}:${type}]->(${node}:${labelExpr(targets)})` : `(${parent})<-[${rel}:${type}]-(${node}:${labelExpr(targets)})`;
  return { pattern, visible: `${node}.classification IN $markings AND coalesce(${rel}.classification, 'UNCLASSIFIED') IN $markings` };
}

/**
 * Projection of node variable `v` with its nested pages as COLLECT / COUNT subqueries (one per
 * plan, recursively): `v {.*, __label, __nested: {f0: {total, page: [{node, via}]}, …}}`.
 * Variable and parameter names are numbered so nested subqueries never shadow each other.
 */
function nestedProjection(
  v: string,
  properties: readonly string[] | null,
  plans: readonly NestedPlan[],
  params: Record<string, unknown>,
  counter: { n: number },
): string {
  const own = properties === null ? '.*' : properties.map((key) => `.${propertyKey(key)}`).join(', ');
  if (plans.length === 0) return `${v} {${own}, __label: labels(${v})[0]}`;
  const fields = plans.map((plan, i) => {
    const k = counter.n++;
    const [n, r] = [`n${k}`, `r${k}`];
    const { pattern, visible } = neighborPattern(v, r, n, plan.relationship, plan.direction, plan.targets);
    params[`offset${k}`] = plan.offset;
    params[`limit${k}`] = plan.limit;
    return `f${i}: {total: ${plan.countTotal ? `COUNT { MATCH ${pattern} WHERE ${visible} }` : 'null'},
      page: COLLECT { MATCH ${pattern} WHERE ${visible}
        WITH ${n}, ${r} ORDER BY toLower(${n}.name) ASC, ${n}.id ASC SKIP toInteger($offset${k}) LIMIT toInteger($limit${k})
        RETURN {node: ${nestedProjection(n, plan.properties, plan.children, params, counter)}, via: ${viaProjection(r, plan.viaProperties)}} }}`;
  });
  return `${v} {${own}, __label: labels(${v})[0], __nested: {${fields.join(',\n    ')}}}`;
}

function viaProjection(r: string, properties: readonly string[] | null): string {
  if (properties === null) return REL_PROJECTION(r);
  return `${r} {${['classification', ...properties].map((key) => `.${propertyKey(key)}`).join(', ')}, __type: type(${r})}`;
}

/** A property key for a projection: a plain identifier (they come from the model). */
function propertyKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`invalid property key ${key}`);
  return key;
}

interface RawNested {
  total: unknown;
  page: { node: unknown; via: unknown }[];
}

/** A projected node with its nested pages converted into rows (`__nested`, keyed by plan key). */
function toNodeRowWithNested(value: unknown, plans: readonly NestedPlan[]): NodeRow {
  const row = toNodeRow(value);
  if (plans.length === 0) return row;
  const raw = ((value as Record<string, unknown>).__nested ?? {}) as Record<string, RawNested | undefined>;
  const nested: Record<string, Page<NeighborItem>> = {};
  plans.forEach((plan, i) => {
    const field = raw[`f${i}`];
    if (!field) return;
    const items = field.page.map((item) => ({ node: toNodeRowWithNested(item.node, plan.children), via: toRelationshipRow(item.via) }));
    // an uncounted page is only read through its edges; its total is what was seen
    const totalCount = plan.countTotal ? Number(field.total) : plan.offset + items.length;
    nested[plan.key] = { items, totalCount, offset: plan.offset, limit: plan.limit };
  });
  return { ...row, __nested: nested };
}

// ------------------------------------------------------------------ read statements (pure)

/** The WHERE condition of a list query; values go into `params` as $p0, $p1, … */
function whereClause(q: ListQuery, params: Record<string, unknown>): string {
  const parts = ['n.classification IN $markings'];
  q.conditions.forEach((c, i) => {
    const p = `p${i}`;
    switch (c.op) {
      case 'in': {
        const spec = assertKey(q.label, c.key);
        params[p] = c.values.map((v) => paramValue(spec, v));
        parts.push(`n.${c.key} IN $${p}`);
        break;
      }
      case 'anyIn': {
        assertKey(q.label, c.key);
        params[p] = c.values;
        parts.push(`any(x IN coalesce(n.${c.key}, []) WHERE x IN $${p})`);
        break;
      }
      case 'eq': {
        const spec = assertKey(q.label, c.key);
        params[p] = paramValue(spec, c.value);
        parts.push(spec.type === 'boolean' && c.value === false ? `coalesce(n.${c.key}, false) = $${p}` : `n.${c.key} = $${p}`);
        break;
      }
      case 'notTrue':
        assertKey(q.label, c.key);
        parts.push(`coalesce(n.${c.key}, false) = false`);
        break;
      case 'gte':
      case 'lte': {
        const spec = assertKey(q.label, c.key);
        params[p] = paramValue(spec, c.value);
        parts.push(`n.${c.key} ${c.op === 'gte' ? '>=' : '<='} $${p}`);
        break;
      }
      case 'nameContains':
        params[p] = c.value.toLowerCase();
        parts.push(`toLower(n.name) CONTAINS $${p}`);
        break;
      case 'nameStartsWith':
        params[p] = c.value.toLowerCase();
        parts.push(`toLower(n.name) STARTS WITH $${p}`);
        break;
      case 'related': {
        const spec: RelationshipSpec = RELATIONSHIPS[c.relationship];
        params[p] = c.otherId;
        const pattern = c.direction === 'out' ? `(n)-[r:${spec.type}]->(o {id: $${p}})` : `(n)<-[r:${spec.type}]-(o {id: $${p}})`;
        parts.push(`EXISTS { MATCH ${pattern} WHERE o.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings }`);
        break;
      }
    }
  });
  return parts.join(' AND ');
}

/** One node of a label by id with its nested pages (see GraphStore.getNodeWithNested). */
export function nodeWithNestedStatement(markings: readonly string[], label: Label, id: string, prefetch: Prefetch): Statement {
  const params: Record<string, unknown> = { id, markings: [...markings] };
  const projection = nestedProjection('n', prefetch.properties, prefetch.nested, params, { n: 0 });
  return {
    name: `get${label}WithNested`,
    cypher: `MATCH (n:${labelExpr([label])} {id: $id}) WHERE n.classification IN $markings RETURN ${projection} AS node`,
    params,
  };
}

/** A filtered, ordered page of one label with its total (see GraphStore.list). */
export function listStatement(markings: readonly string[], q: ListQuery, prefetch: Prefetch = { properties: null, nested: [] }): Statement {
  assertKey(q.label, q.orderKey);
  const params: Record<string, unknown> = { markings: [...markings], offset: q.offset, limit: q.limit };
  const where = whereClause(q, params);
  const projection = nestedProjection('n', prefetch.properties, prefetch.nested, params, { n: 0 });
  const dir = q.descending ? 'DESC' : 'ASC';
  return {
    name: `list${q.label}`,
    cypher: `CALL () { MATCH (n:${q.label}) WHERE ${where} RETURN count(n) AS total }
       CALL () {
         MATCH (n:${q.label}) WHERE ${where}
         WITH n ORDER BY ${q.orderKey === 'name' ? 'toLower(n.name)' : `n.${q.orderKey}`} ${dir}, n.id ASC SKIP toInteger($offset) LIMIT toInteger($limit)
         RETURN collect(${projection}) AS page
       }
       RETURN total, page`,
    params,
  };
}

/** One page of neighbours for each of many parents (see GraphStore.neighbors). */
export function neighborsStatement(markings: readonly string[], q: NeighborQuery, parentIds: readonly string[]): Statement {
  const { pattern, visible } = neighborPattern('p', 'r', 'n', q.relationship, q.direction, q.targetLabels);
  return {
    name: `neighbors ${q.parentLabel}.${q.direction}.${q.relationship}`,
    cypher: `UNWIND $parentIds AS pid
       MATCH (p:${q.parentLabel} {id: pid}) WHERE p.classification IN $markings
       CALL (p) { MATCH ${pattern} WHERE ${visible} RETURN count(n) AS total }
       CALL (p) {
         MATCH ${pattern} WHERE ${visible}
         WITH n, r ORDER BY toLower(n.name) ASC, n.id ASC SKIP toInteger($offset) LIMIT toInteger($limit)
         RETURN collect({node: ${NODE_PROJECTION('n')}, via: ${REL_PROJECTION('r')}}) AS page
       }
       RETURN pid, total, page`,
    params: { parentIds: [...parentIds], markings: [...markings], offset: q.offset, limit: q.limit },
  };
}

export class GraphStore {
  constructor(
    readonly db: Database,
    readonly stats: QueryStats,
    /** Markings the caller may see. */
    readonly markings: readonly string[],
  ) {}

  /** Runs `work` in one write transaction of this request (its stats and deadline apply): all or nothing. */
  writeTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.writeTransaction(this.stats, work);
  }

  // ---------------------------------------------------------------- reads

  /** Nodes by id (any label), only those visible. */
  async getNodes(ids: readonly string[]): Promise<NodeRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.read(
      this.stats,
      'getNodesById',
      `UNWIND $ids AS id
       MATCH (n:${labelExpr(LABELS)} {id: id})
       WHERE n.classification IN $markings
       RETURN ${NODE_PROJECTION('n')} AS node`,
      { ids: [...ids], markings: this.markings },
    );
    return rows.map((r) => toNodeRow(r.node));
  }

  /** One node of a label by id with its nested pages, in one round trip (null when absent or not visible). */
  async getNodeWithNested(label: Label, id: string, prefetch: Prefetch): Promise<NodeRow | null> {
    const st = nodeWithNestedStatement(this.markings, label, id, prefetch);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    return rows[0] ? toNodeRowWithNested(rows[0].node, prefetch.nested) : null;
  }

  /** A filtered, ordered page of one label, with the total count, in one round trip. */
  async list(q: ListQuery, prefetch: Prefetch = { properties: null, nested: [] }): Promise<Page<NodeRow>> {
    const st = listStatement(this.markings, q, prefetch);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const row = rows[0] ?? { total: 0, page: [] };
    return {
      items: (row.page as unknown[]).map((v) => toNodeRowWithNested(v, prefetch.nested)),
      totalCount: Number(row.total),
      offset: q.offset,
      limit: q.limit,
    };
  }

  /**
   * One page of neighbours for each of many parents, in one round trip (the batch function
   * behind every nested connection). Ordered by name (case-insensitive), then id.
   */
  async neighbors(q: NeighborQuery, parentIds: readonly string[]): Promise<Map<string, Page<NeighborItem>>> {
    const st = neighborsStatement(this.markings, q, parentIds);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const out = new Map<string, Page<NeighborItem>>();
    for (const row of rows) {
      const items = (row.page as { node: unknown; via: unknown }[]).map((item) => ({ node: toNodeRow(item.node), via: toRelationshipRow(item.via) }));
      out.set(String(row.pid), { items, totalCount: Number(row.total), offset: q.offset, limit: q.limit });
    }
    return out;
  }

  /** Full-text search ranked by score, then id. */
  async search(luceneQuery: string, labels: readonly Label[], limit: number): Promise<{ node: NodeRow; score: number }[]> {
    const rows = await this.db.read(
      this.stats,
      'searchNodes',
      `CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
       WHERE node.classification IN $markings AND labels(node)[0] IN $labels
       WITH node, score ORDER BY score DESC, node.id ASC LIMIT toInteger($limit)
       RETURN ${NODE_PROJECTION('node')} AS node, score`,
      { index: SEARCH_INDEX_NAME, query: luceneQuery, markings: this.markings, labels: [...labels], limit },
    );
    return rows.map((r) => ({ node: toNodeRow(r.node), score: Number(r.score) }));
  }

  // ---------------------------------------------------------------- writes

  /** Labels of the given ids among nodes visible to the caller (for validation). */
  async labelsOf(tx: Tx, ids: readonly string[]): Promise<Map<string, Label>> {
    const rows = await tx.run(
      'labelsOfIds',
      `UNWIND $ids AS id MATCH (n:${labelExpr(LABELS)} {id: id}) WHERE n.classification IN $markings RETURN n.id AS id, labels(n)[0] AS label`,
      { ids: [...ids], markings: this.markings },
    );
    return new Map(rows.map((r) => [String(r.id), r.label as Label]));
  }

  /** Label of an id whatever its marking (to refuse reusing an id across labels). */
  async anyLabelOf(tx: Tx, id: string): Promise<Label | undefined> {
    const rows = await tx.run('labelOfIdUnfiltered', `MATCH (n:${labelExpr(LABELS)} {id: $id}) RETURN labels(n)[0] AS label`, { id });
    return rows[0] ? (rows[0].label as Label) : undefined;
  }

  async getNodeTx(tx: Tx, id: string): Promise<NodeRow | undefined> {
    const rows = await tx.run(
      'getNodeInTx',
      `MATCH (n:${labelExpr(LABELS)} {id: $id}) WHERE n.classification IN $markings RETURN ${NODE_PROJECTION('n')} AS node`,
      {
        id,
        markings: this.markings,
      },
    );
    return rows[0] ? toNodeRow(rows[0].node) : undefined;
  }

  /** Relationships of a node the caller can see (both the relationship and the other end visible). */
  async countRelationships(tx: Tx, id: string): Promise<number> {
    const rows = await tx.run(
      'countRelationshipsOfNode',
      `MATCH (n:${labelExpr(LABELS)} {id: $id})
       RETURN COUNT { (n)-[r]-(o) WHERE o.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings } AS degree`,
      { id, markings: this.markings },
    );
    return rows[0] ? Number(rows[0].degree) : 0;
  }

  async deleteNode(tx: Tx, id: string): Promise<number> {
    const rows = await tx.run(
      'deleteNode',
      `MATCH (n:${labelExpr(LABELS)} {id: $id}) WHERE n.classification IN $markings
       WITH n, COUNT { (n)-[r]-(o) WHERE o.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings } AS degree
       DETACH DELETE n RETURN degree`,
      { id, markings: this.markings },
    );
    return rows[0] ? Number(rows[0].degree) : 0;
  }

  async getRelationship(tx: Tx, type: RelationshipType, fromId: string, toId: string): Promise<RelationshipRow | undefined> {
    const spec: RelationshipSpec = RELATIONSHIPS[type];
    const rows = await tx.run(
      `getRelationship ${type}`,
      `MATCH (a {id: $fromId})-[r:${spec.type}]->(b {id: $toId})
       WHERE a.classification IN $markings AND b.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings
       RETURN ${REL_PROJECTION('r')} AS rel LIMIT 1`,
      { fromId, toId, markings: this.markings },
    );
    return rows[0] ? toRelationshipRow(rows[0].rel) : undefined;
  }

  /** Whether a relationship of this type joins the two ids at a marking above the caller's clearance (a link must not merge into it). */
  async hasHiddenRelationship(tx: Tx, type: RelationshipType, fromId: string, toId: string): Promise<boolean> {
    const spec: RelationshipSpec = RELATIONSHIPS[type];
    const rows = await tx.run(
      `hiddenRelationship ${type}`,
      `MATCH (a {id: $fromId})-[r:${spec.type}]->(b {id: $toId})
       WHERE NOT coalesce(r.classification, 'UNCLASSIFIED') IN $markings
       RETURN count(r) > 0 AS hidden`,
      { fromId, toId, markings: this.markings },
    );
    return rows[0]?.hidden === true;
  }

  async unlink(tx: Tx, type: RelationshipType, fromLabel: Label, toLabel: Label, fromId: string, toId: string): Promise<number> {
    const spec: RelationshipSpec = RELATIONSHIPS[type];
    const rows = await tx.run(
      `unlink ${type}`,
      `MATCH (a:${fromLabel} {id: $fromId})-[r:${spec.type}]->(b:${toLabel} {id: $toId})
       WHERE coalesce(r.classification, 'UNCLASSIFIED') IN $markings
       DELETE r RETURN count(*) AS removed`,
      { fromId, toId, markings: this.markings },
    );
    return rows[0] ? Number(rows[0].removed) : 0;
  }
}

// ------------------------------------------------------------------ bulk writes

export interface NodeWrite {
  id: string;
  /** Overrides the stamp's sourceRef for this row. */
  sourceRef?: string;
  /** Content properties (already validated); undefined keys are left as stored, null removes. */
  props: Record<string, unknown>;
}

export interface ProvenanceStamp {
  source: string;
  sourceRef?: string | null;
  assertedBy: string;
  assertedAt: Date;
  /** Import run id, when written by an importer. */
  runId?: string;
}

function neo4jProps(label: Label, props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const spec = assertKey(label, key);
    out[key] = toNeo4jProperty(spec, value);
  }
  return out;
}

export function stampParams(stamp: ProvenanceStamp): Record<string, unknown> {
  return {
    source: stamp.source,
    sourceRef: stamp.sourceRef ?? null,
    assertedBy: stamp.assertedBy,
    assertedAt: toNeo4jDateTime(stamp.assertedAt),
    runId: stamp.runId ?? null,
  };
}

const PROVENANCE_KEYS = Object.keys(COMMON_NODE_PROPERTIES).filter((k) =>
  ['source', 'sourceRef', 'assertedAt', 'assertedBy', 'stale', 'lastSeenRun'].includes(k),
);

/**
 * Upserts nodes of one label with UNWIND in the caller's transaction. A node whose content
 * properties already equal the given ones is left untouched (its provenance too), so
 * re-importing the same document reports everything unchanged.
 */
export async function upsertNodes(tx: Tx, label: Label, rows: NodeWrite[], stamp: ProvenanceStamp, batchSize = 5000): Promise<WriteCounts> {
  const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize).map((r) => ({ id: r.id, sourceRef: r.sourceRef ?? null, props: neo4jProps(label, r.props) }));
    for (const r of batch) for (const k of PROVENANCE_KEYS) if (k in r.props) throw new Error(`provenance key ${k} cannot be set as content`);
    const result = await tx.run(
      `upsert${label}`,
      `UNWIND $rows AS row
       OPTIONAL MATCH (existing:${label} {id: row.id})
       WITH row, existing,
            CASE WHEN existing IS NULL THEN 'created'
                 WHEN all(k IN keys(row.props) WHERE existing[k] = row.props[k] OR (existing[k] IS NULL AND row.props[k] IS NULL))
                      AND coalesce(existing.stale, false) = false THEN 'unchanged'
                 ELSE 'updated' END AS outcome
       MERGE (n:${label} {id: row.id})
       FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
         SET n += row.props,
             n.source = $source, n.sourceRef = coalesce(row.sourceRef, $sourceRef, n.sourceRef),
             n.assertedBy = $assertedBy, n.assertedAt = $assertedAt, n.stale = false)
       FOREACH (_ IN CASE WHEN n.classification IS NULL THEN [1] ELSE [] END | SET n.classification = 'UNCLASSIFIED')
       FOREACH (_ IN CASE WHEN $runId IS NULL THEN [] ELSE [1] END | SET n.lastSeenRun = $runId)
       RETURN outcome, count(*) AS n`,
      { rows: batch, ...stampParams(stamp) },
    );
    for (const r of result) counts[r.outcome as keyof WriteCounts] += Number(r.n);
  }
  return counts;
}

export interface RelationshipWrite {
  /** Overrides the stamp's sourceRef for this row. */
  sourceRef?: string;
  fromId: string;
  toId: string;
  props: Record<string, unknown>;
}

export function relProps(type: RelationshipType, props: Record<string, unknown>): Record<string, unknown> {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const p = spec.properties[key] ?? (key === 'classification' ? { type: 'string' as const } : undefined);
    if (!p) throw new Error(`unknown property ${type}.${key}`);
    out[key] = toNeo4jProperty(p, value);
  }
  return out;
}

/**
 * Merges relationships of one type between existing nodes with UNWIND, in the caller's
 * transaction. Returns counts and the rows whose ends were not found (nothing is written for them).
 */
export async function mergeRelationships(
  tx: Tx,
  type: RelationshipType,
  fromLabel: Label,
  toLabel: Label,
  rows: RelationshipWrite[],
  stamp: ProvenanceStamp,
  batchSize = 5000,
): Promise<WriteCounts & { missing: RelationshipWrite[] }> {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const counts = { created: 0, updated: 0, unchanged: 0, missing: [] as RelationshipWrite[] };
  for (let i = 0; i < rows.length; i += batchSize) {
    const slice = rows.slice(i, i + batchSize);
    const batch = slice.map((r, index) => ({ index, fromId: r.fromId, toId: r.toId, sourceRef: r.sourceRef ?? null, props: relProps(type, r.props) }));
    const result = await tx.run(
      `merge ${fromLabel}-${type}->${toLabel}`,
      `UNWIND $rows AS row
       OPTIONAL MATCH (a:${fromLabel} {id: row.fromId})
       OPTIONAL MATCH (b:${toLabel} {id: row.toId})
       WITH row, a, b
       CALL (row, a, b) {
         WITH row, a, b WHERE a IS NOT NULL AND b IS NOT NULL
         OPTIONAL MATCH (a)-[existing:${spec.type}]->(b)
         WITH row, a, b, existing,
              CASE WHEN existing IS NULL THEN 'created'
                   WHEN all(k IN keys(row.props) WHERE existing[k] = row.props[k] OR (existing[k] IS NULL AND row.props[k] IS NULL))
                        AND coalesce(existing.stale, false) = false THEN 'unchanged'
                   ELSE 'updated' END AS outcome
         MERGE (a)-[r:${spec.type}]->(b)
         FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
           SET r += row.props, r.source = $source, r.sourceRef = coalesce(row.sourceRef, $sourceRef, r.sourceRef),
               r.assertedBy = $assertedBy, r.assertedAt = $assertedAt, r.stale = false)
         FOREACH (_ IN CASE WHEN $runId IS NULL THEN [] ELSE [1] END | SET r.lastSeenRun = $runId)
         RETURN outcome
         UNION
         WITH row, a, b WHERE a IS NULL OR b IS NULL
         RETURN 'missing' AS outcome
       }
       RETURN row.index AS index, outcome`,
      { rows: batch, ...stampParams(stamp) },
    );
    for (const r of result) {
      const outcome = String(r.outcome);
      if (outcome === 'missing') {
        const missingRow = slice[Number(r.index)];
        if (missingRow) counts.missing.push(missingRow);
      } else counts[outcome as keyof WriteCounts] += 1;
    }
  }
  return counts;
}
