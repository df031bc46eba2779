/**
 * Risk paths, exposure and blast radius on a small hand-built graph with known answers:
 *
 *   T (threat, 8 × 0.5 = 4) -TARGETS-> A
 *   B1 -DEPENDS_ON-> A,  B2 -DEPENDS_ON-> A,  D -HAS_COMPONENT-> B1, B2      (a diamond T→A→{B1,B2}→D)
 *   B1 -DEPENDS_ON-> C,  C -DEPENDS_ON-> B1                                  (a cycle)
 *   B2 -IMPLEMENTS-> K -MITIGATES {0.75}-> T                                 (the B2 route is mitigated)
 *   T -TARGETS-> D3,  D3 -IMPLEMENTS-> KB (effectiveness 1) -MITIGATES-> T   (a blocked path)
 *   TV (threat, 6 × 1 = 6) -EXPLOITS-> V (cvss 9, known exploited)
 *   V -AFFECTS {NOT_AFFECTED}-> A,  V -AFFECTS {AFFECTED}-> E,  D -HAS_COMPONENT-> E
 *   DEP -OF-> D,  CERT -CERTIFIES-> D
 *   T -TARGETS-> H (SECRET),  D4 -HAS_COMPONENT-> H                          (a path through a hidden node)
 */
import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { buildGraph } from './graph';

const PATH_FIELDS = `score baseScore residualFactor mitigated blocked
  path { length nodes { id __typename } edges { type direction from { id } to { id } relationship { type vexState } } }
  steps { position node { id } controls { control { id } threat { id } effectiveness effectivenessSource } }
  target { id }`;

interface PathOut {
  score: number;
  baseScore: number;
  residualFactor: number;
  mitigated: boolean;
  blocked: boolean;
  path: {
    length: number;
    nodes: { id: string; __typename: string }[];
    edges: { type: string; direction: string; from: { id: string }; to: { id: string }; relationship: { type: string; vexState: string | null } }[];
  };
  steps: {
    position: number;
    node: { id: string };
    controls: { control: { id: string }; threat: { id: string }; effectiveness: number; effectivenessSource: string }[];
  }[];
  target: { id: string };
}
interface RiskPathsOut {
  riskPaths: { source: { id: string }; totalCount: number; truncated: boolean; maxHops: number; paths: PathOut[] };
}

const RISK_PATHS = `query($from: ID!, $to: ID, $maxHops: Int, $includeMitigated: Boolean, $first: Int) {
  riskPaths(from: $from, to: $to, maxHops: $maxHops, includeMitigated: $includeMitigated, first: $first) {
    source { id } totalCount truncated maxHops paths { ${PATH_FIELDS} }
  }
}`;

describe('risk paths, exposure and blast radius', () => {
  let t: TestApp;
  const p = uniquePrefix('risk');
  const ids = (list: { id: string }[]) => list.map((n) => n.id.slice(p.length));

  beforeAll(async () => {
    t = await startTestApp();
    await buildGraph(
      t.db,
      p,
      [
        ['Threat', 'T', { kind: 'INTRUSION', severity: 8, likelihood: 0.5 }],
        ['Threat', 'TV', { kind: 'ATTACK_TECHNIQUE', severity: 6, likelihood: 1 }],
        ['Vulnerability', 'V', { cvss: 9, knownExploited: true }],
        ['Component', 'A', { kind: 'SECURITY_HARDWARE' }],
        ['Component', 'B1', { kind: 'FIRMWARE' }],
        ['Component', 'B2', { kind: 'FIRMWARE' }],
        ['Component', 'C', { kind: 'LIBRARY' }],
        ['Component', 'E', { kind: 'LIBRARY' }],
        ['Component', 'H', { kind: 'FIRMWARE', classification: 'SECRET' }],
        ['Device', 'D', { category: 'PHONE' }],
        ['Device', 'D3', { category: 'TABLET' }],
        ['Device', 'D4', { category: 'TABLET' }],
        ['Control', 'K', { framework: 'test', effectiveness: 0.5 }],
        ['Control', 'KB', { framework: 'test', effectiveness: 1 }],
        ['Deployment', 'DEP', { deviceCount: 10 }],
        ['Certification', 'CERT', { kind: 'CLEARANCE', status: 'ACTIVE' }],
      ],
      [
        ['TARGETS', 'T', 'A'],
        ['DEPENDS_ON', 'B1', 'A'],
        ['DEPENDS_ON', 'B2', 'A'],
        ['HAS_COMPONENT', 'D', 'B1'],
        ['HAS_COMPONENT', 'D', 'B2'],
        ['DEPENDS_ON', 'B1', 'C'],
        ['DEPENDS_ON', 'C', 'B1'],
        ['IMPLEMENTS', 'B2', 'K'],
        ['MITIGATES', 'K', 'T', { effectiveness: 0.75 }],
        ['TARGETS', 'T', 'D3'],
        ['IMPLEMENTS', 'D3', 'KB'],
        ['MITIGATES', 'KB', 'T'],
        ['EXPLOITS', 'TV', 'V'],
        ['AFFECTS', 'V', 'A', { vexState: 'NOT_AFFECTED', vexJustification: 'code not present' }],
        ['AFFECTS', 'V', 'E', { vexState: 'AFFECTED' }],
        ['HAS_COMPONENT', 'D', 'E'],
        ['OF', 'DEP', 'D'],
        ['CERTIFIES', 'CERT', 'D'],
        ['TARGETS', 'T', 'H'],
        ['HAS_COMPONENT', 'D4', 'H'],
      ],
    );
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  it('finds both routes of a diamond, the unmitigated one first, and walks a cycle at most once', async () => {
    const r = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}D` }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const paths = r.data?.riskPaths.paths ?? [];
    expect(paths.map((x) => ids(x.path.nodes))).toEqual([
      ['T', 'A', 'B1', 'D'],
      ['T', 'A', 'B2', 'D'],
    ]);
    expect(r.data?.riskPaths.totalCount).toBe(2);
    expect(r.data?.riskPaths.truncated).toBe(false);
    // the analysis query also returns the source: no separate lookup
    expect(r.roundTrips).toBe(1);
    const [open, guarded] = paths;
    expect(open).toMatchObject({ baseScore: 4, residualFactor: 1, score: 4, mitigated: false, blocked: false });
    expect(guarded).toMatchObject({ baseScore: 4, residualFactor: 0.25, score: 1, mitigated: true, blocked: false });
    expect(
      guarded?.steps.map((s) => [
        s.position,
        s.node.id.slice(p.length),
        s.controls.map((c) => [c.control.id.slice(p.length), c.threat.id.slice(p.length), c.effectiveness, c.effectivenessSource]),
      ]),
    ).toEqual([
      [1, 'A', []],
      [2, 'B2', [['K', 'T', 0.75, 'MITIGATES_EDGE']]],
      [3, 'D', []],
    ]);
    expect(open?.path.edges.map((e) => [e.type, e.direction])).toEqual([
      ['TARGETS', 'FORWARD'],
      ['DEPENDS_ON', 'BACKWARD'],
      ['HAS_COMPONENT', 'BACKWARD'],
    ]);
    expect(open?.path.nodes.map((n) => n.__typename)).toEqual(['Threat', 'Component', 'Component', 'Device']);
  });

  it('drops the mitigated route when includeMitigated is false', async () => {
    const r = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}D`, includeMitigated: false }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    expect(r.data?.riskPaths.paths.map((x) => ids(x.path.nodes))).toEqual([['T', 'A', 'B1', 'D']]);
  });

  it('reports a path blocked by a fully effective control with score 0, and hides it when mitigated paths are excluded', async () => {
    const all = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}D3` }, KEYS.analyst);
    expect(all.errors).toBeUndefined();
    expect(all.data?.riskPaths.paths).toHaveLength(1);
    expect(all.data?.riskPaths.paths[0]).toMatchObject({ score: 0, blocked: true, mitigated: true, residualFactor: 0 });
    expect(all.data?.riskPaths.paths[0]?.steps[0]?.controls[0]).toMatchObject({ effectiveness: 1, effectivenessSource: 'CONTROL' });
    const open = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}D3`, includeMitigated: false }, KEYS.analyst);
    expect(open.data?.riskPaths.paths).toEqual([]);
    expect(open.data?.riskPaths.totalCount).toBe(0);
  });

  it('without a target, returns the paths to every reachable device ordered by score, then length, then ids', async () => {
    const r = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T` }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    // equal scores: the shorter path first
    expect(r.data?.riskPaths.paths.map((x) => [ids(x.path.nodes).join('>'), x.score])).toEqual([
      ['T>H>D4', 4],
      ['T>A>B1>D', 4],
      ['T>A>B2>D', 1],
      ['T>D3', 0],
    ]);
    const firstOnly = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, first: 1 }, KEYS.analyst);
    expect(firstOnly.data?.riskPaths.paths).toHaveLength(1);
    expect(firstOnly.data?.riskPaths.totalCount).toBe(4);
  });

  it('stops at an AFFECTS edge whose VEX state is NOT_AFFECTED', async () => {
    const r = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}V` }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    expect(r.data?.riskPaths.paths.map((x) => ids(x.path.nodes))).toEqual([['V', 'E', 'D']]);
    expect(r.data?.riskPaths.paths[0]).toMatchObject({ baseScore: 9, score: 9 });
    expect(r.data?.riskPaths.paths[0]?.path.edges[0]?.relationship.vexState).toBe('AFFECTED');
  });

  it('with a target, finds exactly the source-walk paths that end there, for every maxHops (the target walk is planned from both ends)', async () => {
    for (let maxHops = 1; maxHops <= 8; maxHops++) {
      for (const from of ['T', 'TV', 'V']) {
        const all = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}${from}`, maxHops, first: 100 }, KEYS.analyst);
        expect(all.errors).toBeUndefined();
        for (const to of ['D', 'D3', 'D4']) {
          const targeted = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}${from}`, to: `${p}${to}`, maxHops, first: 100 }, KEYS.analyst);
          expect(targeted.errors).toBeUndefined();
          const expected = (all.data?.riskPaths.paths ?? []).filter((x) => x.path.nodes[x.path.nodes.length - 1]?.id === `${p}${to}`);
          expect(targeted.data?.riskPaths.paths).toEqual(expected);
        }
      }
    }
    const direct = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}A`, maxHops: 1 }, KEYS.analyst);
    expect(direct.data?.riskPaths.paths.map((x) => ids(x.path.nodes))).toEqual([['T', 'A']]);
    const twoForward = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}TV`, to: `${p}E`, maxHops: 1 }, KEYS.analyst);
    expect(twoForward.data?.riskPaths.paths).toEqual([]);
    const twoForwardOk = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}TV`, to: `${p}E`, maxHops: 2 }, KEYS.analyst);
    expect(twoForwardOk.data?.riskPaths.paths.map((x) => ids(x.path.nodes))).toEqual([['TV', 'V', 'E']]);
    const toFleet = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}TV`, to: `${p}DEP`, maxHops: 4 }, KEYS.analyst);
    expect(toFleet.data?.riskPaths.paths.map((x) => ids(x.path.nodes))).toEqual([['TV', 'V', 'E', 'D', 'DEP']]);
  });

  it('never returns a path through a node above the caller clearance', async () => {
    const secret = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}D4` }, KEYS.analyst);
    expect(secret.data?.riskPaths.paths.map((x) => ids(x.path.nodes))).toEqual([['T', 'H', 'D4']]);
    const restricted = await t.run<RiskPathsOut>(RISK_PATHS, { from: `${p}T`, to: `${p}D4` }, KEYS.curatorRestricted);
    expect(restricted.errors).toBeUndefined();
    expect(restricted.data?.riskPaths.paths).toEqual([]);
  });

  it('refuses maxHops outside 1..8, unknown ids and wrong labels with codes and argument paths', async () => {
    for (const maxHops of [0, 9]) {
      const r = await t.run(RISK_PATHS, { from: `${p}T`, maxHops }, KEYS.analyst);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['maxHops'] });
      expect(r.errors?.[0]?.message).toMatch(/between 1 and 8/);
    }
    const missing = await t.run(RISK_PATHS, { from: `${p}nope` }, KEYS.analyst);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argumentPath: ['from'] });
    const wrong = await t.run(RISK_PATHS, { from: `${p}D` }, KEYS.analyst);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['from'] });
    const exposureHops = await t.run('query($d: ID!) { exposure(deviceId: $d, maxHops: 9) { score } }', { d: `${p}D` }, KEYS.analyst);
    expect(exposureHops.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['maxHops'] });
  });

  it('needs the analyst role', async () => {
    const r = await t.run(RISK_PATHS, { from: `${p}T` }, KEYS.viewer);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('exposure: every threat reaching a device with its best path, path counts and a combined score', async () => {
    const r = await t.run<{
      exposure: {
        score: number;
        explanation: string;
        truncated: boolean;
        threats: {
          threat: { id: string };
          score: number;
          pathCount: number;
          mitigatedPathCount: number;
          unmitigatedPathCount: number;
          bestPath: { path: { nodes: { id: string }[] } };
        }[];
      };
    }>(
      `query($d: ID!) { exposure(deviceId: $d) { score explanation truncated threats { threat { id } score pathCount mitigatedPathCount unmitigatedPathCount bestPath { path { nodes { id } } } } } }`,
      { d: `${p}D` },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const e = r.data?.exposure;
    expect(
      e?.threats.map((x) => [
        x.threat.id.slice(p.length),
        x.score,
        x.pathCount,
        x.mitigatedPathCount,
        x.unmitigatedPathCount,
        ids(x.bestPath.path.nodes).join('>'),
      ]),
    ).toEqual([
      ['TV', 6, 1, 0, 1, 'TV>V>E>D'],
      ['T', 4, 2, 1, 1, 'T>A>B1>D'],
    ]);
    // 10 × (1 − (1 − 0.6)(1 − 0.4)) = 7.6
    expect(e?.score).toBe(7.6);
    expect(e?.explanation).toMatch(/2 threat\(s\) reach the device, 2 of them through at least one unmitigated path/);
    expect(e?.truncated).toBe(false);
  });

  it('blast radius of a component: devices, deployments, certifications at risk and components, each with its shortest path', async () => {
    const r = await t.run<{
      blastRadius: {
        devices: { node: { id: string }; hops: number; path: { nodes: { id: string }[] } }[];
        deployments: { node: { id: string }; hops: number }[];
        components: { node: { id: string }; hops: number }[];
        certifications: { certification: { id: string; name: string }; affectedAsset: { id: string }; hops: number }[];
        truncated: boolean;
      };
    }>(
      `query($c: ID!) { blastRadius(componentId: $c) { truncated devices { node { id } hops path { nodes { id } } } deployments { node { id } hops } components { node { id } hops }
        certifications { certification { id name } affectedAsset { id } hops } } }`,
      { c: `${p}A` },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const b = r.data?.blastRadius;
    expect(b?.devices.map((h) => [h.node.id.slice(p.length), h.hops, ids(h.path.nodes).join('>')])).toEqual([['D', 2, 'A>B1>D']]);
    expect(b?.components.map((h) => [h.node.id.slice(p.length), h.hops])).toEqual([
      ['B1', 1],
      ['B2', 1],
      ['C', 2],
    ]);
    expect(b?.deployments.map((h) => [h.node.id.slice(p.length), h.hops])).toEqual([['DEP', 3]]);
    expect(b?.certifications.map((h) => [h.certification.id.slice(p.length), h.affectedAsset.id.slice(p.length), h.hops])).toEqual([['CERT', 'D', 3]]);
  });

  it('blast radius of a vulnerability skips components it does not affect (VEX)', async () => {
    const r = await t.run<{ blastRadius: { components: { node: { id: string } }[]; devices: { node: { id: string } }[] } }>(
      `query($v: ID!) { blastRadius(vulnerabilityId: $v, maxHops: 3) { components { node { id } } devices { node { id } } } }`,
      { v: `${p}V` },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    expect(ids(r.data?.blastRadius.components.map((h) => h.node) ?? [])).toEqual(['E']);
    expect(ids(r.data?.blastRadius.devices.map((h) => h.node) ?? [])).toEqual(['D']);
    const both = await t.run(`query { blastRadius(componentId: "x", vulnerabilityId: "y") { truncated } }`, {}, KEYS.analyst);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
