/**
 * The HTTP server: Apollo Server at /graphql, GET /healthz (process alive) and GET /readyz
 * (Neo4j reachable and migrations applied), request ids, body-size limit, graceful drain.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { createAuthenticator } from './auth';
import type { AppConfig } from './config';
import { markingsVisibleTo } from './domain/model';
import type { GraphQLContext } from './graphql/context';
import { createExplorerHandler } from './explorer/handler';
import { makeFormatError } from './graphql/errors';
import { RequestAbortedError, RequestDeadline, RequestTimeoutError, withDeadline } from './security/deadline';
import { limitErrorsPassThrough, queryLimitProtection, queryLimitsFrom } from './security/limits';
import { NoSubscriptionsOverHttpRule } from './graphql/operationRules';
import { buildSchema } from './graphql/schema';
import { QueryStats, type Database } from './store/database';
import { AnalyticsStore } from './store/analyticsStore';
import { GraphStore } from './store/graphStore';
import { batchLoader } from './store/importStore';
import { applyMigrations } from './store/migrations';

export interface AppOptions {
  config: AppConfig;
  db: Database;
  logger: Logger;
  /** Whether migrations already ran (readiness retries them otherwise). */
  migrationsApplied?: boolean;
  /** State of the project-managed Neo4j, when this process runs it: `restarting` makes /readyz say so. */
  neo4jState?: () => string;
}

export interface App {
  httpServer: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  /** Builds a context as a request would, for tests using executeOperation. */
  contextFor(headers?: Record<string, string>): Promise<GraphQLContext>;
  /** Resolves when no operation is executing, including ones whose caller already got its 503. */
  idle(): Promise<void>;
  listen(port: number, host: string): Promise<string>;
  stop(): Promise<void>;
  readiness(): Promise<{ ready: boolean; checks: Record<string, string> }>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new HttpError(413, `Request body larger than MAX_BODY_BYTES (${limit} bytes)`);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      // Refused before reading; Node discards the unread body after the 413 is sent.
      reject(tooLarge());
      return;
    }
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        // Stop buffering (the rest is discarded, the connection closed after the 413) so the client still gets the answer.
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId });
  res.end(JSON.stringify(body));
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config, db, logger } = opts;
  const production = config.NODE_ENV === 'production';
  const authenticator = createAuthenticator(config);
  const limits = queryLimitProtection(queryLimitsFrom(config), production);
  let migrationsApplied = opts.migrationsApplied ?? false;
  const httpServer = http.createServer();

  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    csrfPrevention: true,
    // One operation per HTTP request: a batch would multiply every per-request limit.
    allowBatchedHttpRequests: false,
    validationRules: [...limits.validationRules, NoSubscriptionsOverHttpRule],
    parseOptions: limits.parseOptions,
    formatError: limitErrorsPassThrough(
      makeFormatError(
        (error) => {
          // a query refused after the deadline: the caller already has its 503
          if (error instanceof RequestAbortedError) logger.debug({ err: error }, 'query refused after the request deadline');
          else logger.error({ err: error }, 'unexpected error in resolver');
        },
        !production,
        { hideSuggestions: production },
      ),
      !production,
    ),
    plugins: [
      ...limits.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The explorer at / and /explorer (src/explorer) replaces Apollo's CDN-loaded landing page.
      ApolloServerPluginLandingPageDisabled(),
      // no cache hints are used; the default cache-control plugin would otherwise run per field
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();
  // Production serves no explorer pages, assets or query collection (docs/SECURITY.md).
  const explorer = createExplorerHandler({ enabled: !production });

  const authenticate = async (headers: Record<string, string>) => {
    const result = await authenticator.authenticate({ apiKey: headers['x-api-key'], authorization: headers.authorization });
    if (!result.ok) throw new HttpError(401, result.message);
    return result.caller;
  };

  const contextFor = async (
    headers: Record<string, string> = {},
    requestId: string = randomUUID(),
    deadline: RequestDeadline = new RequestDeadline(config.REQUEST_TIMEOUT_MS),
    caller?: GraphQLContext['caller'],
  ): Promise<GraphQLContext> => {
    const who = caller ?? (await authenticate(headers));
    const stats = new QueryStats(deadline);
    return {
      caller: who,
      config,
      stats,
      deadline,
      store: new GraphStore(db, stats, markingsVisibleTo(who.clearance)),
      analytics: new AnalyticsStore(db, stats, markingsVisibleTo(who.clearance)),
      documents: batchLoader(db, { clearance: who.clearance, stats }),
      loaders: new Map(),
      logger: logger.child({ requestId }),
      requestId,
    };
  };

  const readiness = async (): Promise<{ ready: boolean; checks: Record<string, string> }> => {
    const checks: Record<string, string> = {};
    if (opts.neo4jState?.() === 'restarting') {
      return { ready: false, checks: { neo4j: 'restarting', migrations: migrationsApplied ? 'applied' : 'pending' } };
    }
    try {
      await db.verifyConnectivity();
      checks.neo4j = 'reachable';
    } catch {
      checks.neo4j = 'unreachable';
      checks.migrations = migrationsApplied ? 'applied' : 'pending';
      return { ready: false, checks };
    }
    if (!migrationsApplied) {
      try {
        await applyMigrations(db);
        migrationsApplied = true;
      } catch (error) {
        logger.warn({ err: error }, 'migrations failed; will retry on the next readiness check');
      }
    }
    checks.migrations = migrationsApplied ? 'applied' : 'pending';
    return { ready: migrationsApplied, checks };
  };

  // Operations still executing, including abandoned ones (deadline passed): idle() and stop() wait for them.
  const executing = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>, context: GraphQLContext): Promise<T> => {
    executing.add(work);
    const settled = () => {
      executing.delete(work);
      if (context.deadline.signal.aborted) {
        logger.info(
          { requestId: context.requestId, roundTrips: context.stats.roundTrips, refusedAfterDeadline: context.stats.refused },
          'abandoned request settled',
        );
      }
    };
    work.then(settled, settled);
    return work;
  };
  const idle = async (): Promise<void> => {
    while (executing.size > 0) await Promise.allSettled([...executing]);
  };

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const requestId =
      (typeof req.headers['x-request-id'] === 'string' && /^[\w.-]{1,100}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : undefined) ??
      randomUUID();
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => {
      logger.info(
        { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
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
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const plainHeaders: Record<string, string> = {};
        for (const [k, v] of headers) plainHeaders[k] = v;
        // Who is calling is known from the headers alone: a refused caller (always in
        // production when anonymous) gets its 401 before a byte of the body is read.
        const caller = await authenticate(plainHeaders);
        const rawBody = req.method === 'POST' ? await readBody(req, config.MAX_BODY_BYTES) : '';
        let body: unknown = undefined;
        if (rawBody !== '') {
          try {
            body = JSON.parse(rawBody);
          } catch {
            return sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }, requestId);
          }
        }
        const deadline = new RequestDeadline(config.REQUEST_TIMEOUT_MS);
        const context = await contextFor(plainHeaders, requestId, deadline, caller);
        const work = track(
          apollo.executeHTTPGraphQLRequest({
            httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
            context: async () => context,
          }),
          context,
        );
        const response = await withDeadline(work, config.REQUEST_TIMEOUT_MS, deadline);
        const outHeaders: Record<string, string> = { 'x-request-id': requestId };
        for (const [k, v] of response.headers) outHeaders[k] = v;
        res.writeHead(response.status ?? 200, outHeaders);
        if (response.body.kind === 'complete') {
          res.end(response.body.string);
        } else {
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        }
      } catch (error) {
        if (error instanceof RequestTimeoutError) {
          if (!res.headersSent)
            sendJson(
              res,
              503,
              { errors: [{ message: error.message, extensions: { code: 'REQUEST_TIMEOUT', limit: 'REQUEST_TIMEOUT_MS', max: error.timeoutMs } }] },
              requestId,
            );
          return;
        }
        if (error instanceof HttpError) {
          // the unread body (if any) is discarded and the connection closed after the answer
          if (error.status === 413 || error.status === 401) res.setHeader('connection', 'close');
          const code = error.status === 401 ? 'UNAUTHENTICATED' : error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
          if (!res.headersSent) sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code } }] }, requestId);
          return;
        }
        logger.error({ err: error, requestId }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, requestId);
        else res.end();
      }
    })();
  });

  return {
    httpServer,
    apollo,
    contextFor: (headers) => contextFor(headers),
    idle,
    readiness,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${host}:${address.port}`);
        });
      }),
    stop: async () => {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await idle();
    },
  };
}

export type { BaseContext };
