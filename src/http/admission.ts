/**
 * Admission control for /graphql operations: at most `maxConcurrent` execute at once, the rest
 * wait in arrival order (FIFO), at most `maxQueued` of them and each at most `queueTimeoutMs`.
 * A request refused here (queue full, waited too long) is answered at once with 503 OVERLOADED
 * and a Retry-After instead of late; a request whose client went away while it waited is
 * dropped from the queue and never executed (docs/SECURITY.md, "Overload").
 *
 * Pure bookkeeping over promises and timers: no I/O, unit-tested in test/unit/admission.test.ts.
 */

/** Why a request was not admitted. */
export type OverloadReason = 'queue full' | 'queue timeout';

/** A request refused by admission control; answered with 503 OVERLOADED. */
export class OverloadedError extends Error {
  constructor(
    readonly reason: OverloadReason,
    readonly retryAfterSeconds: number,
    readonly limit: 'MAX_QUEUED_OPERATIONS' | 'QUEUE_TIMEOUT_MS',
  ) {
    super(
      reason === 'queue full'
        ? `The server is overloaded: too many operations are waiting (MAX_QUEUED_OPERATIONS); retry after ${retryAfterSeconds} s`
        : `The server is overloaded: the operation waited longer than QUEUE_TIMEOUT_MS to start and was not run; retry after ${retryAfterSeconds} s`,
    );
  }
}

/** The request was abandoned (its client closed the connection) while it waited: nothing ran. */
export class AdmissionAbandonedError extends Error {
  constructor() {
    super('the client closed the connection while the operation waited to start');
  }
}

export interface AdmissionOptions {
  /** Operations executing at once; 0 turns admission control off (everything starts at once). */
  maxConcurrent: number;
  /** Operations waiting at once; beyond it a request is refused at once. */
  maxQueued: number;
  /** Longest wait before a request is refused (it would be answered late anyway). */
  queueTimeoutMs: number;
  /** Timers, injectable for tests. */
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

interface Waiter {
  admit: (release: () => void) => void;
  refuse: (error: Error) => void;
  done: boolean;
  timer?: { cancel(): void };
}

export interface AdmissionStats {
  executing: number;
  waiting: number;
  admitted: number;
  refusedFull: number;
  refusedTimeout: number;
  abandoned: number;
}

export class AdmissionQueue {
  private executing = 0;
  private readonly waiters: Waiter[] = [];
  private head = 0;
  private live = 0;
  private readonly counts = { admitted: 0, refusedFull: 0, refusedTimeout: 0, abandoned: 0 };
  private readonly setTimer: NonNullable<AdmissionOptions['setTimer']>;

  constructor(private readonly opts: AdmissionOptions) {
    this.setTimer =
      opts.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return { cancel: () => clearTimeout(t) };
      });
  }

  /** Operations waiting (neither started nor refused yet). */
  get waiting(): number {
    return this.live;
  }

  stats(): AdmissionStats {
    return { executing: this.executing, waiting: this.waiting, ...this.counts };
  }

  /**
   * Resolves with a release function once the operation may start (call it exactly when the
   * operation settles; later calls do nothing). Rejects with OverloadedError (full, waited too
   * long) or AdmissionAbandonedError (`signal` aborted while waiting).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) {
      this.counts.abandoned += 1;
      return Promise.reject(new AdmissionAbandonedError());
    }
    if (this.opts.maxConcurrent <= 0 || (this.executing < this.opts.maxConcurrent && this.waiting === 0)) {
      return Promise.resolve(this.start());
    }
    if (this.waiting >= this.opts.maxQueued) {
      this.counts.refusedFull += 1;
      return Promise.reject(new OverloadedError('queue full', this.retryAfter(), 'MAX_QUEUED_OPERATIONS'));
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { admit: resolve, refuse: reject, done: false };
      const settle = (error: Error, count: 'refusedTimeout' | 'abandoned') => {
        if (waiter.done) return;
        waiter.done = true;
        this.live -= 1;
        waiter.timer?.cancel();
        signal?.removeEventListener('abort', onAbort);
        this.counts[count] += 1;
        reject(error);
        this.compact();
      };
      const onAbort = () => settle(new AdmissionAbandonedError(), 'abandoned');
      waiter.timer = this.setTimer(
        () => settle(new OverloadedError('queue timeout', this.retryAfter(), 'QUEUE_TIMEOUT_MS'), 'refusedTimeout'),
        this.opts.queueTimeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.admit = (release) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      this.waiters.push(waiter);
      this.live += 1;
    });
  }

  private start(): () => void {
    this.executing += 1;
    this.counts.admitted += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.executing -= 1;
      this.next();
    };
  }

  /** Starts the oldest live waiter while there is room. */
  private next(): void {
    while (this.executing < this.opts.maxConcurrent && this.head < this.waiters.length) {
      const w = this.waiters[this.head];
      this.head += 1;
      if (!w || w.done) continue;
      w.done = true;
      this.live -= 1;
      w.timer?.cancel();
      w.admit(this.start());
    }
    this.compact();
  }

  private compact(): void {
    while (this.head < this.waiters.length && this.waiters[this.head]?.done === true) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
  }

  /** A Retry-After hint: the queue timeout in whole seconds, at least 1. */
  private retryAfter(): number {
    return Math.max(1, Math.ceil(this.opts.queueTimeoutMs / 1000));
  }
}
