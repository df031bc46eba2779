/**
 * An overall deadline for one GraphQL request. Each Neo4j transaction is already bounded by
 * QUERY_TIMEOUT_MS; a request that runs many of them (nested connections, several analytics
 * fields) is bounded as a whole by REQUEST_TIMEOUT_MS: the caller gets a clear 503 once the
 * deadline passes, and the work stops: the deadline aborts the request's signal, which the
 * database layer checks before every query and transaction (src/store/database.ts), and no
 * transaction of the request outlives the deadline (its timeout is clamped to the time left),
 * so a write whose request timed out is rolled back, never committed.
 */
export class RequestTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    hint?: string,
  ) {
    super(
      `The request took longer than REQUEST_TIMEOUT_MS (${timeoutMs} ms) and was abandoned; nothing it was writing was committed. ${hint ?? 'Narrow it (fewer nested fields, smaller pages, fewer hops).'}`,
    );
  }
}

/** The database refused a query because the request that asked for it is over (deadline passed). */
export class RequestAbortedError extends Error {
  constructor(readonly what: string) {
    super(`${what} not started: the request was abandoned (REQUEST_TIMEOUT_MS passed)`);
  }
}

/**
 * One request's deadline: an abort signal that fires when it passes, the absolute time it
 * passes at, and an optional hint for the caller (e.g. "use the CLI" for imports).
 */
export class RequestDeadline {
  readonly endsAt: number;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** Said to the caller when the deadline passes (set by the resolver that knows better). */
  hint: string | undefined;

  constructor(readonly timeoutMs: number) {
    this.endsAt = Date.now() + timeoutMs;
    this.timer = setTimeout(() => this.controller.abort(new RequestTimeoutError(timeoutMs, this.hint)), timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left (0 once passed). */
  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /** Stops the timer once the request has answered in time. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Races the work against the deadline: rejects with RequestTimeoutError as soon as it passes.
 * The work itself is stopped by the signal (see RequestDeadline), not by this race.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, deadline?: RequestDeadline): Promise<T> {
  const own = deadline ?? new RequestDeadline(timeoutMs);
  const passed = new Promise<never>((_resolve, reject) => {
    const reason = (): Error => (own.signal.reason instanceof Error ? own.signal.reason : new RequestTimeoutError(timeoutMs));
    if (own.signal.aborted) reject(reason());
    own.signal.addEventListener('abort', () => reject(reason()), { once: true });
  });
  passed.catch(() => undefined);
  try {
    return await Promise.race([work, passed]);
  } finally {
    own.clear();
  }
}
