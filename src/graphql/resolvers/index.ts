import type { IResolvers } from '@graphql-tools/utils';
import type { GraphQLContext } from '../context';
import { coreResolvers } from './core';

/** Every resolver map of the API; each area adds its own here. */
export const allResolvers: IResolvers<unknown, GraphQLContext>[] = [...coreResolvers];
