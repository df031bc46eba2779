/**
 * Issue 15's proof with real data, through real webhook receivers: the 2025-12-14 CMVP snapshot
 * is imported, watches are created through `createWatch` as a curator (everything; Apple's
 * organization; Samsung's, two of whose modules move), receivers on 127.0.0.1 verify every
 * signature as docs/EVENTS.md documents, the 2026-01-18 snapshot is imported, and the app's
 * delivery worker pushes the events. The watch on everything receives the whole log of that
 * import, in strictly increasing sequence order, among it exactly one status-change event per
 * module that moved (15) and one per new validation (33); a vendor's watch receives only the
 * events naming that vendor. The receivers of two watches fail their first attempts (one of them
 * after having accepted the delivery, as a receiver answering too late does): the retries still
 * give every event exactly once after de-duplication by sequence, in order.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dataDir } from '../../src/config';
import { readDocument } from '../../src/importers/readDocument';
import { importDocument, type ImportSummary } from '../../src/services/importService';
import { headSequence } from '../../src/store/eventStore';
import { batchLoader } from '../../src/store/importStore';
import { KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/feed';
import { removeDocument, removeSeed } from '../helpers/seed';

jest.setTimeout(900_000);

const CMVP = path.join(dataDir(), 'nist-cmvp');
const file = (name: string) => ({ name, text: readDocument(path.join(CMVP, name)) });
const STATUS_TYPES = ['STATUS_CHANGED', 'CERTIFICATION_EXPIRED'];

const CREATE = `mutation Create($filter: CertificationEventFilter, $url: String!, $secret: String!) {
  createWatch(filter: $filter, url: $url, secret: $secret) { id status cursor }
}`;

interface LogEvent {
  sequence: number;
  type: string;
  certificationIds: string[];
  organizationIds: string[];
  deviceIds: string[];
  oldStatus: string | null;
  newStatus: string | null;
  classification: string;
}

/** The docs' verification (docs/EVENTS.md, "Delivery"): HMAC-SHA256 over `t + "." + rawBody`, constant-time compare, 5-minute window. */
function verifySignature(header: string | undefined, rawBody: Buffer, secret: string, nowMs = Date.now()): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const [, t = '', v1 = ''] = m;
  const mac = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
  return timingSafeEqual(Buffer.from(mac), Buffer.from(v1)) && Math.abs(nowMs / 1000 - Number(t)) < 300;
}

interface Request {
  sequence: number;
  attempt: number;
  watchHeader: string;
  body: { watchId: string; event: LogEvent };
  validSignature: boolean;
  /** The receiver processed it (valid signature, not answered with an error): what it de-duplicates. */
  accepted: boolean;
  answer: 'ok' | 'late-ok' | 'error';
}

/**
 * A receiver on 127.0.0.1 for one watch. `script` answers the first requests: `late-ok` processes
 * the delivery and answers 200 only after `lateMs` (after the sender gave up: it will send it
 * again), `error` answers 500 without processing; afterwards every request with a valid signature
 * is answered 200.
 */
async function startReceiver(secret: string, script: ('late-ok' | 'error')[] = [], lateMs = 0) {
  const requests: Request[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const validSignature = verifySignature(req.headers['x-assurance-signature'] as string | undefined, raw, secret);
      const body = JSON.parse(raw.toString('utf8')) as Request['body'];
      const answer = script.shift() ?? 'ok';
      requests.push({
        sequence: body.event.sequence,
        attempt: Number(req.headers['x-assurance-attempt']),
        watchHeader: String(req.headers['x-assurance-watch']),
        body,
        validSignature,
        accepted: validSignature && answer !== 'error',
        answer,
      });
      if (!validSignature) res.writeHead(401).end();
      else if (answer === 'error') res.writeHead(500).end();
      else if (answer === 'late-ok') setTimeout(() => res.writeHead(200).end(), lateMs);
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    /** Sequence numbers processed, de-duplicated by sequence (as a receiver must), in order of arrival. */
    deduplicated(): number[] {
      const seen = new Set<number>();
      return requests.filter((r) => r.accepted && !seen.has(r.sequence) && seen.add(r.sequence)).map((r) => r.sequence);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface LogPage {
  edges: { node: LogEvent }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every event after `after`, through the API at SECRET (pages of 100). */
async function logAfter(t: TestApp, after: number): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  let cursor: string | null = String(after);
  while (cursor !== null) {
    const res: { data: { certificationEvents: LogPage } | null | undefined; errors: unknown } = await t.run<{ certificationEvents: LogPage }>(
      `query($after: String) { certificationEvents(after: $after, first: 100) {
        edges { node { sequence type certificationIds organizationIds deviceIds oldStatus newStatus classification } } pageInfo { hasNextPage endCursor } } }`,
      { after: cursor },
      KEYS.analyst,
    );
    expect(res.errors).toBeUndefined();
    const conn: LogPage | undefined = res.data?.certificationEvents;
    out.push(...(conn?.edges.map((e) => e.node) ?? []));
    cursor = conn?.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
  }
  return out;
}

const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? Infinity));

describe('issue 15 on real data: the CMVP snapshots through webhook receivers', () => {
  let t: TestApp;
  const prefix = uniquePrefix('cmvphooks');
  const key = `cmvp:${prefix}lists`;
  const watchIds: string[] = [];
  const receivers: { close(): Promise<void> }[] = [];

  const snapshot = (date: string): Promise<ImportSummary> =>
    importDocument(batchLoader(t.db), {
      text: file(`modules-${date}.json.gz`).text,
      documentName: `modules-${date}.json.gz`,
      more: [file(`historical-modules-${date}.json.gz`), file('certificates.json.gz')],
      format: 'CMVP',
      name: `${prefix}lists`,
      caller: 'test',
      clearance: 'SECRET',
    });

  beforeAll(async () => {
    // short retries and timeouts so the failing attempts are retried within the test
    t = await startTestApp({
      QUERY_TIMEOUT_MS: '300000',
      WEBHOOK_DELIVERY: 'true',
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_RETRY_MAX_MS: '400',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_LEASE_MS: '10000',
    });
    // as test/importers/cmvp-loader.test.ts: vendors are created from the lists, not joined to the seed's organizations
    await removeSeed(t.db);
  });
  afterAll(async () => {
    await t.db.write(
      undefined,
      'test remove watches',
      'MATCH (w:Watch) WHERE w.id IN $ids OPTIONAL MATCH (d:WebhookDelivery) WHERE d.watchId = w.id DETACH DELETE w, d',
      { ids: watchIds },
    );
    await Promise.all(receivers.map((r) => r.close()));
    await removeDocument(t.db, key);
    await t.close();
  });

  it('the receiver’s check is the documented one, and it refuses a wrong secret, a changed body and an old timestamp', () => {
    const body = Buffer.from('{"watchId":"w","event":{"sequence":1}}');
    const t0 = Math.floor(Date.now() / 1000);
    const sign = (secret: string, ts: number) =>
      `t=${ts},v1=${createHmac('sha256', secret)
        .update(`${ts}.${body.toString('utf8')}`)
        .digest('hex')}`;
    expect(verifySignature(sign('the-right-secret-16', t0), body, 'the-right-secret-16')).toBe(true);
    expect(verifySignature(sign('the-wrong-secret-16', t0), body, 'the-right-secret-16')).toBe(false);
    expect(verifySignature(sign('the-right-secret-16', t0), Buffer.from(`${body.toString('utf8')} `), 'the-right-secret-16')).toBe(false);
    expect(verifySignature(sign('the-right-secret-16', t0 - 600), body, 'the-right-secret-16')).toBe(false);
  });

  it('2025-12-14, watches, 2026-01-18: every watch receives exactly its events, signed, in order, once after de-duplication', async () => {
    const first = await snapshot('2025-12-14');
    expect(first.snapshot).toMatchObject({ asOf: '2025-12-14', previousAsOf: null });

    // the vendors, as the graph has them after the first snapshot
    const vendorRows = await t.db.read(
      undefined,
      'test cmvp vendors',
      `MATCH (o:Organization) WHERE o.name IN ['Apple Inc.', 'Samsung Electronics Co., Ltd.'] AND EXISTS { (o)<-[:SUPPLIED_BY]-(:Component)<-[:CERTIFIES]-(:Certification) }
       RETURN o.name AS name, o.id AS id`,
    );
    const vendorId = (name: string) => vendorRows.filter((r) => r.name === name).map((r) => String(r.id))[0] ?? '';
    const apple = vendorId('Apple Inc.');
    const samsung = vendorId('Samsung Electronics Co., Ltd.');
    expect(apple).not.toBe('');
    expect(samsung).not.toBe('');

    const secrets = { all: 'secret-of-the-watch-on-everything', apple: 'secret-of-the-apple-watch-0001', samsung: 'secret-of-the-samsung-watch-01' };
    // the watch on everything: its first delivery is processed but answered after the sender's 1 s timeout, the retry gets a 500
    const allReceiver = await startReceiver(secrets.all, ['late-ok', 'error'], 1500);
    const appleReceiver = await startReceiver(secrets.apple);
    const samsungReceiver = await startReceiver(secrets.samsung, ['error', 'error']);
    receivers.push(allReceiver, appleReceiver, samsungReceiver);
    const create = async (url: string, secret: string, filter: Record<string, unknown> | null) => {
      const r = await t.run<{ createWatch: { id: string; status: string; cursor: number } }>(CREATE, { url, secret, filter }, KEYS.curator);
      expect(r.errors).toBeUndefined();
      const id = r.data?.createWatch.id ?? '';
      watchIds.push(id);
      return { id, cursor: r.data?.createWatch.cursor ?? -1 };
    };
    const all = await create(allReceiver.url, secrets.all, null);
    const appleWatch = await create(appleReceiver.url, secrets.apple, { organizationIds: [apple] });
    const samsungWatch = await create(samsungReceiver.url, secrets.samsung, { organizationIds: [samsung] });
    const headBefore = await headSequence(t.db);
    // a watch delivers what is recorded after it was created
    expect([all.cursor, appleWatch.cursor, samsungWatch.cursor]).toEqual([headBefore, headBefore, headBefore]);

    const started = performance.now();
    const second = await snapshot('2026-01-18');
    const importMs = performance.now() - started;
    const moved = (second.snapshot?.moved ?? []).map((m) => m.certificationId).sort();
    const added = (second.snapshot?.newCertifications ?? []).map((n) => `cmvp:${n}`).sort();
    expect(moved).toHaveLength(15);
    expect(added).toHaveLength(33);

    // the log of that import (nothing else writes events meanwhile)
    const log = await logAfter(t, headBefore);
    expect(log.length).toBeGreaterThan(0);
    expect(log.map((e) => e.sequence)).toEqual(Array.from({ length: log.length }, (_, i) => headBefore + 1 + i));
    const status = log.filter((e) => STATUS_TYPES.includes(e.type));
    const statusOf = (ids: string[]) => status.filter((e) => ids.includes(e.certificationIds[0] ?? ''));
    // exactly one status-change event per moved module (ACTIVE → EXPIRED or REVOKED) and per new validation (→ ACTIVE), nothing else
    expect(
      statusOf(moved)
        .map((e) => e.certificationIds[0])
        .sort(),
    ).toEqual(moved);
    expect(statusOf(moved).every((e) => e.oldStatus === 'ACTIVE' && ['EXPIRED', 'REVOKED'].includes(e.newStatus ?? ''))).toBe(true);
    expect(
      statusOf(added)
        .map((e) => e.certificationIds[0])
        .sort(),
    ).toEqual(added);
    expect(statusOf(added).every((e) => e.type === 'STATUS_CHANGED' && e.newStatus === 'ACTIVE')).toBe(true);
    expect(status).toHaveLength(moved.length + added.length);
    // the other events of the import: one CERTIFIES per new claim of a new validation
    const others = log.filter((e) => !STATUS_TYPES.includes(e.type));
    expect([...new Set(others.map((e) => e.type))]).toEqual(others.length > 0 ? ['CERTIFIES'] : []);
    expect(others.every((e) => added.includes(e.certificationIds[0] ?? ''))).toBe(true);
    const claims = others.map((e) => `${e.certificationIds[0]}>${e.deviceIds[0]}`);
    expect(new Set(claims).size).toBe(claims.length);

    // the vendors' certifications: what their modules are supplied by
    const supplierRows = await t.db.read(
      undefined,
      'test suppliers',
      `UNWIND $ids AS id MATCH (:Certification {id: id})-[:CERTIFIES]->(:Component)-[:SUPPLIED_BY]->(o:Organization) RETURN DISTINCT id, o.id AS vendor`,
      { ids: [...moved, ...added] },
    );
    const certsOf = (vendor: string) => supplierRows.filter((r) => r.vendor === vendor).map((r) => String(r.id));
    const appleCerts = certsOf(apple);
    const samsungCerts = certsOf(samsung);
    // in these lists no Apple module moves; Apple has one new validation. Samsung has moved modules and no new one.
    expect(appleCerts.filter((id) => moved.includes(id))).toEqual([]);
    expect(appleCerts.length).toBeGreaterThan(0);
    expect(samsungCerts.filter((id) => moved.includes(id)).length).toBeGreaterThan(0);

    const expected = {
      all: log.map((e) => e.sequence),
      apple: log.filter((e) => e.organizationIds.includes(apple)).map((e) => e.sequence),
      samsung: log.filter((e) => e.organizationIds.includes(samsung)).map((e) => e.sequence),
    };
    // what the vendor filters select: exactly one status event per certification of that vendor, nothing of another vendor
    const vendorEvents = (seqs: number[]) => log.filter((e) => seqs.includes(e.sequence));
    expect(
      vendorEvents(expected.apple)
        .map((e) => `${e.type}:${e.certificationIds[0]}`)
        .sort(),
    ).toEqual(appleCerts.map((id) => `STATUS_CHANGED:${id}`).sort());
    expect(
      vendorEvents(expected.samsung)
        .map((e) => e.certificationIds[0])
        .sort(),
    ).toEqual([...samsungCerts].sort());
    expect(vendorEvents(expected.samsung).every((e) => STATUS_TYPES.includes(e.type))).toBe(true);

    const deliveryStarted = performance.now();
    await waitFor(
      () =>
        allReceiver.deduplicated().length >= expected.all.length &&
        appleReceiver.deduplicated().length >= expected.apple.length &&
        samsungReceiver.deduplicated().length >= expected.samsung.length,
      240_000,
      200,
    ).catch(async (error: unknown) => {
      // What a failure needs to be understood (it happened once in CI and did not reproduce): each
      // watch's stored delivery state and what each receiver got against what it should have.
      const watches = await t.db.read(
        undefined,
        'test watch state',
        `MATCH (w:Watch) RETURN w.id AS id, w.status AS status, w.cursor AS cursor, w.attempts AS attempts, w.lastError AS lastError,
           toString(w.nextAttemptAt) AS nextAttemptAt, toString(w.leaseUntil) AS leaseUntil, w.leaseOwner AS leaseOwner, toString(datetime()) AS now`,
      );
      const got = (r: typeof allReceiver, want: number[]) => {
        const seen = new Set(r.deduplicated());
        return { requests: r.requests.length, received: seen.size, expected: want.length, missing: want.filter((q) => !seen.has(q)).slice(0, 10) };
      };
      process.stderr.write(
        `[cmvp webhooks] deliveries incomplete: ${JSON.stringify({
          head: await headSequence(t.db),
          watches,
          all: got(allReceiver, expected.all),
          apple: got(appleReceiver, expected.apple),
          samsung: got(samsungReceiver, expected.samsung),
          ids: { all: all.id, apple: appleWatch.id, samsung: samsungWatch.id },
        })}\n`,
      );
      throw error;
    });
    const deliveryMs = performance.now() - deliveryStarted;
    // nothing more arrives afterwards
    await new Promise((r) => setTimeout(r, 1000));
    process.stderr.write(
      `[cmvp webhooks] 2026-01-18 import ${Math.round(importMs)} ms; ${log.length} events (${status.length} status, ${others.length} other); ` +
        `all delivered ${Math.round(deliveryMs)} ms after the import; requests: all ${allReceiver.requests.length}, apple ${appleReceiver.requests.length}, samsung ${samsungReceiver.requests.length}\n`,
    );

    for (const [name, receiver, watch] of [
      ['all', allReceiver, all],
      ['apple', appleReceiver, appleWatch],
      ['samsung', samsungReceiver, samsungWatch],
    ] as const) {
      // exactly the expected events, once each after de-duplication, in strictly increasing sequence order
      expect({ name, delivered: receiver.deduplicated() }).toEqual({ name, delivered: expected[name] });
      expect(increasing(receiver.deduplicated())).toBe(true);
      // every request signed with the watch's secret, for this watch, and carrying the event as the log has it
      expect(receiver.requests.every((r) => r.validSignature && r.watchHeader === watch.id && r.body.watchId === watch.id)).toBe(true);
      const bySequence = new Map(log.map((e) => [e.sequence, e]));
      for (const r of receiver.requests) {
        expect(r.body.event).toMatchObject({ type: bySequence.get(r.sequence)?.type, certificationIds: bySequence.get(r.sequence)?.certificationIds });
      }
      // requests arrive in order: a retry repeats the event it failed on before any later one is sent
      expect(increasing([...new Set(receiver.requests.map((r) => r.sequence))])).toBe(true);
      expect(receiver.requests.map((r) => r.sequence)).toEqual([...receiver.requests.map((r) => r.sequence)].sort((a, b) => a - b));
    }
    // the Apple watch got nothing of another vendor
    expect(
      appleReceiver.requests.every((r) => r.body.event.organizationIds.includes(apple) && appleCerts.includes(r.body.event.certificationIds[0] ?? '')),
    ).toBe(true);
    // the retries: the first event of the watch on everything was processed, answered late, sent again (500), then again (200)
    const firstSeq = expected.all[0];
    expect(allReceiver.requests.slice(0, 3).map((r) => [r.sequence, r.attempt, r.answer])).toEqual([
      [firstSeq, 1, 'late-ok'],
      [firstSeq, 2, 'error'],
      [firstSeq, 3, 'ok'],
    ]);
    expect(allReceiver.requests.filter((r) => r.accepted && r.sequence === firstSeq)).toHaveLength(2);
    expect(allReceiver.requests).toHaveLength(expected.all.length + 2);
    expect(samsungReceiver.requests.slice(0, 3).map((r) => [r.sequence, r.attempt, r.answer])).toEqual([
      [expected.samsung[0], 1, 'error'],
      [expected.samsung[0], 2, 'error'],
      [expected.samsung[0], 3, 'ok'],
    ]);
    expect(samsungReceiver.requests).toHaveLength(expected.samsung.length + 2);
    expect(appleReceiver.requests).toHaveLength(expected.apple.length);

    // the delivery log agrees: the first event of the watch on everything DELIVERED on the third attempt
    const w = await t.run<{ watches: { id: string; status: string; deliveries: { sequence: number; status: string; attempts: number }[] }[] }>(
      `query { watches { id status deliveries(first: 100) { sequence status attempts } } }`,
      {},
      KEYS.curator,
    );
    const allWatch = w.data?.watches.find((x) => x.id === all.id);
    expect(allWatch?.status).toBe('ACTIVE');
    expect(allWatch?.deliveries.find((d) => d.sequence === firstSeq)).toMatchObject({ status: 'DELIVERED', attempts: 3 });
  });
});
