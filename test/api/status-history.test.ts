/**
 * The status history through the API (docs/CERTIFICATION-LIFECYCLE.md): `status` in force today,
 * `statusOn(date)`, `statusHistory`; the curator mutation recordCertificationStatus and the admin
 * correction retractCertificationStatus, each one transaction, refused (writing nothing) for
 * dates that contradict the history; roles; markings on history entries.
 *
 *   A     ACTIVE, issued 2024-01-01, valid until 2027-12-31 (suspended, reinstated, … by the tests)
 *   B     ACTIVE, issued 2024-01-01, valid until 2025-06-30
 *   M     ACTIVE, issued 2024-01-01: a SECRET entry (SUSPENDED from 2025-05-01) and what an UNCLASSIFIED reader sees
 *   S     SECRET certification
 */
import { buildGraph } from '../analytics/graph';
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

interface Entry {
  id: string;
  status: string;
  effectiveFrom: string;
  reason: string | null;
  recordedAt: string;
  classification: string;
  provenance: { source: string; sourceRef: string | null; assertedAt: string | null };
}
interface CertOut {
  id: string;
  status: string;
  recordedStatus: string;
  before: string | null;
  on: string | null;
  statusHistory: Entry[];
}
const ENTRY = 'id status effectiveFrom reason recordedAt classification provenance { source sourceRef assertedAt }';
const CERT = `id status recordedStatus before: statusOn(date: "2025-02-28") on: statusOn(date: "2025-03-01") statusHistory { ${ENTRY} }`;
const RECORD = `mutation($input: RecordCertificationStatusInput!) { recordCertificationStatus(input: $input) { entry { ${ENTRY} } certification { ${CERT} } } }`;
const RETRACT = `mutation($input: RetractCertificationStatusInput!) { retractCertificationStatus(input: $input) { entry { id status } certification { ${CERT} } } }`;
const READ = `query($id: ID!) { certification(id: $id) { ${CERT} } }`;

type RecordOut = { recordCertificationStatus: { entry: Entry; certification: CertOut } };

describe('certification status history through the API', () => {
  let t: TestApp;
  const p = uniquePrefix('status');

  beforeAll(async () => {
    t = await startTestApp();
    await buildGraph(
      t.db,
      p,
      [
        ['Certification', 'A', { kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'B', { kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2025-06-30' }],
        ['Certification', 'M', { kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'S', { kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2024-01-01', classification: 'SECRET' }],
      ],
      [],
    );
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  async function entriesOf(id: string): Promise<{ id: string; status: string; retracted: boolean }[]> {
    const rows = await t.db.read(
      undefined,
      'test status entries',
      `MATCH (:Certification {id: $id})-[:HAS_STATUS_CHANGE]->(s:StatusChange) RETURN s.id AS id, s.status AS status, coalesce(s.retracted, false) AS retracted ORDER BY s.effectiveFrom`,
      { id },
    );
    return rows as { id: string; status: string; retracted: boolean }[];
  }

  const input = (id: string, status: string, effectiveFrom: string, extra: Record<string, unknown> = {}) => ({
    input: { certificationId: `${p}${id}`, status, effectiveFrom, reason: `test ${status.toLowerCase()}`, ...extra },
  });

  it('a curator suspends: the status holds from its effective date, today and on any date', async () => {
    const r = await t.run<RecordOut>(RECORD, input('A', 'SUSPENDED', '2025-03-01', { sourceRef: 'notice 7' }), KEYS.curator);
    expect(r.errors).toBeUndefined();
    const out = r.data?.recordCertificationStatus;
    expect(out?.entry).toMatchObject({
      id: `status:${p}A:2025-03-01:SUSPENDED`,
      status: 'SUSPENDED',
      effectiveFrom: '2025-03-01',
      reason: 'test suspended',
      classification: 'UNCLASSIFIED',
      provenance: { source: 'curator:curator', sourceRef: 'notice 7' },
    });
    expect(out?.entry.provenance.assertedAt).toBe(out?.entry.recordedAt);
    expect(out?.certification).toMatchObject({ status: 'SUSPENDED', recordedStatus: 'ACTIVE', before: 'ACTIVE', on: 'SUSPENDED' });
    const read = await t.run<{ certification: CertOut }>(READ, { id: `${p}A` }, KEYS.viewer);
    expect(read.data?.certification).toMatchObject({ status: 'SUSPENDED', before: 'ACTIVE', on: 'SUSPENDED' });
    expect(read.data?.certification.statusHistory.map((e) => [e.status, e.effectiveFrom])).toEqual([['SUSPENDED', '2025-03-01']]);
  });

  it('refuses changes that contradict the history, naming the field, and writes nothing', async () => {
    const before = await entriesOf(`${p}A`);
    const cases: [ReturnType<typeof input>, string, RegExp][] = [
      [input('A', 'REVOKED', '2023-12-31'), 'effectiveFrom', /2023-12-31 is before .*A was issued \(2024-01-01\)/],
      [input('A', 'SUSPENDED', '2025-03-01'), 'effectiveFrom', /already records SUSPENDED from 2025-03-01/],
      [input('A', 'REVOKED', '2025-03-01'), 'effectiveFrom', /already has SUSPENDED from 2025-03-01 .* contradicts it/],
      [input('A', 'SUSPENDED', '2025-03-20'), 'status', /cannot suspend .* it is already SUSPENDED/],
      [input('B', 'ACTIVE', '2025-03-01'), 'status', /cannot reinstate \(ACTIVE\) .*B on 2025-03-01: it is ACTIVE then .*; it is already ACTIVE/],
      [input('B', 'SUSPENDED', '2025-07-01'), 'effectiveFrom', /after the last day of validity .*\(2025-06-30\)/],
      [input('A', 'SUSPENDED', '2025-02-01'), 'effectiveFrom', /contradicts the later entry SUSPENDED from 2025-03-01/],
      [input('A', 'SUSPENDED', '2025-04-01', { reason: '   ' }), 'reason', /must not be empty/],
    ];
    for (const [variables, field, message] of cases) {
      const r = await t.run(RECORD, variables, KEYS.curator);
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', field] });
      expect(r.errors?.[0]?.message).toMatch(message);
    }
    expect(await entriesOf(`${p}A`)).toEqual(before);
    expect(await entriesOf(`${p}B`)).toEqual([]);
  });

  it('a curator reinstates, suspends again and revokes; a revoked certification cannot be reinstated', async () => {
    const reinstated = await t.run<RecordOut>(RECORD, input('A', 'ACTIVE', '2025-04-01'), KEYS.curator);
    expect(reinstated.errors).toBeUndefined();
    expect(reinstated.data?.recordCertificationStatus.certification.status).toBe('ACTIVE');
    expect((await t.run(RECORD, input('A', 'SUSPENDED', '2025-06-01'), KEYS.curator)).errors).toBeUndefined();
    const revoked = await t.run<RecordOut>(RECORD, input('A', 'REVOKED', '2025-09-01'), KEYS.curator);
    expect(revoked.errors).toBeUndefined();
    const again = await t.run(RECORD, input('A', 'ACTIVE', '2025-10-01'), KEYS.curator);
    expect(again.errors?.[0]?.message).toMatch(/REVOKED is final/);
    const read = await t.run<{ certification: CertOut & { mid: string; late: string } }>(
      `query($id: ID!) { certification(id: $id) { ${CERT} mid: statusOn(date: "2025-04-01") late: statusOn(date: "2025-09-01") } }`,
      { id: `${p}A` },
      KEYS.viewer,
    );
    expect(read.data?.certification).toMatchObject({ status: 'REVOKED', before: 'ACTIVE', on: 'SUSPENDED', mid: 'ACTIVE', late: 'REVOKED' });
    expect(read.data?.certification.statusHistory.map((e) => e.status)).toEqual(['SUSPENDED', 'ACTIVE', 'SUSPENDED', 'REVOKED']);
  });

  it('roles: viewers and analysts cannot record, curators cannot retract; an admin retracts, refused where the rest would not follow', async () => {
    for (const key of [KEYS.viewer, KEYS.analyst]) {
      const r = await t.run(RECORD, input('B', 'SUSPENDED', '2025-03-01'), key);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await t.run(RECORD, input('B', 'SUSPENDED', '2025-03-01'), null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const middle = `status:${p}A:2025-04-01:ACTIVE`;
    const byCurator = await t.run(RETRACT, { input: { entryId: middle, reason: 'entered twice' } }, KEYS.curator);
    expect(byCurator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused = await t.run(RETRACT, { input: { entryId: middle, reason: 'entered by mistake' } }, KEYS.admin);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'entryId'] });
    expect(refused.errors?.[0]?.message).toMatch(/SUSPENDED cannot follow SUSPENDED; retract the later entry first/);
    expect((await entriesOf(`${p}A`)).every((e) => !e.retracted)).toBe(true);
    const last = await t.run<{ retractCertificationStatus: { entry: { id: string }; certification: CertOut } }>(
      RETRACT,
      { input: { entryId: `status:${p}A:2025-09-01:REVOKED`, reason: 'wrong certificate' } },
      KEYS.admin,
    );
    expect(last.errors).toBeUndefined();
    expect(last.data?.retractCertificationStatus.certification.status).toBe('SUSPENDED');
    expect(last.data?.retractCertificationStatus.certification.statusHistory.map((e) => e.status)).toEqual(['SUSPENDED', 'ACTIVE', 'SUSPENDED']);
    // kept, marked retracted, ignored by reads; re-recording the same change does not revive it
    expect((await entriesOf(`${p}A`)).map((e) => [e.status, e.retracted])).toEqual([
      ['SUSPENDED', false],
      ['ACTIVE', false],
      ['SUSPENDED', false],
      ['REVOKED', true],
    ]);
    const missing = await t.run(RETRACT, { input: { entryId: `status:${p}A:2025-09-01:REVOKED`, reason: 'again' } }, KEYS.admin);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argumentPath: ['input', 'entryId'] });
  });

  it('markings: no entry above your clearance is written; hidden certifications and entries answer like missing ones', async () => {
    const above = await t.run(RECORD, input('B', 'SUSPENDED', '2025-03-01', { classification: 'SECRET' }), KEYS.curatorRestricted);
    expect(above.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'classification'] });
    const hiddenCert = await t.run(RECORD, input('S', 'SUSPENDED', '2025-03-01'), KEYS.curatorRestricted);
    expect(hiddenCert.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argumentPath: ['input', 'certificationId'] });
    expect(await entriesOf(`${p}B`)).toEqual([]);
    expect(await entriesOf(`${p}S`)).toEqual([]);

    // a SECRET suspension of an UNCLASSIFIED certification
    const secret = await t.run<RecordOut>(RECORD, input('M', 'SUSPENDED', '2025-05-01', { classification: 'SECRET' }), KEYS.curator);
    expect(secret.errors).toBeUndefined();
    expect(secret.data?.recordCertificationStatus.entry.classification).toBe('SECRET');
    const query = `query($id: ID!) { certification(id: $id) { status june: statusOn(date: "2025-06-01") statusHistory { status classification } } }`;
    const cleared = await t.run<{ certification: { status: string; june: string; statusHistory: unknown[] } }>(
      query,
      { id: `${p}M` },
      ANALYST_KEYS_BY_CLEARANCE.SECRET,
    );
    expect(cleared.data?.certification).toEqual({ status: 'SUSPENDED', june: 'SUSPENDED', statusHistory: [{ status: 'SUSPENDED', classification: 'SECRET' }] });
    // an UNCLASSIFIED reader: no entry, and the status computed from what they may see
    const unclassified = await t.run<{ certification: unknown }>(query, { id: `${p}M` }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(unclassified.data?.certification).toEqual({ status: 'ACTIVE', june: 'ACTIVE', statusHistory: [] });
    const lineage = `query($id: ID!) { certificationLineage(certificationId: $id, asOf: "2025-06-01") { holds } }`;
    expect(
      (await t.run<{ certificationLineage: { holds: boolean } }>(lineage, { id: `${p}M` }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED)).data?.certificationLineage
        .holds,
    ).toBe(true);
    expect(
      (await t.run<{ certificationLineage: { holds: boolean } }>(lineage, { id: `${p}M` }, ANALYST_KEYS_BY_CLEARANCE.SECRET)).data?.certificationLineage.holds,
    ).toBe(false);
    // the hidden entry cannot be retracted by a RESTRICTED admin, and is answered like a missing one
    const hiddenEntry = await t.run(RETRACT, { input: { entryId: `status:${p}M:2025-05-01:SUSPENDED`, reason: 'x' } }, KEYS.adminRestricted);
    expect(hiddenEntry.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(hiddenEntry.errors?.[0]?.message).toBe(`input.entryId: no status history entry "status:${p}M:2025-05-01:SUSPENDED" is visible to you`);
  });

  it('reads histories of many certifications with one batched query, not one per certification', async () => {
    const ids = await t.run<{ nodes: ({ status: string } | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Certification { status statusHistory { status } } } }`,
      { ids: ['A', 'B', 'M'].map((x) => `${p}${x}`) },
      KEYS.viewer,
    );
    expect(ids.errors).toBeUndefined();
    // B's validity ended on 2025-06-30: EXPIRED today though nothing was recorded
    expect(ids.data?.nodes.map((n) => n?.status)).toEqual(['SUSPENDED', 'EXPIRED', 'SUSPENDED']);
    // nodes (1) + every history at once (1)
    expect(ids.roundTrips).toBe(2);
  });
});
