/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the HTTP server's /graphql path.
 * The caller is authenticated at connection time from the connection parameters, the same
 * credentials as over HTTP: `{ "x-api-key": "..." }` (or `apiKey`) or
 * `{ "authorization": "Bearer <jwt>" }`. A refused connection is closed with 4403 before any
 * subscription starts. Each subscription's context is a request context without a deadline (a
 * subscription lives as long as the client wants); its reads are bound to the caller's markings.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../auth';
import { markingsVisibleTo } from '../domain/model';
import type { Caller, GraphQLContext } from '../graphql/context';
import { EventStore } from '../store/eventStore';
import type { Database } from '../store/database';

/** Largest WebSocket message accepted (a subscription document and its variables). */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  db: Database;
  authenticator: Authenticator;
  logger: Logger;
  production: boolean;
  /** Builds a request context for an authenticated caller. */
  contextFor(caller: Caller, requestId: string): Promise<GraphQLContext>;
}

export interface SubscriptionServer {
  /** Open WebSocket connections. */
  connections(): number;
  close(): Promise<void>;
}

function param(params: Readonly<Record<string, unknown>> | undefined, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = params?.[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export function createSubscriptionServer(opts: SubscriptionServerOptions): SubscriptionServer {
  const { httpServer, schema, db, authenticator, logger } = opts;
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_WS_MESSAGE_BYTES });
  const callers = new WeakMap<object, Caller>();
  const disposable = useServer<Record<string, unknown> | undefined, { caller?: Caller }>(
    {
      schema,
      isProd: opts.production,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? undefined;
        const result = await authenticator.authenticate({
          apiKey: param(params, 'x-api-key', 'apiKey'),
          authorization: param(params, 'authorization', 'Authorization'),
        });
        if (!result.ok) {
          logger.info({ reason: result.message }, 'websocket connection refused');
          return false;
        }
        callers.set(ctx.extra.socket, result.caller);
        return true;
      },
      context: async (ctx) => {
        const caller = callers.get(ctx.extra.socket);
        if (!caller) throw new Error('subscription on an unauthenticated connection');
        const context = await opts.contextFor(caller, randomUUID());
        // no request deadline: the subscription's reads are bounded by the transaction timeout only
        return { ...context, events: new EventStore(db, undefined, markingsVisibleTo(caller.clearance)) };
      },
    },
    wss,
  );
  return {
    connections: () => wss.clients.size,
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
