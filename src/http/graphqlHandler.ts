/**
 * The /graphql request path: the caller authenticated from the headers before the body is
 * read, the size-limited body, the request deadline, the context, Apollo's execution (tracked
 * until it settles, even past its deadline) and the mapping of refusals to HTTP answers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth';
import type { AppConfig } from '../config';
import { markingsVisibleTo } from '../domain/model';
import type { GraphQLContext } from '../graphql/context';
import { RequestDeadline, RequestTimeoutError, withDeadline } from '../security/deadline';
import { AnalyticsStore } from '../store/analyticsStore';
import { QueryStats, type Database } from '../store/database';
import { GraphStore } from '../store/graphStore';
import { EventStore } from '../store/eventStore';
import { WatchStore } from '../store/watchStore';
import type { LiveFeed } from '../services/eventFeed';
import { batchLoader } from '../store/importStore';
import { AdmissionAbandonedError, AdmissionQueue, OverloadedError, type AdmissionStats } from './admission';
import { HttpError, readBody, sendJson } from './body';

export interface GraphqlHandlerOptions {
  config: AppConfig;
  db: Database;
  logger: Logger;
  apollo: ApolloServer<GraphQLContext>;
  authenticator: Authenticator;
  live: LiveFeed;
}

export interface GraphqlHandler {
  /** Answers one /graphql request; refusals are thrown (answer them with `sendRequestError`). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void>;
  /** Builds the context of a request (authenticating from `headers` unless `caller` is given). */
  contextFor(headers?: Record<string, string>, requestId?: string, deadline?: RequestDeadline, caller?: GraphQLContext['caller']): Promise<GraphQLContext>;
  /** Resolves when no operation is executing, including ones whose caller already got its 503. */
  idle(): Promise<void>;
  /** Admission control's counters (operations executing, waiting, refused). */
  admission(): AdmissionStats;
}

export function createGraphqlHandler(opts: GraphqlHandlerOptions): GraphqlHandler {
  const { config, db, logger, apollo, authenticator, live } = opts;

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
      events: new EventStore(db, stats, markingsVisibleTo(who.clearance)),
      watches: new WatchStore(db, stats, who.id),
      live,
      loaders: new Map(),
      logger: logger.child({ requestId }),
      requestId,
    };
  };

  const admission = new AdmissionQueue({
    maxConcurrent: config.MAX_CONCURRENT_OPERATIONS,
    maxQueued: config.MAX_QUEUED_OPERATIONS,
    queueTimeoutMs: config.QUEUE_TIMEOUT_MS,
  });

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

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> => {
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
    // Wait for an execution slot (FIFO); a client that goes away meanwhile is dropped unrun.
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) gone.abort();
    };
    res.once('close', onClose);
    let release: () => void;
    try {
      release = await admission.acquire(gone.signal);
    } catch (error) {
      // refused or abandoned: nothing runs, so the deadline's timer is not needed
      deadline.clear();
      throw error;
    } finally {
      res.off('close', onClose);
    }
    let work: Promise<Awaited<ReturnType<typeof apollo.executeHTTPGraphQLRequest>>>;
    try {
      const context = await contextFor(plainHeaders, requestId, deadline, caller);
      work = track(
        apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
          context: async () => context,
        }),
        context,
      );
    } catch (error) {
      release();
      throw error;
    }
    // the slot is held until the operation settles, even when its caller already got its 503
    work.then(release, release);
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
  };

  return { handle, contextFor, idle, admission: () => admission.stats() };
}

/**
 * Answers a request that failed: the deadline (503 REQUEST_TIMEOUT), an HttpError (401, 413, ...)
 * or anything else (500, logged). Nothing is written when an answer has already started.
 */
export function sendRequestError(res: ServerResponse, error: unknown, requestId: string, logger: Logger): void {
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
  if (error instanceof OverloadedError) {
    if (!res.headersSent) {
      res.setHeader('retry-after', String(error.retryAfterSeconds));
      sendJson(res, 503, { errors: [{ message: error.message, extensions: { code: 'OVERLOADED', limit: error.limit } }] }, requestId);
    }
    return;
  }
  if (error instanceof AdmissionAbandonedError) {
    // the client is gone: nothing to answer, nothing was run
    if (!res.headersSent) res.destroy();
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
