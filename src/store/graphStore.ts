/**
 * The graph store: the Cypher statements the API runs to read nodes and relationships, and the
 * single-node / single-relationship writes of mutations. Labels, relationship types and property
 * keys come only from the model declarations (src/domain/model.ts); every value is a parameter.
 * Every read carries the caller's visible markings (`$markings`) so nothing above its clearance
 * is returned. The filter compiler is in ./filters, the projection (and look-ahead) compiler in
 * ./projection, the bulk UNWIND writes in ./bulkWrites.
 */
import { LABELS, RELATIONSHIPS, type Label, type RelationshipSpec, type RelationshipType } from '../domain/model';
import type { Database, QueryStats, Tx } from './database';
import type { Statement } from './statement';
import { SEARCH_INDEX_NAME } from './migrations';
import type { NeighborItem, NodeRow, Page, RelationshipRow, RowOf } from './rows';
import { readHistories, type StatusChangeRow } from './statusHistoryStore';
import { whereClause, type ListQuery } from './filters';
import { assertKey, labelExpr } from './modelKeys';
import {
  NODE_PROJECTION,
  REL_PROJECTION,
  neighborPattern,
  nestedProjection,
  toNodeRow,
  toNodeRowWithNested,
  toRelationshipRow,
  toRowOf,
  type Prefetch,
} from './projection';

// The filter compiler, the projection compiler and the bulk writes live in their own modules;
// their names stay importable from here.
export type { Condition, ListQuery } from './filters';
export { rowOf, toNodeRow, toRelationshipRow, toRowOf, type NestedPlan, type Prefetch } from './projection';
export {
  mergeRelationships,
  relProps,
  stampParams,
  upsertNodes,
  type NodeWrite,
  type ProvenanceStamp,
  type RelationshipWrite,
  type WriteCounts,
} from './bulkWrites';

export interface NeighborQuery<T extends Label = Label> {
  parentLabel: Label;
  relationship: RelationshipType;
  direction: 'out' | 'in';
  /** Labels allowed at the other end. */
  targetLabels: readonly T[];
  offset: number;
  limit: number;
}

// ------------------------------------------------------------------ read statements (pure)

/** One node of a label by id with its nested pages (see GraphStore.getNodeWithNested). */
export function nodeWithNestedStatement(markings: readonly string[], label: Label, id: string, prefetch: Prefetch): Statement {
  const params: Record<string, unknown> = { id, markings: [...markings] };
  const projection = nestedProjection('n', prefetch.properties, prefetch.nested, params, { n: 0 }, prefetch.history === true);
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
  const projection = nestedProjection('n', prefetch.properties, prefetch.nested, params, { n: 0 }, prefetch.history === true);
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
  async getNodeWithNested<L extends Label>(label: L, id: string, prefetch: Prefetch): Promise<RowOf<L> | null> {
    const st = nodeWithNestedStatement(this.markings, label, id, prefetch);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    return rows[0] ? toNodeRowWithNested([label], rows[0].node, prefetch.nested) : null;
  }

  /** A filtered, ordered page of one label, with the total count, in one round trip. */
  async list<L extends Label>(q: ListQuery<L>, prefetch: Prefetch = { properties: null, nested: [] }): Promise<Page<RowOf<L>>> {
    const st = listStatement(this.markings, q, prefetch);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const row = rows[0] ?? { total: 0, page: [] };
    return {
      items: (row.page as unknown[]).map((v) => toNodeRowWithNested([q.label], v, prefetch.nested)),
      totalCount: Number(row.total),
      offset: q.offset,
      limit: q.limit,
    };
  }

  /**
   * One page of neighbours for each of many parents, in one round trip (the batch function
   * behind every nested connection). Ordered by name (case-insensitive), then id.
   */
  async neighbors<T extends Label>(q: NeighborQuery<T>, parentIds: readonly string[]): Promise<Map<string, Page<NeighborItem<RowOf<T>>>>> {
    const st = neighborsStatement(this.markings, q, parentIds);
    const rows = await this.db.read(this.stats, st.name, st.cypher, st.params);
    const out = new Map<string, Page<NeighborItem<RowOf<T>>>>();
    for (const row of rows) {
      const items = (row.page as { node: unknown; via: unknown }[]).map((item) => ({
        node: toRowOf(q.targetLabels, item.node),
        via: toRelationshipRow(item.via),
      }));
      out.set(String(row.pid), { items, totalCount: Number(row.total), offset: q.offset, limit: q.limit });
    }
    return out;
  }

  /** Visible status histories of many certifications in one round trip (see ./statusHistoryStore). */
  async statusHistories(certificationIds: readonly string[]): Promise<Map<string, StatusChangeRow[]>> {
    return readHistories(this.db, this.stats, this.markings, certificationIds);
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

  /**
   * The certifications resting on certification `id` (BASED_ON): the ids the caller may see (the
   * certification and the claim both within their markings), and whether others exist.
   */
  async basisDependents(tx: Tx, id: string): Promise<{ visible: string[]; hidden: boolean }> {
    const rows = await tx.run(
      'basisDependents',
      `MATCH (c:Certification {id: $id})<-[r:${RELATIONSHIPS.BASED_ON.type}]-(d:Certification)
       WITH d.id AS id, d.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings AS visible
       ORDER BY id
       RETURN [x IN collect({id: id, visible: visible}) WHERE x.visible | x.id] AS visible, any(x IN collect(visible) WHERE NOT x) AS hidden`,
      { id, markings: this.markings },
    );
    const row = rows[0];
    return { visible: Array.isArray(row?.visible) ? row.visible.map(String) : [], hidden: row?.hidden === true };
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
      `MATCH (a:${labelExpr(spec.from)} {id: $fromId})-[r:${spec.type}]->(b:${labelExpr(spec.to)} {id: $toId})
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
      `MATCH (a:${labelExpr(spec.from)} {id: $fromId})-[r:${spec.type}]->(b:${labelExpr(spec.to)} {id: $toId})
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
