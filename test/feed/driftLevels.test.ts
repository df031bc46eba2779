/**
 * SCOPE_DRIFT_CHANGED per clearance level (docs/EVENTS.md, "Scope drift per clearance level"):
 * the drift of a fleet is assessed once per level from one read, and each level whose view
 * changed gets its own event (`viewClearance`), delivered only to readers of that clearance. The
 * findings an L-cleared reader receives are exactly the difference of its own `scopeDrift`
 * answers before and after the write.
 */
import { normalizeFilter } from '../../src/domain/events';
import { deliveryBody } from '../../src/services/webhooks';
import { headSequence } from '../../src/store/eventStore';
import { DeliveryStore, type WatchRow } from '../../src/store/watchStore';
import { ANALYST_KEYS_BY_CLEARANCE, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { writeGraph } from '../helpers/graph';

type Level = keyof typeof ANALYST_KEYS_BY_CLEARANCE;
const LEVELS: Level[] = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'];

const EVENTS = `query Events($after: String, $filter: CertificationEventFilter) {
  certificationEvents(after: $after, first: 100, filter: $filter) {
    edges { node { sequence type summary classification viewClearance certificationIds deviceIds deploymentIds vulnerabilityIds findingsAdded findingsResolved } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const DRIFT = `query Drift($id: ID!) { scopeDrift(deploymentId: $id) { deployments { findings { reason certification { id } control { id } vulnerability { id } } } } }`;
const RECORD = `mutation Record($input: RecordCertificationStatusInput!) { recordCertificationStatus(input: $input) { entry { id status } } }`;

interface Ev {
  sequence: number;
  type: string;
  summary: string;
  classification: string;
  viewClearance: string | null;
  certificationIds: string[];
  deviceIds: string[];
  deploymentIds: string[];
  vulnerabilityIds: string[];
  findingsAdded: string[];
  findingsResolved: string[];
}
interface Finding {
  reason: string;
  certification: { id: string } | null;
  control: { id: string } | null;
  vulnerability: { id: string } | null;
}

describe('scope drift events per clearance level', () => {
  let t: TestApp;
  const p = uniquePrefix('driftlevels');
  const today = new Date().toISOString().slice(0, 10);
  const fleet = `${p}fleet`;
  const device = `${p}device`;
  const os = `${p}os`;
  const certLow = `${p}cert-low`;
  const certHigh = `${p}cert-high`;
  const cve = `${p}CVE-1`;
  const bareFleet = `${p}bare-fleet`;
  const bareDevice = `${p}bare-device`;
  const bareCert = `${p}bare-cert`;

  async function driftEvents(after: number, level: Level, deploymentId: string): Promise<Ev[]> {
    const r = await t.run<{ certificationEvents: { edges: { node: Ev }[] } }>(
      EVENTS,
      { after: String(after), filter: { types: ['SCOPE_DRIFT_CHANGED'] } },
      ANALYST_KEYS_BY_CLEARANCE[level],
    );
    expect(r.errors).toBeUndefined();
    return (r.data?.certificationEvents.edges ?? []).map((e) => e.node).filter((e) => e.deploymentIds.includes(deploymentId));
  }

  /** The finding keys of the fleet as an L-cleared analyst's scopeDrift answers them today. */
  async function driftKeys(level: Level, deploymentId: string): Promise<string[]> {
    const r = await t.run<{ scopeDrift: { deployments: { findings: Finding[] }[] } }>(DRIFT, { id: deploymentId }, ANALYST_KEYS_BY_CLEARANCE[level]);
    expect(r.errors).toBeUndefined();
    const findings = r.data?.scopeDrift.deployments[0]?.findings ?? [];
    return [...new Set(findings.map((f) => [f.reason, f.certification?.id ?? '', f.control?.id ?? '', f.vulnerability?.id ?? ''].join('|')))].sort();
  }

  async function allDriftKeys(deploymentId: string): Promise<Record<Level, string[]>> {
    const out = {} as Record<Level, string[]>;
    for (const level of LEVELS) out[level] = await driftKeys(level, deploymentId);
    return out;
  }

  /** Each level receives at most one event for the fleet, whose added/resolved findings are its own scopeDrift difference. */
  async function expectEventsMatchDrift(head: number, deploymentId: string, before: Record<Level, string[]>, after: Record<Level, string[]>) {
    for (const level of LEVELS) {
      const events = await driftEvents(head, level, deploymentId);
      const added = after[level].filter((k) => !before[level].includes(k));
      const resolved = before[level].filter((k) => !after[level].includes(k));
      if (added.length === 0 && resolved.length === 0) {
        expect({ level, events }).toEqual({ level, events: [] });
        continue;
      }
      expect({ level, count: events.length }).toEqual({ level, count: 1 });
      const e = events[0] as Ev;
      expect({ level, viewClearance: e.viewClearance, added: [...e.findingsAdded].sort(), resolved: [...e.findingsResolved].sort() }).toEqual({
        level,
        viewClearance: level,
        added,
        resolved,
      });
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    await writeGraph(
      t.db,
      [
        { label: 'Device', id: device, name: device, classification: 'UNCLASSIFIED' },
        { label: 'Deployment', id: fleet, name: fleet, classification: 'UNCLASSIFIED' },
        { label: 'Component', id: os, name: os, kind: 'OS_RELEASE', version: '17.2', classification: 'UNCLASSIFIED' },
        {
          label: 'Certification',
          id: certLow,
          name: certLow,
          status: 'ACTIVE',
          issuedAt: '2024-01-10',
          validUntil: '2030-01-01',
          classification: 'UNCLASSIFIED',
        },
        { label: 'Device', id: bareDevice, name: bareDevice, classification: 'UNCLASSIFIED' },
        { label: 'Deployment', id: bareFleet, name: bareFleet, classification: 'UNCLASSIFIED' },
      ],
      [
        { type: 'OF', from: fleet, to: device },
        { type: 'RUNS', from: fleet, to: os },
        { type: 'CERTIFIES', from: certLow, to: device, minOsVersion: '17.0', maxOsVersion: '17.9' },
        { type: 'OF', from: bareFleet, to: bareDevice },
      ],
    );
  });
  afterAll(async () => {
    await t.db.write(undefined, 'test remove driftlevels nodes', 'MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n', { p });
    await t.db.write(undefined, 'test remove driftlevels state', 'MATCH (s:FeedState) WHERE s.id CONTAINS $p DETACH DELETE s', { p });
    await t.db.write(undefined, 'test remove driftlevels status entries', 'MATCH (s:StatusChange) WHERE s.certificationId STARTS WITH $p DETACH DELETE s', {
      p,
    });
    await t.close();
  });

  it('a SECRET certification covering an uncovered device resolves DEVICE_NOT_COVERED for SECRET readers only', async () => {
    const before = await allDriftKeys(bareFleet);
    expect(before.UNCLASSIFIED).toEqual(['DEVICE_NOT_COVERED|||']);
    const head = await headSequence(t.db);
    await writeGraph(
      t.db,
      [
        { label: 'Device', id: bareDevice, name: bareDevice, classification: 'UNCLASSIFIED' },
        { label: 'Certification', id: bareCert, name: bareCert, status: 'ACTIVE', issuedAt: '2024-01-10', validUntil: '2030-01-01', classification: 'SECRET' },
      ],
      [{ type: 'CERTIFIES', from: bareCert, to: bareDevice }],
    );
    const after = await allDriftKeys(bareFleet);
    expect(after.UNCLASSIFIED).toEqual(['DEVICE_NOT_COVERED|||']);
    expect(after.SECRET).toEqual([]);
    // the UNCLASSIFIED reader's drift did not change: it receives nothing (the old single event told it the device was now covered)
    expect(await driftEvents(head, 'UNCLASSIFIED', bareFleet)).toEqual([]);
    await expectEventsMatchDrift(head, bareFleet, before, after);
    const secret = (await driftEvents(head, 'SECRET', bareFleet))[0];
    expect(secret).toMatchObject({ viewClearance: 'SECRET', classification: 'UNCLASSIFIED', findingsResolved: ['DEVICE_NOT_COVERED|||'] });
  });

  it('a write that changes a SECRET finding and an UNCLASSIFIED one: the UNCLASSIFIED reader still receives its own view’s change', async () => {
    // a SECRET certification whose OS range the fleet's release is outside of
    await writeGraph(
      t.db,
      [
        { label: 'Device', id: device, name: device, classification: 'UNCLASSIFIED' },
        { label: 'Certification', id: certHigh, name: certHigh, status: 'ACTIVE', issuedAt: '2024-01-10', validUntil: '2030-01-01', classification: 'SECRET' },
      ],
      [{ type: 'CERTIFIES', from: certHigh, to: device, minOsVersion: '16.0', maxOsVersion: '16.9' }],
    );
    const before = await allDriftKeys(fleet);
    expect(before.UNCLASSIFIED).toEqual([]);
    expect(before.SECRET).toEqual([`OS_NEWER_THAN_SCOPE|${certHigh}||`]);
    const head = await headSequence(t.db);
    // one write: an UNCLASSIFIED known-exploited vulnerability affects the release, and the SECRET certification is revoked
    await writeGraph(
      t.db,
      [
        { label: 'Component', id: os, name: os, kind: 'OS_RELEASE', version: '17.2', classification: 'UNCLASSIFIED' },
        { label: 'Vulnerability', id: cve, name: cve, knownExploited: true, kevDateAdded: '2024-02-01', classification: 'UNCLASSIFIED' },
        { label: 'Certification', id: certHigh, name: certHigh, status: 'REVOKED', issuedAt: '2024-01-10', validUntil: '2030-01-01', classification: 'SECRET' },
      ],
      [{ type: 'AFFECTS', from: cve, to: os }],
    );
    const after = await allDriftKeys(fleet);
    expect(after.UNCLASSIFIED).toEqual([`KNOWN_EXPLOITED|||${cve}`]);
    await expectEventsMatchDrift(head, fleet, before, after);
    const low = (await driftEvents(head, 'UNCLASSIFIED', fleet))[0];
    expect(low).toMatchObject({ classification: 'UNCLASSIFIED', vulnerabilityIds: [cve], certificationIds: [] });
    expect(low?.summary).not.toContain(certHigh);
    // a SECRET reader gets its own view's event only (not the UNCLASSIFIED view's as well)
    const high = await driftEvents(head, 'SECRET', fleet);
    expect(high.map((e) => e.viewClearance)).toEqual(['SECRET']);
    expect(high[0]?.classification).toBe('SECRET');
  });

  it('revoking the UNCLASSIFIED certification of a fleet also covered by a SECRET one: each level gets its scopeDrift difference', async () => {
    const before = await allDriftKeys(fleet);
    const head = await headSequence(t.db);
    const input = { certificationId: certLow, status: 'REVOKED', effectiveFrom: today, reason: `${p} key compromise` };
    const revoked = await t.run(RECORD, { input }, KEYS.curator);
    expect(revoked.errors).toBeUndefined();
    const after = await allDriftKeys(fleet);
    expect(after.UNCLASSIFIED).toContain(`CERTIFICATION_NOT_VALID|${certLow}||`);
    await expectEventsMatchDrift(head, fleet, before, after);
    // a watch (its creator's clearance) gets the same events as the query at that clearance, and the webhook body carries the view
    const deliveries = new DeliveryStore(t.db);
    for (const level of LEVELS) {
      const watch: WatchRow = {
        id: `${p}watch-${level}`,
        owner: 'test',
        clearance: level,
        url: 'http://127.0.0.1:1/',
        filter: normalizeFilter({ types: ['SCOPE_DRIFT_CHANGED'], deviceIds: [device] }),
        status: 'ACTIVE',
        createdAt: '',
        cursor: head,
        attempts: 0,
        lastError: null,
        failingSince: null,
        nextAttemptAt: null,
      };
      const got: number[] = [];
      for (;;) {
        const next = await deliveries.next(watch);
        if (!('event' in next)) break;
        expect(next.event.viewClearance).toBe(level);
        expect(JSON.parse(deliveryBody(watch.id, next.event, 65536) ?? '{}')).toMatchObject({ event: { viewClearance: level } });
        got.push(next.event.sequence);
        watch.cursor = next.event.sequence;
      }
      expect(got).toEqual((await driftEvents(head, level, fleet)).map((e) => e.sequence));
    }
  });
});
