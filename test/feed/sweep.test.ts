/**
 * The expiry sweep against the real Neo4j: a passed validUntil becomes an EXPIRED entry (from the
 * day after) with its CERTIFICATION_EXPIRED event and the LINEAGE_BROKEN event of what rests on
 * it; a second run records nothing; a certification already revoked is left alone; of two
 * instances asking at once, one runs it per interval; the CLI does the same.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../src/config';
import { ExpiryScheduler, runExpirySweep, SWEEP_JOB } from '../../src/services/expirySweep';
import { recordStatusChanges } from '../../src/store/statusHistoryStore';
import { cleanup, KEYS, startTestApp, testNeo4jCredentials, testNeo4jUri, uniquePrefix, type TestApp } from '../helpers/app';
import { removeEvents } from '../helpers/feed';
import { headSequence } from '../../src/store/eventStore';
import { writeGraph } from '../helpers/graph';

const EVENTS = `query Events($filter: CertificationEventFilter) {
  certificationEvents(after: "0", first: 100, filter: $filter) { edges { node { sequence type certificationIds causeCertificationIds oldStatus newStatus effectiveDate source } } }
}`;
interface EventOut {
  type: string;
  certificationIds: string[];
  causeCertificationIds: string[];
  oldStatus: string | null;
  newStatus: string | null;
  effectiveDate: string;
  source: string;
}

describe('expiry sweep', () => {
  let t: TestApp;
  const prefix = uniquePrefix('sweep');
  const base = `${prefix}base`;
  const dependent = `${prefix}dependent`;
  const revoked = `${prefix}revoked`;
  const later = `${prefix}later`;
  const ids = [base, dependent, revoked, later];
  const events = async () =>
    (
      await t.run<{ certificationEvents: { edges: { node: EventOut }[] } }>(EVENTS, { filter: { certificationIds: ids } }, KEYS.admin)
    ).data?.certificationEvents.edges.map((e) => e.node) ?? [];

  beforeAll(async () => {
    t = await startTestApp();
    const cert = (id: string, validUntil: string) => ({
      label: 'Certification' as const,
      id,
      name: id,
      kind: 'CERTIFICATE',
      status: 'ACTIVE',
      issuedAt: '2024-01-01',
      validUntil,
    });
    await writeGraph(
      t.db,
      [cert(base, '2026-06-30'), cert(dependent, '2030-01-01'), cert(revoked, '2026-06-30'), cert(later, '2026-08-31')],
      [{ type: 'BASED_ON', from: dependent, to: base }],
    );
    await t.db.writeTransaction(undefined, (tx) =>
      recordStatusChanges(tx, [{ certificationId: revoked, status: 'REVOKED', effectiveFrom: '2026-03-01', reason: 'test', source: 'test' }]),
    );
  });
  afterAll(async () => {
    await removeEvents(t.db, prefix);
    await cleanup(t.db, prefix);
    await t.db.write(undefined, 'test remove status changes', 'MATCH (s:StatusChange) WHERE s.certificationId STARTS WITH $prefix DETACH DELETE s', { prefix });
    await t.close();
  });

  it('records EXPIRED from the day after validUntil, with the expiry and lineage-broken events; a second run records nothing', async () => {
    const before = (await events()).length;
    const first = await runExpirySweep(t.db, '2026-07-15');
    expect(first.recorded).toBeGreaterThanOrEqual(1);
    const mine = (await events()).slice(before);
    expect(mine.map((e) => [e.type, e.certificationIds[0]])).toEqual([
      ['CERTIFICATION_EXPIRED', base],
      ['LINEAGE_BROKEN', dependent],
    ]);
    expect(mine[0]).toMatchObject({ oldStatus: 'ACTIVE', newStatus: 'EXPIRED', effectiveDate: '2026-07-01', source: 'sweep' });
    expect(mine[1]).toMatchObject({ causeCertificationIds: [base], effectiveDate: '2026-07-01', source: 'sweep' });

    const second = await runExpirySweep(t.db, '2026-07-15');
    expect(second.recorded).toBe(0);
    expect((await events()).length).toBe(before + 2);
  });

  it('runs once per interval across instances (job lease in Neo4j)', async () => {
    await t.db.write(undefined, 'test reset the sweep lease', 'MATCH (l:JobLease {id: $id}) DETACH DELETE l', { id: SWEEP_JOB });
    const a = new ExpiryScheduler(t.db, 3600000);
    const b = new ExpiryScheduler(t.db, 3600000);
    const results = await Promise.all([a.tick('2026-07-15'), b.tick('2026-07-15'), a.tick('2026-07-15'), b.tick('2026-07-15')]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    // within the interval nobody runs it again
    expect(await b.tick('2026-07-15')).toBeUndefined();
  });

  it('npm run sweep -- --as-of records what passed by then', async () => {
    const before = (await events()).length;
    const env = { ...process.env, NEO4J_URI: testNeo4jUri(), ...testNeo4jCredentials(), LOG_LEVEL: 'silent' };
    const run = promisify(execFile);
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const out = await run(tsx, [path.join(REPO_ROOT, 'src', 'cli', 'sweep.ts'), '--as-of', '2026-09-02'], { env, cwd: REPO_ROOT });
    expect(out.stdout).toMatch(/Expiry sweep as of 2026-09-02: \d+ certification\(s\) past their validity end examined, \d+ EXPIRED recorded/);
    const mine = (await events()).slice(before);
    expect(mine.map((e) => [e.type, e.certificationIds[0], e.effectiveDate])).toEqual([['CERTIFICATION_EXPIRED', later, '2026-09-01']]);
    await expect(run(tsx, [path.join(REPO_ROOT, 'src', 'cli', 'sweep.ts'), '--as-of', 'yesterday'], { env, cwd: REPO_ROOT })).rejects.toMatchObject({
      code: 2,
    });
  });

  it("judges the feed's scope drift as of today, whatever date the sweep is asked for: a past-dated sweep does not make the next one report a change", async () => {
    const fleet = `${prefix}fleet`;
    const os = `${prefix}os`;
    const head = await headSequence(t.db);
    // support ended 2026-09-01: OS_SUPPORT_ENDED today, not as of 2026-07-15
    await writeGraph(
      t.db,
      [
        { label: 'Deployment', id: fleet, name: fleet },
        { label: 'Component', id: os, name: os, kind: 'OS_RELEASE', version: '1.0', supportEndsAt: '2026-09-01' },
      ],
      [{ type: 'RUNS', from: fleet, to: os }],
    );
    const driftOfFleet = async (after: number) =>
      (
        await t.run<{ certificationEvents: { edges: { node: { deploymentIds: string[]; findingsAdded: string[]; findingsResolved: string[] } }[] } }>(
          `query D($after: String) { certificationEvents(after: $after, first: 100, filter: { types: [SCOPE_DRIFT_CHANGED] }) { edges { node { deploymentIds findingsAdded findingsResolved } } } }`,
          { after: String(after) },
          KEYS.admin,
        )
      ).data?.certificationEvents.edges
        .map((e) => e.node)
        .filter((n) => n.deploymentIds.includes(fleet)) ?? [];
    const created = await driftOfFleet(head);
    expect(created).toHaveLength(1);
    expect(created[0]?.findingsAdded.join(' ')).toContain('OS_SUPPORT_ENDED');

    const afterWrite = await headSequence(t.db);
    await runExpirySweep(t.db, '2026-07-15');
    await runExpirySweep(t.db);
    expect(await driftOfFleet(afterWrite)).toEqual([]);
    await t.db.write(undefined, 'test remove feed state', 'MATCH (s:FeedState) WHERE s.id CONTAINS $prefix DETACH DELETE s', { prefix });
  });
});
