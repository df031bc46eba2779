/**
 * The change feed (docs/EVENTS.md): the `certificationEvents` page and subscription, and the
 * webhook watches. Thin: arguments go to src/services/eventFeed.ts and webhooks.ts.
 */
import type { StoredEvent } from '../../domain/events';
import { listEvents, subscribeEvents } from '../../services/eventFeed';
import { createWatch, deleteWatch, urlPolicyFrom, watchDeliveries, type WatchDeps } from '../../services/webhooks';
import type { GraphQLContext } from '../context';
import type { Resolvers } from '../generated/resolvers-types';

function watchDeps(ctx: GraphQLContext): WatchDeps {
  return { caller: ctx.caller, watches: ctx.watches, policy: urlPolicyFrom(ctx.config), limit: ctx.config.WATCHES_PER_CALLER };
}

/**
 * Wraps each event as the subscription's payload (`{certificationEvents: event}`). Not an async
 * generator: a generator's `return()` waits for the pending `next()`, so a client that completes
 * while no event comes would hold its subscription slot; this forwards `return()` at once.
 */
function asPayloads(events: AsyncIterableIterator<StoredEvent>): AsyncIterableIterator<{ certificationEvents: StoredEvent }> {
  const done = { done: true as const, value: undefined };
  const iterator: AsyncIterableIterator<{ certificationEvents: StoredEvent }> = {
    next: async () => {
      const r = await events.next();
      return r.done ? done : { done: false, value: { certificationEvents: r.value } };
    },
    return: async () => {
      await events.return?.();
      return done;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

const resolvers: Resolvers = {
  Query: {
    certificationEvents: async (_p, args, ctx) => {
      const page = await listEvents(ctx.events, args);
      const edges = page.events.map((node) => ({ cursor: String(node.sequence), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
    watches: (_p, _a, ctx) => ctx.watches.list(),
  },
  Mutation: {
    createWatch: (_p, args, ctx) => createWatch(watchDeps(ctx), args),
    deleteWatch: (_p, args, ctx) => deleteWatch(watchDeps(ctx), args.id),
  },
  Subscription: {
    certificationEvents: {
      subscribe: (_p, args, ctx) => asPayloads(subscribeEvents(ctx.live, ctx.events, ctx.caller, args)),
    },
  },
  CertificationEvent: {
    causeCertificationIds: (e) => e.causeIds,
    deploymentIds: (e) => e.deploymentIds ?? [],
    vulnerabilityIds: (e) => e.vulnerabilityIds ?? [],
    findingsAdded: (e) => e.findingsAdded ?? [],
    findingsResolved: (e) => e.findingsResolved ?? [],
    viewClearance: (e) => e.viewClearance ?? null,
  },
  Watch: {
    deliveries: (w, args, ctx) => watchDeliveries(watchDeps(ctx), w.id, args.first),
  },
};

export const eventResolvers: Resolvers[] = [resolvers];
