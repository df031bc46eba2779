/**
 * Resolvers of the core API: lookups, lists, search, node(s), nested relationship fields and
 * writes. Each checks its arguments and calls one store or service function.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { LABELS, type Label } from '../../domain/model';
import { toLuceneQuery } from '../../domain/lucene';
import * as mutations from '../../services/mutations';
import { isRowOf, provenanceOf, type NodeRow, type ProvenanceRow, type RelationshipRow, type RowOf } from '../../store/rows';
import type { GraphQLContext } from '../context';
import { badInput } from '../errors';
import { conditionsFor, orderKey } from '../filters';
import type { MutationResolvers, QueryResolvers, Resolvers } from '../generated/resolvers-types';
import { nestedResolvers, nodeLoader } from '../nested';
import { nodeConnection, pageWindow, type ConnectionOut } from '../pagination';
import { planForConnection, planForNode } from '../prefetch';

const MAX_IDS = 100;

/** A node of one label by id; with nested fields selected, they come in the same query. */
async function byId<L extends Label>(ctx: GraphQLContext, label: L, id: string, info: GraphQLResolveInfo): Promise<RowOf<L> | null> {
  const prefetch = planForNode(info, label);
  if (prefetch.nested.length > 0) return ctx.store.getNodeWithNested(label, id, prefetch);
  const row = await nodeLoader(ctx).load(id);
  return row && isRowOf(row, [label]) ? row : null;
}

interface ListArgs {
  filter?: object | null;
  orderBy?: { field: string; direction?: string | null } | null;
  first?: number | null;
  after?: string | null;
}

async function list<L extends Label>(ctx: GraphQLContext, label: L, args: ListArgs, info: GraphQLResolveInfo): Promise<ConnectionOut<RowOf<L>>> {
  const { offset, limit } = pageWindow(args);
  const query = {
    label,
    conditions: conditionsFor(label, args.filter as Record<string, unknown> | null | undefined),
    orderKey: orderKey(label, args.orderBy?.field),
    descending: args.orderBy?.direction === 'DESC',
    offset,
    limit,
  };
  const page = await ctx.store.list(query, planForConnection(info, label, limit));
  return nodeConnection(page);
}

const query: QueryResolvers = {
  node: (_p, { id }, ctx) => nodeLoader(ctx).load(id),
  nodes: (_p, { ids }, ctx) => {
    if (ids.length > MAX_IDS) throw badInput(`ids: at most ${MAX_IDS} ids per call (got ${ids.length})`, ['ids']);
    return Promise.all(ids.map((id) => nodeLoader(ctx).load(id)));
  },
  organization: (_p, { id }, ctx, info) => byId(ctx, 'Organization', id, info),
  organizations: (_p, args, ctx, info) => list(ctx, 'Organization', args, info),
  device: (_p, { id }, ctx, info) => byId(ctx, 'Device', id, info),
  devices: (_p, args, ctx, info) => list(ctx, 'Device', args, info),
  component: (_p, { id }, ctx, info) => byId(ctx, 'Component', id, info),
  components: (_p, args, ctx, info) => list(ctx, 'Component', args, info),
  control: (_p, { id }, ctx, info) => byId(ctx, 'Control', id, info),
  controls: (_p, args, ctx, info) => list(ctx, 'Control', args, info),
  certification: (_p, { id }, ctx, info) => byId(ctx, 'Certification', id, info),
  certifications: (_p, args, ctx, info) => list(ctx, 'Certification', args, info),
  standard: (_p, { id }, ctx, info) => byId(ctx, 'Standard', id, info),
  standards: (_p, args, ctx, info) => list(ctx, 'Standard', args, info),
  threat: (_p, { id }, ctx, info) => byId(ctx, 'Threat', id, info),
  threats: (_p, args, ctx, info) => list(ctx, 'Threat', args, info),
  vulnerability: (_p, { id }, ctx, info) => byId(ctx, 'Vulnerability', id, info),
  vulnerabilities: (_p, args, ctx, info) => list(ctx, 'Vulnerability', args, info),
  deployment: (_p, { id }, ctx, info) => byId(ctx, 'Deployment', id, info),
  deployments: (_p, args, ctx, info) => list(ctx, 'Deployment', args, info),
  search: async (_p, { text, labels, first }, ctx) => {
    if (text.trim().length === 0 || text.length > 200) throw badInput('text: must be 1..200 characters', ['text']);
    const { limit } = pageWindow({ first });
    const lucene = toLuceneQuery(text);
    if (lucene === '') throw badInput('text: must contain at least one word (not only spaces or control characters)', ['text']);
    const hits = await ctx.store.search(lucene, labels && labels.length > 0 ? labels : LABELS, limit);
    return hits.map((hit) => ({ node: hit.node, label: hit.node.__label, score: hit.score }));
  },
};

const mutation: MutationResolvers = {
  upsertOrganization: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Organization', input),
  upsertDevice: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Device', input),
  upsertComponent: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Component', input),
  upsertControl: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Control', input),
  upsertCertification: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Certification', input),
  upsertStandard: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Standard', input),
  upsertThreat: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Threat', input),
  upsertVulnerability: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Vulnerability', input),
  upsertDeployment: (_p, { input }, ctx) => mutations.upsertNode(ctx, 'Deployment', input),
  link: (_p, { input }, ctx) => mutations.link(ctx, input),
  unlink: (_p, { input }, ctx) => mutations.unlink(ctx, input),
  deleteNode: (_p, { id, detach }, ctx) => mutations.deleteNode(ctx, id, detach ?? false),
};

const resolveLabel = (parent: NodeRow): Label => parent.__label;

const typed: Resolvers = {
  Query: query,
  Mutation: mutation,
  Node: { __resolveType: resolveLabel },
  Asset: { __resolveType: (parent) => (parent.__label === 'Device' ? 'Device' : 'Component') },
  Relationship: {
    provenance: (parent: RelationshipRow) => provenanceOf(parent),
  },
};

const provenance = (parent: NodeRow): ProvenanceRow => provenanceOf(parent);

/** Nested relationship fields (src/graphql/nested.ts) and provenance for every label. */
const labelFields = {
  Organization: { provenance, ...nestedResolvers('Organization') },
  Device: { provenance, ...nestedResolvers('Device') },
  Component: { provenance, ...nestedResolvers('Component') },
  Control: { provenance, ...nestedResolvers('Control') },
  Certification: { provenance, ...nestedResolvers('Certification') },
  Standard: { provenance, ...nestedResolvers('Standard') },
  Threat: { provenance, ...nestedResolvers('Threat') },
  Vulnerability: { provenance, ...nestedResolvers('Vulnerability') },
  Deployment: { provenance, ...nestedResolvers('Deployment') },
} satisfies Resolvers & Record<Label, object>;

export const coreResolvers: Resolvers[] = [typed, labelFields];
