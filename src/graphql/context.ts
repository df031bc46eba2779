import type DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { Caller } from '../domain/caller';
import type { RequestDeadline } from '../security/deadline';
import type { AnalyticsStore } from '../store/analyticsStore';
import type { QueryStats } from '../store/database';
import type { GraphStore } from '../store/graphStore';
import type { BatchLoader } from '../store/importStore';
import type { EventStore } from '../store/eventStore';
import type { WatchStore } from '../store/watchStore';
import type { LiveFeed } from '../services/eventFeed';

export type { Caller, Role } from '../domain/caller';

/** Per-request context handed to every resolver. */
export interface GraphQLContext {
  caller: Caller;
  config: AppConfig;
  /**
   * Round trips of this request (tests assert the N+1 bound with it). Carries the request's
   * abort signal: every database call made with it is refused once the deadline has passed.
   */
  stats: QueryStats;
  /** REQUEST_TIMEOUT_MS for this request: its abort signal, time left, and the hint the caller gets when it passes. */
  deadline: RequestDeadline;
  /**
   * The stores of this request, bound to the caller's markings and to this request's stats and
   * deadline. The context holds no raw database: only the stores open transactions.
   */
  store: GraphStore;
  /** The analytics queries (risk paths, exposure, blast radius, lineage, scope drift). */
  analytics: AnalyticsStore;
  /** Loads import documents at the caller's clearance, one transaction each. */
  documents: BatchLoader;
  /** The change feed's log, read at the caller's markings. */
  events: EventStore;
  /** The caller's webhook watches. */
  watches: WatchStore;
  /** The process's live-delivery hub (subscriptions). */
  live: LiveFeed;
  /** DataLoaders created lazily, one per distinct nested selection. */
  loaders: Map<string, DataLoader<string, unknown>>;
  logger: Logger;
  requestId: string;
}
