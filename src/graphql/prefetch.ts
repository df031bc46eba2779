/**
 * Look-ahead for nested relationship fields: from the selection a root field (a lookup by id or
 * a list) is asked for, build the tree of nested fields (NESTED_FIELDS) with their page windows,
 * so the store can answer the root and its nested pages in ONE Cypher query (nested COLLECT
 * subqueries), the way @neo4j/graphql compiles a selection. Nested resolvers then read the
 * prefetched page from their parent row and only fall back to the batched DataLoader for what
 * the plan left out (fields under a multi-label target, levels past the depth or row budget).
 *
 * It also narrows each level's projection to the stored properties the selection reads (all of
 * them when a field it does not know is selected), and skips counting a nested page when neither
 * `totalCount` nor `pageInfo` is asked for.
 *
 * Pure: reads the operation (AST, variables, schema) and returns data; no I/O.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isObjectType,
  Kind,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { propertySpec, type Label } from '../domain/model';
import type { NestedPlan, Prefetch } from '../store/projection';
import { NESTED_FIELDS, prefetchKey } from './nested';
import { pageWindow } from './pagination';

/** Nested levels compiled into the root query; deeper levels are loaded in batches. */
export const PREFETCH_MAX_DEPTH = 3;
/** Upper bound on nested rows one prefetch may ask for (product of page sizes down each branch). */
export const PREFETCH_MAX_ROWS = 20_000;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function included(walk: Walk, node: { readonly directives?: readonly DirectiveNode[] }): boolean {
  if (!node.directives || node.directives.length === 0) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, walk.variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, walk.variables);
  return include?.if !== false;
}

/** Whether a fragment with this type condition applies to an object of `type`. */
function applies(walk: Walk, typeCondition: string | undefined, type: GraphQLObjectType): boolean {
  if (!typeCondition || typeCondition === type.name) return true;
  return type.getInterfaces().some((i) => i.name === typeCondition);
}

/** The field nodes selected on an object of `type`, fragments flattened. */
function fieldsOn(walk: Walk, selectionSets: readonly SelectionSetNode[], type: GraphQLObjectType): FieldNode[] {
  const out: FieldNode[] = [];
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!included(walk, selection)) continue;
      if (selection.kind === Kind.FIELD) out.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(walk, selection.typeCondition?.name.value, type)) visit(selection.selectionSet);
      } else {
        const fragment = walk.fragments[selection.name.value];
        if (fragment && applies(walk, fragment.typeCondition.name.value, type)) visit(fragment.selectionSet);
      }
    }
  };
  selectionSets.forEach(visit);
  return out;
}

/** The selection sets of the given field nodes. */
function setsOf(fields: readonly FieldNode[]): SelectionSetNode[] {
  return fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
}

/** Selection sets of the fields named `name` selected on `type`. */
function subSelections(walk: Walk, selectionSets: readonly SelectionSetNode[], type: GraphQLObjectType, name: string): SelectionSetNode[] {
  return setsOf(fieldsOn(walk, selectionSets, type).filter((f) => f.name.value === name));
}

/** Selection sets of `edges { <child> { … } }` under a connection field, with the child's type. */
function edgeChildSelections(
  walk: Walk,
  connection: readonly FieldNode[],
  connectionType: GraphQLObjectType,
  child: 'node' | 'via',
): { sets: SelectionSetNode[]; type?: GraphQLObjectType } {
  const edgeType = unwrapObject(connectionType.getFields().edges?.type);
  if (!edgeType) return { sets: [] };
  const edgeSets = subSelections(walk, setsOf(connection), connectionType, 'edges');
  return { sets: subSelections(walk, edgeSets, edgeType, child), type: unwrapObject(edgeType.getFields()[child]?.type) };
}

/** Selection sets of `edges { node { … } }` under a connection field. */
function edgeNodeSelections(walk: Walk, connection: readonly FieldNode[], connectionType: GraphQLObjectType): SelectionSetNode[] {
  return edgeChildSelections(walk, connection, connectionType, 'node').sets;
}

function unwrapObject(type: unknown): GraphQLObjectType | undefined {
  let t = type as { ofType?: unknown };
  while (t && !isObjectType(t) && t.ofType) t = t.ofType;
  return isObjectType(t) ? t : undefined;
}

/** Properties every row carries (resolvers and __resolveType rely on them). */
const ALWAYS = ['id', 'name', 'classification'];
const PROVENANCE = ['source', 'sourceRef', 'assertedAt', 'assertedBy'];

/** The stored properties the selection on `label` reads, or null for all of them. */
function propertiesFor(walk: Walk, label: Label, selectionSets: readonly SelectionSetNode[]): string[] | null {
  const type = walk.schema.getType(label);
  if (!isObjectType(type)) return null;
  const keys = new Set(ALWAYS);
  for (const fieldNode of fieldsOn(walk, selectionSets, type)) {
    const field = fieldNode.name.value;
    if (field === '__typename' || NESTED_FIELDS[label][field]) continue;
    if (field === 'provenance') PROVENANCE.forEach((k) => keys.add(k));
    else if (propertySpec(label, field)) keys.add(field);
    else if (field !== 'id') return null;
  }
  return [...keys];
}

/** Certification fields answered from the status history (src/graphql/resolvers/statusHistory.ts). */
const HISTORY_FIELDS = new Set(['status', 'statusOn', 'statusHistory']);

/** Whether the selection on `label` reads the status history: then the projection carries it (`__history`), no second read. */
function readsHistory(walk: Walk, label: Label, selectionSets: readonly SelectionSetNode[]): boolean {
  if (label !== 'Certification') return false;
  const type = walk.schema.getType(label);
  return isObjectType(type) && fieldsOn(walk, selectionSets, type).some((f) => HISTORY_FIELDS.has(f.name.value));
}

/** The relationship properties read through `edges { via { … } }` (type and classification always come). */
function viaPropertiesFor(walk: Walk, connection: readonly FieldNode[], connectionType: GraphQLObjectType): string[] | null {
  const via = edgeChildSelections(walk, connection, connectionType, 'via');
  if (!via.type) return null;
  const keys = new Set<string>();
  for (const f of fieldsOn(walk, via.sets, via.type)) {
    const field = f.name.value;
    if (field === '__typename' || field === 'type' || field === 'classification') continue;
    if (field === 'provenance') PROVENANCE.forEach((k) => keys.add(k));
    else keys.add(field); // every other field of Relationship is a stored relationship property
  }
  return [...keys];
}

/** Whether a connection selection reads its total (directly or through pageInfo.hasNextPage). */
function readsTotal(walk: Walk, connection: readonly FieldNode[], connectionType: GraphQLObjectType): boolean {
  return fieldsOn(walk, setsOf(connection), connectionType).some((f) => f.name.value === 'totalCount' || f.name.value === 'pageInfo');
}

function rowsOf(plans: readonly NestedPlan[], parents: number): number {
  return plans.reduce((sum, p) => sum + parents * p.limit + rowsOf(p.children, parents * p.limit), 0);
}

/** Drops the deepest levels until the plan fits the row budget. */
function fitBudget(plans: NestedPlan[], parents: number): NestedPlan[] {
  const prune = (ps: readonly NestedPlan[], depth: number): NestedPlan[] => ps.map((p) => ({ ...p, children: depth <= 1 ? [] : prune(p.children, depth - 1) }));
  let depth = PREFETCH_MAX_DEPTH;
  let fitted = plans;
  while (depth > 0 && rowsOf(fitted, parents) > PREFETCH_MAX_ROWS) {
    depth -= 1;
    fitted = depth === 0 ? [] : prune(plans, depth);
  }
  return fitted;
}

/** The nested plan for objects of `label` given the selection sets asked of them. */
function planFor(walk: Walk, label: Label, selectionSets: readonly SelectionSetNode[], depth: number): NestedPlan[] {
  if (depth > PREFETCH_MAX_DEPTH) return [];
  const type = walk.schema.getType(label);
  if (!isObjectType(type)) return [];
  const nested = NESTED_FIELDS[label];
  const byKey = new Map<string, { plan: NestedPlan; nodes: FieldNode[] }>();
  for (const fieldNode of fieldsOn(walk, selectionSets, type)) {
    const field = fieldNode.name.value;
    const spec = nested[field];
    const def = type.getFields()[field];
    if (!spec || !def) continue;
    let window: { offset: number; limit: number };
    try {
      window = spec.single ? { offset: 0, limit: 1 } : pageWindow(getArgumentValues(def, fieldNode, walk.variables), [field]);
    } catch {
      continue; // invalid arguments: the field's own resolver reports them
    }
    const key = prefetchKey(field, window.offset, window.limit);
    const entry = byKey.get(key) ?? {
      plan: {
        key,
        relationship: spec.relationship,
        direction: spec.direction,
        targets: spec.targets,
        ...window,
        properties: null,
        viaProperties: null,
        countTotal: false,
        children: [],
      },
      nodes: [],
    };
    entry.nodes.push(fieldNode);
    byKey.set(key, entry);
  }
  const plans: NestedPlan[] = [];
  for (const { plan, nodes } of byKey.values()) {
    const name = nodes[0]?.name.value ?? '';
    const connectionType = unwrapObject(type.getFields()[name]?.type);
    const single = nested[name]?.single === true;
    const sets = single ? setsOf(nodes) : connectionType ? edgeNodeSelections(walk, nodes, connectionType) : [];
    plan.countTotal = !single && connectionType !== undefined && readsTotal(walk, nodes, connectionType);
    // a single related node (issuer, maker…) exposes no edge
    plan.viaProperties = single ? [] : connectionType ? viaPropertiesFor(walk, nodes, connectionType) : null;
    const target = plan.targets.length === 1 ? plan.targets[0] : undefined;
    if (target) {
      plan.properties = propertiesFor(walk, target, sets);
      if (readsHistory(walk, target, sets)) plan.history = true;
      if (depth < PREFETCH_MAX_DEPTH) plan.children = planFor(walk, target, sets, depth + 1);
    }
    plans.push(plan);
  }
  return plans;
}

function walkOf(info: GraphQLResolveInfo): Walk {
  return { schema: info.schema, fragments: info.fragments, variables: info.variableValues };
}

/** Plan for a root field returning one node of `label` (e.g. `device(id:)`). */
export function planForNode(info: GraphQLResolveInfo, label: Label): Prefetch {
  const walk = walkOf(info);
  const sets = setsOf(info.fieldNodes);
  return withHistory({ properties: propertiesFor(walk, label, sets), nested: fitBudget(planFor(walk, label, sets, 1), 1) }, readsHistory(walk, label, sets));
}

/** Plan for a root field returning a connection of `label` nodes (e.g. `devices(…)`), `limit` per page. */
export function planForConnection(info: GraphQLResolveInfo, label: Label, limit: number): Prefetch {
  const walk = walkOf(info);
  const connectionType = unwrapObject(info.returnType);
  if (!connectionType) return { properties: null, nested: [] };
  const sets = edgeNodeSelections(walk, info.fieldNodes, connectionType);
  return withHistory(
    { properties: propertiesFor(walk, label, sets), nested: fitBudget(planFor(walk, label, sets, 1), Math.max(limit, 1)) },
    readsHistory(walk, label, sets),
  );
}

function withHistory(prefetch: Prefetch, history: boolean): Prefetch {
  return history ? { ...prefetch, history: true } : prefetch;
}

/**
 * Whether the resolved field's selection reaches `path` (field names from the field's own type,
 * fragments flattened, @skip / @include applied), e.g. `['threats', 'bestPath']` under `exposure`:
 * lets a service skip reading what no one asked for. A type it cannot follow counts as selected.
 */
export function selectsPath(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const walk: Walk = { schema: info.schema, fragments: info.fragments, variables: info.variableValues };
  let type = unwrapObject(info.returnType);
  let sets = setsOf(info.fieldNodes);
  for (const name of path) {
    if (!type) return true;
    const fields = fieldsOn(walk, sets, type).filter((f) => f.name.value === name);
    if (fields.length === 0) return false;
    sets = setsOf(fields);
    type = unwrapObject(type.getFields()[name]?.type);
  }
  return true;
}
