/**
 * The HTTP server: Apollo Server at /graphql, GET /healthz (process alive) and GET /readyz
 * (Neo4j reachable and migrations applied), request ids, body-size limit, graceful drain.
 * createApp wires the routes; the parts are in src/http: the Apollo server (apollo.ts), the
 * /graphql request path (graphqlHandler.ts), readiness (readiness.ts), body and JSON answers (body.ts).
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { createAuthenticator } from './auth';
import type { AppConfig } from './config';
import type { Caller } from './domain/caller';
import type { GraphQLContext } from './graphql/context';
import { createExplorerHandler } from './explorer/handler';
import { createApolloServer } from './http/apollo';
import type { AdmissionStats } from './http/admission';
import { sendJson } from './http/body';
import { createGraphqlHandler, sendRequestError } from './http/graphqlHandler';
import { createReadinessCheck } from './http/readiness';
import type { Database } from './store/database';
import { buildSchema } from './graphql/schema';
import { createSubscriptionServer } from './http/subscriptions';
import { LiveFeed } from './services/eventFeed';
import { WebhookWorker } from './services/webhooks';
import { ExpiryScheduler } from './services/expirySweep';

export interface AppOptions {
  config: AppConfig;
  db: Database;
  logger: Logger;
  /** Whether migrations already ran (readiness retries them otherwise). */
  migrationsApplied?: boolean;
  /** State of the project-managed Neo4j, when this process runs it: `restarting` makes /readyz say so. */
  neo4jState?: () => string;
  /** Called once per answered request with the time the server spent on it (the `ms` of the request log line); the load benchmark reads it. */
  onRequestTimed?: (timing: { path: string; status: number; ms: number }) => void;
}

export interface App {
  httpServer: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  /** Builds a context as a request would (authenticated from `headers`, or as `caller`), for tests and the start-up warm-up using executeOperation. */
  contextFor(headers?: Record<string, string>, caller?: Caller): Promise<GraphQLContext>;
  /** Resolves when no operation is executing, including ones whose caller already got its 503. */
  idle(): Promise<void>;
  /** Admission control's counters (src/http/admission.ts): operations executing, waiting, refused. */
  admission(): AdmissionStats;
  listen(port: number, host: string): Promise<string>;
  stop(): Promise<void>;
  readiness(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  /** The live-delivery hub of the change feed (subscriptions). */
  live: LiveFeed;
  /** The webhook delivery worker, when WEBHOOK_DELIVERY is on. */
  webhooks: WebhookWorker | undefined;
  /** Open WebSocket connections. */
  webSockets(): number;
  /** The scheduled expiry sweep, when EXPIRY_SWEEP_INTERVAL_MS > 0. */
  sweep: ExpiryScheduler | undefined;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config, db, logger } = opts;
  const production = config.NODE_ENV === 'production';
  const authenticator = createAuthenticator(config);
  const httpServer = http.createServer();
  const apollo = await createApolloServer(config, logger, httpServer);
  // Production serves no explorer pages, assets or query collection (docs/SECURITY.md).
  const explorer = createExplorerHandler({ enabled: !production });
  const live = new LiveFeed(db, { pollMs: config.EVENT_POLL_MS, perCaller: config.SUBSCRIPTIONS_PER_CALLER, max: config.SUBSCRIPTIONS_MAX });
  const graphql = createGraphqlHandler({ config, db, logger, apollo, authenticator, live });
  const subscriptions = createSubscriptionServer({
    httpServer,
    schema: buildSchema(),
    db,
    authenticator,
    logger,
    production,
    contextFor: (caller, requestId) => graphql.contextFor({}, requestId, undefined, caller),
  });
  const webhooks = config.WEBHOOK_DELIVERY
    ? new WebhookWorker(db, {
        pollMs: config.WEBHOOK_POLL_MS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        leaseMs: config.WEBHOOK_LEASE_MS,
        retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
        retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
        horizonMs: config.WEBHOOK_RETRY_HORIZON_MS,
        maxPayloadBytes: config.WEBHOOK_MAX_PAYLOAD_BYTES,
        logKeep: config.WEBHOOK_DELIVERY_LOG_KEEP,
        log: (message, detail) => logger.warn(detail, message),
      })
    : undefined;
  webhooks?.start();
  const sweep = config.EXPIRY_SWEEP_INTERVAL_MS > 0 ? new ExpiryScheduler(db, config.EXPIRY_SWEEP_INTERVAL_MS, (m, d) => logger.info(d, m)) : undefined;
  sweep?.start();
  const readiness = createReadinessCheck({ db, logger, migrationsApplied: opts.migrationsApplied, neo4jState: opts.neo4jState });

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requestId =
      (typeof req.headers['x-request-id'] === 'string' && /^[\w.-]{1,100}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : undefined) ??
      randomUUID();
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ requestId, method: req.method, path: url.pathname, status: res.statusCode, ms }, 'request');
      opts.onRequestTimed?.({ path: url.pathname, status: res.statusCode, ms });
    });
    // A client that gave up before the answer: logged and timed as 499 (nginx's "client closed request"),
    // so server-side timings do not silently leave out the slowest requests.
    res.on('close', () => {
      if (res.writableFinished) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ requestId, method: req.method, path: url.pathname, status: 499, ms }, 'client closed the connection before the answer');
      opts.onRequestTimed?.({ path: url.pathname, status: 499, ms });
    });
    void (async () => {
      try {
        if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' }, requestId);
        if (url.pathname === '/readyz') {
          const r = await readiness();
          return sendJson(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks }, requestId);
        }
        if (await explorer(req, res, url.pathname)) return;
        if (url.pathname !== '/graphql' && url.pathname !== '/')
          return sendJson(res, 404, { error: `No route for ${url.pathname}; the API is at /graphql` }, requestId);
        await graphql.handle(req, res, url, requestId);
      } catch (error) {
        sendRequestError(res, error, requestId, logger);
      }
    })();
  });

  return {
    httpServer,
    apollo,
    contextFor: (headers, caller) => graphql.contextFor(headers, undefined, undefined, caller),
    idle: () => graphql.idle(),
    admission: () => graphql.admission(),
    readiness,
    live,
    webhooks,
    sweep,
    webSockets: () => subscriptions.connections(),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${host}:${address.port}`);
        });
      }),
    stop: async () => {
      // each step is logged when done, so a stop that outlives its grace period shows which step waits
      const steps: [string, () => Promise<void> | void][] = [
        ['live subscriptions', () => live.stop()],
        ['WebSocket server', () => subscriptions.close()],
        ['webhook worker', () => webhooks?.stop()],
        ['expiry sweep', () => sweep?.stop()],
        ['Apollo', () => apollo.stop()],
        ['HTTP server', () => (httpServer.listening ? new Promise<void>((resolve) => httpServer.close(() => resolve())) : undefined)],
        ['executing operations', () => graphql.idle()],
      ];
      for (const [name, run] of steps) {
        const t0 = performance.now();
        await run();
        logger.info({ step: name, ms: Math.round(performance.now() - t0) }, 'shutdown step done');
      }
    },
  };
}

export type { BaseContext };
