/**
 * The seed scenario through the change feed: revoking the seed's cryptographic module validation
 * (a curator mutation, one transaction) emits its status event and lineage-broken events for the
 * evaluation, the national approval and the NATO clearance that rest on it (BASED_ON,
 * transitively). With the NATO clearance marked SECRET, a SECRET watcher receives all four, an
 * UNCLASSIFIED watcher the three it may see, and nothing it receives names the clearance.
 */
import { KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { startReceiver, waitFor } from '../helpers/feed';
import { freshSeed } from '../helpers/seed';

const CHAIN = ['cert:corecrypto-validation', 'cert:independent-evaluation-2024', 'cert:national-approval-2024', 'cert:nato-clearance-2024'];
const SECRET = 'scenario-webhook-secret-0123456789';
const CREATE = `mutation Create($filter: CertificationEventFilter, $url: String!, $secret: String!) { createWatch(filter: $filter, url: $url, secret: $secret) { id } }`;
const RECORD = `mutation Record($input: RecordCertificationStatusInput!) { recordCertificationStatus(input: $input) { entry { id status } } }`;
const EVENTS = `query Events($after: String, $filter: CertificationEventFilter) {
  certificationEvents(after: $after, first: 100, filter: $filter) { edges { node { sequence type summary classification certificationIds causeCertificationIds deviceIds oldStatus newStatus effectiveDate source } } }
}`;

interface EventOut {
  sequence: number;
  type: string;
  summary: string;
  classification: string;
  certificationIds: string[];
  causeCertificationIds: string[];
  deviceIds: string[];
  oldStatus: string | null;
  newStatus: string | null;
  effectiveDate: string;
  source: string;
}

describe('change feed on the seed scenario', () => {
  let t: TestApp;
  const prefix = uniquePrefix('scenario');
  const watchIds: string[] = [];
  beforeAll(async () => {
    t = await startTestApp({
      WEBHOOK_DELIVERY: 'true',
      WEBHOOK_POLL_MS: '100',
      WEBHOOK_RETRY_BASE_MS: '100',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_LEASE_MS: '5000',
    });
    await freshSeed(t.db);
    await t.db.write(
      undefined,
      'test mark the NATO clearance SECRET',
      `MATCH (c:Certification {id: 'cert:nato-clearance-2024'}) SET c.classification = 'SECRET'`,
    );
  });
  afterAll(async () => {
    await t.db.write(
      undefined,
      'test remove watches',
      'MATCH (w:Watch) WHERE w.id IN $ids OPTIONAL MATCH (d:WebhookDelivery) WHERE d.watchId = w.id DETACH DELETE w, d',
      {
        ids: watchIds,
      },
    );
    await freshSeed(t.db);
    await t.close();
  });

  it('revoking the crypto module validation breaks the lineage of what rests on it, delivered to each watcher at its clearance', async () => {
    const secretReceiver = await startReceiver(SECRET);
    const lowReceiver = await startReceiver(SECRET);
    // the status and lineage events (the revocation, effective today, also changes the fleets' scope drift: SCOPE_DRIFT_CHANGED)
    const filter = { certificationIds: CHAIN, types: ['STATUS_CHANGED', 'LINEAGE_BROKEN'] };
    const high = await t.run<{ createWatch: { id: string } }>(CREATE, { url: secretReceiver.url, secret: SECRET, filter }, KEYS.curator);
    const low = await t.run<{ createWatch: { id: string } }>(CREATE, { url: lowReceiver.url, secret: SECRET, filter }, KEYS.curatorUnclassified);
    expect(high.errors).toBeUndefined();
    watchIds.push(high.data?.createWatch.id ?? '', low.data?.createWatch.id ?? '');

    const input = { certificationId: 'cert:corecrypto-validation', status: 'REVOKED', effectiveFrom: '2026-12-01', reason: `${prefix} key compromise` };
    const revoked = await t.run(RECORD, { input }, KEYS.curator);
    expect(revoked.errors).toBeUndefined();

    await waitFor(() => secretReceiver.delivered().length >= 4 && lowReceiver.delivered().length >= 3, 30000);
    await new Promise((r) => setTimeout(r, 500));
    const highEvents = secretReceiver.received.filter((r) => r.answered === 200).map((r) => r.body.event);
    const lowEvents = lowReceiver.received.filter((r) => r.answered === 200).map((r) => r.body.event);
    expect(highEvents.map((e) => [e.type, e.certificationIds[0]])).toEqual([
      ['STATUS_CHANGED', 'cert:corecrypto-validation'],
      ['LINEAGE_BROKEN', 'cert:independent-evaluation-2024'],
      ['LINEAGE_BROKEN', 'cert:national-approval-2024'],
      ['LINEAGE_BROKEN', 'cert:nato-clearance-2024'],
    ]);
    expect(highEvents[0]).toMatchObject({ oldStatus: 'ACTIVE', newStatus: 'REVOKED', effectiveDate: '2026-12-01', source: 'curator:curator' });
    for (const e of highEvents.slice(1)) expect(e).toMatchObject({ causeIds: ['cert:corecrypto-validation'], effectiveDate: '2026-12-01' });
    expect(highEvents[3]?.classification).toBe('SECRET');
    expect(highEvents[3]?.deviceIds).toEqual(expect.arrayContaining(['device:iphone-15', 'device:ipad-pro-m4']));
    // in sequence order, one commit: consecutive numbers
    const seqs = highEvents.map((e) => e.sequence);
    expect(seqs).toEqual([seqs[0], (seqs[0] ?? 0) + 1, (seqs[0] ?? 0) + 2, (seqs[0] ?? 0) + 3]);

    expect(lowEvents.map((e) => e.certificationIds[0])).toEqual(CHAIN.slice(0, 3));
    expect(JSON.stringify(lowReceiver.received)).not.toMatch(/nato/i);
    expect(secretReceiver.received.every((r) => r.validSignature) && lowReceiver.received.every((r) => r.validSignature)).toBe(true);

    // the same through the query, per clearance
    const after = String((seqs[0] ?? 1) - 1);
    const asLow = await t.run<{ certificationEvents: { edges: { node: EventOut }[] } }>(EVENTS, { after, filter }, KEYS.curatorUnclassified);
    expect(asLow.data?.certificationEvents.edges.map((e) => e.node.type)).toEqual(['STATUS_CHANGED', 'LINEAGE_BROKEN', 'LINEAGE_BROKEN']);
    await secretReceiver.close();
    await lowReceiver.close();
  });

  it('a refused change (it contradicts the history) rolls back and writes no event', async () => {
    const before = await t.run<{ certificationEvents: { edges: { node: EventOut }[] } }>(
      EVENTS,
      { after: '0', filter: { certificationIds: CHAIN } },
      KEYS.curator,
    );
    const input = { certificationId: 'cert:corecrypto-validation', status: 'ACTIVE', effectiveFrom: '2026-12-05', reason: 'revoked is final' };
    const refused = await t.run(RECORD, { input }, KEYS.curator);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await t.run<{ certificationEvents: { edges: { node: EventOut }[] } }>(
      EVENTS,
      { after: '0', filter: { certificationIds: CHAIN } },
      KEYS.curator,
    );
    expect(after.data?.certificationEvents.edges.length).toBe(before.data?.certificationEvents.edges.length);
  });
});
