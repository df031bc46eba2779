import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { writeGraph, type TestNode, type TestRel } from '../helpers/graph';

interface Conn {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { id: string; name: string }; via?: Record<string, unknown> | null }[];
}

describe('core reads', () => {
  let t: TestApp;
  const p = uniquePrefix('reads');
  const id = (s: string) => `${p}${s}`;

  beforeAll(async () => {
    t = await startTestApp();
    const nodes: TestNode[] = [
      { label: 'Organization', id: id('vendor'), name: 'Acme Mobile', kind: 'VENDOR', country: 'US' },
      { label: 'Organization', id: id('other-vendor'), name: 'Other Vendor', kind: 'VENDOR' },
      { label: 'Organization', id: id('supplier'), name: 'Chip Supplier', kind: 'SUPPLIER' },
      { label: 'Organization', id: id('nato'), name: 'Alliance Authority', kind: 'ALLIANCE' },
      { label: 'Organization', id: id('lab'), name: 'Evaluation Lab', kind: 'ASSESSOR' },
      { label: 'Organization', id: id('operator'), name: 'Ministry Fleet Ops', kind: 'OPERATOR' },
      // Five phones: two share a release date so ordering ties are broken by id.
      { label: 'Device', id: id('d1'), name: 'Phone Alpha', category: 'PHONE', releasedAt: '2023-09-01' },
      { label: 'Device', id: id('d2'), name: 'phone beta', category: 'PHONE', releasedAt: '2024-09-01' },
      { label: 'Device', id: id('d3'), name: 'Phone Gamma', category: 'PHONE', releasedAt: '2024-09-01' },
      { label: 'Device', id: id('d4'), name: 'Tablet Delta', category: 'TABLET', releasedAt: '2022-05-01' },
      { label: 'Device', id: id('d5'), name: 'Rival Epsilon', category: 'PHONE', releasedAt: '2024-01-15' },
      { label: 'Component', id: id('enclave'), name: 'Secure Enclave', kind: 'SECURITY_HARDWARE', purl: 'pkg:generic/acme/enclave@1' },
      { label: 'Component', id: id('os17'), name: 'AcmeOS 17.4', kind: 'OS_RELEASE', version: '17.4', releasedAt: '2024-03-01', supportEndsAt: '2026-09-01' },
      { label: 'Component', id: id('os16'), name: 'AcmeOS 16.7', kind: 'OS_RELEASE', version: '16.7', releasedAt: '2023-03-01', supportEndsAt: '2025-09-01' },
      { label: 'Component', id: id('bootrom'), name: 'Boot ROM', kind: 'FIRMWARE' },
      { label: 'Control', id: id('patch'), name: 'Timely patching', framework: 'Test baseline', controlId: 'TB-1', effectiveness: 0.6 },
      { label: 'Control', id: id('mdm'), name: 'Device management policy', framework: 'Test baseline', controlId: 'TB-2' },
      {
        label: 'Certification',
        id: id('clearance'),
        name: 'Alliance clearance',
        kind: 'CLEARANCE',
        status: 'ACTIVE',
        issuedAt: '2024-01-10',
        validUntil: '2027-01-09',
      },
      {
        label: 'Certification',
        id: id('eval'),
        name: 'Independent evaluation',
        kind: 'EVALUATION',
        status: 'ACTIVE',
        issuedAt: '2023-06-01',
        validUntil: '2026-06-01',
      },
      {
        label: 'Certification',
        id: id('old-clearance'),
        name: 'Old alliance clearance',
        kind: 'CLEARANCE',
        status: 'EXPIRED',
        issuedAt: '2020-01-10',
        validUntil: '2023-01-09',
      },
      { label: 'Standard', id: id('pp'), name: 'Mobile Device Protection Profile', publisher: 'Test publisher', version: '3.3' },
      {
        label: 'Threat',
        id: id('tamper'),
        name: 'Firmware tampering',
        kind: 'SUPPLY_CHAIN',
        severity: 8,
        likelihood: 0.2,
        externalId: 'T9999',
        platforms: ['iOS'],
      },
      { label: 'Vulnerability', id: id('cve'), name: `${p}CVE-0000-0001`, cvss: 9.8, knownExploited: true, publishedAt: '2024-02-01' },
      { label: 'Deployment', id: id('fleet'), name: 'Ministry phones', deviceCount: 250, osVersion: '17.4', environment: 'office' },
    ];
    const rels: TestRel[] = [
      { type: 'MAKES', from: id('vendor'), to: id('d1') },
      { type: 'MAKES', from: id('vendor'), to: id('d2') },
      { type: 'MAKES', from: id('vendor'), to: id('d3') },
      { type: 'MAKES', from: id('vendor'), to: id('d4') },
      { type: 'MAKES', from: id('other-vendor'), to: id('d5') },
      { type: 'HAS_COMPONENT', from: id('d1'), to: id('enclave'), role: 'security' },
      { type: 'HAS_COMPONENT', from: id('d1'), to: id('os17'), role: 'os' },
      { type: 'HAS_COMPONENT', from: id('d2'), to: id('enclave') },
      { type: 'HAS_COMPONENT', from: id('enclave'), to: id('bootrom') },
      { type: 'DEPENDS_ON', from: id('os17'), to: id('bootrom') },
      { type: 'SUPERSEDES', from: id('os17'), to: id('os16') },
      { type: 'SUPPLIED_BY', from: id('enclave'), to: id('supplier') },
      { type: 'IMPLEMENTS', from: id('d1'), to: id('patch'), evidence: 'monthly updates' },
      { type: 'IMPLEMENTS', from: id('enclave'), to: id('mdm') },
      { type: 'MITIGATES', from: id('patch'), to: id('tamper'), effectiveness: 0.7 },
      { type: 'TARGETS', from: id('tamper'), to: id('bootrom') },
      { type: 'EXPLOITS', from: id('tamper'), to: id('cve') },
      { type: 'AFFECTS', from: id('cve'), to: id('os16'), versionRange: '< 17.0', vexState: 'AFFECTED' },
      { type: 'CERTIFIES', from: id('clearance'), to: id('d1'), scope: 'restricted use', minOsVersion: '17.0', maxOsVersion: '17.9' },
      { type: 'CERTIFIES', from: id('clearance'), to: id('d2') },
      { type: 'CERTIFIES', from: id('eval'), to: id('d1') },
      { type: 'ISSUED_BY', from: id('clearance'), to: id('nato') },
      { type: 'EVALUATED_BY', from: id('eval'), to: id('lab') },
      { type: 'ASSESSED_AGAINST', from: id('eval'), to: id('pp') },
      { type: 'BASED_ON', from: id('clearance'), to: id('eval') },
      { type: 'SUPERSEDES', from: id('clearance'), to: id('old-clearance') },
      { type: 'REQUIRES', from: id('clearance'), to: id('patch') },
      { type: 'REQUIRES', from: id('clearance'), to: id('mdm') },
      { type: 'OPERATES', from: id('operator'), to: id('fleet') },
      { type: 'OF', from: id('fleet'), to: id('d1') },
      { type: 'RUNS', from: id('fleet'), to: id('os17') },
    ];
    await writeGraph(t.db, nodes, rels);
  });

  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  it('looks up one node by id with converted dates and provenance; a missing id is null', async () => {
    const r = await t.run<{ device: Record<string, unknown> | null; missing: unknown; cert: { issuedAt: string; validUntil: string } }>(
      `query($id: ID!, $missing: ID!, $cert: ID!) {
        device(id: $id) { id name category releasedAt classification stale provenance { source sourceRef assertedBy assertedAt } }
        missing: device(id: $missing) { id }
        cert: certification(id: $cert) { issuedAt validUntil }
      }`,
      { id: id('d1'), missing: id('nope'), cert: id('clearance') },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.device).toMatchObject({
      id: id('d1'),
      name: 'Phone Alpha',
      category: 'PHONE',
      releasedAt: '2023-09-01',
      classification: 'UNCLASSIFIED',
      stale: false,
    });
    const prov = r.data?.device?.provenance as { source: string; assertedAt: string; assertedBy: string };
    expect(prov.source).toBe('test');
    expect(prov.assertedBy).toBe('test');
    expect(new Date(prov.assertedAt).toISOString()).toBe(prov.assertedAt);
    expect(r.data?.missing).toBeNull();
    expect(r.data?.cert).toEqual({ issuedAt: '2024-01-10', validUntil: '2027-01-09' });
  });

  it('a lookup with the wrong label answers null, node(id) resolves the concrete type, nodes(ids) keeps order', async () => {
    const r = await t.run<{ wrong: unknown; node: { __typename: string; id: string }; nodes: ({ __typename: string; id: string } | null)[] }>(
      `query($d: ID!, $c: ID!, $x: ID!) {
        wrong: component(id: $d) { id }
        node(id: $c) { __typename id }
        nodes(ids: [$c, $x, $d]) { __typename id }
      }`,
      { d: id('d1'), c: id('enclave'), x: id('nope') },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.wrong).toBeNull();
    expect(r.data?.node).toEqual({ __typename: 'Component', id: id('enclave') });
    expect(r.data?.nodes).toEqual([{ __typename: 'Component', id: id('enclave') }, null, { __typename: 'Device', id: id('d1') }]);
  });

  const devicesQuery = `query($filter: DeviceFilter, $orderBy: DeviceOrderBy, $first: Int, $after: String) {
    devices(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id name } via { type } }
    }
  }`;
  const ids = (c: Conn | undefined) => c?.edges.map((e) => e.node.id.slice(p.length));

  it('filters devices by name (case-insensitive), category, maker, certification and release dates', async () => {
    const run = async (filter: Record<string, unknown>) => {
      const r = await t.run<{ devices: Conn }>(devicesQuery, {
        filter: { nameStartsWith: '', ...filter, ids: filter.ids ?? ['d1', 'd2', 'd3', 'd4', 'd5'].map(id) },
      });
      expect(r.errors).toBeUndefined();
      return r.data?.devices;
    };
    expect(ids(await run({ nameContains: 'PHONE' }))).toEqual(['d1', 'd2', 'd3']);
    expect(ids(await run({ nameStartsWith: 'phone b' }))).toEqual(['d2']);
    expect(ids(await run({ categories: ['TABLET'] }))).toEqual(['d4']);
    expect(ids(await run({ madeBy: id('other-vendor') }))).toEqual(['d5']);
    expect(ids(await run({ certifiedBy: id('clearance') }))).toEqual(['d1', 'd2']);
    expect(ids(await run({ releasedAfter: '2024-01-01', releasedBefore: '2024-06-30' }))).toEqual(['d5']);
    const all = await run({});
    expect(all?.totalCount).toBe(5);
    expect(all?.edges.every((e) => e.via === null)).toBe(true);
  });

  it('orders with ties broken by id, and pages never repeat or skip', async () => {
    const filter = { ids: ['d1', 'd2', 'd3', 'd4', 'd5'].map(id) };
    const orderBy = { field: 'RELEASED_AT', direction: 'DESC' };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: { data: { devices: Conn } | null | undefined } = await t.run<{ devices: Conn }>(devicesQuery, { filter, orderBy, first: 2, after });
      const conn = r.data?.devices;
      if (!conn) throw new Error('no connection');
      expect(conn.totalCount).toBe(5);
      expect(conn.pageInfo.hasPreviousPage).toBe(pages > 0);
      seen.push(...(ids(conn) ?? []));
      pages += 1;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    // d2 and d3 share 2024-09-01: id breaks the tie.
    expect(seen).toEqual(['d2', 'd3', 'd5', 'd1', 'd4']);
  });

  it('handles the pagination edges: exact last page, after the last item, empty result, bad cursor, too large first', async () => {
    const filter = { ids: ['d1', 'd2', 'd3', 'd4'].map(id) };
    const firstPage = await t.run<{ devices: Conn }>(devicesQuery, { filter, first: 2 });
    const second = await t.run<{ devices: Conn }>(devicesQuery, { filter, first: 2, after: firstPage.data?.devices.pageInfo.endCursor });
    // Name order is case-insensitive: Phone Alpha, phone beta, Phone Gamma, Tablet Delta.
    expect(ids(firstPage.data?.devices)).toEqual(['d1', 'd2']);
    expect(ids(second.data?.devices)).toEqual(['d3', 'd4']);
    expect(second.data?.devices.pageInfo.hasNextPage).toBe(false);
    const beyond = await t.run<{ devices: Conn }>(devicesQuery, { filter, first: 2, after: second.data?.devices.pageInfo.endCursor });
    expect(beyond.data?.devices.edges).toEqual([]);
    expect(beyond.data?.devices.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    expect(beyond.data?.devices.totalCount).toBe(4);
    const empty = await t.run<{ devices: Conn }>(devicesQuery, { filter: { ids: [id('none')] } });
    expect(empty.data?.devices).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: [],
    });
    const bad = await t.run(devicesQuery, { filter, after: 'not-a-cursor' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/Malformed cursor/);
    const big = await t.run(devicesQuery, { filter, first: 101 });
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(big.errors?.[0]?.message).toMatch(/first must be between 0 and 100/);
  });

  it('filters the other labels: components, controls, certifications, threats, vulnerabilities, deployments, organizations', async () => {
    const r = await t.run<Record<string, Conn>>(
      `query($p: String!, $cve: ID!, $tamper: ID!, $d1: ID!, $clr: ID!, $nato: ID!, $op: ID!, $enclave: ID!, $supplier: ID!) {
        affected: components(filter: { affectedBy: $cve }) { totalCount edges { node { id name } } }
        targeted: components(filter: { targetedBy: $tamper }) { totalCount edges { node { id name } } }
        partOf: components(filter: { partOf: $d1 }) { totalCount edges { node { id name } } }
        supplied: components(filter: { suppliedBy: $supplier }) { totalCount edges { node { id name } } }
        osReleases: components(filter: { nameStartsWith: "AcmeOS", kinds: [OS_RELEASE], supportEndsAfter: "2026-01-01" }) { totalCount edges { node { id name } } }
        required: controls(filter: { requiredBy: $clr }) { totalCount edges { node { id name } } }
        implemented: controls(filter: { implementedBy: $enclave }) { totalCount edges { node { id name } } }
        active: certifications(filter: { nameContains: $p, statuses: [ACTIVE], validUntilAfter: "2026-12-31" }) { totalCount edges { node { id name } } }
        issued: certifications(filter: { issuedBy: $nato }) { totalCount edges { node { id name } } }
        certifying: certifications(filter: { certifies: $d1 }, orderBy: { field: ISSUED_AT }) { totalCount edges { node { id name } } }
        threats(filter: { targets: $enclave }) { totalCount edges { node { id name } } }
        threatsByExt: threats(filter: { externalIds: ["T9999"], platforms: ["iOS"], minSeverity: 7 }) { totalCount edges { node { id name } } }
        vulns: vulnerabilities(filter: { affects: $enclave }) { totalCount edges { node { id name } } }
        kev: vulnerabilities(filter: { nameStartsWith: $p, knownExploited: true, minCvss: 9 }) { totalCount edges { node { id name } } }
        fleets: deployments(filter: { operatedBy: $op, ofDevice: $d1 }) { totalCount edges { node { id name } } }
        orgs: organizations(filter: { ids: [$nato, $op], kinds: [OPERATOR] }) { totalCount edges { node { id name } } }
      }`,
      {
        p,
        cve: id('cve'),
        tamper: id('tamper'),
        d1: id('d1'),
        clr: id('clearance'),
        nato: id('nato'),
        op: id('operator'),
        enclave: id('enclave'),
        supplier: id('supplier'),
      },
    );
    expect(r.errors).toBeUndefined();
    const d = r.data ?? {};
    expect(ids(d.affected)).toEqual(['os16']);
    expect(ids(d.targeted)).toEqual(['bootrom']);
    expect(ids(d.partOf)).toEqual(['os17', 'enclave']);
    expect(ids(d.supplied)).toEqual(['enclave']);
    expect(ids(d.osReleases)).toEqual(['os17']);
    expect(ids(d.required)).toEqual(['mdm', 'patch']);
    expect(ids(d.implemented)).toEqual(['mdm']);
    expect(ids(d.issued)).toEqual(['clearance']);
    expect(ids(d.certifying)).toEqual(['eval', 'clearance']);
    expect(ids(d.threats)).toEqual([]);
    expect(d.threatsByExt?.edges.map((e) => e.node.id)).toContain(id('tamper'));
    expect(ids(d.vulns)).toEqual([]);
    expect(ids(d.kev)).toEqual(['cve']);
    expect(ids(d.fleets)).toEqual(['fleet']);
    expect(ids(d.orgs)).toEqual(['operator']);
  });

  it('follows every relationship in both directions, with relationship properties on the edge', async () => {
    const r = await t.run<Record<string, Record<string, unknown>>>(
      `query($d1: ID!, $enclave: ID!, $os17: ID!, $clr: ID!, $eval: ID!, $patch: ID!, $tamper: ID!, $cve: ID!, $fleet: ID!, $vendor: ID!, $pp: ID!, $lab: ID!) {
        d1: device(id: $d1) {
          maker { id }
          components { totalCount edges { node { id } via { type role } } }
          implementedControls { edges { node { id } via { evidence } } }
          certifications { edges { node { id } via { type scope minOsVersion maxOsVersion provenance { source } } } }
          deployments { edges { node { id } } }
        }
        enclave: component(id: $enclave) {
          devices { totalCount edges { node { id } } }
          subcomponents { edges { node { id } } }
          suppliers { edges { node { id } } }
          implementedControls { edges { node { id } } }
        }
        os17: component(id: $os17) {
          parents { totalCount } dependencies { edges { node { id } } } supersedes { edges { node { id } } }
          deployments { edges { node { id } } }
          devices { edges { node { id } via { role } } }
        }
        os16: component(id: "${id('os16')}") { supersededBy { edges { node { id } } } vulnerabilities { edges { node { id } via { versionRange vexState } } } }
        bootrom: component(id: "${id('bootrom')}") { parents { edges { node { id } } } dependents { edges { node { id } } } threats { edges { node { id } } } }
        clr: certification(id: $clr) {
          issuer { id } assessor { id }
          certifies { totalCount edges { node { __typename ... on Device { id } } via { scope } } }
          basedOn { edges { node { id } } } supersedes { edges { node { id } } } requiredControls { totalCount }
        }
        eval: certification(id: $eval) { assessor { id } standards { edges { node { id } } } supports { edges { node { id } } } }
        old: certification(id: "${id('old-clearance')}") { supersededBy { edges { node { id } } } }
        patch: control(id: $patch) {
          mitigates { edges { node { id } via { effectiveness } } }
          requiredBy { edges { node { id } } }
          implementedBy { edges { node { __typename ... on Device { id } ... on Component { id } } } }
        }
        tamper: threat(id: $tamper) { targets { edges { node { __typename ... on Component { id } } } } exploits { edges { node { id } } } mitigatedBy { edges { node { id } } } }
        cve: vulnerability(id: $cve) { affects { edges { node { id } via { vexState } } } exploitedBy { edges { node { id } } } }
        fleet: deployment(id: $fleet) { operator { id } device { id } runs { edges { node { id } } } }
        vendor: organization(id: $vendor) { devices(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id } } } }
        pp: standard(id: $pp) { certifications { edges { node { id } } } }
        lab: organization(id: $lab) { evaluatedCertifications { edges { node { id } } } }
        nato: organization(id: "${id('nato')}") { issuedCertifications { edges { node { id } } } }
        supplier: organization(id: "${id('supplier')}") { suppliedComponents { edges { node { id } } } }
        operator: organization(id: "${id('operator')}") { deployments { edges { node { id } } } }
      }`,
      {
        d1: id('d1'),
        enclave: id('enclave'),
        os17: id('os17'),
        clr: id('clearance'),
        eval: id('eval'),
        patch: id('patch'),
        tamper: id('tamper'),
        cve: id('cve'),
        fleet: id('fleet'),
        vendor: id('vendor'),
        pp: id('pp'),
        lab: id('lab'),
      },
    );
    expect(r.errors).toBeUndefined();
    const d = r.data ?? {};
    const edgeIds = (v: unknown) => (v as Conn).edges.map((e) => (e.node.id ?? '').slice(p.length));
    expect(d.d1?.maker).toEqual({ id: id('vendor') });
    expect((d.d1?.components as Conn).edges.map((e) => [e.node.id.slice(p.length), e.via?.role])).toEqual([
      ['os17', 'os'],
      ['enclave', 'security'],
    ]);
    expect((d.d1?.implementedControls as Conn).edges[0]?.via).toEqual({ evidence: 'monthly updates' });
    const certEdges = (d.d1?.certifications as Conn).edges;
    expect(certEdges.map((e) => e.node.id.slice(p.length))).toEqual(['clearance', 'eval']);
    expect(certEdges[0]?.via).toEqual({
      type: 'CERTIFIES',
      scope: 'restricted use',
      minOsVersion: '17.0',
      maxOsVersion: '17.9',
      provenance: { source: 'test' },
    });
    expect(edgeIds(d.d1?.deployments)).toEqual(['fleet']);
    expect(edgeIds(d.enclave?.devices)).toEqual(['d1', 'd2']);
    expect(edgeIds(d.enclave?.subcomponents)).toEqual(['bootrom']);
    expect(edgeIds(d.enclave?.suppliers)).toEqual(['supplier']);
    expect(edgeIds(d.enclave?.implementedControls)).toEqual(['mdm']);
    expect(d.os17?.parents).toEqual({ totalCount: 0 });
    expect(edgeIds(d.os17?.dependencies)).toEqual(['bootrom']);
    expect(edgeIds(d.os17?.supersedes)).toEqual(['os16']);
    expect(edgeIds(d.os17?.deployments)).toEqual(['fleet']);
    expect(edgeIds(d.os16?.supersededBy)).toEqual(['os17']);
    expect((d.os16?.vulnerabilities as Conn).edges[0]?.via).toEqual({ versionRange: '< 17.0', vexState: 'AFFECTED' });
    expect(edgeIds(d.bootrom?.parents)).toEqual(['enclave']);
    expect(edgeIds(d.bootrom?.dependents)).toEqual(['os17']);
    expect(edgeIds(d.bootrom?.threats)).toEqual(['tamper']);
    expect(d.clr?.issuer).toEqual({ id: id('nato') });
    expect(d.clr?.assessor).toBeNull();
    expect((d.clr?.certifies as Conn).totalCount).toBe(2);
    expect(edgeIds(d.clr?.basedOn)).toEqual(['eval']);
    expect(edgeIds(d.clr?.supersedes)).toEqual(['old-clearance']);
    expect(d.clr?.requiredControls).toEqual({ totalCount: 2 });
    expect(d.eval?.assessor).toEqual({ id: id('lab') });
    expect(edgeIds(d.eval?.standards)).toEqual(['pp']);
    expect(edgeIds(d.eval?.supports)).toEqual(['clearance']);
    expect(edgeIds(d.old?.supersededBy)).toEqual(['clearance']);
    expect((d.patch?.mitigates as Conn).edges[0]?.via).toEqual({ effectiveness: 0.7 });
    expect(edgeIds(d.patch?.requiredBy)).toEqual(['clearance']);
    expect((d.patch?.implementedBy as Conn).edges.map((e) => (e.node as unknown as { __typename: string }).__typename)).toEqual(['Device']);
    expect(edgeIds(d.tamper?.targets)).toEqual(['bootrom']);
    expect(edgeIds(d.tamper?.exploits)).toEqual(['cve']);
    expect(edgeIds(d.tamper?.mitigatedBy)).toEqual(['patch']);
    expect(edgeIds(d.cve?.affects)).toEqual(['os16']);
    expect(edgeIds(d.cve?.exploitedBy)).toEqual(['tamper']);
    expect(d.fleet).toEqual({ operator: { id: id('operator') }, device: { id: id('d1') }, runs: { edges: [{ node: { id: id('os17') } }] } });
    const vendorDevices = d.vendor?.devices as Conn;
    expect(vendorDevices.totalCount).toBe(4);
    expect(vendorDevices.pageInfo.hasNextPage).toBe(true);
    expect(edgeIds(vendorDevices)).toEqual(['d1', 'd2']);
    expect(edgeIds(d.pp?.certifications)).toEqual(['eval']);
    expect(edgeIds(d.lab?.evaluatedCertifications)).toEqual(['eval']);
    expect(edgeIds(d.nato?.issuedCertifications)).toEqual(['clearance']);
    expect(edgeIds(d.supplier?.suppliedComponents)).toEqual(['enclave']);
    expect(edgeIds(d.operator?.deployments)).toEqual(['fleet']);
  });

  it('searches names and external ids through the full-text index, ranked, optionally by label', async () => {
    const r = await t.run<{
      byName: { label: string; score: number; node: { id: string } }[];
      byExt: { node: { id: string } }[];
      prefix: { node: { id: string } }[];
      tricky: unknown[];
    }>(
      `{
        byName: search(text: "Secure Enclave") { label score node { id } }
        byExt: search(text: "T9999", labels: [Threat]) { node { id } }
        prefix: search(text: "Independ", labels: [Certification]) { node { id } }
        tricky: search(text: "(AND OR ~ \\"") { node { id } }
      }`,
    );
    expect(r.errors).toBeUndefined();
    const top = r.data?.byName.find((h) => h.node.id === id('enclave'));
    expect(top?.label).toBe('Component');
    expect(top?.score).toBeGreaterThan(0);
    const scores = r.data?.byName.map((h) => h.score) ?? [];
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(r.data?.byExt.map((h) => h.node.id)).toContain(id('tamper'));
    expect(r.data?.prefix.map((h) => h.node.id)).toContain(id('eval'));
    expect(Array.isArray(r.data?.tricky)).toBe(true);
    const empty = await t.run('{ search(text: "   ") { score } }');
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers anonymous callers in development as read-only viewers', async () => {
    const r = await t.run<{ device: { id: string } }>('query($id: ID!) { device(id: $id) { id } }', { id: id('d1') }, null);
    expect(r.data?.device).toEqual({ id: id('d1') });
    const w = await t.run('mutation { upsertStandard(input: { id: "x", name: "x" }) { id } }', {}, null);
    expect(w.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const v = await t.run('mutation { upsertStandard(input: { id: "x", name: "x" }) { id } }', {}, KEYS.viewer);
    expect(v.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
