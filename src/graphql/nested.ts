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

export interface NestedField {
  relationship: RelationshipType;
  direction: 'out' | 'in';
  targets: readonly Label[];
  /** A single related node (e.g. a certification's issuer) instead of a connection. */
  single?: boolean;
}

const out = (relationship: RelationshipType, targets: readonly Label[], single = false): NestedField => ({ relationship, direction: 'out', targets, single });
const inn = (relationship: RelationshipType, targets: readonly Label[], single = false): NestedField => ({ relationship, direction: 'in', targets, single });
const ASSET: readonly Label[] = ['Device', 'Component'];

export const NESTED_FIELDS: Record<Label, Record<string, NestedField>> = {
  Organization: {
    devices: out('MAKES', ['Device']),
    suppliedComponents: inn('SUPPLIED_BY', ['Component']),
    issuedCertifications: inn('ISSUED_BY', ['Certification']),
    evaluatedCertifications: inn('EVALUATED_BY', ['Certification']),
    deployments: out('OPERATES', ['Deployment']),
  },
  Device: {
    maker: inn('MAKES', ['Organization'], true),
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
    issuer: out('ISSUED_BY', ['Organization'], true),
    assessor: out('EVALUATED_BY', ['Organization'], true),
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
    operator: inn('OPERATES', ['Organization'], true),
    device: out('OF', ['Device'], true),
    runs: out('RUNS', ['Component']),
  },
};

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

type NestedResolver = (parent: NodeRow, args: PageArgs, ctx: GraphQLContext) => Promise<ConnectionOut | NodeRow | null>;

/**
 * Resolver for one nested field: the page prefetched with the parent when the look-ahead
 * planned it (src/graphql/prefetch.ts), else one batched query for all parents at this level.
 */
export function nestedResolver(label: Label, field: string, spec: NestedField): NestedResolver {
  return async (parent, args, ctx) => {
    const window = spec.single ? { offset: 0, limit: 1 } : pageWindow(args, [field]);
    const query: NeighborQuery = { parentLabel: label, relationship: spec.relationship, direction: spec.direction, targetLabels: spec.targets, ...window };
    const page = parent.__nested?.[prefetchKey(field, window.offset, window.limit)] ?? (await loaderFor(ctx, query).load(parent.id));
    if (spec.single) return page.items[0]?.node ?? null;
    return neighborConnection(page);
  };
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
