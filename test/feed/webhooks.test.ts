/**
 * Webhook watches against the real Neo4j and a local receiver on 127.0.0.1 that checks
 * signatures: validation and ownership, signed deliveries in sequence order with retries, exactly
 * once after de-duplication by sequence across a server restart, a dead instance's lease taken
 * over after it expires, and the retry horizon (watch FAILING plus a WATCH_FAILING event).
 */
import { randomUUID } from 'node:crypto';
import { KEYS, startTestApp, testDatabase, uniquePrefix, type TestApp } from '../helpers/app';
import type { Database } from '../../src/store/database';
import { draft, removeEvents, startReceiver, waitFor, writeEvents } from '../helpers/feed';
import { DeliveryStore } from '../../src/store/watchStore';

const CREATE = `mutation Create($filter: CertificationEventFilter, $url: String!, $secret: String!) {
  createWatch(filter: $filter, url: $url, secret: $secret) { id url status clearance cursor filter { certificationIds types } }
}`;
const WATCHES = `query { watches { id status cursor attempts lastError failingSince deliveries(first: 100) { sequence status attempts httpStatus lastError } } }`;

interface WatchOut {
  id: string;
  status: string;
  cursor: number;
  attempts: number;
  lastError: string | null;
  deliveries: { sequence: number; status: string; attempts: number; httpStatus: number | null; lastError: string | null }[];
}

const SECRET = 'a-webhook-secret-of-some-length';
const FAST = {
  WEBHOOK_DELIVERY: 'true',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '400',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_LEASE_MS: '2000',
};

describe('webhook watches', () => {
  const prefix = uniquePrefix('hooks');
  let t: TestApp | undefined;
  const watchIds: string[] = [];
  /** The test's own connection (the apps are stopped and started under it). */
  let db: Database;
  beforeAll(() => {
    db = testDatabase();
  });

  /** Creates a watch on one certification's events as `key` (removed after the file); returns its id. */
  async function watchCertification(app: TestApp, url: string, cert: string, key: string): Promise<string> {
    const created = await app.run<{ createWatch: { id: string } }>(CREATE, { url, secret: SECRET, filter: { certificationIds: [cert] } }, key);
    const watchId = created.data?.createWatch.id ?? '';
    watchIds.push(watchId);
    return watchId;
  }

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(async () => {
    const cleanupApp = await startTestApp();
    await cleanupApp.db.write(
      undefined,
      'test remove watches',
      'MATCH (w:Watch) WHERE w.id IN $ids OPTIONAL MATCH (d:WebhookDelivery) WHERE d.watchId = w.id DETACH DELETE w, d',
      {
        ids: watchIds,
      },
    );
    await cleanupApp.db.write(undefined, 'test remove failing events', 'MATCH (e:CertificationEvent) WHERE e.watchId IN $ids DETACH DELETE e', {
      ids: watchIds,
    });
    await removeEvents(cleanupApp.db, prefix);
    await cleanupApp.close();
    await db.close();
  });

  it('validates the URL and secret, needs the curator role, bounds watches per caller, and answers another owner as missing', async () => {
    t = await startTestApp({ WATCHES_PER_CALLER: '2' });
    const ftp = await t.run(CREATE, { url: 'ftp://example.com/x', secret: SECRET }, KEYS.curator);
    expect(ftp.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(ftp.errors?.[0]?.message).toMatch(/url: .* must use http or https/);
    const short = await t.run(CREATE, { url: 'https://example.com/x', secret: 'short' }, KEYS.curator);
    expect(short.errors?.[0]?.message).toMatch(/secret: must be 16 to 256/);
    const viewer = await t.run(CREATE, { url: 'https://example.com/x', secret: SECRET }, KEYS.viewer);
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const key = KEYS.curatorRestricted;
    const before = await t.run<{ watches: WatchOut[] }>(WATCHES, {}, key);
    for (const w of before.data?.watches ?? []) await t.run('mutation($id: ID!) { deleteWatch(id: $id) }', { id: w.id }, key);
    const a = await t.run<{ createWatch: { id: string; clearance: string } }>(CREATE, { url: 'https://example.com/a', secret: SECRET }, key);
    const b = await t.run<{ createWatch: { id: string } }>(CREATE, { url: 'https://example.com/b', secret: SECRET }, key);
    watchIds.push(a.data?.createWatch.id ?? '', b.data?.createWatch.id ?? '');
    expect(a.data?.createWatch.clearance).toBe('RESTRICTED');
    const third = await t.run(CREATE, { url: 'https://example.com/c', secret: SECRET }, key);
    expect(third.errors?.[0]?.message).toMatch(/already own 2 watches \(WATCHES_PER_CALLER\)/);
    // another curator neither sees nor deletes them
    const other = await t.run<{ watches: WatchOut[] }>(WATCHES, {}, KEYS.curator);
    expect(other.data?.watches.map((w) => w.id)).not.toContain(a.data?.createWatch.id);
    const stolen = await t.run('mutation($id: ID!) { deleteWatch(id: $id) }', { id: a.data?.createWatch.id }, KEYS.curator);
    expect(stolen.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const own = await t.run<{ deleteWatch: boolean }>('mutation($id: ID!) { deleteWatch(id: $id) }', { id: a.data?.createWatch.id }, key);
    expect(own.data?.deleteWatch).toBe(true);
  });

  it('delivers signed, in sequence order, with retries, at the watch clearance: exactly once after de-duplication across a restart', async () => {
    const receiver = await startReceiver(SECRET, 2);
    t = await startTestApp(FAST);
    const cert = `${prefix}cert`;
    const watchId = await watchCertification(t, receiver.url, cert, KEYS.curatorRestricted);
    const first = await writeEvents(db, [
      draft(cert, { summary: 'one' }),
      draft(`${prefix}other`, { summary: 'not watched' }),
      draft(cert, { summary: 'secret', classification: 'SECRET' }),
      draft(cert, { summary: 'two' }),
    ]);
    await waitFor(() => receiver.delivered().length >= 1);
    // restart: the first server stops (mid-way), a new one takes over the watch
    await t.close();
    const more = await writeEvents(db, [draft(cert, { summary: 'three' }), draft(cert, { summary: 'four' })]);
    t = await startTestApp(FAST);
    const expected = [first[0], first[3], ...more].map((e) => e?.sequence);
    await waitFor(() => receiver.delivered().length >= expected.length);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.delivered()).toEqual(expected);
    expect(receiver.received.every((r) => r.validSignature && r.watchId === watchId)).toBe(true);
    // the first two attempts were answered 500 and retried; nothing above RESTRICTED or outside the filter was sent
    expect(receiver.received.slice(0, 3).map((r) => [r.sequence, r.attempt, r.answered])).toEqual([
      [first[0]?.sequence, 1, 500],
      [first[0]?.sequence, 2, 500],
      [first[0]?.sequence, 3, 200],
    ]);
    expect(receiver.received.map((r) => r.body.event.summary)).not.toContain('secret');
    const watches = await t.run<{ watches: WatchOut[] }>(WATCHES, {}, KEYS.curatorRestricted);
    const w = watches.data?.watches.find((x) => x.id === watchId);
    expect(w?.cursor).toBeGreaterThanOrEqual(more[1]?.sequence ?? 0);
    const log = w?.deliveries ?? [];
    expect(log.map((d) => d.sequence).sort((a, b) => a - b)).toEqual(expected);
    expect(log.find((d) => d.sequence === first[0]?.sequence)).toMatchObject({ status: 'DELIVERED', attempts: 3, httpStatus: 200 });
    await receiver.close();
  });

  it('takes over the claim of a dead instance after its lease expires', async () => {
    const receiver = await startReceiver(SECRET);
    t = await startTestApp({ ...FAST, WEBHOOK_DELIVERY: 'false' });
    const cert = `${prefix}lease`;
    const watchId = await watchCertification(t, receiver.url, cert, KEYS.curator);
    const [event] = await writeEvents(db, [draft(cert)]);
    // a "dead" instance claims the watch (2 s lease) and never delivers nor releases it
    const dead = new DeliveryStore(db);
    const claimed = await dead.claim('instance:dead', randomUUID(), 2000, 100);
    expect(claimed.map((c) => c.id)).toContain(watchId);
    await t.close();
    const started = Date.now();
    t = await startTestApp(FAST);
    await waitFor(() => receiver.delivered().length >= 1, 20000);
    expect(receiver.delivered()).toEqual([event?.sequence]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    // the live worker's own claims are exclusive: a second claim finds nothing while it holds the lease
    await receiver.close();
  });

  it('keeps the delivery log bounded: only the newest WEBHOOK_DELIVERY_LOG_KEEP records of a watch stay', async () => {
    const receiver = await startReceiver(SECRET, 0);
    t = await startTestApp({ ...FAST, WEBHOOK_DELIVERY_LOG_KEEP: '3' });
    const cert = `${prefix}pruned`;
    const watchId = await watchCertification(t, receiver.url, cert, KEYS.curator);
    const written = await writeEvents(
      db,
      Array.from({ length: 7 }, (_, i) => draft(cert, { summary: `pruned ${i}` })),
    );
    const sequences = written.map((e) => e?.sequence);
    await waitFor(() => receiver.delivered().length >= sequences.length);
    expect(receiver.delivered()).toEqual(sequences);
    const stored = async () =>
      (
        await db.read(undefined, 'test delivery log', 'MATCH (d:WebhookDelivery {watchId: $id}) RETURN d.sequence AS sequence ORDER BY sequence', {
          id: watchId,
        })
      ).map((r) => Number(r.sequence));
    await waitFor(async () => (await stored()).length === 3, 10000);
    expect(await stored()).toEqual(sequences.slice(4));
    const r = await t.run<{ watches: WatchOut[] }>(WATCHES, {}, KEYS.curator);
    const w = r.data?.watches.find((x) => x.id === watchId);
    expect(w?.deliveries.map((d) => d.sequence)).toEqual(sequences.slice(4).reverse());
    expect(w?.cursor).toBe(sequences[6]);
    await receiver.close();
  });

  it('marks a watch FAILING past the retry horizon and writes a WATCH_FAILING event its owner can read', async () => {
    const receiver = await startReceiver(SECRET, 1000);
    t = await startTestApp({ ...FAST, WEBHOOK_RETRY_HORIZON_MS: '800' });
    const cert = `${prefix}failing`;
    const watchId = await watchCertification(t, receiver.url, cert, KEYS.curator);
    await writeEvents(db, [draft(cert)]);
    await waitFor(async () => {
      const r = await t?.run<{ watches: WatchOut[] }>(WATCHES, {}, KEYS.curator);
      return r?.data?.watches.find((w) => w.id === watchId)?.status === 'FAILING';
    }, 20000);
    const r = await t.run<{ watches: WatchOut[] }>(WATCHES, {}, KEYS.curator);
    const w = r.data?.watches.find((x) => x.id === watchId);
    expect(w?.lastError).toMatch(/HTTP 500/);
    expect(w?.deliveries[0]).toMatchObject({ status: 'FAILED', httpStatus: 500 });
    const attempts = receiver.received.length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    const events = await t.run<{ certificationEvents: { edges: { node: { type: string; watchId: string; summary: string } }[] } }>(
      `query { certificationEvents(first: 100, after: "0", filter: { types: [WATCH_FAILING] }) { edges { node { type watchId summary } } } }`,
      {},
      KEYS.curator,
    );
    const failing = events.data?.certificationEvents.edges.map((e) => e.node).filter((n) => n.watchId === watchId) ?? [];
    expect(failing).toHaveLength(1);
    expect(failing[0]?.summary).not.toContain(receiver.url);
    // nothing more is sent to a failing watch
    await new Promise((res) => setTimeout(res, 600));
    expect(receiver.received.length).toBe(attempts);
    await receiver.close();
  });
});
