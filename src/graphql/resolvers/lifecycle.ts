/**
 * `certificationStatusChanges`: what changed between two dates (status history entries with
 * their certification). Thin: the service checks the arguments, the store reads.
 */
import * as lifecycle from '../../services/lifecycle';
import { dateText } from '../../services/statusHistory';
import type { Resolvers } from '../generated/resolvers-types';

export const lifecycleResolvers: Resolvers = {
  Query: {
    certificationStatusChanges: (_p, { from, to, statuses, issuedBy, first }, ctx) =>
      lifecycle.certificationStatusChanges(ctx.store, { from: dateText(from), to: dateText(to), statuses, issuedBy, first }),
  },
};
