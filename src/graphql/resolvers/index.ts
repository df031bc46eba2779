import type { IResolvers } from '@graphql-tools/utils';
import type { GraphQLContext } from '../context';
import { analyticsResolvers } from './analytics';
import { coreResolvers } from './core';
import { importResolvers } from './import';

/** Every resolver map of the API; each area adds its own here. */
export const allResolvers: IResolvers<unknown, GraphQLContext>[] = [...coreResolvers, ...analyticsResolvers, ...importResolvers];
