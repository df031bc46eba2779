/**
 * Nested relationship fields, declared as data: for each GraphQL type and field, the
 * relationship it follows, in which direction, and which labels may be at the other end.
 * Resolvers for all of them are built from this table and batched with DataLoader: one
 * database round trip per nested field per nesting level, whatever the number of parents.
 */
import DataLoader from 'dataloader';
import type { Label, RelationshipType } from '../domain/model';
import type { NeighborQuery } from '../store/graphStore';
import type { NeighborItem, NodeRow, Page } from '../store/rows';
import type { GraphQLContext } from './context';
import { neighborConnection, pageWindow, type ConnectionOut, type PageArgs } from './pagination';

interface NestedFieldBase {
  relationship: RelationshipType;
  direction: 'out' | 'in';
  targets: readonly Label[];
}

/** A connection of related nodes (e.g. a device's components). */
export interface ConnectionField extends NestedFieldBase {
  single: false;
}

/** A single related node (e.g. a certification's issuer) instead of a connection. */
export interface SingleField extends NestedFieldBase {
  single: true;
}

export type NestedField = ConnectionField | SingleField;

const out = (relationship: RelationshipType, targets: readonly Label[]): ConnectionField => ({ relationship, direction: 'out', targets, single: false });
const inn = (relationship: RelationshipType, targets: readonly Label[]): ConnectionField => ({ relationship, direction: 'in', targets, single: false });
const outOne = (relationship: RelationshipType, targets: readonly Label[]): SingleField => ({ relationship, direction: 'out', targets, single: true });
const innOne = (relationship: RelationshipType, targets: readonly Label[]): SingleField => ({ relationship, direction: 'in', targets, single: true });
const ASSET: readonly Label[] = ['Device', 'Component'];

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

function loaderFor(ctx: GraphQLContext, query: NeighborQuery): DataLoader<string, Page<NeighborItem>> {
  const key = `neighbors:${JSON.stringify(query)}`;
  let loader = ctx.loaders.get(key) as DataLoader<string, Page<NeighborItem>> | undefined;
  if (!loader) {
    loader = new DataLoader<string, Page<NeighborItem>>(async (parentIds) => {
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

type ConnectionResolver = (parent: NodeRow, args: PageArgs, ctx: GraphQLContext) => ConnectionOut | Promise<ConnectionOut>;
type SingleResolver = (parent: NodeRow, args: PageArgs, ctx: GraphQLContext) => NodeRow | null | Promise<NodeRow | null>;
type ResolverOf<F extends NestedField> = F extends SingleField ? SingleResolver : ConnectionResolver;

/**
 * The page of one nested field for a parent: prefetched with it (returned as it is, no promise:
 * graphql-js completes a synchronous tree without scheduling a promise per field), else one
 * batched query for all parents at this level.
 */
function nestedPage(
  label: Label,
  field: string,
  spec: NestedField,
  parent: NodeRow,
  window: { offset: number; limit: number },
  ctx: GraphQLContext,
): Page<NeighborItem> | Promise<Page<NeighborItem>> {
  const prefetched = parent.__nested?.[prefetchKey(field, window.offset, window.limit)];
  if (prefetched) return prefetched;
  const query: NeighborQuery = { parentLabel: label, relationship: spec.relationship, direction: spec.direction, targetLabels: spec.targets, ...window };
  return loaderFor(ctx, query).load(parent.id);
}

/** `f(value)`, or `value.then(f)` for a promise. */
function thenMaybe<T, R>(value: T | Promise<T>, f: (v: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

const firstNode = (page: Page<NeighborItem>): NodeRow | null => page.items[0]?.node ?? null;

/**
 * Resolver for one nested field: the page prefetched with the parent when the look-ahead
 * planned it (src/graphql/prefetch.ts), else one batched query for all parents at this level.
 */
export function nestedResolver(label: Label, field: string, spec: SingleField): SingleResolver;
export function nestedResolver(label: Label, field: string, spec: ConnectionField): ConnectionResolver;
export function nestedResolver(label: Label, field: string, spec: NestedField): SingleResolver | ConnectionResolver;
export function nestedResolver(label: Label, field: string, spec: NestedField): SingleResolver | ConnectionResolver {
  if (spec.single) return (parent, _args, ctx) => thenMaybe(nestedPage(label, field, spec, parent, { offset: 0, limit: 1 }, ctx), firstNode);
  return (parent, args, ctx) => thenMaybe(nestedPage(label, field, spec, parent, pageWindow(args, [field]), ctx), neighborConnection);
}

/** The resolvers of one label's nested fields, each typed by its field's kind (checked against the generated resolver types). */
export type NestedResolvers<L extends Label> = {
  [K in keyof (typeof NESTED)[L]]: (typeof NESTED)[L][K] extends NestedField ? ResolverOf<(typeof NESTED)[L][K]> : never;
};

/** The resolvers of every nested field of a label, built from the table. */
export function nestedResolvers<L extends Label>(label: L): NestedResolvers<L> {
  const fields: Record<string, SingleResolver | ConnectionResolver> = {};
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
