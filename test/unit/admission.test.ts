import { AdmissionAbandonedError, AdmissionQueue, OverloadedError } from '../../src/http/admission';

/** Manual timers: `fire()` runs every pending one. */
function manualTimers() {
  const pending = new Set<() => void>();
  return {
    setTimer: (fn: () => void) => {
      pending.add(fn);
      return { cancel: () => pending.delete(fn) };
    },
    fire: () => {
      for (const fn of [...pending]) {
        pending.delete(fn);
        fn();
      }
    },
    get count() {
      return pending.size;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('admission control (src/http/admission.ts)', () => {
  it('starts at most maxConcurrent operations and the waiting ones in arrival order', async () => {
    const timers = manualTimers();
    const q = new AdmissionQueue({ maxConcurrent: 2, maxQueued: 10, queueTimeoutMs: 1000, setTimer: timers.setTimer });
    const started: number[] = [];
    const releases = new Map<number, () => void>();
    for (let i = 0; i < 5; i += 1) {
      void q.acquire().then((release) => {
        started.push(i);
        releases.set(i, release);
      });
    }
    await flush();
    expect(started).toEqual([0, 1]);
    expect(q.stats()).toMatchObject({ executing: 2, waiting: 3 });
    releases.get(1)?.();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    releases.get(0)?.();
    releases.get(0)?.(); // a second release of the same slot does nothing
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(q.stats()).toMatchObject({ executing: 2, waiting: 1, admitted: 4 });
    expect(timers.count).toBe(1); // admitted waiters' timers are cancelled
  });

  it('refuses at once when the queue is full, and after the queue timeout, with a Retry-After', async () => {
    const timers = manualTimers();
    const q = new AdmissionQueue({ maxConcurrent: 1, maxQueued: 1, queueTimeoutMs: 2500, setTimer: timers.setTimer });
    const first = await q.acquire();
    const waiting = q.acquire();
    await expect(q.acquire()).rejects.toMatchObject({ reason: 'queue full', limit: 'MAX_QUEUED_OPERATIONS', retryAfterSeconds: 3 });
    timers.fire();
    const refused: unknown = await waiting.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused).toMatchObject({ reason: 'queue timeout', limit: 'QUEUE_TIMEOUT_MS' });
    expect((refused as Error).message).toMatch(/QUEUE_TIMEOUT_MS/);
    expect(q.stats()).toMatchObject({ executing: 1, waiting: 0, refusedFull: 1, refusedTimeout: 1 });
    first();
    expect(q.stats().executing).toBe(0);
  });

  it('drops a waiting operation whose client went away, and never starts it', async () => {
    const timers = manualTimers();
    const q = new AdmissionQueue({ maxConcurrent: 1, maxQueued: 5, queueTimeoutMs: 1000, setTimer: timers.setTimer });
    const first = await q.acquire();
    const gone = new AbortController();
    let startedGone = false;
    const abandoned = q.acquire(gone.signal).then(() => (startedGone = true));
    const next = q.acquire();
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(AdmissionAbandonedError);
    first();
    const release = await next;
    expect(startedGone).toBe(false);
    expect(q.stats()).toMatchObject({ executing: 1, waiting: 0, abandoned: 1 });
    release();
    // an already aborted signal is refused without taking a slot
    const aborted = new AbortController();
    aborted.abort();
    await expect(q.acquire(aborted.signal)).rejects.toBeInstanceOf(AdmissionAbandonedError);
    expect(q.stats()).toMatchObject({ executing: 0, abandoned: 2 });
  });

  it('with maxConcurrent 0 admits everything at once', async () => {
    const q = new AdmissionQueue({ maxConcurrent: 0, maxQueued: 0, queueTimeoutMs: 1 });
    const releases = await Promise.all(Array.from({ length: 50 }, () => q.acquire()));
    expect(q.stats()).toMatchObject({ executing: 50, waiting: 0, refusedFull: 0 });
    for (const r of releases) r();
    expect(q.stats().executing).toBe(0);
  });

  it('a newcomer does not overtake waiting operations when a slot frees', async () => {
    const timers = manualTimers();
    const q = new AdmissionQueue({ maxConcurrent: 1, maxQueued: 5, queueTimeoutMs: 1000, setTimer: timers.setTimer });
    const order: string[] = [];
    const first = await q.acquire();
    const waiting = q.acquire().then((r) => {
      order.push('waiting');
      return r;
    });
    first();
    const newcomer = q.acquire().then((r) => {
      order.push('newcomer');
      return r;
    });
    (await waiting)();
    (await newcomer)();
    expect(order).toEqual(['waiting', 'newcomer']);
  });
});
