import type { Label } from '../../src/domain/model';
import { mergeRelationships, upsertNodes, type RelationshipWrite } from '../../src/store/graphStore';
import { ANALYST_KEYS_BY_CLEARANCE, FIXTURE_TIMEOUT_MS, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

/**
 * The N+1 bound: a lookup or list compiles its nested selection into one query (look-ahead,
 * src/graphql/prefetch.ts); what the plan leaves out costs at most one batched round trip per
 * nested field, whatever the number of parents. Both paths must give the same answer.
 */
describe('round trips per request', () => {
  let t: TestApp;
  const p = uniquePrefix('n1');

  beforeAll(async () => {
    // large pages on purpose (the row budget of the look-ahead), beyond the default cost limit
    t = await startTestApp({ GRAPHQL_MAX_COST: '10000000' });
    const stamp = { source: 'test', assertedBy: 'test', assertedAt: new Date() };
    const nodes: Record<Label, { id: string; props: Record<string, unknown> }[]> = {
      Organization: [],
      Device: [],
      Component: [],
      Control: [],
      Certification: [],
      Standard: [],
      Threat: [],
      Vulnerability: [],
      Deployment: [],
    };
    const rels: { type: 'MAKES' | 'HAS_COMPONENT' | 'AFFECTS' | 'CERTIFIES' | 'ISSUED_BY'; from: Label; to: Label; rows: RelationshipWrite[] }[] = [
      { type: 'HAS_COMPONENT', from: 'Device', to: 'Component', rows: [] },
      { type: 'AFFECTS', from: 'Vulnerability', to: 'Component', rows: [] },
      { type: 'CERTIFIES', from: 'Certification', to: 'Device', rows: [] },
      { type: 'ISSUED_BY', from: 'Certification', to: 'Organization', rows: [] },
    ];
    const [hasComponent, affects, certifies, issuedBy] = rels.map((r) => r.rows) as [
      RelationshipWrite[],
      RelationshipWrite[],
      RelationshipWrite[],
      RelationshipWrite[],
    ];
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
        // some components and some HAS_COMPONENT edges above UNCLASSIFIED, to compare what each path hides
        nodes.Component.push({
          id: comp,
          props: { name: `Component ${d}-${c}`, kind: 'FIRMWARE', classification: d % 5 === 0 && c === 0 ? 'RESTRICTED' : 'UNCLASSIFIED' },
        });
        hasComponent.push({
          fromId: `${p}dev${String(d).padStart(2, '0')}`,
          toId: comp,
          props: { role: `role-${c}`, ...(d % 7 === 0 && c === 1 ? { classification: 'SECRET' } : {}) },
        });
        affects.push({ fromId: `${p}vuln${(d + c) % 20}`, toId: comp, props: {} });
      }
      certifies.push({ fromId: `${p}cert${d % 6}`, toId: `${p}dev${String(d).padStart(2, '0')}`, props: {} });
    }
    await t.db.writeTransaction(
      undefined,
      async (tx) => {
        for (const [label, rows] of Object.entries(nodes) as [Label, { id: string; props: Record<string, unknown> }[]][]) {
          if (rows.length > 0) await upsertNodes(tx, label, rows, stamp);
        }
        for (const r of rels) await mergeRelationships(tx, r.type, r.from, r.to, r.rows, stamp);
      },
      { timeoutMs: FIXTURE_TIMEOUT_MS },
    );
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

  it('50 devices with components, their vulnerabilities, and certifications with issuers take 1 round trip', async () => {
    const r = await t.run<{
      devices: {
        totalCount: number;
        edges: {
          node: {
            components: { edges: { node: { vulnerabilities: { edges: unknown[] } } }[] };
            certifications: { edges: { node: { issuer: { id: string } | null } }[] };
          };
        }[];
      };
    }>(query, { prefix: p, first: 50 });
    expect(r.errors).toBeUndefined();
    const devices = r.data?.devices.edges ?? [];
    expect(devices).toHaveLength(50);
    expect(devices.every((d) => d.node.components.edges.length === 3)).toBe(true);
    expect(devices.every((d) => d.node.components.edges.every((c) => c.node.vulnerabilities.edges.length === 1))).toBe(true);
    expect(devices.every((d) => d.node.certifications.edges[0]?.node.issuer !== null)).toBe(true);
    // the list query answers components, their vulnerabilities, certifications and issuers too
    expect(r.roundTrips).toBe(1);
  });

  const selection = `id name category provenance { source sourceRef }
    components(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor via { type role classification provenance { source assertedBy } } node { id name classification kind stale
      vulnerabilities { totalCount edges { node { id cvss provenance { assertedBy } } } } } } }
    more: components(first: 2, after: "cG9zOjI") { totalCount edges { node { id } } }
    certifications(first: 10) { edges { node { id issuer { id name } } } }
    maker { id }`;

  it.each(Object.entries(ANALYST_KEYS_BY_CLEARANCE))('prefetched and batched paths give the same answer to a %s analyst', async (_clearance, key) => {
    const ids = Array.from({ length: 50 }, (_, d) => `${p}dev${String(d).padStart(2, '0')}`);
    const listed = await t.run<{ devices: { edges: { node: unknown }[] } }>(
      `query($prefix: String!) { devices(filter: { nameStartsWith: $prefix }, first: 50) { edges { node { ${selection} } } } }`,
      { prefix: p },
      key,
    );
    const batched = await t.run<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Device { ${selection} } } }`, { ids }, key);
    const single = await t.run<{ device: unknown; node: unknown }>(
      `query($id: ID!) { device(id: $id) { ${selection} } node(id: $id) { ... on Device { ${selection} } } }`,
      { id: ids[0] },
      key,
    );
    expect(listed.errors).toBeUndefined();
    expect(batched.errors).toBeUndefined();
    expect(single.errors).toBeUndefined();
    expect(listed.data?.devices.edges.map((e) => e.node)).toEqual(batched.data?.nodes);
    expect(single.data?.device).toEqual(single.data?.node);
    // markings really differ between callers in this fixture
    const seen = JSON.stringify(listed.data);
    expect(seen.includes('RESTRICTED')).toBe(key !== ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(listed.roundTrips).toBe(1);
    // nodes(ids): ids, components, more components, vulnerabilities, certifications, issuers, makers
    expect(batched.roundTrips).toBe(7);
  });

  it('beyond the row budget, the deepest levels fall back to one batched query each', async () => {
    // 50 devices × 100 components (5 000 rows) fit the budget; 5 vulnerabilities each more (25 000) would not
    const deep = `query($prefix: String!) { devices(filter: { nameStartsWith: $prefix }, first: 50) { edges { node { id
      components(first: 100) { edges { node { id vulnerabilities(first: 5) { totalCount edges { node { id } } } } } } } } } }`;
    const r = await t.run<{ devices: { edges: { node: { components: { edges: { node: { vulnerabilities: { totalCount: number } } }[] } } }[] } }>(deep, {
      prefix: p,
    });
    expect(r.errors).toBeUndefined();
    const counts = r.data?.devices.edges.flatMap((d) => d.node.components.edges.map((c) => c.node.vulnerabilities.totalCount));
    expect(counts).toHaveLength(150);
    expect(counts?.every((n) => n === 1)).toBe(true);
    // list with components (1), vulnerabilities batched for all 150 components (1)
    expect(r.roundTrips).toBe(2);
  });

  it('the number of round trips does not grow with the number of parents', async () => {
    const small = await t.run(query, { prefix: p, first: 5 });
    const large = await t.run(query, { prefix: p, first: 50 });
    expect(small.errors).toBeUndefined();
    expect(small.roundTrips).toBe(large.roundTrips);
  });
});
