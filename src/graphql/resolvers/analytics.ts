/**
 * Resolvers of the risk analytics (schema/analytics.graphql): each calls one function of
 * src/services/analytics.ts (the analyst role is checked by the table in src/graphql/access.ts).
 * The service's results (src/services/analyticsResults.ts) are checked here against the generated
 * resolver types, so they cannot drift from schema/analytics.graphql.
 */
import * as analytics from '../../services/analytics';
import type { QueryResolvers, Resolvers } from '../generated/resolvers-types';

const query: QueryResolvers = {
  riskPaths: (_p, args, ctx) => analytics.riskPaths(ctx, args),
  exposure: (_p, args, ctx) => analytics.exposure(ctx, args),
  blastRadius: (_p, args, ctx) => analytics.blastRadius(ctx, args),
  certificationLineage: (_p, args, ctx) => analytics.certificationLineage(ctx, args),
  scopeDrift: (_p, args, ctx) => analytics.scopeDrift(ctx, args),
  remediation: (_p, args, ctx) => analytics.remediation(ctx, args),
};

export const analyticsResolvers: Resolvers[] = [{ Query: query }];
