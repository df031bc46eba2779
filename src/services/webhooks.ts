/**
 * Webhook watches (createWatch / deleteWatch / watches) and the delivery worker
 * (docs/EVENTS.md, "Webhooks"). Each instance runs a worker (WEBHOOK_DELIVERY) that claims
 * due watches with a lease stored in Neo4j, POSTs their next events one at a time in sequence
 * order, signed, and records each result in the watch's delivery log. The cursor moves only
 * after a 2xx answer, so a crash between the POST and the commit repeats that one delivery:
 * at least once, receivers de-duplicate by `sequence`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Caller } from '../domain/caller';
import { invalidInput, notFoundError } from '../domain/errors';
import { retryDelayMs, type EventFilter, type StoredEvent } from '../domain/events';
import { secretProblem, urlProblem, type UrlPolicy } from '../domain/webhooks';
import { echoInput } from '../domain/validation';
import { DeliveryStore, type ClaimedWatch, type DeliveryRow, type WatchRow, type WatchStore } from '../store/watchStore';
import type { Database } from '../store/database';
import { filterArg } from './eventFeed';

export const SIGNATURE_HEADER = 'x-assurance-signature';
export const MAX_DELIVERY_LOG_PAGE = 100;

export function urlPolicyFrom(config: { WEBHOOK_ALLOWED_HOSTS: string; WEBHOOK_ALLOW_PRIVATE: boolean }): UrlPolicy {
  return {
    allowedHosts: config.WEBHOOK_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim())
      .filter((h) => h !== ''),
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
  };
}

export interface WatchDeps {
  caller: Caller;
  watches: WatchStore;
  policy: UrlPolicy;
  limit: number;
}

export async function createWatch(deps: WatchDeps, args: { filter?: EventFilter | null; url: string; secret: string }): Promise<WatchRow> {
  const problem = urlProblem(args.url, deps.policy);
  if (problem) throw invalidInput(`url: ${echoInput(args.url)} ${problem}`, ['url']);
  const secretIssue = secretProblem(args.secret);
  if (secretIssue) throw invalidInput(`secret: ${secretIssue}`, ['secret']);
  const filter = filterArg(args.filter);
  const created = await deps.watches.create(
    { id: `watch:${randomUUID()}`, clearance: deps.caller.clearance, url: args.url, secret: args.secret, filter },
    deps.limit,
  );
  if (created === 'LIMIT') throw invalidInput(`You already own ${deps.limit} watches (WATCHES_PER_CALLER); delete one first`, []);
  return created;
}

export async function deleteWatch(deps: WatchDeps, id: string): Promise<boolean> {
  const removed = await deps.watches.delete(id);
  if (!removed) throw notFoundError(`id: you own no watch with id ${echoInput(id)}`, ['id']);
  return true;
}

export async function watchDeliveries(deps: WatchDeps, watchId: string, first: number | null | undefined): Promise<DeliveryRow[]> {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_DELIVERY_LOG_PAGE)
    throw invalidInput(`first must be between 0 and ${MAX_DELIVERY_LOG_PAGE} (got ${limit})`, ['first']);
  return deps.watches.deliveries(watchId, limit);
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the watch secret>`. */
export function signatureHeader(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** The JSON body of one delivery, within the size bound (the id lists are dropped when it is too large; undefined when even that is too large). */
export function deliveryBody(watchId: string, event: StoredEvent, maxBytes: number): string | undefined {
  const body = JSON.stringify({ watchId, event });
  if (Buffer.byteLength(body, 'utf8') <= maxBytes) return body;
  const smaller = JSON.stringify({
    watchId,
    truncated: true,
    event: { ...event, deviceIds: [], organizationIds: [], certificationIds: event.certificationIds.slice(0, 5) },
  });
  return Buffer.byteLength(smaller, 'utf8') <= maxBytes ? smaller : undefined;
}

/** Delivery-log records kept per watch unless WEBHOOK_DELIVERY_LOG_KEEP says otherwise. */
export const DEFAULT_DELIVERY_LOG_KEEP = 1000;

export interface WorkerOptions {
  pollMs: number;
  timeoutMs: number;
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  horizonMs: number;
  maxPayloadBytes: number;
  /** Delivery-log records kept per watch (the newest by sequence); default DEFAULT_DELIVERY_LOG_KEEP. */
  logKeep?: number;
  /** Most watches claimed per round; most events sent per claimed watch per round. */
  batch?: number;
  log?: (message: string, detail: Record<string, unknown>) => void;
}

/** The delivery worker of one instance. */
export class WebhookWorker {
  readonly instance = `instance:${randomUUID()}`;
  private readonly store: DeliveryStore;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly held = new Set<ClaimedWatch>();
  /** POSTs sent (for tests and measurements). */
  sent = 0;

  constructor(
    db: Database,
    private readonly options: WorkerOptions,
  ) {
    this.store = new DeliveryStore(db);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule(this.options.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** One round: claim due watches and deliver their next events. */
  async round(): Promise<void> {
    const batch = this.options.batch ?? 10;
    let claimed: ClaimedWatch[];
    try {
      claimed = await this.store.claim(this.instance, randomUUID(), this.options.leaseMs, batch);
    } catch (error) {
      this.options.log?.('webhook claim failed', { err: String(error) });
      return;
    }
    await Promise.all(claimed.map((w) => this.deliverWatch(w, batch)));
  }

  private async deliverWatch(watch: ClaimedWatch, maxEvents: number): Promise<void> {
    this.held.add(watch);
    const claimedAt = Date.now();
    let keep = true;
    let attempted = 0;
    try {
      for (let i = 0; i < maxEvents && keep && !this.stopped; i += 1) {
        // never start a POST that could outlive the lease
        if (Date.now() - claimedAt + this.options.timeoutMs >= this.options.leaseMs) break;
        const next = await this.store.next(watch);
        if ('skipTo' in next) {
          if (next.skipTo > watch.cursor) await this.store.skip(watch, next.skipTo);
          break;
        }
        attempted += 1;
        keep = await this.deliverOne(watch, next.event);
        if (keep) watch.cursor = next.event.sequence;
      }
      // the log stays bounded: a round adds at most `maxEvents` records, pruned back here
      if (attempted > 0) await this.store.pruneLog(watch.id, this.options.logKeep ?? DEFAULT_DELIVERY_LOG_KEEP);
    } catch (error) {
      this.options.log?.('webhook delivery round failed', { watchId: watch.id, err: String(error) });
    } finally {
      this.held.delete(watch);
      if (keep) await this.store.release(watch).catch(() => undefined);
    }
  }

  /**
   * One POST; true when delivered (the cursor moved), false when it failed (a retry is scheduled
   * and the lease given back) or the lease was no longer this worker's when it recorded the
   * delivery (another instance took the watch over: this one stops sending to it).
   */
  private async deliverOne(watch: ClaimedWatch, event: StoredEvent): Promise<boolean> {
    const body = deliveryBody(watch.id, event, this.options.maxPayloadBytes);
    const fail = async (message: string, httpStatus: number | null) => {
      const retryMs = retryDelayMs(watch.attempts + 1, this.options.retryBaseMs, this.options.retryMaxMs, Math.random());
      await this.store.failed(watch, event.sequence, message, httpStatus, retryMs, this.options.horizonMs);
      return false;
    };
    if (body === undefined) return fail(`the event is larger than WEBHOOK_MAX_PAYLOAD_BYTES (${this.options.maxPayloadBytes})`, null);
    const timestamp = Math.floor(Date.now() / 1000);
    this.sent += 1;
    // An explicit timer held here, not AbortSignal.timeout(): Node's timer holds that signal only
    // weakly, and fetch has lost its link to a signal after a garbage collection (nodejs/undici#4068),
    // so a POST to a receiver that never answers could stay pending for good.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`no answer within ${this.options.timeoutMs} ms`, 'TimeoutError')), this.options.timeoutMs);
    try {
      const response = await fetch(watch.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'assurance-graph-webhooks',
          [SIGNATURE_HEADER]: signatureHeader(watch.secret, body, timestamp),
          'x-assurance-watch': watch.id,
          'x-assurance-sequence': String(event.sequence),
          'x-assurance-attempt': String(watch.attempts + 1),
        },
        body,
        redirect: 'manual',
        signal: abort.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      clearTimeout(timer);
      if (response.status >= 200 && response.status < 300) {
        const recorded = await this.store.delivered(watch, event.sequence, response.status, this.options.leaseMs);
        watch.attempts = 0;
        if (!recorded)
          this.options.log?.('webhook lease lost: delivery not recorded, watch left to its new holder', { watchId: watch.id, sequence: event.sequence });
        return recorded;
      }
      return fail(`the receiver answered HTTP ${response.status}`, response.status);
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      const message =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : `${error instanceof Error ? error.message : String(error)}${cause}`;
      return fail(message, null);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops claiming; waits for the round in flight and gives back the leases it holds. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.held].map((w) => this.store.release(w).catch(() => undefined)));
  }
}
