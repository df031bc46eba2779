import type { Resolvers } from '../generated/resolvers-types';
import { analyticsResolvers } from './analytics';
import { coreResolvers } from './core';
import { eventResolvers } from './events';
import { importResolvers } from './import';
import { lifecycleResolvers } from './lifecycle';
import { statusHistoryResolvers } from './statusHistory';

/** Every resolver map of the API; each area adds its own here. */
export const allResolvers: Resolvers[] = [
  ...coreResolvers,
  ...analyticsResolvers,
  ...importResolvers,
  statusHistoryResolvers,
  lifecycleResolvers,
  ...eventResolvers,
];
