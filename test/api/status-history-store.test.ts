/**
 * The one write path of the status history (src/store/statusHistoryStore.ts) against the real
 * Neo4j: one UNWIND MERGE on the deterministic id, only new entries returned, inside the caller's
 * transaction (a failure rolls everything back), the certification's marking by default, and the
 * batched read of many histories in one statement.
 */
import { readHistories, recordStatusChanges, type StatusChangeInput } from '../../src/store/statusHistoryStore';
import { QueryStats } from '../../src/store/database';
import { buildGraph } from '../analytics/graph';
import { cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

describe('status history store', () => {
  let t: TestApp;
  const p = uniquePrefix('shstore');
  const all = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'];

  beforeAll(async () => {
    t = await startTestApp();
    await buildGraph(
      t.db,
      p,
      [
        ['Certification', 'A', { kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'B', { kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31', classification: 'SECRET' }],
        ['Certification', 'C', { kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01' }],
      ],
      [],
    );
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  const changes = (): StatusChangeInput[] => [
    { certificationId: `${p}A`, status: 'SUSPENDED', effectiveFrom: '2025-03-01', reason: 'audit', source: 'test:one' },
    { certificationId: `${p}A`, status: 'ACTIVE', effectiveFrom: '2025-04-01', source: 'test:one', sourceRef: 'ref-1' },
    { certificationId: `${p}B`, status: 'REVOKED', effectiveFrom: '2025-05-01', source: 'test:one' },
    // the same change twice in one call is written once
    { certificationId: `${p}B`, status: 'REVOKED', effectiveFrom: '2025-05-01', source: 'test:one' },
  ];

  it('writes new entries once, returns only those, and a re-record writes nothing', async () => {
    const first = await t.db.writeTransaction(undefined, (tx) => recordStatusChanges(tx, changes()));
    expect(first.map((e) => [e.id, e.certificationId, e.status, e.effectiveFrom, e.reason, e.source, e.sourceRef, e.classification, e.retracted])).toEqual([
      [`status:${p}A:2025-03-01:SUSPENDED`, `${p}A`, 'SUSPENDED', '2025-03-01', 'audit', 'test:one', null, 'UNCLASSIFIED', false],
      [`status:${p}A:2025-04-01:ACTIVE`, `${p}A`, 'ACTIVE', '2025-04-01', null, 'test:one', 'ref-1', 'UNCLASSIFIED', false],
      // the certification's marking by default
      [`status:${p}B:2025-05-01:REVOKED`, `${p}B`, 'REVOKED', '2025-05-01', null, 'test:one', null, 'SECRET', false],
    ]);
    expect(first[0]?.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const again = await t.db.writeTransaction(undefined, (tx) =>
      recordStatusChanges(
        tx,
        changes().map((c) => ({ ...c, source: 'test:two', reason: 'other' })),
      ),
    );
    expect(again).toEqual([]);
    const rows = await t.db.read(
      undefined,
      'test count status changes',
      `MATCH (c:Certification)-[:HAS_STATUS_CHANGE]->(s:StatusChange) WHERE c.id STARTS WITH $p RETURN count(s) AS n, collect(DISTINCT s.source) AS sources`,
      { p },
    );
    expect(rows[0]).toEqual({ n: 3, sources: ['test:one'] });
  });

  it('reads the histories of many certifications in one statement, only the entries visible to the reader', async () => {
    const stats = new QueryStats();
    const histories = await readHistories(t.db, stats, all, [`${p}A`, `${p}B`, `${p}C`]);
    expect(stats.roundTrips).toBe(1);
    expect(histories.get(`${p}A`)?.map((e) => e.status)).toEqual(['SUSPENDED', 'ACTIVE']);
    expect(histories.get(`${p}B`)?.map((e) => e.status)).toEqual(['REVOKED']);
    expect(histories.get(`${p}C`)).toEqual([]);
    const unclassified = await readHistories(t.db, undefined, ['UNCLASSIFIED'], [`${p}A`, `${p}B`]);
    expect(unclassified.get(`${p}A`)?.length).toBe(2);
    expect(unclassified.get(`${p}B`)).toEqual([]);
  });

  it("refuses a change of a certification that does not exist, and the caller's transaction writes nothing", async () => {
    await expect(
      t.db.writeTransaction(undefined, (tx) =>
        recordStatusChanges(tx, [
          { certificationId: `${p}C`, status: 'SUSPENDED', effectiveFrom: '2025-03-01', source: 'test' },
          { certificationId: `${p}missing`, status: 'SUSPENDED', effectiveFrom: '2025-03-01', source: 'test' },
        ]),
      ),
    ).rejects.toThrow(`no certification with id ${p}missing`);
    expect((await readHistories(t.db, undefined, all, [`${p}C`])).get(`${p}C`)).toEqual([]);
  });

  it('records a snapshot-sized batch (5,000 changes of 2,500 certifications) with one statement, and a re-record writes nothing', async () => {
    const n = 2500;
    await t.db.write(
      undefined,
      'test bulk certifications',
      `UNWIND range(1, $n) AS i CREATE (:Certification {id: $p + 'bulk' + i, name: 'bulk', kind: 'CERTIFICATE', status: 'ACTIVE', classification: 'UNCLASSIFIED', source: 'test'})`,
      { n, p },
    );
    const bulk: StatusChangeInput[] = Array.from({ length: n }, (_, i) => [
      { certificationId: `${p}bulk${i + 1}`, status: 'ACTIVE' as const, effectiveFrom: '2024-01-01', source: 'test:bulk' },
      { certificationId: `${p}bulk${i + 1}`, status: 'EXPIRED' as const, effectiveFrom: '2025-12-17', source: 'test:bulk' },
    ]).flat();
    const statements: string[] = [];
    const timed = async () => {
      const start = Date.now();
      const created = await t.db.writeTransaction(undefined, (tx) =>
        recordStatusChanges({ run: (name, cypher, params) => (statements.push(name), tx.run(name, cypher, params)) }, bulk),
      );
      return { created: created.length, ms: Date.now() - start };
    };
    const first = await timed();
    const again = await timed();
    expect(first.created).toBe(2 * n);
    expect(again.created).toBe(0);
    // per call: the existence check and the one UNWIND MERGE; when entries are new, the change feed's
    // one read of the changed certifications and its one event append (docs/EVENTS.md), in the same
    // transaction; no lineage neighbourhood read, since nothing rests on these certifications
    expect(statements).toEqual([
      'statusHistory.certificationsExist',
      'statusHistory.record',
      'events.statusContext',
      'events.append',
      'statusHistory.certificationsExist',
      'statusHistory.record',
    ]);
    console.log(`recordStatusChanges: ${2 * n} new entries in ${first.ms} ms; the same again (nothing new) in ${again.ms} ms`);
  });

  it('a mixed batch: status events for every new entry; the lineage neighbourhood is read only for the certifications something rests on', async () => {
    const q = uniquePrefix('shmixed');
    // B rests on A (BASED_ON); L has nothing resting on it; C is a certification nothing in the batch touches
    await buildGraph(
      t.db,
      q,
      [
        ['Certification', 'A', { kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2029-12-31' }],
        ['Certification', 'B', { kind: 'EVALUATION', status: 'ACTIVE', issuedAt: '2024-02-01', validUntil: '2029-12-31' }],
        ['Certification', 'L', { kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2029-12-31' }],
      ],
      [['BASED_ON', 'B', 'A']],
    );
    try {
      const statements: string[] = [];
      const record = (changes: StatusChangeInput[]) =>
        t.db.writeTransaction(undefined, (tx) =>
          recordStatusChanges({ run: (name, cypher, params) => (statements.push(name), tx.run(name, cypher, params)) }, changes),
        );
      await record([{ certificationId: `${q}L`, status: 'SUSPENDED', effectiveFrom: '2025-06-01', source: 'test:mixed' }]);
      expect(statements).toEqual(['statusHistory.certificationsExist', 'statusHistory.record', 'events.statusContext', 'events.append']);
      statements.length = 0;
      await record([
        { certificationId: `${q}L`, status: 'ACTIVE', effectiveFrom: '2025-07-01', source: 'test:mixed' },
        { certificationId: `${q}A`, status: 'REVOKED', effectiveFrom: '2025-07-01', reason: 'key compromise', source: 'test:mixed' },
      ]);
      expect(statements).toEqual([
        'statusHistory.certificationsExist',
        'statusHistory.record',
        'events.statusContext',
        // L had an entry before this batch: its earlier history is read (A's and the first batch's were not)
        'events.statusHistory',
        'events.lineageNeighbourhood',
        'events.append',
      ]);
      const events = await t.db.read(
        undefined,
        'test mixed events',
        // a status event is stored on its history entry (src/store/eventStore.ts): its certification, new status and date are the entry's
        `MATCH (e:CertificationEvent) WHERE any(x IN coalesce(e.certificationIds, [e.certificationId]) WHERE x STARTS WITH $q)
         RETURN e.sequence AS sequence, e.type AS type, coalesce(e.certificationIds, [e.certificationId]) AS certificationIds, e.oldStatus AS oldStatus,
                CASE WHEN e:StatusChange THEN e.status ELSE e.newStatus END AS newStatus, coalesce(e.causeIds, []) AS causeIds,
                toString(coalesce(e.effectiveDate, e.effectiveFrom)) AS effectiveDate ORDER BY e.sequence`,
        { q },
      );
      expect(events.map((e) => [e.type, e.certificationIds, e.oldStatus, e.newStatus, e.causeIds, e.effectiveDate])).toEqual([
        ['STATUS_CHANGED', [`${q}L`], 'ACTIVE', 'SUSPENDED', [], '2025-06-01'],
        ['STATUS_CHANGED', [`${q}L`], 'SUSPENDED', 'ACTIVE', [], '2025-07-01'],
        ['STATUS_CHANGED', [`${q}A`], 'ACTIVE', 'REVOKED', [], '2025-07-01'],
        ['LINEAGE_BROKEN', [`${q}B`, `${q}A`], null, null, [`${q}A`], '2025-07-01'],
      ]);
      // gap-free and increasing within the log
      const seq = events.map((e) => Number(e.sequence));
      expect(seq).toEqual(seq.map((_, i) => (seq[0] ?? 0) + i));
    } finally {
      await t.db.write(
        undefined,
        'test remove mixed events',
        'MATCH (e:CertificationEvent) WHERE any(x IN coalesce(e.certificationIds, [e.certificationId]) WHERE x STARTS WITH $q) DETACH DELETE e',
        { q },
      );
      await cleanup(t.db, q);
    }
  });
});
