import type { Label } from '../../src/domain/model';
import { mergeRelationships, upsertNodes, type RelationshipWrite } from '../../src/store/graphStore';
import { FIXTURE_TIMEOUT_MS, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

/**
 * The N+1 bound: a nested selection costs at most one batched round trip per nested field,
 * whatever the number of parents.
 */
describe('round trips per request', () => {
  let t: TestApp;
  const p = uniquePrefix('n1');

  beforeAll(async () => {
    t = await startTestApp();
    const stamp = { source: 'test', assertedBy: 'test', assertedAt: new Date() };
    const nodes: Record<Label, { id: string; props: Record<string, unknown> }[]> = {
      Organization: [], Device: [], Component: [], Control: [], Certification: [], Standard: [], Threat: [], Vulnerability: [], Deployment: [],
    };
    const rels: { type: 'MAKES' | 'HAS_COMPONENT' | 'AFFECTS' | 'CERTIFIES' | 'ISSUED_BY'; from: Label; to: Label; rows: RelationshipWrite[] }[] = [
      { type: 'HAS_COMPONENT', from: 'Device', to: 'Component', rows: [] },
      { type: 'AFFECTS', from: 'Vulnerability', to: 'Component', rows: [] },
      { type: 'CERTIFIES', from: 'Certification', to: 'Device', rows: [] },
      { type: 'ISSUED_BY', from: 'Certification', to: 'Organization', rows: [] },
    ];
    const [hasComponent, affects, certifies, issuedBy] = rels.map((r) => r.rows) as [RelationshipWrite[], RelationshipWrite[], RelationshipWrite[], RelationshipWrite[]];
    for (let o = 0; o < 3; o++) nodes.Organization.push({ id: `${p}org${o}`, props: { name: `Issuer ${o}`, kind: 'CERTIFICATION_BODY' } });
    for (let c = 0; c < 6; c++) {
      nodes.Certification.push({ id: `${p}cert${c}`, props: { name: `Cert ${c}`, kind: 'APPROVAL', status: 'ACTIVE' } });
      issuedBy.push({ fromId: `${p}cert${c}`, toId: `${p}org${c % 3}`, props: {} });
    }
    for (let v = 0; v < 20; v++) nodes.Vulnerability.push({ id: `${p}vuln${v}`, props: { name: `Vuln ${v}`, cvss: 5 } });
    for (let d = 0; d < 50; d++) {
      nodes.Device.push({ id: `${p}dev${String(d).padStart(2, '0')}`, props: { name: `${p}Device ${String(d).padStart(2, '0')}`, category: 'PHONE' } });
      for (let c = 0; c < 3; c++) {
        const comp = `${p}comp${d}-${c}`;
        nodes.Component.push({ id: comp, props: { name: `Component ${d}-${c}`, kind: 'FIRMWARE' } });
        hasComponent.push({ fromId: `${p}dev${String(d).padStart(2, '0')}`, toId: comp, props: {} });
        affects.push({ fromId: `${p}vuln${(d + c) % 20}`, toId: comp, props: {} });
      }
      certifies.push({ fromId: `${p}cert${d % 6}`, toId: `${p}dev${String(d).padStart(2, '0')}`, props: {} });
    }
    await t.db.writeTransaction(undefined, async (tx) => {
      for (const [label, rows] of Object.entries(nodes) as [Label, { id: string; props: Record<string, unknown> }[]][]) {
        if (rows.length > 0) await upsertNodes(tx, label, rows, stamp);
      }
      for (const r of rels) await mergeRelationships(tx, r.type, r.from, r.to, r.rows, stamp);
    }, { timeoutMs: FIXTURE_TIMEOUT_MS });
  });

  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  const query = `query($prefix: String!, $first: Int) {
    devices(filter: { nameStartsWith: $prefix }, first: $first) {
      totalCount
      edges { node {
        id
        components(first: 10) { edges { node { id vulnerabilities(first: 10) { edges { node { id cvss } } } } } }
        certifications(first: 10) { edges { node { id issuer { id name } } } }
      } }
    }
  }`;

  it('50 devices with components, their vulnerabilities, and certifications with issuers take 5 round trips', async () => {
    const r = await t.run<{ devices: { totalCount: number; edges: { node: { components: { edges: { node: { vulnerabilities: { edges: unknown[] } } }[] }; certifications: { edges: { node: { issuer: { id: string } | null } }[] } } }[] } }>(query, { prefix: p, first: 50 });
    expect(r.errors).toBeUndefined();
    const devices = r.data?.devices.edges ?? [];
    expect(devices).toHaveLength(50);
    expect(devices.every((d) => d.node.components.edges.length === 3)).toBe(true);
    expect(devices.every((d) => d.node.components.edges.every((c) => c.node.vulnerabilities.edges.length === 1))).toBe(true);
    expect(devices.every((d) => d.node.certifications.edges[0]?.node.issuer !== null)).toBe(true);
    // devices list (1) + components (1) + vulnerabilities (1) + certifications (1) + issuers (1)
    expect(r.roundTrips).toBe(5);
  });

  it('the number of round trips does not grow with the number of parents', async () => {
    const small = await t.run(query, { prefix: p, first: 5 });
    const large = await t.run(query, { prefix: p, first: 50 });
    expect(small.errors).toBeUndefined();
    expect(small.roundTrips).toBe(large.roundTrips);
  });
});
