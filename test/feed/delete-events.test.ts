/**
 * The change feed on `deleteNode` against the real Neo4j (docs/EVENTS.md, "Scope drift and
 * known-exploited state"): deleting a certification that covers a fleet, or a known-exploited
 * vulnerability affecting its release, writes one SCOPE_DRIFT_CHANGED in the deleting transaction,
 * marked with the deleted node's marking as it was (not above, not below); the release's stored
 * known-exploited set follows the delete (a vulnerability written again is reported again); a
 * rolled-back delete writes nothing; deleting a deployment removes its stored drift state.
 */
import { deleteNode, type WriteDeps } from '../../src/services/mutations';
import { QueryStats, type Tx } from '../../src/store/database';
import { headSequence } from '../../src/store/eventStore';
import { GraphStore } from '../../src/store/graphStore';
import { markingsVisibleTo } from '../../src/domain/model';
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { removeEvents } from '../helpers/feed';
import { writeGraph, type TestNode, type TestRel } from '../helpers/graph';

const EVENTS = `query Events($after: String) {
  certificationEvents(after: $after, first: 100) {
    edges { node { sequence type classification certificationIds deviceIds organizationIds deploymentIds vulnerabilityIds findingsAdded findingsResolved oldStatus newStatus source viewClearance } }
  }
}`;
const DELETE = `mutation Delete($id: ID!) { deleteNode(id: $id, detach: true) { id relationshipsRemoved } }`;

interface Ev {
  sequence: number;
  type: string;
  classification: string;
  certificationIds: string[];
  deviceIds: string[];
  organizationIds: string[];
  deploymentIds: string[];
  vulnerabilityIds: string[];
  findingsAdded: string[];
  findingsResolved: string[];
  oldStatus: string | null;
  newStatus: string | null;
  source: string;
  viewClearance: string | null;
}

/** A GraphStore whose write transaction fails after its work ran (as a failed commit would): everything is rolled back. */
class FailingStore extends GraphStore {
  override writeTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return super.writeTransaction(async (tx) => {
      await work(tx);
      throw new Error('test: the transaction fails after the delete');
    });
  }
}

describe('change feed: deleteNode refreshes the drift and known-exploited state it reached', () => {
  let t: TestApp;
  const p = uniquePrefix('feeddelete');
  const fleet = `${p}fleet`;
  const device = `${p}device`;
  const os = `${p}os`;
  const cert = `${p}cert`;
  const control = `${p}control`;
  const cve = `${p}cve`;
  const operator = `${p}operator`;
  const vulnerability: TestNode = {
    label: 'Vulnerability',
    id: cve,
    name: cve,
    classification: 'RESTRICTED',
    knownExploited: true,
    kevDateAdded: '2024-01-02',
    kevDueDate: '2099-01-01',
  };
  const affects: TestRel = { type: 'AFFECTS', from: cve, to: os };
  const release: TestNode = { label: 'Component', id: os, name: os, kind: 'OS_RELEASE', version: '17.0', supportEndsAt: '2099-12-31' };

  const eventsAfter = async (after: number, key: string = ANALYST_KEYS_BY_CLEARANCE.SECRET): Promise<Ev[]> => {
    const r = await t.run<{ certificationEvents: { edges: { node: Ev }[] } }>(EVENTS, { after: String(after) }, key);
    expect(r.errors).toBeUndefined();
    return r.data?.certificationEvents.edges.map((e) => e.node) ?? [];
  };
  const storedState = async (id: string): Promise<string[] | null> => {
    const rows = await t.db.read(undefined, 'test feed state', 'MATCH (s:FeedState {id: $id}) RETURN s.keys AS keys', { id });
    return rows[0] ? (rows[0].keys as string[]) : null;
  };
  const exists = async (id: string): Promise<boolean> =>
    (await t.db.read(undefined, 'test exists', 'MATCH (n {id: $id}) RETURN count(n) AS n', { id }))[0]?.n === 1;

  beforeAll(async () => {
    t = await startTestApp();
    // a fleet of a certified device model whose certification requires a control nobody implements
    // (CONFIDENTIAL certification), running a release a RESTRICTED known-exploited vulnerability affects
    await writeGraph(
      t.db,
      [
        { label: 'Organization', id: operator, name: operator },
        { label: 'Device', id: device, name: device },
        { label: 'Deployment', id: fleet, name: fleet },
        release,
        { label: 'Control', id: control, name: control },
        {
          label: 'Certification',
          id: cert,
          name: cert,
          classification: 'CONFIDENTIAL',
          kind: 'CERTIFICATE',
          status: 'ACTIVE',
          issuedAt: '2024-01-01',
          validUntil: '2099-01-01',
        },
        vulnerability,
      ],
      [
        { type: 'OPERATES', from: operator, to: fleet },
        { type: 'OF', from: fleet, to: device },
        { type: 'RUNS', from: fleet, to: os },
        { type: 'CERTIFIES', from: cert, to: device },
        { type: 'REQUIRES', from: cert, to: control },
        affects,
      ],
    );
  });
  afterAll(async () => {
    await removeEvents(t.db, p);
    await t.db.write(
      undefined,
      'test remove events',
      'MATCH (e:CertificationEvent) WHERE any(x IN coalesce(e.vulnerabilityIds, []) WHERE x STARTS WITH $p) DETACH DELETE e',
      { p },
    );
    await t.db.write(undefined, 'test remove feed state', 'MATCH (s:FeedState) WHERE s.id CONTAINS $p DETACH DELETE s', { p });
    await t.db.write(undefined, 'test remove status entries', 'MATCH (s:StatusChange) WHERE s.certificationId STARTS WITH $p DETACH DELETE s', { p });
    await cleanup(t.db, p);
    await t.close();
  });

  it('the fixture is assessed: the missing control and the known-exploited vulnerability are stored findings', async () => {
    expect(await storedState(`drift:SECRET:${fleet}`)).toEqual([`KNOWN_EXPLOITED|||${cve}`, `REQUIRED_CONTROL_NOT_IMPLEMENTED|${cert}|${control}|`]);
    expect(await storedState(`kev:${os}`)).toEqual([cve]);
  });

  it('a rolled-back delete writes no event and leaves the stored state as it was', async () => {
    const head = await headSequence(t.db);
    const caller = { id: 'admin', roles: ['admin' as const], clearance: 'SECRET' as const };
    const deps: WriteDeps = { caller, store: new FailingStore(t.db, new QueryStats(), markingsVisibleTo('SECRET')) };
    await expect(deleteNode(deps, cert, true)).rejects.toThrow(/fails after the delete/);
    expect(await headSequence(t.db)).toBe(head);
    expect(await exists(cert)).toBe(true);
    expect(await storedState(`drift:SECRET:${fleet}`)).toEqual([`KNOWN_EXPLOITED|||${cve}`, `REQUIRED_CONTROL_NOT_IMPLEMENTED|${cert}|${control}|`]);
  });

  it('deleting the covering certification: one SCOPE_DRIFT_CHANGED (not covered; the control finding resolved) at the certification’s marking', async () => {
    const head = await headSequence(t.db);
    const r = await t.run<{ deleteNode: { id: string; relationshipsRemoved: number } }>(DELETE, { id: cert }, KEYS.admin);
    expect(r.errors).toBeUndefined();
    expect(r.data?.deleteNode.id).toBe(cert);
    expect(r.data?.deleteNode.relationshipsRemoved).toBeGreaterThanOrEqual(2);
    const events = await eventsAfter(head);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'SCOPE_DRIFT_CHANGED',
      classification: 'CONFIDENTIAL',
      deploymentIds: [fleet],
      deviceIds: [device],
      organizationIds: [operator],
      certificationIds: [cert],
      vulnerabilityIds: [],
      findingsAdded: ['DEVICE_NOT_COVERED|||'],
      findingsResolved: [`REQUIRED_CONTROL_NOT_IMPLEMENTED|${cert}|${control}|`],
      oldStatus: '2 FINDINGS',
      newStatus: '2 FINDINGS',
      source: 'curator:admin',
    });
    // a reader cleared for the certification's marking receives its own view's event (the same change), one below none
    const confidential = await eventsAfter(head, ANALYST_KEYS_BY_CLEARANCE.CONFIDENTIAL);
    expect(confidential).toHaveLength(1);
    expect(confidential[0]).toMatchObject({
      type: 'SCOPE_DRIFT_CHANGED',
      viewClearance: 'CONFIDENTIAL',
      findingsAdded: ['DEVICE_NOT_COVERED|||'],
      findingsResolved: [`REQUIRED_CONTROL_NOT_IMPLEMENTED|${cert}|${control}|`],
    });
    expect(events[0]).toMatchObject({ viewClearance: 'SECRET' });
    expect(await eventsAfter(head, ANALYST_KEYS_BY_CLEARANCE.RESTRICTED)).toEqual([]);
    expect(await storedState(`drift:SECRET:${fleet}`)).toEqual(['DEVICE_NOT_COVERED|||', `KNOWN_EXPLOITED|||${cve}`]);
  });

  it('deleting the known-exploited vulnerability: the finding resolved at its marking; written again, it is reported again', async () => {
    const head = await headSequence(t.db);
    const r = await t.run(DELETE, { id: cve }, KEYS.admin);
    expect(r.errors).toBeUndefined();
    const events = await eventsAfter(head);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'SCOPE_DRIFT_CHANGED',
      classification: 'RESTRICTED',
      deploymentIds: [fleet],
      certificationIds: [],
      vulnerabilityIds: [cve],
      findingsAdded: [],
      findingsResolved: [`KNOWN_EXPLOITED|||${cve}`],
      newStatus: '1 FINDINGS',
    });
    const restricted = await eventsAfter(head, ANALYST_KEYS_BY_CLEARANCE.RESTRICTED);
    expect(restricted).toHaveLength(1);
    expect(restricted[0]).toMatchObject({ viewClearance: 'RESTRICTED', vulnerabilityIds: [cve], findingsResolved: [`KNOWN_EXPLOITED|||${cve}`] });
    expect(await eventsAfter(head, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED)).toEqual([]);
    expect(await storedState(`kev:${os}`)).toEqual([]);

    // the release's known-exploited set followed the delete: the vulnerability written again is new again
    const again = await headSequence(t.db);
    await writeGraph(t.db, [vulnerability, release], [affects]);
    const back = await eventsAfter(again);
    expect(back.map((e) => [e.type, e.vulnerabilityIds])).toEqual([
      ['KEV_AFFECTS', [cve]],
      ['SCOPE_DRIFT_CHANGED', [cve]],
    ]);
  });

  it('deleting the deployment removes its stored drift state and writes no event', async () => {
    expect(await storedState(`drift:SECRET:${fleet}`)).not.toBeNull();
    const head = await headSequence(t.db);
    const r = await t.run(DELETE, { id: fleet }, KEYS.admin);
    expect(r.errors).toBeUndefined();
    for (const level of ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET']) expect(await storedState(`drift:${level}:${fleet}`)).toBeNull();
    expect(await eventsAfter(head)).toEqual([]);
    // the release stays watched by nobody; its stored set is unchanged (no event either)
    expect(await storedState(`kev:${os}`)).toEqual([cve]);
  });
});
