/**
 * Nested relationship fields, declared as data: for each GraphQL type and field, the
 * relationship it follows, in which direction, and which labels may be at the other end.
 * Resolvers for all of them are built from this table and batched with DataLoader: one
 * database round trip per nested field per nesting level, whatever the number of parents.
 */
import DataLoader from 'dataloader';
import type { Label, RelationshipType } from '../domain/model';
import type { NeighborQuery } from '../store/graphStore';
import { isRowOf, type NeighborItem, type NodeRow, type Page, type RowOf } from '../store/rows';
import type { GraphQLContext } from './context';
import { neighborConnection, pageWindow, type ConnectionOut, type PageArgs } from './pagination';

interface NestedFieldBase<T extends Label> {
  relationship: RelationshipType;
  direction: 'out' | 'in';
  /** Labels at the other end (their rows are what the field answers). */
  targets: readonly T[];
}

/** A connection of related nodes (e.g. a device's components). */
export interface ConnectionField<T extends Label = Label> extends NestedFieldBase<T> {
  single: false;
}

/** A single related node (e.g. a certification's issuer) instead of a connection. */
export interface SingleField<T extends Label = Label> extends NestedFieldBase<T> {
  single: true;
}

export type NestedField<T extends Label = Label> = ConnectionField<T> | SingleField<T>;

const out = <T extends Label>(relationship: RelationshipType, targets: readonly T[]): ConnectionField<T> => ({
  relationship,
  direction: 'out',
  targets,
  single: false,
});
const inn = <T extends Label>(relationship: RelationshipType, targets: readonly T[]): ConnectionField<T> => ({
  relationship,
  direction: 'in',
  targets,
  single: false,
});
const outOne = <T extends Label>(relationship: RelationshipType, targets: readonly T[]): SingleField<T> => ({
  relationship,
  direction: 'out',
  targets,
  single: true,
});
const innOne = <T extends Label>(relationship: RelationshipType, targets: readonly T[]): SingleField<T> => ({
  relationship,
  direction: 'in',
  targets,
  single: true,
});
const ASSET = ['Device', 'Component'] as const;

/** The table with each label's field names and each field's kind (connection or single) kept in its type. */
const NESTED = {
  Organization: {
    devices: out('MAKES', ['Device']),
    suppliedComponents: inn('SUPPLIED_BY', ['Component']),
    issuedCertifications: inn('ISSUED_BY', ['Certification']),
    evaluatedCertifications: inn('EVALUATED_BY', ['Certification']),
    deployments: out('OPERATES', ['Deployment']),
  },
  Device: {
    maker: innOne('MAKES', ['Organization']),
    components: out('HAS_COMPONENT', ['Component']),
    implementedControls: out('IMPLEMENTS', ['Control']),
    certifications: inn('CERTIFIES', ['Certification']),
    threats: inn('TARGETS', ['Threat']),
    deployments: inn('OF', ['Deployment']),
  },
  Component: {
    devices: inn('HAS_COMPONENT', ['Device']),
    parents: inn('HAS_COMPONENT', ['Component']),
    subcomponents: out('HAS_COMPONENT', ['Component']),
    dependencies: out('DEPENDS_ON', ['Component']),
    dependents: inn('DEPENDS_ON', ['Component']),
    suppliers: out('SUPPLIED_BY', ['Organization']),
    supersedes: out('SUPERSEDES', ['Component']),
    supersededBy: inn('SUPERSEDES', ['Component']),
    implementedControls: out('IMPLEMENTS', ['Control']),
    vulnerabilities: inn('AFFECTS', ['Vulnerability']),
    threats: inn('TARGETS', ['Threat']),
    certifications: inn('CERTIFIES', ['Certification']),
    deployments: inn('RUNS', ['Deployment']),
  },
  Control: {
    implementedBy: inn('IMPLEMENTS', ASSET),
    mitigates: out('MITIGATES', ['Threat']),
    mapsTo: out('MAPS_TO', ['Control']),
    mappedFrom: inn('MAPS_TO', ['Control']),
    requiredBy: inn('REQUIRES', ['Certification']),
  },
  Certification: {
    issuer: outOne('ISSUED_BY', ['Organization']),
    assessor: outOne('EVALUATED_BY', ['Organization']),
    standards: out('ASSESSED_AGAINST', ['Standard']),
    certifies: out('CERTIFIES', ASSET),
    basedOn: out('BASED_ON', ['Certification']),
    supports: inn('BASED_ON', ['Certification']),
    supersedes: out('SUPERSEDES', ['Certification']),
    supersededBy: inn('SUPERSEDES', ['Certification']),
    requiredControls: out('REQUIRES', ['Control']),
  },
  Standard: {
    certifications: inn('ASSESSED_AGAINST', ['Certification']),
  },
  Threat: {
    targets: out('TARGETS', ASSET),
    exploits: out('EXPLOITS', ['Vulnerability']),
    impactOf: out('IMPACT_OF', ['Vulnerability']),
    mitigatedBy: inn('MITIGATES', ['Control']),
  },
  Vulnerability: {
    affects: out('AFFECTS', ['Component']),
    exploitedBy: inn('EXPLOITS', ['Threat']),
    impacts: inn('IMPACT_OF', ['Threat']),
  },
  Deployment: {
    operator: innOne('OPERATES', ['Organization']),
    device: outOne('OF', ['Device']),
    runs: out('RUNS', ['Component']),
  },
} satisfies Record<Label, Record<string, NestedField>>;

/** For each label, its nested fields by name. */
export const NESTED_FIELDS: Record<Label, Readonly<Record<string, NestedField>>> = NESTED;

function loaderFor<T extends Label>(ctx: GraphQLContext, query: NeighborQuery<T>): DataLoader<string, Page<NeighborItem<RowOf<T>>>> {
  const key = `neighbors:${JSON.stringify(query)}`;
  let loader = ctx.loaders.get(key) as DataLoader<string, Page<NeighborItem<RowOf<T>>>> | undefined;
  if (!loader) {
    loader = new DataLoader<string, Page<NeighborItem<RowOf<T>>>>(async (parentIds) => {
      const pages = await ctx.store.neighbors(query, parentIds);
      return parentIds.map((id) => pages.get(id) ?? { items: [], totalCount: 0, offset: query.offset, limit: query.limit });
    });
    ctx.loaders.set(key, loader);
  }
  return loader;
}

/** The key under which a prefetched nested page is stored on its parent row: the field and its window. */
export function prefetchKey(field: string, offset: number, limit: number): string {
  return `${field}|${offset}|${limit}`;
}

type ConnectionResolver<T extends Label> = (parent: NodeRow, args: PageArgs, ctx: GraphQLContext) => ConnectionOut<RowOf<T>> | Promise<ConnectionOut<RowOf<T>>>;
type SingleResolver<T extends Label> = (parent: NodeRow, args: PageArgs, ctx: GraphQLContext) => RowOf<T> | null | Promise<RowOf<T> | null>;
/** A field's resolver: its kind (connection or single) and the rows of its target labels kept in its type. */
type ResolverOf<F> = F extends SingleField<infer T> ? SingleResolver<T> : F extends ConnectionField<infer T> ? ConnectionResolver<T> : never;

/** Whether every row of a page is of the target labels (checked in place, no copy of the page). */
function isPageOf<T extends Label>(page: Page<NeighborItem>, targets: readonly T[]): page is Page<NeighborItem<RowOf<T>>> {
  return page.items.every((item) => isRowOf(item.node, targets));
}

/**
 * The page of one nested field for a parent: prefetched with it (returned as it is, no promise:
 * graphql-js completes a synchronous tree without scheduling a promise per field), else one
 * batched query for all parents at this level.
 */
function nestedPage<T extends Label>(
  label: Label,
  field: string,
  spec: NestedField<T>,
  parent: NodeRow,
  window: { offset: number; limit: number },
  ctx: GraphQLContext,
): Page<NeighborItem<RowOf<T>>> | Promise<Page<NeighborItem<RowOf<T>>>> {
  const prefetched = parent.__nested?.[prefetchKey(field, window.offset, window.limit)];
  if (prefetched) {
    // a prefetched page was matched by the same targets (src/store/projection.ts nestedProjection)
    if (isPageOf(prefetched, spec.targets)) return prefetched;
    throw new Error(`store: a prefetched ${label}.${field} page holds a node of another label than ${spec.targets.join(' or ')}`);
  }
  const query: NeighborQuery<T> = { parentLabel: label, relationship: spec.relationship, direction: spec.direction, targetLabels: spec.targets, ...window };
  return loaderFor(ctx, query).load(parent.id);
}

/** `f(value)`, or `value.then(f)` for a promise. */
function thenMaybe<T, R>(value: T | Promise<T>, f: (v: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

const firstNode = <N extends NodeRow>(page: Page<NeighborItem<N>>): N | null => page.items[0]?.node ?? null;

/**
 * Resolver for one nested field: the page prefetched with the parent when the look-ahead
 * planned it (src/graphql/prefetch.ts), else one batched query for all parents at this level.
 */
export function nestedResolver<T extends Label>(label: Label, field: string, spec: SingleField<T>): SingleResolver<T>;
export function nestedResolver<T extends Label>(label: Label, field: string, spec: ConnectionField<T>): ConnectionResolver<T>;
export function nestedResolver<T extends Label>(label: Label, field: string, spec: NestedField<T>): SingleResolver<T> | ConnectionResolver<T>;
export function nestedResolver<T extends Label>(label: Label, field: string, spec: NestedField<T>): SingleResolver<T> | ConnectionResolver<T> {
  if (spec.single) return (parent, _args, ctx) => thenMaybe(nestedPage(label, field, spec, parent, { offset: 0, limit: 1 }, ctx), firstNode);
  return (parent, args, ctx) => thenMaybe(nestedPage(label, field, spec, parent, pageWindow(args, [field]), ctx), neighborConnection);
}

/** The resolvers of one label's nested fields, each typed by its field's kind (checked against the generated resolver types). */
export type NestedResolvers<L extends Label> = {
  [K in keyof (typeof NESTED)[L]]: ResolverOf<(typeof NESTED)[L][K]>;
};

/** The resolvers of every nested field of a label, built from the table. */
export function nestedResolvers<L extends Label>(label: L): NestedResolvers<L> {
  const fields: Record<string, SingleResolver<Label> | ConnectionResolver<Label>> = {};
  for (const [field, spec] of Object.entries(NESTED_FIELDS[label])) fields[field] = nestedResolver(label, field, spec);
  // Each field got the resolver of its own kind (nestedResolver's overloads); TypeScript cannot carry
  // a loop over keys into a mapped type, so the table's per-field types are restated here once.
  return fields as NestedResolvers<L>;
}

/** Loads visible nodes by id, batched per request. */
export function nodeLoader(ctx: GraphQLContext): DataLoader<string, NodeRow | null> {
  let loader = ctx.loaders.get('nodes') as DataLoader<string, NodeRow | null> | undefined;
  if (!loader) {
    loader = new DataLoader<string, NodeRow | null>(async (ids) => {
      const rows = await ctx.store.getNodes(ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    ctx.loaders.set('nodes', loader);
  }
  return loader;
}
