/**
 * What-if analyses (docs/ANALYTICS.md, "What-if") on the seed scenario: the answer under an
 * assumption beside the answer without it, the difference, the refusals, and that nothing is written.
 */
import { ANALYST_KEYS_BY_CLEARANCE, KEYS, startTestApp, testDatabase, type TestApp } from '../helpers/app';
import { freshSeed } from '../helpers/seed';
import type { Database } from '../../src/store/database';

interface Ref {
  id: string;
}
interface Control {
  control: Ref;
  effectiveness: number;
  effectivenessSource: string;
}
interface PathOut {
  score: number;
  baseScore: number;
  residualFactor: number;
  mitigated: boolean;
  path: { nodes: Ref[]; edges: { type: string; relationship: { provenance: { source: string } } }[] };
  steps: { node: Ref; controls: Control[] }[];
}

const PATH = `score baseScore residualFactor mitigated
  path { nodes { id } edges { type relationship { provenance { source } } } }
  steps { node { id } controls { control { id } effectiveness effectivenessSource } }`;

const EXPOSURE = `query E($deviceId: ID!, $assume: Assumption) {
  exposure(deviceId: $deviceId, maxHops: 5, assume: $assume) {
    score
    threats { threat { id } score pathCount mitigatedPathCount unmitigatedPathCount bestPath { ${PATH} } }
    whatIf {
      scoreBefore scoreAfter scoreDelta notApplied
      before { score threats { threat { id } score pathCount mitigatedPathCount unmitigatedPathCount bestPath { ${PATH} } } }
      changedThreats { threat { id } scoreBefore scoreAfter scoreDelta routeChanged bestPathBefore { ${PATH} } bestPathAfter { ${PATH} } }
    }
  }
}`;

const RISK_PATHS = `query R($from: ID!, $to: ID, $assume: Assumption, $first: Int = 100) {
  riskPaths(from: $from, to: $to, maxHops: 5, first: $first, assume: $assume) {
    totalCount truncated
    paths { ${PATH} }
    whatIf {
      totalCountBefore notApplied
      before { totalCount paths { ${PATH} } }
      appeared { ${PATH} }
      disappeared { ${PATH} }
      lostMitigation { scoreDelta before { ${PATH} } after { ${PATH} } }
      gainedMitigation { scoreDelta before { ${PATH} } after { ${PATH} } }
      scoreChanged { scoreDelta before { score } after { score } }
    }
  }
}`;

const DRIFT = `query D($organizationId: ID, $deploymentId: ID, $asOf: Date, $assume: Assumption) {
  scopeDrift(organizationId: $organizationId, deploymentId: $deploymentId, asOf: $asOf, assume: $assume) {
    asOf driftingCount atRiskCount
    deployments { deployment { id } osVersion osRelease { id } inScope atRisk findings { reason certification { id } control { id } vulnerability { id } } }
    whatIf {
      notApplied
      before { asOf driftingCount deployments { deployment { id } osVersion inScope findings { reason certification { id } } } }
      appeared { deployment { id } finding { reason certification { id } explanation } }
      resolved { deployment { id } finding { reason certification { id } vulnerability { id } } }
      leftScope { id }
      enteredScope { id }
    }
  }
}`;

const BLAST = `query B($componentId: ID, $vulnerabilityId: ID, $assume: Assumption) {
  blastRadius(componentId: $componentId, vulnerabilityId: $vulnerabilityId, maxHops: 5, assume: $assume) {
    devices { node { id } hops path { nodes { id } } }
    deployments { node { id } hops path { nodes { id } } }
    components { node { id } hops path { nodes { id } } }
    certifications { certification { id } affectedAsset { id } hops path { nodes { id } } }
    truncated
    whatIf { notApplied reached { node { id } hops } noLongerReached { node { id } hops } }
  }
}`;

interface ThreatOut {
  threat: Ref;
  score: number;
  pathCount: number;
  mitigatedPathCount: number;
  unmitigatedPathCount: number;
  bestPath: PathOut;
}
interface ExposureOut {
  score: number;
  threats: ThreatOut[];
  whatIf: {
    scoreBefore: number;
    scoreAfter: number;
    scoreDelta: number;
    notApplied: string[];
    before: { score: number; threats: ThreatOut[] };
    changedThreats: {
      threat: Ref;
      scoreBefore: number | null;
      scoreAfter: number | null;
      scoreDelta: number;
      routeChanged: boolean;
      bestPathBefore: PathOut | null;
      bestPathAfter: PathOut | null;
    }[];
  } | null;
}
interface RiskPathsOut {
  totalCount: number;
  truncated: boolean;
  paths: PathOut[];
  whatIf: {
    totalCountBefore: number;
    notApplied: string[];
    before: { totalCount: number; paths: PathOut[] };
    appeared: PathOut[];
    disappeared: PathOut[];
    lostMitigation: { scoreDelta: number; before: PathOut; after: PathOut }[];
    gainedMitigation: { scoreDelta: number; before: PathOut; after: PathOut }[];
    scoreChanged: { scoreDelta: number; before: { score: number }; after: { score: number } }[];
  } | null;
}
interface FindingOut {
  reason: string;
  certification: Ref | null;
}
interface DriftOut {
  asOf: string;
  driftingCount: number;
  deployments: { deployment: Ref; osVersion: string | null; osRelease: Ref | null; inScope: boolean; findings: FindingOut[] }[];
  whatIf: {
    notApplied: string[];
    before: { asOf: string; driftingCount: number; deployments: { deployment: Ref; osVersion: string | null; inScope: boolean; findings: FindingOut[] }[] };
    appeared: { deployment: Ref; finding: FindingOut & { explanation: string } }[];
    resolved: { deployment: Ref; finding: FindingOut }[];
    leftScope: Ref[];
    enteredScope: Ref[];
  } | null;
}

const ids = (nodes: readonly Ref[]) => nodes.map((n) => n.id);
const pathIds = (p: PathOut) => ids(p.path.nodes);
/** What the documented formula gives for a path when `controlId` has effectiveness `e` (each control once, its strongest claim). */
function rescore(p: PathOut, controlId: string, e: number): number {
  const strongest = new Map<string, number>();
  for (const s of p.steps)
    for (const c of s.controls) strongest.set(c.control.id, Math.max(strongest.get(c.control.id) ?? 0, c.control.id === controlId ? e : c.effectiveness));
  let residual = 1;
  for (const v of strongest.values()) residual *= 1 - v;
  return Math.round(p.baseScore * Math.round(residual * 10000)) / 10000;
}
const combine = (scores: readonly number[]) => 10 * (1 - scores.reduce((acc, s) => acc * (1 - s / 10), 1));

async function counts(db: Database): Promise<{ nodes: number; relationships: number }> {
  const [n] = await db.read(undefined, 'test.countNodes', 'MATCH (n) RETURN count(n) AS c');
  const [r] = await db.read(undefined, 'test.countRelationships', 'MATCH ()-[r]->() RETURN count(r) AS c');
  return { nodes: Number(n?.c), relationships: Number(r?.c) };
}

describe('what-if analyses on the seed scenario', () => {
  let t: TestApp;
  let db: Database;
  let initial: { nodes: number; relationships: number };
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '60000' });
    db = testDatabase(undefined, 120000);
    await freshSeed(db);
    initial = await counts(db);
  }, 300000);
  afterAll(async () => {
    await db.close();
    await t.close();
  });

  it('exposure: the answer without an assumption is the plain exposure, and an empty assumption changes nothing', async () => {
    const plain = await t.run<{ exposure: ExposureOut }>(EXPOSURE, { deviceId: 'device:iphone-15' }, KEYS.analyst);
    const empty = await t.run<{ exposure: ExposureOut }>(EXPOSURE, { deviceId: 'device:iphone-15', assume: {} }, KEYS.analyst);
    expect(plain.errors).toBeUndefined();
    expect(empty.errors).toBeUndefined();
    expect(plain.data?.exposure.whatIf).toBeNull();
    const w = empty.data?.exposure.whatIf;
    // computed in memory from one subgraph read, the same as the Cypher path enumeration
    expect(w?.before.score).toBe(plain.data?.exposure.score);
    expect(w?.before.threats).toEqual(plain.data?.exposure.threats);
    expect(empty.data?.exposure.threats).toEqual(plain.data?.exposure.threats);
    expect(w?.scoreDelta).toBe(0);
    expect(w?.changedThreats).toEqual([]);
  });

  it('exposure: failing the verified boot chain changes firmware tampering by exactly what the formula gives', async () => {
    const expose = async (assume: Record<string, unknown>) => {
      const r = await t.run<{ exposure: ExposureOut }>(EXPOSURE, { deviceId: 'device:iphone-15', assume }, KEYS.analyst);
      expect(r.errors).toBeUndefined();
      return r.data?.exposure as ExposureOut;
    };
    const tampering = (x: { threats: ThreatOut[] } | undefined) => x?.threats.find((th) => th.threat.id === 'threat:firmware-tampering');
    const failBoot = { failControls: ['control:secure-boot-verification'] };
    const e = await expose(failBoot);
    const before = tampering(e.whatIf?.before);
    const after = tampering(e);
    // without the assumption: the best route is through the baseband firmware (0.9 × (1 − 0.4) = 0.54)
    expect(before?.score).toBe(0.54);
    expect(pathIds(before?.bestPath as PathOut)[1]).toBe('component:baseband-firmware');
    // every route of the threat rescored by the formula with verified boot at 0: the best is still the
    // baseband route, which verified boot does not guard, so the threat's exposure does not move
    const routes = await t.run<{ riskPaths: RiskPathsOut }>(
      RISK_PATHS,
      { from: 'threat:firmware-tampering', to: 'device:iphone-15', assume: failBoot },
      KEYS.analyst,
    );
    const beforeRoutes = routes.data?.riskPaths.whatIf?.before.paths ?? [];
    expect(beforeRoutes.length).toBe(5);
    const best = Math.max(...beforeRoutes.map((p) => rescore(p, 'control:secure-boot-verification', 0)));
    expect(after?.score).toBe(best);
    expect(after?.score).toBe(0.54);
    expect(e.whatIf?.changedThreats).toEqual([]);
    expect(e.whatIf?.scoreDelta).toBe(0);
    // the four boot-chain routes (iBoot, XNU, an iOS release) rise from 0.9 × 0.2 × 0.5 × 0.6 = 0.054 to 0.9 × 0.5 × 0.6 = 0.27
    const changed = routes.data?.riskPaths.whatIf?.scoreChanged ?? [];
    expect(changed.map((c) => [c.before.score, c.after.score, c.scoreDelta])).toEqual(Array(4).fill([0.054, 0.27, 0.216]));
    const boot = routes.data?.riskPaths.paths.find((p) => pathIds(p)[1] === 'component:iboot');
    expect(boot?.steps[0]?.controls.find((c) => c.control.id === 'control:secure-boot-verification')).toMatchObject({
      effectiveness: 0,
      effectivenessSource: 'ASSUMED',
    });

    // with the baseband route gone, the boot chain is the best route, and failing verified boot
    // raises the iPhone 15's exposure to firmware tampering from 0.054 to 0.27: by 0.216
    const noBaseband = { type: 'HAS_COMPONENT', fromId: 'component:modem-x70', toId: 'component:baseband-firmware' };
    const guarded = await expose({ removeRelationships: [noBaseband] });
    const failed = await expose({ removeRelationships: [noBaseband], ...failBoot });
    expect(tampering(guarded)?.score).toBe(0.054);
    expect(tampering(failed)?.score).toBe(0.27);
    const change = failed.whatIf?.changedThreats.find((c) => c.threat.id === 'threat:firmware-tampering');
    expect(change).toMatchObject({ scoreBefore: 0.54, scoreAfter: 0.27, scoreDelta: -0.27, routeChanged: true });
    // the device's exposure, recombined from every threat's best score as documented
    expect(failed.score).toBeCloseTo(combine(failed.threats.map((x) => x.score)), 3);
    expect(failed.score - guarded.score).toBeCloseTo(combine(failed.threats.map((x) => x.score)) - combine(guarded.threats.map((x) => x.score)), 3);
    expect(failed.score).toBeGreaterThan(guarded.score);
    expect(failed.whatIf?.scoreAfter).toBe(failed.score);
    expect(failed.whatIf?.scoreBefore).toBe(failed.whatIf?.before.score);
    expect(failed.whatIf?.scoreDelta).toBeCloseTo(failed.score - (failed.whatIf?.before.score ?? 0), 4);
  });

  it('riskPaths: removing the baseband HAS_COMPONENT edge removes the unmitigated path into the modem', async () => {
    const r = await t.run<{ riskPaths: RiskPathsOut }>(
      RISK_PATHS,
      {
        from: 'threat:firmware-tampering',
        to: 'component:modem-x70',
        assume: { removeRelationships: [{ type: 'HAS_COMPONENT', fromId: 'component:modem-x70', toId: 'component:baseband-firmware' }] },
      },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const rp = r.data?.riskPaths;
    // no control stands between firmware tampering and the modem through its baseband firmware
    expect(rp?.whatIf?.before.paths.map((p) => [pathIds(p), p.mitigated, p.score])).toEqual([
      [['threat:firmware-tampering', 'component:baseband-firmware', 'component:modem-x70'], false, 0.9],
    ]);
    expect(rp?.paths).toEqual([]);
    expect(rp?.totalCount).toBe(0);
    expect(rp?.whatIf?.disappeared.map(pathIds)).toEqual([['threat:firmware-tampering', 'component:baseband-firmware', 'component:modem-x70']]);
    expect(rp?.whatIf?.appeared).toEqual([]);
  });

  it('riskPaths: removing the baseband HAS_COMPONENT edge removes the path through it', async () => {
    const r = await t.run<{ riskPaths: RiskPathsOut }>(
      RISK_PATHS,
      {
        from: 'threat:firmware-tampering',
        to: 'device:iphone-15',
        assume: { removeRelationships: [{ type: 'HAS_COMPONENT', fromId: 'component:modem-x70', toId: 'component:baseband-firmware' }] },
      },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const rp = r.data?.riskPaths;
    const through = (p: PathOut) => pathIds(p).includes('component:baseband-firmware');
    expect(rp?.whatIf?.before.paths.some(through)).toBe(true);
    expect(rp?.paths.some(through)).toBe(false);
    expect(rp?.whatIf?.disappeared.length).toBeGreaterThan(0);
    expect(rp?.whatIf?.disappeared.every(through)).toBe(true);
    expect(rp?.totalCount).toBe((rp?.whatIf?.totalCountBefore ?? 0) - (rp?.whatIf?.disappeared.length ?? 0));
    expect(rp?.whatIf?.appeared).toEqual([]);
  });

  it('riskPaths: an added TARGETS brings a new node into reach and a path appears; failing a control shows lost mitigation', async () => {
    const r = await t.run<{ riskPaths: RiskPathsOut }>(
      RISK_PATHS,
      {
        from: 'threat:firmware-tampering',
        to: 'device:iphone-15',
        assume: {
          addRelationships: [{ type: 'TARGETS', fromId: 'threat:firmware-tampering', toId: 'component:modem-x70' }],
          failControls: ['control:secure-boot-verification', 'control:software-authenticity', 'control:supply-chain-verification'],
        },
      },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const w = r.data?.riskPaths.whatIf;
    expect(w?.appeared.map(pathIds)).toEqual([['threat:firmware-tampering', 'component:modem-x70', 'device:iphone-15']]);
    expect(w?.appeared[0]?.path.edges[0]?.relationship.provenance.source).toBe('assumption');
    // every stored route loses all its controls: each now scores the threat's base 0.9
    expect(w?.lostMitigation.map((c) => pathIds(c.after)[1]).sort()).toEqual(['component:baseband-firmware', ...Array(4).fill('component:iboot')]);
    expect(w?.lostMitigation.map((c) => c.after.score)).toEqual(Array(5).fill(0.9));
    for (const c of w?.lostMitigation ?? []) {
      expect(c.before.mitigated).toBe(true);
      expect(c.after.mitigated).toBe(false);
      expect(c.scoreDelta).toBeCloseTo(c.after.score - c.before.score, 4);
    }
  });

  it('scopeDrift: moving the staff fleet to iOS 18.0 yields OS_NEWER_THAN_SCOPE; a later date is judged as assumed', async () => {
    const r = await t.run<{ scopeDrift: DriftOut }>(
      DRIFT,
      {
        deploymentId: 'deployment:mod-staff-iphone-15',
        asOf: '2025-06-01',
        assume: { moveFleets: [{ deploymentId: 'deployment:mod-staff-iphone-15', osReleaseId: 'component:ios-18.0' }] },
      },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const d = r.data?.scopeDrift;
    expect(d?.whatIf?.before.deployments[0]).toMatchObject({ osVersion: '17.4', inScope: true });
    expect(d?.deployments[0]).toMatchObject({ osVersion: '18.0', osRelease: { id: 'component:ios-18.0' }, inScope: false });
    const appeared = d?.whatIf?.appeared.map((a) => a.finding.reason) ?? [];
    expect(appeared).toContain('OS_NEWER_THAN_SCOPE');
    expect(d?.whatIf?.leftScope.map((x) => x.id)).toEqual(['deployment:mod-staff-iphone-15']);
    expect(d?.driftingCount).toBe((d?.whatIf?.before.driftingCount ?? 0) + 1);
    expect(d?.whatIf?.notApplied).toEqual([]);
  });

  it('blastRadius and riskPaths without a target: the answer without the assumption is the plain one', async () => {
    const strip = (x: Record<string, unknown> | undefined) => {
      const { whatIf: _w, ...rest } = x ?? {};
      return rest;
    };
    const plainBlast = await t.run<{ blastRadius: Record<string, unknown> }>(BLAST, { vulnerabilityId: 'CVE-2025-24200' }, KEYS.analyst);
    const assumedBlast = await t.run<{ blastRadius: Record<string, unknown> & { whatIf: { reached: unknown[]; noLongerReached: unknown[] } } }>(
      BLAST,
      { vulnerabilityId: 'CVE-2025-24200', assume: {} },
      KEYS.analyst,
    );
    expect(plainBlast.errors).toBeUndefined();
    expect(assumedBlast.errors).toBeUndefined();
    expect((plainBlast.data?.blastRadius.devices as unknown[]).length).toBeGreaterThan(0);
    expect(strip(assumedBlast.data?.blastRadius)).toEqual(strip(plainBlast.data?.blastRadius));
    expect(assumedBlast.data?.blastRadius.whatIf).toMatchObject({ reached: [], noLongerReached: [] });

    const plainPaths = await t.run<{ riskPaths: RiskPathsOut }>(RISK_PATHS, { from: 'threat:firmware-tampering' }, KEYS.analyst);
    const assumedPaths = await t.run<{ riskPaths: RiskPathsOut }>(RISK_PATHS, { from: 'threat:firmware-tampering', assume: {} }, KEYS.analyst);
    expect(plainPaths.data?.riskPaths.totalCount).toBeGreaterThan(0);
    expect(assumedPaths.data?.riskPaths.whatIf?.before).toEqual({ totalCount: plainPaths.data?.riskPaths.totalCount, paths: plainPaths.data?.riskPaths.paths });
  });

  it('blastRadius: cutting the baseband from its modem takes the phones, their fleets and clearances out of the blast', async () => {
    const r = await t.run<{
      blastRadius: { devices: { node: Ref }[]; whatIf: { reached: { node: Ref }[]; noLongerReached: { node: Ref; hops: number }[]; notApplied: string[] } };
    }>(
      BLAST,
      {
        componentId: 'component:baseband-firmware',
        assume: {
          removeRelationships: [{ type: 'HAS_COMPONENT', fromId: 'component:modem-x70', toId: 'component:baseband-firmware' }],
          failControls: ['control:supply-chain-verification'],
        },
      },
      KEYS.analyst,
    );
    expect(r.errors).toBeUndefined();
    const b = r.data?.blastRadius;
    expect(b?.devices).toEqual([]);
    expect(b?.whatIf.reached).toEqual([]);
    const gone = ids(b?.whatIf.noLongerReached.map((h) => h.node) ?? []);
    expect(gone).toEqual(expect.arrayContaining(['component:modem-x70', 'device:iphone-15', 'device:iphone-15-pro', 'deployment:mod-staff-iphone-15']));
    expect(b?.whatIf.noLongerReached[0]).toMatchObject({ node: { id: 'component:modem-x70' }, hops: 1 });
    // a control does not stop a blast radius: said, not silently ignored
    expect(b?.whatIf.notApplied).toEqual([expect.stringMatching(/^assume\.failControls/)]);
  });

  it('scopeDrift of an operator with onlyDrifting: the moved fleet joins the drifting list; the difference covers every fleet', async () => {
    const q = `query($assume: Assumption) {
      scopeDrift(organizationId: "org:member-state-mod", asOf: "2025-06-01", onlyDrifting: true, assume: $assume) {
        driftingCount deployments { deployment { id } }
        whatIf { before { driftingCount deployments { deployment { id } } } leftScope { id } appeared { deployment { id } finding { reason } } }
      }
    }`;
    const r = await t.run<{
      scopeDrift: {
        driftingCount: number;
        deployments: { deployment: Ref }[];
        whatIf: {
          before: { driftingCount: number; deployments: { deployment: Ref }[] };
          leftScope: Ref[];
          appeared: { deployment: Ref; finding: { reason: string } }[];
        };
      };
    }>(q, { assume: { moveFleets: [{ deploymentId: 'deployment:mod-staff-iphone-15', osReleaseId: 'component:ios-18.0' }] } }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const d = r.data?.scopeDrift;
    const before = ids(d?.whatIf.before.deployments.map((x) => x.deployment) ?? []);
    const after = ids(d?.deployments.map((x) => x.deployment) ?? []);
    expect(before).not.toContain('deployment:mod-staff-iphone-15');
    expect(after).toEqual([...before, 'deployment:mod-staff-iphone-15'].sort());
    expect(d?.driftingCount).toBe((d?.whatIf.before.driftingCount ?? 0) + 1);
    expect(d?.whatIf.leftScope.map((x) => x.id)).toEqual(['deployment:mod-staff-iphone-15']);
    expect(new Set(d?.whatIf.appeared.map((a) => a.deployment.id))).toEqual(new Set(['deployment:mod-staff-iphone-15']));
  });

  it('an assumption naming a hidden node is refused exactly like one naming a missing node', async () => {
    const ask = (deploymentId: string) =>
      t.run(
        DRIFT,
        { organizationId: 'org:member-state-mod', assume: { moveFleets: [{ deploymentId, osReleaseId: 'component:ios-18.0' }] } },
        ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED,
      );
    const hidden = await ask('deployment:field-planners-ipad-pro');
    const missing = await ask('deployment:no-such-fleet');
    const shape = (res: { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }, id: string) =>
      res.errors?.map((e) => ({ message: e.message.replace(id, '<id>'), code: e.extensions?.code, argumentPath: e.extensions?.argumentPath }));
    expect(hidden.errors?.[0]?.message).toMatch(/^assume\.moveFleets\.0\.deploymentId: no node with id/);
    expect(shape(hidden, 'deployment:field-planners-ipad-pro')).toEqual(shape(missing, 'deployment:no-such-fleet'));
    // the same id is fine for a caller cleared for it
    const cleared = await t.run(
      DRIFT,
      {
        organizationId: 'org:member-state-mod',
        assume: { moveFleets: [{ deploymentId: 'deployment:field-planners-ipad-pro', osReleaseId: 'component:ios-18.0' }] },
      },
      ANALYST_KEYS_BY_CLEARANCE.RESTRICTED,
    );
    expect(cleared.errors?.[0]?.message ?? '').not.toMatch(/no node with id/);
  });

  it('nothing any what-if above asked for was written', async () => {
    expect(await counts(db)).toEqual(initial);
  });
});
