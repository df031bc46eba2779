/**
 * The change feed on BASED_ON claims a curator adds or removes, against the real Neo4j
 * (docs/EVENTS.md, "Lineage events"): removing a claim on a basis that does not hold restores the
 * lineage of the certification and of what rests on it, adding it back breaks them, each in the
 * transaction of the write, marked with what the event reveals; a change that leaves every lineage
 * as it was writes none; deleting a certification that others rest on is refused (it would change
 * their lineage without a trace) and writes nothing.
 *
 * Chain of this file: clearance -BASED_ON-> approval -BASED_ON-> validation (REVOKED), plus a
 * SECRET annex resting on the clearance through a SECRET claim.
 */
import { headSequence } from '../../src/store/eventStore';
import { ANALYST_KEYS_BY_CLEARANCE, KEYS, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { writeGraph, type TestNode } from '../helpers/graph';

const EVENTS = `query Events($after: String) {
  certificationEvents(after: $after, first: 100) {
    edges { node { sequence type classification certificationIds causeCertificationIds deviceIds summary source reason effectiveDate } }
  }
}`;
const LINK = `mutation Link($input: LinkInput!) { link(input: $input) { created } }`;
const UNLINK = `mutation Unlink($input: UnlinkInput!) { unlink(input: $input) { removed } }`;
const DELETE = `mutation Delete($id: ID!) { deleteNode(id: $id, detach: true) { id relationshipsRemoved } }`;
const LINEAGE = `query Lineage($id: ID!) { certificationLineage(certificationId: $id) { holds } }`;

interface Ev {
  sequence: number;
  type: string;
  classification: string;
  certificationIds: string[];
  causeCertificationIds: string[];
  deviceIds: string[];
  summary: string;
  source: string;
  reason: string | null;
  effectiveDate: string | null;
}

describe('change feed: a BASED_ON claim added or removed by a curator', () => {
  let t: TestApp;
  const p = uniquePrefix('basisfeed');
  const validation = `${p}validation`;
  const approval = `${p}approval`;
  const clearance = `${p}clearance`;
  const annex = `${p}annex`;
  const device = `${p}device`;
  const cert = (id: string, status: string, classification = 'UNCLASSIFIED'): TestNode => ({
    label: 'Certification',
    id,
    name: id,
    status,
    issuedAt: '2024-01-10',
    validUntil: '2099-01-01',
    classification,
  });

  const eventsAfter = async (after: number, key: string = ANALYST_KEYS_BY_CLEARANCE.SECRET): Promise<Ev[]> => {
    const r = await t.run<{ certificationEvents: { edges: { node: Ev }[] } }>(EVENTS, { after: String(after) }, key);
    expect(r.errors).toBeUndefined();
    return (r.data?.certificationEvents.edges.map((e) => e.node) ?? []).filter((e) => e.certificationIds.some((id) => id.startsWith(p)));
  };
  const holds = async (id: string): Promise<boolean | undefined> => {
    const r = await t.run<{ certificationLineage: { holds: boolean } }>(LINEAGE, { id }, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    expect(r.errors).toBeUndefined();
    return r.data?.certificationLineage.holds;
  };
  const basedOn = (from: string, to: string) => ({ input: { type: 'BASED_ON', fromId: from, toId: to } });

  beforeAll(async () => {
    t = await startTestApp();
    await writeGraph(
      t.db,
      [
        cert(validation, 'REVOKED'),
        cert(approval, 'ACTIVE'),
        cert(clearance, 'ACTIVE'),
        cert(annex, 'ACTIVE', 'SECRET'),
        { label: 'Device', id: device, name: device },
      ],
      [
        { type: 'BASED_ON', from: approval, to: validation },
        { type: 'BASED_ON', from: clearance, to: approval },
        { type: 'BASED_ON', from: annex, to: clearance, classification: 'SECRET' },
        { type: 'CERTIFIES', from: clearance, to: device },
      ],
    );
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  it('deleting a certification others rest on is refused, names them, and writes nothing', async () => {
    const head = await headSequence(t.db);
    const refused = await t.run(DELETE, { id: approval }, KEYS.admin);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain(`Certification "${approval}" is the basis (BASED_ON) of 1 certification(s): "${clearance}"`);
    expect(refused.errors?.[0]?.message).toContain('Unlink those BASED_ON claims first');
    expect(await headSequence(t.db)).toBe(head);
    expect(await holds(approval)).toBe(false);
    // the SECRET annex rests on the clearance through a SECRET claim: a RESTRICTED admin is refused without its name
    const hidden = await t.run(DELETE, { id: clearance }, KEYS.adminRestricted);
    expect(hidden.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(hidden.errors?.[0]?.message).toContain('is the basis (BASED_ON) of other certifications');
    expect(hidden.errors?.[0]?.message).not.toContain(annex);
  });

  it('removing a claim on a basis that does not hold restores the lineages resting on it; adding it back breaks them', async () => {
    expect(await holds(clearance)).toBe(false);
    const head = await headSequence(t.db);
    const unlinked = await t.run<{ unlink: { removed: boolean } }>(UNLINK, basedOn(approval, validation), KEYS.admin);
    expect(unlinked.errors).toBeUndefined();
    expect(unlinked.data?.unlink.removed).toBe(true);
    expect(await holds(clearance)).toBe(true);
    const restored = (await eventsAfter(head)).filter((e) => e.type.startsWith('LINEAGE_'));
    expect(restored.map((e) => [e.type, e.certificationIds[0], e.classification])).toEqual([
      ['LINEAGE_RESTORED', annex, 'SECRET'],
      ['LINEAGE_RESTORED', approval, 'UNCLASSIFIED'],
      ['LINEAGE_RESTORED', clearance, 'UNCLASSIFIED'],
    ]);
    const onClearance = restored.find((e) => e.certificationIds[0] === clearance) as Ev;
    expect(onClearance).toMatchObject({
      certificationIds: [clearance, approval, validation],
      causeCertificationIds: [validation],
      deviceIds: [device],
      source: 'curator:admin',
      reason: 'BASED_ON claim removed',
    });
    expect(onClearance.summary).toContain(`no longer rests on`);
    expect(onClearance.effectiveDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // an UNCLASSIFIED reader gets the two it may see, not the SECRET annex's
    const low = await eventsAfter(head, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(low.filter((e) => e.type.startsWith('LINEAGE_')).map((e) => e.certificationIds[0])).toEqual([approval, clearance]);
    expect(JSON.stringify(low)).not.toContain(annex);

    const again = await headSequence(t.db);
    const linked = await t.run<{ link: { created: boolean } }>(LINK, basedOn(approval, validation), KEYS.admin);
    expect(linked.errors).toBeUndefined();
    expect(linked.data?.link.created).toBe(true);
    expect(await holds(clearance)).toBe(false);
    const broken = (await eventsAfter(again)).filter((e) => e.type.startsWith('LINEAGE_'));
    expect(broken.map((e) => [e.type, e.certificationIds[0]])).toEqual([
      ['LINEAGE_BROKEN', annex],
      ['LINEAGE_BROKEN', approval],
      ['LINEAGE_BROKEN', clearance],
    ]);
    expect(broken.every((e) => e.reason === 'BASED_ON claim added' && e.causeCertificationIds[0] === validation)).toBe(true);
  });

  it('a claim that changes no lineage writes no lineage event, and a refused link writes nothing', async () => {
    const head = await headSequence(t.db);
    // the annex already rests on the approval through the clearance, and does not hold: a direct claim changes nothing
    const linked = await t.run(LINK, basedOn(annex, approval), KEYS.admin);
    expect(linked.errors).toBeUndefined();
    expect((await eventsAfter(head)).filter((e) => e.type.startsWith('LINEAGE_'))).toEqual([]);
    // a self loop is refused before the transaction: nothing written
    const selfLoop = await t.run(LINK, basedOn(approval, approval), KEYS.admin);
    expect(selfLoop.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await headSequence(t.db)).toBe(head);
  });

  it('once nothing rests on it, the basis can be deleted', async () => {
    for (const [from, to] of [
      [clearance, approval],
      [annex, approval],
    ] as const) {
      const r = await t.run(UNLINK, basedOn(from, to), KEYS.admin);
      expect(r.errors).toBeUndefined();
    }
    const deleted = await t.run<{ deleteNode: { id: string } }>(DELETE, { id: approval }, KEYS.admin);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteNode.id).toBe(approval);
  });
});
