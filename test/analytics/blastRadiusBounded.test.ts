/**
 * Blast radius does work proportional to what the source can reach, not to its neighbourhood
 * (issue 16, target 4). The hand-built graph has an SBOM-like root R with 40 libraries under it,
 * densely linked by DEPENDS_ON (each library depends on the next three, the last ones round to the
 * first): an undirected walk filtered afterwards explodes there (the ProtonMail Bridge root took
 * 12 s at maxHops 5 and timed out at 8), while R has no parent, so nothing is at risk from it.
 *
 * Beside it, a small exact blast radius:
 *
 *   DV (device) -HAS_COMPONENT-> S1 -DEPENDS_ON-> S2
 *   DEP -OF-> DV,  CERT -CERTIFIES-> S1,  S3 (SECRET) -DEPENDS_ON-> S2
 *   VX -AFFECTS-> S2,  VX -AFFECTS {NOT_AFFECTED}-> S1
 *
 * The queries run with a 5 s transaction timeout, so the old undirected walk fails the first test.
 */
import type { Database } from '../../src/store/database';
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, testDatabase, uniquePrefix, type TestApp } from '../helpers/app';
import { buildGraph, type NodeSpec, type RelSpec } from './graph';

interface Hit {
  node: { id: string };
  hops: number;
  path: { nodes: { id: string }[] };
}
interface BlastOut {
  blastRadius: {
    truncated: boolean;
    devices: Hit[];
    components: Hit[];
    deployments: Hit[];
    certifications: { certification: { id: string }; affectedAsset: { id: string }; hops: number; path: { nodes: { id: string }[] } }[];
  };
}

const BLAST = `query($c: ID, $v: ID, $h: Int) { blastRadius(componentId: $c, vulnerabilityId: $v, maxHops: $h) { truncated
  devices { node { id } hops path { nodes { id } } }
  components { node { id } hops path { nodes { id } } }
  deployments { node { id } hops path { nodes { id } } }
  certifications { certification { id } affectedAsset { id } hops path { nodes { id } } } } }`;

const LIBS = 40;

describe('blast radius is bounded by what the source reaches', () => {
  const analyst = ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED;
  let t: TestApp;
  // builds and removes the graph with the default timeout; the app's queries run with 5 s
  let setup: Database;
  const p = uniquePrefix('blastb');
  const strip = (id: string) => id.slice(p.length);
  const rows = (hits: Hit[]) => hits.map((h) => [strip(h.node.id), h.hops, h.path.nodes.map((n) => strip(n.id)).join('>')]);

  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '5000' });
    setup = testDatabase();
    const nodes: NodeSpec[] = [['Component', 'R', { kind: 'APPLICATION' }]];
    const rels: RelSpec[] = [];
    for (let i = 0; i < LIBS; i++) {
      nodes.push(['Component', `L${i}`, { kind: 'LIBRARY' }]);
      rels.push(['HAS_COMPONENT', 'R', `L${i}`]);
      for (let k = 1; k <= 3; k++) rels.push(['DEPENDS_ON', `L${i}`, `L${(i + k) % LIBS}`]);
    }
    nodes.push(
      ['Device', 'DV', { category: 'PHONE' }],
      ['Component', 'S1', { kind: 'FIRMWARE' }],
      ['Component', 'S2', { kind: 'LIBRARY' }],
      ['Component', 'S3', { kind: 'LIBRARY', classification: 'SECRET' }],
      ['Deployment', 'DEP', { deviceCount: 3 }],
      ['Certification', 'CERT', { kind: 'CLEARANCE', status: 'ACTIVE' }],
      ['Vulnerability', 'VX', { cvss: 7 }],
    );
    rels.push(
      ['HAS_COMPONENT', 'DV', 'S1'],
      ['DEPENDS_ON', 'S1', 'S2'],
      ['OF', 'DEP', 'DV'],
      ['CERTIFIES', 'CERT', 'S1'],
      ['DEPENDS_ON', 'S3', 'S2'],
      ['AFFECTS', 'VX', 'S2', { vexState: 'AFFECTED' }],
      ['AFFECTS', 'VX', 'S1', { vexState: 'NOT_AFFECTED' }],
    );
    await buildGraph(setup, p, nodes, rels);
  });

  afterAll(async () => {
    await cleanup(setup, p);
    await setup.close();
    await t.close();
  });

  it('a root with no parent answers empty at every maxHops, within the timeout', async () => {
    for (let h = 1; h <= 8; h++) {
      const r = await t.run<BlastOut>(BLAST, { c: `${p}R`, h }, analyst);
      expect(r.errors).toBeUndefined();
      expect(r.data?.blastRadius).toEqual({ truncated: false, devices: [], components: [], deployments: [], certifications: [] });
    }
  });

  it('a library inside the dense part reaches exactly the libraries depending on it within maxHops, and the root', async () => {
    const r = await t.run<BlastOut>(BLAST, { c: `${p}L0`, h: 8 }, analyst);
    expect(r.errors).toBeUndefined();
    const comps = r.data?.blastRadius.components ?? [];
    // L37..L39 depend on L0 (1 hop), L34..L36 on them (2 hops), ... L16..L18 at 8 hops; R has L0 (1 hop)
    const expected = new Map<string, number>([['R', 1]]);
    for (let i = 16; i < LIBS; i++) expected.set(`L${i}`, 8 - Math.floor((i - 16) / 3));
    expect(new Map(comps.map((h) => [strip(h.node.id), h.hops]))).toEqual(expected);
    expect(comps).toHaveLength(expected.size);
  });

  it('a small blast radius is exact: shortest paths, hidden parents left out, maxHops respected', async () => {
    const r = await t.run<BlastOut>(BLAST, { c: `${p}S2`, h: 5 }, analyst);
    expect(r.errors).toBeUndefined();
    const b = r.data?.blastRadius;
    expect(rows(b?.components ?? [])).toEqual([['S1', 1, 'S2>S1']]);
    expect(rows(b?.devices ?? [])).toEqual([['DV', 2, 'S2>S1>DV']]);
    expect(rows(b?.deployments ?? [])).toEqual([['DEP', 3, 'S2>S1>DV>DEP']]);
    expect(b?.certifications.map((c) => [strip(c.certification.id), strip(c.affectedAsset.id), c.hops])).toEqual([['CERT', 'S1', 2]]);

    const short = await t.run<BlastOut>(BLAST, { c: `${p}S2`, h: 2 }, analyst);
    expect(short.data?.blastRadius.deployments).toEqual([]);
    expect(rows(short.data?.blastRadius.devices ?? [])).toEqual([['DV', 2, 'S2>S1>DV']]);

    const secret = await t.run<BlastOut>(BLAST, { c: `${p}S2`, h: 1 }, KEYS.analyst);
    expect(rows(secret.data?.blastRadius.components ?? [])).toEqual([
      ['S1', 1, 'S2>S1'],
      ['S3', 1, 'S2>S3'],
    ]);
  });

  it('from a vulnerability: the AFFECTS step first (never a VEX-stopped one), then the parents', async () => {
    const one = await t.run<BlastOut>(BLAST, { v: `${p}VX`, h: 1 }, analyst);
    expect(one.errors).toBeUndefined();
    expect(rows(one.data?.blastRadius.components ?? [])).toEqual([['S2', 1, 'VX>S2']]);
    expect(one.data?.blastRadius.devices).toEqual([]);
    const r = await t.run<BlastOut>(BLAST, { v: `${p}VX`, h: 4 }, analyst);
    expect(rows(r.data?.blastRadius.components ?? [])).toEqual([
      ['S2', 1, 'VX>S2'],
      ['S1', 2, 'VX>S2>S1'],
    ]);
    expect(rows(r.data?.blastRadius.devices ?? [])).toEqual([['DV', 3, 'VX>S2>S1>DV']]);
    expect(rows(r.data?.blastRadius.deployments ?? [])).toEqual([['DEP', 4, 'VX>S2>S1>DV>DEP']]);
  });
});
