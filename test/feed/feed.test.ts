/**
 * The change feed's log, query and subscription against the real Neo4j: events written in the
 * writing transaction (none for a rolled-back one), numbered gap-free, paged by sequence cursor,
 * never above the caller's clearance; a real graphql-ws client replays and then receives live
 * events, is authenticated like HTTP, and is bounded per caller.
 */
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { writeGraph } from '../helpers/graph';
import { collect, draft, removeEvents, waitFor, writeEvents, wsClient } from '../helpers/feed';
import { appendEvents, headSequence } from '../../src/store/eventStore';

const PAGE = `query Page($after: String, $first: Int, $filter: CertificationEventFilter) {
  certificationEvents(after: $after, first: $first, filter: $filter) {
    edges { cursor node { sequence type summary classification certificationIds } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

interface PageData {
  certificationEvents: {
    edges: { cursor: string; node: { sequence: number; summary: string; classification: string; certificationIds: string[] } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

describe('change feed: log, query, subscription', () => {
  let t: TestApp;
  let url: string;
  const prefix = uniquePrefix('feed');
  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_MS: '100', SUBSCRIPTIONS_PER_CALLER: '3' });
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await removeEvents(t.db, prefix);
    await t.close();
  });

  it('writes events in the writing transaction: a rolled-back change leaves no event and no number used', async () => {
    const before = await headSequence(t.db);
    await expect(
      t.db.writeTransaction(undefined, async (tx) => {
        await appendEvents(tx, [draft(`${prefix}rolled-back`)]);
        throw new Error('the change fails after its events were written');
      }),
    ).rejects.toThrow('the change fails');
    expect(await headSequence(t.db)).toBe(before);
    const written = await writeEvents(t.db, [draft(`${prefix}a`), draft(`${prefix}b`)]);
    expect(written.map((e) => e.sequence)).toEqual([before + 1, before + 2]);
    const page = await t.run<PageData>(PAGE, { filter: { certificationIds: [`${prefix}rolled-back`] }, after: String(before - 1 < 0 ? 0 : before - 1) });
    expect(page.data?.certificationEvents.edges).toEqual([]);
  });

  it('pages by sequence cursor at the caller clearance; a SECRET event is never shown to an UNCLASSIFIED caller', async () => {
    const ids = [`${prefix}p1`, `${prefix}p2`, `${prefix}p3`];
    const written = await writeEvents(t.db, [
      draft(ids[0] as string),
      draft(ids[1] as string, { classification: 'SECRET', summary: 'secret thing' }),
      draft(ids[2] as string),
    ]);
    const after = String((written[0]?.sequence ?? 1) - 1);
    const filter = { certificationIds: ids };
    const secret = await t.run<PageData>(PAGE, { after, filter }, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    expect(secret.data?.certificationEvents.edges.map((e) => e.node.certificationIds[0])).toEqual(ids);
    const low = await t.run<PageData>(PAGE, { after, filter }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(low.data?.certificationEvents.edges.map((e) => e.node.certificationIds[0])).toEqual([ids[0], ids[2]]);
    expect(JSON.stringify(low.data)).not.toContain('secret thing');

    const first = await t.run<PageData>(PAGE, { after, filter, first: 1 }, KEYS.viewer);
    expect(first.data?.certificationEvents.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const cursor = first.data?.certificationEvents.pageInfo.endCursor;
    expect(cursor).toBe(String(written[0]?.sequence));
    const second = await t.run<PageData>(PAGE, { after: cursor, filter, first: 2 }, KEYS.viewer);
    expect(second.data?.certificationEvents.edges.map((e) => e.node.sequence)).toEqual([written[1]?.sequence, written[2]?.sequence]);
    expect(second.data?.certificationEvents.pageInfo.hasNextPage).toBe(false);

    const tooMany = await t.run(PAGE, { first: 101 });
    expect(tooMany.errors?.[0]?.message).toMatch(/first must be between 0 and 100/);
    const badCursor = await t.run(PAGE, { after: 'cG9zOjE=' });
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a graphql-ws subscription replays from `after`, then delivers live events (measured delay), at the caller clearance', async () => {
    const id = `${prefix}live`;
    const old = await writeEvents(t.db, [draft(id, { summary: 'replayed' }), draft(id, { classification: 'SECRET', summary: 'hidden' })]);
    const low = wsClient(url, { 'x-api-key': ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED });
    const high = wsClient(url, { authorization: `ApiKey ${KEYS.admin}` });
    const after = String((old[0]?.sequence ?? 1) - 1);
    const lowSub = collect(low, { after, filter: { certificationIds: [id] } });
    const highSub = collect(high, { after, filter: { certificationIds: [id] } });
    await highSub.until(2);
    await lowSub.until(1);
    expect(highSub.events.map((e) => e.summary)).toEqual(['replayed', 'hidden']);
    expect(lowSub.events.map((e) => e.summary)).toEqual(['replayed']);

    const started = Date.now();
    const [live] = await writeEvents(t.db, [draft(id, { summary: 'live one' })]);
    await highSub.until(3);
    await lowSub.until(2);
    const delay = (highSub.events[2]?.receivedAt ?? 0) - started;
    expect(highSub.events[2]).toMatchObject({ sequence: live?.sequence, summary: 'live one' });
    expect(lowSub.events[1]).toMatchObject({ sequence: live?.sequence });
    // EVENT_POLL_MS=100: one poll interval plus one page read
    expect(delay).toBeLessThan(3000);
    process.stdout.write(`subscription live delay (same instance, EVENT_POLL_MS=100): ${delay} ms\n`);
    expect(lowSub.errors).toEqual([]);
    lowSub.dispose();
    highSub.dispose();
    await low.dispose();
    await high.dispose();
  });

  it('refuses a WebSocket connection without a valid credential, and a subscription past the per-caller limit', async () => {
    const bad = wsClient(url, { 'x-api-key': 'not-a-key' });
    const refused = collect(bad, {});
    await refused.until(1, 10000).catch(() => undefined);
    expect(refused.events).toEqual([]);
    expect(String((refused.errors[0] as { code?: number; reason?: string })?.code)).toBe('4403');
    await bad.dispose();

    const client = wsClient(url, { 'x-api-key': KEYS.viewer });
    const subs = [0, 1, 2].map(() => collect(client, { filter: { certificationIds: [`${prefix}none`] } }));
    await new Promise((r) => setTimeout(r, 500));
    expect(t.app.live.active).toBe(3);
    const fourth = collect(client, { filter: { certificationIds: [`${prefix}none`] } });
    await fourth.until(1, 10000).catch(() => undefined);
    expect(JSON.stringify(fourth.errors)).toMatch(/SUBSCRIPTIONS_PER_CALLER=3/);
    for (const s of subs) s.dispose();
    await new Promise((r) => setTimeout(r, 300));
    expect(t.app.live.active).toBe(0);
    await client.dispose();
  });

  it('100 idle subscriptions: one head read per poll interval for all of them, memory flat while idle (measured)', async () => {
    const app = await startTestApp({ EVENT_POLL_MS: '100', SUBSCRIPTIONS_PER_CALLER: '200' });
    const base = await app.app.listen(0, '127.0.0.1');
    const heapBefore = process.memoryUsage().heapUsed;
    const clients = Array.from({ length: 10 }, () => wsClient(base, { 'x-api-key': KEYS.viewer }));
    const subs = clients.flatMap((c) => Array.from({ length: 10 }, () => collect(c, { filter: { certificationIds: [`${prefix}idle`] } })));
    await waitFor(() => app.app.live.active === 100, 20000);
    await new Promise((r) => setTimeout(r, 1000));
    const heapSubscribed = process.memoryUsage().heapUsed;
    const polls = app.app.live.polls;
    const idleMs = 3000;
    await new Promise((r) => setTimeout(r, idleMs));
    const heapIdle = process.memoryUsage().heapUsed;
    const pollsIdle = app.app.live.polls - polls;
    process.stdout.write(
      `100 idle subscriptions: ${pollsIdle} head reads in ${idleMs} ms (EVENT_POLL_MS=100); heap +${((heapSubscribed - heapBefore) / 1048576).toFixed(1)} MB to subscribe (server and client in this process), ${((heapIdle - heapSubscribed) / 1048576).toFixed(1)} MB over ${idleMs} ms idle\n`,
    );
    // one shared poller: about idleMs / EVENT_POLL_MS reads, not one per subscription
    expect(pollsIdle).toBeLessThanOrEqual(idleMs / 100 + 5);
    expect(heapIdle - heapSubscribed).toBeLessThan(20 * 1048576);
    for (const s of subs) s.dispose();
    for (const c of clients) void c.dispose();
    await waitFor(() => app.app.live.active === 0, 10000);
    await app.close();
  });

  it('the link mutation emits CERTIFIES and SUPERSEDED for a new claim (once), marked with both ends', async () => {
    const older = `${prefix}cert-old`;
    const newer = `${prefix}cert-new`;
    const device = `${prefix}device`;
    const secretDevice = `${prefix}device-secret`;
    const cert = (id: string) => ({
      label: 'Certification' as const,
      id,
      name: id,
      kind: 'CERTIFICATE',
      status: 'ACTIVE',
      issuedAt: '2026-05-01',
      validUntil: '2030-01-01',
    });
    await writeGraph(t.db, [
      cert(older),
      cert(newer),
      { label: 'Device', id: device, name: device },
      { label: 'Device', id: secretDevice, name: 'Secret phone', classification: 'SECRET' },
    ]);
    const LINK = 'mutation($input: LinkInput!) { link(input: $input) { created } }';
    const link = (type: string, fromId: string, toId: string) => t.run(LINK, { input: { type, fromId, toId } }, KEYS.curator);
    expect((await link('CERTIFIES', newer, device)).errors).toBeUndefined();
    expect((await link('CERTIFIES', newer, device)).errors).toBeUndefined();
    await link('SUPERSEDES', newer, older);
    await link('CERTIFIES', newer, secretDevice);
    const filter = { certificationIds: [older, newer] };
    const high = await t.run<{
      certificationEvents: { edges: { node: { type: string; summary: string; classification: string; certificationIds: string[] } }[] };
    }>(
      'query($filter: CertificationEventFilter) { certificationEvents(after: "0", first: 100, filter: $filter) { edges { node { type summary classification certificationIds } } } }',
      { filter },
      KEYS.admin,
    );
    const events = high.data?.certificationEvents.edges.map((e) => e.node) ?? [];
    expect(events.map((e) => [e.type, e.classification])).toEqual([
      ['CERTIFIES', 'UNCLASSIFIED'],
      ['SUPERSEDED', 'UNCLASSIFIED'],
      ['CERTIFIES', 'SECRET'],
    ]);
    expect(events[1]?.certificationIds).toEqual([older, newer]);
    expect(events[1]?.summary).toBe(`${older} is superseded by ${newer} (issued 2026-05-01)`);
    const low = await t.run<{ certificationEvents: { edges: { node: { summary: string } }[] } }>(
      'query($filter: CertificationEventFilter) { certificationEvents(after: "0", first: 100, filter: $filter) { edges { node { summary } } } }',
      { filter },
      ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED,
    );
    expect(low.data?.certificationEvents.edges).toHaveLength(2);
    expect(JSON.stringify(low.data)).not.toContain('Secret phone');
    await cleanup(t.db, prefix);
  });
});
