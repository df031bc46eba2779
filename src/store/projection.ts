/**
 * The projection compiler: how nodes and relationships are returned (`n {.*, __label}`), and
 * the look-ahead's nested pages (src/graphql/prefetch.ts) compiled into COLLECT subqueries of the
 * same statement (a counted page is sized and sliced from one ordered COLLECT), then converted
 * back into rows.
 */
import { RELATIONSHIPS, type Label, type RelationshipType } from '../domain/model';
import { labelExpr, propertyKey } from './modelKeys';
import { isRowOf, type NeighborItem, type NodeRow, type Page, type RelationshipRow, type RowOf } from './rows';
import { HISTORY_OF } from './statusHistoryStore';

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
  /** Whether each certification reached carries its visible status history (`__history`): set when the selection reads status, statusOn or statusHistory. */
  history?: boolean;
  children: NestedPlan[];
}

/** What to answer with a root node or page: its properties (null: all) and its nested pages. */
export interface Prefetch {
  properties: readonly string[] | null;
  nested: NestedPlan[];
  /** Whether the root certifications carry their visible status history (see NestedPlan.history). */
  history?: boolean;
}

/**
 * A projected node (`n {.*, __label}`) as the row of its label. Normalises defaults so non-null
 * GraphQL fields never see a missing property.
 */
export function toNodeRow(value: unknown): NodeRow {
  const row = value as Record<string, unknown>;
  const normalised = {
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
  // The one place a stored node becomes a typed row: its properties are the ones its label's
  // declaration allows (every write goes through the model, src/store/bulkWrites.ts).
  return normalised as NodeRow;
}

/** A projected node that the statement matched by one of `labels` (throws if the graph says otherwise: a store defect, not a user error). */
export function toRowOf<L extends Label>(labels: readonly L[], value: unknown): RowOf<L> {
  return rowOf(labels, toNodeRow(value));
}

/** Narrows a row to the labels its statement matched (throws if it is of another label: a store defect). */
export function rowOf<L extends Label>(labels: readonly L[], row: NodeRow): RowOf<L> {
  if (isRowOf(row, labels)) return row;
  throw new Error(`store: a ${row.__label} row where ${labels.join(' or ')} was matched`);
}

export function toRelationshipRow(value: unknown): RelationshipRow {
  const row = value as Record<string, unknown>;
  return { ...row, type: row.__type as RelationshipType, classification: typeof row.classification === 'string' ? row.classification : 'UNCLASSIFIED' };
}

export const NODE_PROJECTION = (v: string) => `${v} {.*, __label: labels(${v})[0]}`;
export const REL_PROJECTION = (v: string) => `${v} {.*, __type: type(${v})}`;

/** The pattern and visibility condition from a parent to its neighbours (shared by `neighbors` and nested plans). */
export function neighborPattern(
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
 * Projection of node variable `v` with its nested pages as COLLECT subqueries (one per plan,
 * recursively; a counted plan collects all visible neighbours once, ordered, and answers their
 * number as the total and a slice of them as the page): `v {.*, __label, __nested: {f0: {total, page: [{node, via}]}, …}}`.
 * Variable and parameter names are numbered so nested subqueries never shadow each other.
 */
export function nestedProjection(
  v: string,
  properties: readonly string[] | null,
  plans: readonly NestedPlan[],
  params: Record<string, unknown>,
  counter: { n: number },
  history = false,
): string {
  const own = (properties === null ? '.*' : properties.map((key) => `.${propertyKey(key)}`).join(', ')) + (history ? `, __history: ${HISTORY_OF(v)}` : '');
  if (plans.length === 0) return `${v} {${own}, __label: labels(${v})[0]}`;
  const fields = plans.map((plan, i) => {
    const k = counter.n++;
    const [n, r] = [`n${k}`, `r${k}`];
    const { pattern, visible } = neighborPattern(v, r, n, plan.relationship, plan.direction, plan.targets);
    params[`offset${k}`] = plan.offset;
    params[`limit${k}`] = plan.limit;
    const item = `{node: ${nestedProjection(n, plan.properties, plan.children, params, counter, plan.history === true)}, via: ${viaProjection(r, plan.viaProperties)}}`;
    if (!plan.countTotal)
      return `f${i}: {total: null,
      page: COLLECT { MATCH ${pattern} WHERE ${visible}
        WITH ${n}, ${r} ORDER BY toLower(${n}.name) ASC, ${n}.id ASC SKIP toInteger($offset${k}) LIMIT toInteger($limit${k})
        RETURN ${item} }}`;
    // counted: the visible neighbours are matched and ordered once (one expansion, one markings
    // filter); the total is the list's size and the page its slice, projected from the slice only.
    // (An aggregation here is refused by Neo4j 5.26 inside the outer projection, hence the
    // one-element list comprehensions that bind the list, and each pair to `n`/`r`.)
    return `f${i}: [all${k} IN [COLLECT { MATCH ${pattern} WHERE ${visible}
        WITH ${n}, ${r} ORDER BY toLower(${n}.name) ASC, ${n}.id ASC
        RETURN [${n}, ${r}] }] | {total: size(all${k}),
      page: [pair${k} IN all${k}[toInteger($offset${k})..toInteger($offset${k}) + toInteger($limit${k})] |
        [${n} IN [pair${k}[0]] | [${r} IN [pair${k}[1]] | ${item}][0]][0]]}][0]`;
  });
  return `${v} {${own}, __label: labels(${v})[0], __nested: {${fields.join(',\n    ')}}}`;
}

function viaProjection(r: string, properties: readonly string[] | null): string {
  if (properties === null) return REL_PROJECTION(r);
  return `${r} {${['classification', ...properties].map((key) => `.${propertyKey(key)}`).join(', ')}, __type: type(${r})}`;
}

interface RawNested {
  total: unknown;
  page: { node: unknown; via: unknown }[];
}

/** A projected node with its nested pages converted into rows (`__nested`, keyed by plan key). */
export function toNodeRowWithNested<L extends Label>(labels: readonly L[], value: unknown, plans: readonly NestedPlan[]): RowOf<L> {
  const row = toRowOf(labels, value);
  if (plans.length === 0) return row;
  const raw = ((value as Record<string, unknown>).__nested ?? {}) as Record<string, RawNested | undefined>;
  const nested: Record<string, Page<NeighborItem>> = {};
  plans.forEach((plan, i) => {
    const field = raw[`f${i}`];
    if (!field) return;
    const items = field.page.map((item) => ({ node: toNodeRowWithNested(plan.targets, item.node, plan.children), via: toRelationshipRow(item.via) }));
    // an uncounted page is only read through its edges; its total is what was seen
    const totalCount = plan.countTotal ? Number(field.total) : plan.offset + items.length;
    nested[plan.key] = { items, totalCount, offset: plan.offset, limit: plan.limit };
  });
  // `row` is the fresh copy toNodeRow made: completed in place, not copied again
  row.__nested = nested;
  return row;
}
