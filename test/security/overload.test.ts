/**
 * Admission control over real HTTP and a real Neo4j (src/http/admission.ts, docs/SECURITY.md
 * "Overload"): with one execution slot and one queue place, an operation held at the database
 * keeps the slot; the next one waits; the one after is refused at once; the waiting one is refused
 * when QUEUE_TIMEOUT_MS passes; a client that goes away while waiting is dropped; none of the
 * refused or dropped ones opens a database session.
 */
import { KEYS, startTestApp, type TestApp } from '../helpers/app';
import { HeldDatabase } from '../helpers/heldDatabase';

const QUERY = '{ devices(first: 1) { totalCount } }';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: { devices?: { totalCount: number } }; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function waitFor(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('admission control: operations beyond MAX_CONCURRENT_OPERATIONS wait in order, then are refused early', () => {
  let t: TestApp;
  let db: HeldDatabase;
  let url: string;

  const post = async (signal?: AbortSignal): Promise<Answer> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS.analyst },
      body: JSON.stringify({ query: QUERY }),
      signal,
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
  };

  beforeAll(async () => {
    db = new HeldDatabase();
    t = await startTestApp({ MAX_CONCURRENT_OPERATIONS: '1', MAX_QUEUED_OPERATIONS: '1', QUEUE_TIMEOUT_MS: '1500' }, { db });
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    db.open();
    await t.close();
  });

  it('holds, queues, refuses full and timed-out waits with 503 OVERLOADED, drops a gone client, then serves again', async () => {
    db.holdReadsAfter(0);
    const holding = post();
    await waitFor('the first operation at the database gate', () => db.waiting === 1);
    const sessionsWhileHeld = db.sessionsOpened;
    expect(t.app.admission()).toMatchObject({ executing: 1, waiting: 0 });

    const queued = post();
    await waitFor('the second operation in the queue', () => t.app.admission().waiting === 1);

    // the queue (one place) is full: refused at once, naming the limit, with a Retry-After
    const full = await post();
    expect(full.status).toBe(503);
    expect(full.retryAfter).toBe('2');
    expect(full.body.errors?.[0]?.extensions).toMatchObject({ code: 'OVERLOADED', limit: 'MAX_QUEUED_OPERATIONS' });
    expect(full.body.errors?.[0]?.message).toMatch(/overloaded.*MAX_QUEUED_OPERATIONS/);

    // the waiting one is refused when QUEUE_TIMEOUT_MS passes, not executed late
    const late = await queued;
    expect(late.status).toBe(503);
    expect(late.body.errors?.[0]?.extensions).toMatchObject({ code: 'OVERLOADED', limit: 'QUEUE_TIMEOUT_MS' });
    expect(t.app.admission()).toMatchObject({ executing: 1, waiting: 0, refusedFull: 1, refusedTimeout: 1 });

    // a client that goes away while its operation waits: dropped, never run
    const gone = new AbortController();
    const abandoned = post(gone.signal).catch((e: unknown) => e);
    await waitFor('the third operation in the queue', () => t.app.admission().waiting === 1);
    gone.abort();
    await abandoned;
    await waitFor('the gone client dropped from the queue', () => t.app.admission().abandoned === 1);
    expect(t.app.admission().waiting).toBe(0);

    // nothing refused or dropped reached the database
    expect(db.sessionsOpened).toBe(sessionsWhileHeld);

    db.open();
    const first = await holding;
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(typeof first.body.data?.devices?.totalCount).toBe('number');

    // the slot is free again
    const after = await post();
    expect(after.status).toBe(200);
    expect(t.app.admission()).toMatchObject({ executing: 0, waiting: 0 });
  });
});
