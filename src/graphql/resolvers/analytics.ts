/**
 * Resolvers of the risk analytics (schema/analytics.graphql): each calls one function of
 * src/services/analytics.ts, or of src/services/whatIf.ts when an `assume` argument is given (the analyst role is checked by the table in src/graphql/access.ts).
 * The service's results (src/services/analyticsResults.ts) are checked here against the generated
 * resolver types, so they cannot drift from schema/analytics.graphql.
 */
import * as analytics from '../../services/analytics';
import * as whatIf from '../../services/whatIf';
import { selectsPath } from '../prefetch';
import type { QueryResolvers, Resolvers, ThreatExposureResolvers } from '../generated/resolvers-types';

const query: QueryResolvers = {
  riskPaths: (_p, { assume, ...args }, ctx) => (assume ? whatIf.riskPaths(ctx, { ...args, assume }) : analytics.riskPaths(ctx, args)),
  // without a selected bestPath, no path is read in full (docs/ANALYTICS.md)
  exposure: (_p, { assume, ...args }, ctx, info) =>
    assume ? whatIf.exposure(ctx, { ...args, assume }) : analytics.exposure(ctx, args, { bestPaths: selectsPath(info, ['threats', 'bestPath']) }),
  blastRadius: (_p, { assume, ...args }, ctx) => (assume ? whatIf.blastRadius(ctx, { ...args, assume }) : analytics.blastRadius(ctx, args)),
  certificationLineage: (_p, args, ctx) => analytics.certificationLineage(ctx, args),
  scopeDrift: (_p, { assume, ...args }, ctx) => (assume ? whatIf.scopeDrift(ctx, { ...args, assume }) : analytics.scopeDrift(ctx, args)),
  remediation: (_p, args, ctx) => analytics.remediation(ctx, args),
};

const threatExposure: ThreatExposureResolvers = {
  bestPath: (p) => {
    if (!p.bestPath) throw new Error('exposure: bestPath was selected but not read');
    return p.bestPath;
  },
};

export const analyticsResolvers: Resolvers[] = [{ Query: query, ThreatExposure: threatExposure }];
