/**
 * Reading the change feed (docs/EVENTS.md): the `certificationEvents` page, and live delivery
 * for subscriptions. Live delivery polls the log in Neo4j (the only source of truth, so an
 * instance sees events written by any other): one `LiveFeed` per process reads the head
 * sequence every EVENT_POLL_MS while anyone waits, and wakes the subscriptions waiting for a
 * newer head; each then reads its own filtered page at its caller's markings. An idle
 * subscription holds a promise and a few closures, and costs no query.
 */
import type { Caller } from '../domain/caller';
import { forbiddenError, invalidInput } from '../domain/errors';
import { normalizeFilter, parseSequenceCursor, type EventFilter, type StoredEvent } from '../domain/events';
import { headSequence, type EventStore, type NormalizedFilter } from '../store/eventStore';
import type { Database } from '../store/database';

export const MAX_EVENTS_PAGE = 100;
export const DEFAULT_EVENTS_PAGE = 20;

export function filterArg(filter: EventFilter | null | undefined): NormalizedFilter {
  try {
    return normalizeFilter(filter);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw invalidInput(message, ['filter']);
  }
}

export function cursorArg(after: string | null | undefined): number {
  try {
    return parseSequenceCursor(after);
  } catch (error) {
    throw invalidInput(error instanceof Error ? error.message : String(error), ['after']);
  }
}

export interface EventPage {
  events: StoredEvent[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** One page of the log after `after`, at the store's markings. */
export async function listEvents(events: EventStore, args: { after?: string | null; first?: number | null; filter?: EventFilter | null }): Promise<EventPage> {
  const first = args.first ?? DEFAULT_EVENTS_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_EVENTS_PAGE)
    throw invalidInput(`first must be between 0 and ${MAX_EVENTS_PAGE} (got ${first})`, ['first']);
  const after = cursorArg(args.after);
  const filter = filterArg(args.filter);
  const page = await events.list(after, first, filter);
  return { events: page.events, hasNextPage: page.hasMore, hasPreviousPage: after > 0 };
}

export interface LiveFeedOptions {
  pollMs: number;
  perCaller: number;
  max: number;
}

/** The process's live-delivery hub: the head poller and the subscription limits. */
export class LiveFeed {
  private head = 0;
  private waiters = new Set<{ after: number; wake: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly perCaller = new Map<string, number>();
  private total = 0;
  private stopped = false;
  /** Head reads done (for the tests and the measurements in docs/EVENTS.md). */
  polls = 0;

  constructor(
    private readonly db: Database,
    readonly options: LiveFeedOptions,
  ) {}

  get active(): number {
    return this.total;
  }

  /** Takes one subscription slot of the caller, or refuses with what the limit is. */
  acquire(caller: Caller): () => void {
    const mine = this.perCaller.get(caller.id) ?? 0;
    if (mine >= this.options.perCaller)
      throw forbiddenError(`Caller ${caller.id} already has ${mine} live subscriptions on this instance (SUBSCRIPTIONS_PER_CALLER=${this.options.perCaller})`);
    if (this.total >= this.options.max)
      throw forbiddenError(`This instance already serves ${this.total} live subscriptions (SUBSCRIPTIONS_MAX=${this.options.max})`);
    this.perCaller.set(caller.id, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const n = (this.perCaller.get(caller.id) ?? 1) - 1;
      if (n <= 0) this.perCaller.delete(caller.id);
      else this.perCaller.set(caller.id, n);
    };
  }

  /** Resolves once the log's head is above `after` (true), or when `signal` aborts or the feed stops (false). */
  waitForNewer(after: number, signal: AbortSignal): Promise<boolean> {
    if (this.head > after) return Promise.resolve(true);
    if (signal.aborted || this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        after,
        wake: () => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          resolve(!signal.aborted && !this.stopped);
        },
      };
      const onAbort = () => waiter.wake();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.waiters.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.options.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      this.polls += 1;
      this.head = await headSequence(this.db);
      for (const w of [...this.waiters]) if (this.head > w.after) w.wake();
    } catch {
      // the database is unreachable: keep waiting, the next poll retries
    } finally {
      this.polling = false;
      this.schedule();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of [...this.waiters]) w.wake();
  }
}

/**
 * The events of one subscription: the log after `after` (replay, a page at a time), then each
 * new matching event as the head moves. Ends when returned (the client completes or
 * disconnects) or when the feed stops; its slot is released then.
 */
export function subscribeEvents(
  live: LiveFeed,
  events: EventStore,
  caller: Caller,
  args: { after?: string | null; filter?: EventFilter | null },
): AsyncIterableIterator<StoredEvent> {
  const given = args.after === null || args.after === undefined ? undefined : cursorArg(args.after);
  const filter = filterArg(args.filter);
  const release = live.acquire(caller);
  const abort = new AbortController();
  const generator = (async function* () {
    let cursor = given ?? -1;
    try {
      if (cursor < 0) cursor = await headSequence(events.database);
      while (!abort.signal.aborted) {
        const head = await headSequence(events.database);
        const page = await events.list(cursor, MAX_EVENTS_PAGE, filter);
        for (const event of page.events) {
          if (abort.signal.aborted) return;
          cursor = event.sequence;
          yield event;
        }
        if (page.hasMore) continue;
        // every event up to `head` was committed before head was read and has been seen
        cursor = Math.max(cursor, head);
        if (!(await live.waitForNewer(cursor, abort.signal))) return;
      }
    } finally {
      release();
    }
  })();
  const iterator: AsyncIterableIterator<StoredEvent> = {
    next: () => generator.next(),
    return: async (value?: unknown) => {
      abort.abort();
      release();
      await generator.return(undefined);
      return { done: true, value: value as StoredEvent };
    },
    throw: async (error?: unknown) => {
      abort.abort();
      release();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
