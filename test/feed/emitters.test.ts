/**
 * The change feed's later event kinds against the real Neo4j (docs/EVENTS.md): a retraction
 * (STATUS_RETRACTED and LINEAGE_RESTORED), SUPERSEDED / CERTIFIES from the seed's bulk writes
 * (once per new claim), and, after the seed, importing the shipped CVE records: KEV_AFFECTS for
 * the iPad's release and SCOPE_DRIFT_CHANGED for the seed's (RESTRICTED) iPad fleet, seen by a
 * SECRET analyst and not by an UNCLASSIFIED one; re-importing, or a dry run (rolled back),
 * writes no event.
 */
import path from 'node:path';
import { dataDir } from '../../src/config';
import { readDocument } from '../../src/importers/readDocument';
import { loadSeed, readSeed } from '../../src/seed/loadSeed';
import { importDocument } from '../../src/services/importService';
import { runExpirySweep } from '../../src/services/expirySweep';
import { headSequence } from '../../src/store/eventStore';
import { refreshFeedState } from '../../src/store/feedEmitters';
import { batchLoader } from '../../src/store/importStore';
import { ANALYST_KEYS_BY_CLEARANCE, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { freshSeed, removeCveImports } from '../helpers/seed';

const EVENTS = `query Events($after: String, $filter: CertificationEventFilter) {
  certificationEvents(after: $after, first: 100, filter: $filter) {
    edges { node { sequence type summary classification certificationIds causeCertificationIds deviceIds organizationIds
      deploymentIds vulnerabilityIds findingsAdded findingsResolved oldStatus newStatus reason effectiveDate source } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const RECORD = `mutation Record($input: RecordCertificationStatusInput!) { recordCertificationStatus(input: $input) { entry { id status } } }`;
const RETRACT = `mutation Retract($input: RetractCertificationStatusInput!) { retractCertificationStatus(input: $input) { entry { id status } } }`;

interface Ev {
  sequence: number;
  type: string;
  summary: string;
  classification: string;
  certificationIds: string[];
  causeCertificationIds: string[];
  deviceIds: string[];
  organizationIds: string[];
  deploymentIds: string[];
  vulnerabilityIds: string[];
  findingsAdded: string[];
  findingsResolved: string[];
  oldStatus: string | null;
  newStatus: string | null;
  reason: string | null;
  effectiveDate: string | null;
  source: string;
}

const IPAD_FLEET = 'deployment:field-planners-ipad-pro';
const IPAD_RELEASE = 'component:ipados-17.6';

function refData(file: string): string {
  return readDocument(path.join(dataDir(), file));
}

describe('change feed: retractions, bulk claims, scope drift and known-exploited vulnerabilities', () => {
  let t: TestApp;
  const prefix = uniquePrefix('emitters');

  async function eventsAfter(after: number, key: string = ANALYST_KEYS_BY_CLEARANCE.SECRET, filter?: Record<string, unknown>): Promise<Ev[]> {
    const out: Ev[] = [];
    let cursor = String(after);
    for (;;) {
      const r = await t.run<{ certificationEvents: { edges: { node: Ev }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
        EVENTS,
        { after: cursor, filter },
        key,
      );
      expect(r.errors).toBeUndefined();
      const page = r.data?.certificationEvents;
      out.push(...(page?.edges.map((e) => e.node) ?? []));
      if (!page?.pageInfo.hasNextPage || !page.pageInfo.endCursor) return out;
      cursor = page.pageInfo.endCursor;
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    // a known start: no CVE records or stored drift/KEV fingerprints from earlier files
    await t.db.write(undefined, 'test remove cve vulnerabilities', `MATCH (v:Vulnerability) WHERE v.id STARTS WITH 'CVE-' DETACH DELETE v`);
    await t.db.write(undefined, 'test remove feed state', 'MATCH (s:FeedState) DETACH DELETE s');
  });
  afterAll(async () => {
    // status entries outlive a removed certification: remove this file's own
    await t.db.write(undefined, 'test remove status entries', 'MATCH (s:StatusChange) WHERE s.reason STARTS WITH $prefix DETACH DELETE s', { prefix });
    // the CVE records this file imported (test/importers/cve.test.ts expects to create them)
    await removeCveImports(t.db);
    await freshSeed(t.db);
    await t.close();
  });

  it('the seed bulk-writes its SUPERSEDES and CERTIFIES claims with one event each; loading it again writes none', async () => {
    const before = await headSequence(t.db);
    const started = Date.now();
    await freshSeed(t.db);
    console.log(`freshSeed with the feed's emitters: ${Date.now() - started} ms`);
    const events = await eventsAfter(before);
    const superseded = events.filter((e) => e.type === 'SUPERSEDED');
    expect(superseded.map((e) => e.certificationIds)).toContainEqual(['cert:national-approval-2023', 'cert:national-approval-2024']);
    expect(superseded.every((e) => e.source === 'seed')).toBe(true);
    const certifies = events.filter((e) => e.type === 'CERTIFIES');
    const nato = certifies.filter((e) => e.certificationIds[0] === 'cert:nato-clearance-2024');
    expect(nato.map((e) => e.deviceIds[0]).sort()).toEqual(expect.arrayContaining(['device:ipad-pro-m4', 'device:iphone-15']));
    // one per claim
    const keys = certifies.map((e) => `${e.certificationIds[0]}>${e.deviceIds[0]}`);
    expect(new Set(keys).size).toBe(keys.length);
    // the issuer is named, so an organization filter finds it
    const byIssuer = await eventsAfter(before, ANALYST_KEYS_BY_CLEARANCE.SECRET, { types: ['CERTIFIES'], certificationIds: ['cert:nato-clearance-2024'] });
    expect(byIssuer.length).toBe(nato.length);
    expect(nato[0]?.organizationIds.length).toBeGreaterThan(0);
    const byOrg = await eventsAfter(before, ANALYST_KEYS_BY_CLEARANCE.SECRET, { types: ['CERTIFIES'], organizationIds: nato[0]?.organizationIds ?? [] });
    expect(byOrg.length).toBeGreaterThanOrEqual(nato.length);

    const again = await headSequence(t.db);
    const warm = Date.now();
    await loadSeed(t.db);
    console.log(`loadSeed again (warm, nothing new): ${Date.now() - warm} ms`);
    const refresh = Date.now();
    await t.db.writeTransaction(undefined, (tx) =>
      refreshFeedState(
        tx,
        readSeed().nodes.map((n) => n.id),
        'test',
      ),
    );
    console.log(`refreshFeedState over every seed node id (warm): ${Date.now() - refresh} ms`);
    const second = await eventsAfter(again);
    expect(second.filter((e) => e.type === 'SUPERSEDED' || e.type === 'CERTIFIES')).toEqual([]);
    expect(second.filter((e) => e.type === 'SCOPE_DRIFT_CHANGED' || e.type === 'KEV_AFFECTS')).toEqual([]);
  }, 900_000);

  it('importing the CVE records after the seed: KEV_AFFECTS for the iPad release and the iPad fleet’s drift, once, at their markings', async () => {
    const loader = batchLoader(t.db);
    const text = refData('cve-records/cve-records.json.gz');
    // a dry run rolls back: no event
    const dry = await headSequence(t.db);
    await importDocument(loader, { text, caller: 'test-feed', clearance: 'SECRET', dryRun: true });
    expect(await headSequence(t.db)).toBe(dry);

    const before = await headSequence(t.db);
    await importDocument(loader, { text, caller: 'test-feed', clearance: 'SECRET' });
    const events = await eventsAfter(before);
    const kev = events.filter((e) => e.type === 'KEV_AFFECTS');
    const onIpad = kev.filter((e) => e.deviceIds[0] === IPAD_RELEASE);
    expect(onIpad.length).toBeGreaterThan(0);
    for (const e of onIpad) {
      expect(e.deviceIds).toContain('device:ipad-pro-m4');
      expect(e.vulnerabilityIds.length).toBe(1);
      expect(e.source).toMatch(/^import:cve:/);
    }
    const drift = events.filter((e) => e.type === 'SCOPE_DRIFT_CHANGED' && e.deploymentIds.includes(IPAD_FLEET));
    expect(drift).toHaveLength(1);
    const ipad = drift[0] as Ev;
    expect(ipad.findingsAdded.some((k) => k.startsWith('KNOWN_EXPLOITED|'))).toBe(true);
    expect(ipad.classification).toBe('RESTRICTED');
    expect(ipad.deviceIds).toEqual(['device:ipad-pro-m4']);
    // each new KNOWN_EXPLOITED finding of the fleet names a vulnerability that now affects its release
    const newKev = ipad.findingsAdded.filter((k) => k.startsWith('KNOWN_EXPLOITED|')).map((k) => k.split('|')[3]);
    expect(onIpad.map((e) => e.vulnerabilityIds[0]).sort()).toEqual(expect.arrayContaining(newKev));
    // filters work on the new types
    const byDevice = await eventsAfter(before, ANALYST_KEYS_BY_CLEARANCE.SECRET, { types: ['SCOPE_DRIFT_CHANGED'], deviceIds: ['device:ipad-pro-m4'] });
    expect(byDevice.map((e) => e.sequence)).toContain(ipad.sequence);

    // an UNCLASSIFIED reader does not see the RESTRICTED fleet's event nor anything naming it
    const low = await eventsAfter(before, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(low.map((e) => e.sequence)).not.toContain(ipad.sequence);
    expect(JSON.stringify(low)).not.toContain(IPAD_FLEET);
    expect(low.every((e) => e.classification === 'UNCLASSIFIED')).toBe(true);

    // re-import: nothing new
    const again = await headSequence(t.db);
    await importDocument(loader, { text, caller: 'test-feed', clearance: 'SECRET' });
    expect(await eventsAfter(again)).toEqual([]);
    // nor does the sweep (drift unchanged today)
    await runExpirySweep(t.db);
    expect((await eventsAfter(again)).filter((e) => e.type === 'SCOPE_DRIFT_CHANGED')).toEqual([]);
  }, 900_000);

  it('an admin retraction of a revocation emits STATUS_RETRACTED and restores the lineages that rest on it, in its transaction', async () => {
    // a date of its own (the scenario test revokes from 2026-12-01); the entry is removed after the file
    const input = { certificationId: 'cert:corecrypto-validation', status: 'REVOKED', effectiveFrom: '2026-11-20', reason: `${prefix} key compromise` };
    const beforeRevocation = await headSequence(t.db);
    const revoked = await t.run<{ recordCertificationStatus: { entry: { id: string } } }>(RECORD, { input }, KEYS.curator);
    expect(revoked.errors).toBeUndefined();
    const entryId = revoked.data?.recordCertificationStatus.entry.id ?? '';
    // the status event is carried by its history entry (src/store/eventStore.ts): no node of its own
    const revocationEvent = (await eventsAfter(beforeRevocation)).find((e) => e.type === 'STATUS_CHANGED');
    expect(revocationEvent).toMatchObject({
      certificationIds: ['cert:corecrypto-validation'],
      oldStatus: 'ACTIVE',
      newStatus: 'REVOKED',
      effectiveDate: '2026-11-20',
      reason: `${prefix} key compromise`,
      source: 'curator:curator',
    });
    const carrier = await t.db.read(
      undefined,
      'test event carrier',
      'MATCH (s:StatusChange:CertificationEvent {id: $entryId}) RETURN s.sequence AS sequence, COUNT { MATCH (e:CertificationEvent) WHERE e.sequence = s.sequence } AS nodes',
      { entryId },
    );
    expect(carrier).toEqual([{ sequence: revocationEvent?.sequence, nodes: 1 }]);

    // refused retraction (empty reason): rolled back, no event
    const head = await headSequence(t.db);
    const refused = await t.run(RETRACT, { input: { entryId, reason: ' ' } }, KEYS.admin);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await headSequence(t.db)).toBe(head);

    const retracted = await t.run(RETRACT, { input: { entryId, reason: 'recorded on the wrong module' } }, KEYS.admin);
    expect(retracted.errors).toBeUndefined();
    const events = await eventsAfter(head);
    const chain = events.filter((e) => e.type !== 'SCOPE_DRIFT_CHANGED');
    expect(chain.map((e) => [e.type, e.certificationIds[0]])).toEqual([
      ['STATUS_RETRACTED', 'cert:corecrypto-validation'],
      ['LINEAGE_RESTORED', 'cert:independent-evaluation-2024'],
      ['LINEAGE_RESTORED', 'cert:national-approval-2024'],
      ['LINEAGE_RESTORED', 'cert:nato-clearance-2024'],
    ]);
    expect(chain[0]).toMatchObject({
      oldStatus: 'REVOKED',
      newStatus: 'ACTIVE',
      effectiveDate: '2026-11-20',
      reason: 'recorded on the wrong module',
      source: 'curator:admin',
    });
    for (const e of chain.slice(1)) expect(e.causeCertificationIds).toEqual(['cert:corecrypto-validation']);
    // the invariant the carried event relies on: retracting its entry changes nothing the event reads
    expect((await eventsAfter(beforeRevocation)).find((e) => e.sequence === revocationEvent?.sequence)).toEqual(revocationEvent);
  }, 900_000);
});
