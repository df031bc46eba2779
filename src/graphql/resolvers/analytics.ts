/**
 * Resolvers of the risk analytics (schema/analytics.graphql): each checks the analyst role and
 * calls one function of src/services/analytics.ts.
 */
import type { IResolvers } from '@graphql-tools/utils';
import { requireRole } from '../../auth';
import * as analytics from '../../services/analytics';
import type { GraphQLContext } from '../context';
import type { QueryResolvers } from '../generated/resolvers-types';

const query: QueryResolvers = {
  riskPaths: (_p, args, ctx) => {
    requireRole(ctx, 'analyst');
    return analytics.riskPaths(ctx, args);
  },
  exposure: (_p, args, ctx) => {
    requireRole(ctx, 'analyst');
    return analytics.exposure(ctx, args);
  },
  blastRadius: (_p, args, ctx) => {
    requireRole(ctx, 'analyst');
    return analytics.blastRadius(ctx, args);
  },
  certificationLineage: (_p, args, ctx) => {
    requireRole(ctx, 'analyst');
    return analytics.certificationLineage(ctx, args);
  },
  scopeDrift: (_p, args, ctx) => {
    requireRole(ctx, 'analyst');
    return analytics.scopeDrift(ctx, args);
  },
};

export const analyticsResolvers: IResolvers<unknown, GraphQLContext>[] = [{ Query: query } as IResolvers<unknown, GraphQLContext>];
