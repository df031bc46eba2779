/**
 * What-if analyses on a hand-built graph: an added relationship brings a node into reach that the
 * stored graph does not connect, markings apply to everything an assumption names, the assumption
 * is checked before anything runs, the work is a fixed number of statements in one read
 * transaction (no statement per assumption entry), and nothing is written.
 */
import { buildGraph } from './graph';
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { snapshot } from '../helpers/graph';

const EXPOSURE = `query($deviceId: ID!, $assume: Assumption) {
  exposure(deviceId: $deviceId, maxHops: 5, assume: $assume) {
    score
    threats { threat { id } score pathCount bestPath { score path { nodes { id } } } }
    whatIf { scoreBefore scoreAfter scoreDelta notApplied before { score threats { threat { id } score } } changedThreats { threat { id } scoreBefore scoreAfter scoreDelta routeChanged } }
  }
}`;

const DRIFT = `query($deploymentId: ID!, $asOf: Date, $assume: Assumption) {
  scopeDrift(deploymentId: $deploymentId, asOf: $asOf, assume: $assume) {
    asOf
    deployments { inScope findings { reason certification { id } control { id } } }
    whatIf { before { asOf deployments { inScope findings { reason } } } appeared { finding { reason control { id } certification { id } } } resolved { finding { reason } } leftScope { id } enteredScope { id } notApplied }
  }
}`;

interface ExposureOut {
  exposure: {
    score: number;
    threats: { threat: { id: string }; score: number; pathCount: number; bestPath: { score: number; path: { nodes: { id: string }[] } } }[];
    whatIf: {
      scoreBefore: number;
      scoreAfter: number;
      scoreDelta: number;
      notApplied: string[];
      before: { score: number; threats: { threat: { id: string }; score: number }[] };
      changedThreats: { threat: { id: string }; scoreBefore: number | null; scoreAfter: number | null; scoreDelta: number; routeChanged: boolean }[];
    } | null;
  };
}

describe('what-if on a hand-built graph', () => {
  let t: TestApp;
  const p = uniquePrefix('whatif');
  const id = (x: string) => p + x;
  let before = '';

  beforeAll(async () => {
    t = await startTestApp();
    // T (8 × 0.5 = base 4) targets part A of device D and component N, which is no part of D.
    // D implements K (0.6 against T). Part S of D is SECRET, and so is D's HAS_COMPONENT to A2.
    await buildGraph(
      t.db,
      p,
      [
        ['Threat', 'T', { kind: 'INTRUSION', severity: 8, likelihood: 0.5 }],
        ['Device', 'D', { category: 'PHONE' }],
        ['Component', 'A', { kind: 'FIRMWARE' }],
        ['Component', 'A2', { kind: 'FIRMWARE' }],
        ['Component', 'N', { kind: 'LIBRARY' }],
        ['Component', 'S', { kind: 'FIRMWARE', classification: 'SECRET' }],
        ['Control', 'K', { framework: 'test' }],
        ['Control', 'R', { framework: 'test' }],
        ['Component', 'OS1', { kind: 'OS_RELEASE', version: '17.4' }],
        ['Component', 'OS2', { kind: 'OS_RELEASE', version: '18.1' }],
        ['Deployment', 'F', { deviceCount: 5 }],
        ['Certification', 'CERT', { kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2026-06-30' }],
      ],
      [
        ['TARGETS', 'T', 'A'],
        ['TARGETS', 'T', 'N'],
        ['TARGETS', 'T', 'S'],
        ['TARGETS', 'T', 'A2'],
        ['HAS_COMPONENT', 'D', 'A'],
        ['HAS_COMPONENT', 'D', 'S'],
        ['HAS_COMPONENT', 'D', 'A2', { classification: 'SECRET' }],
        ['IMPLEMENTS', 'D', 'K'],
        ['MITIGATES', 'K', 'T', { effectiveness: 0.6 }],
        ['IMPLEMENTS', 'OS1', 'R'],
        ['OF', 'F', 'D'],
        ['RUNS', 'F', 'OS1'],
        ['CERTIFIES', 'CERT', 'D', { minOsVersion: '17.0', maxOsVersion: '17' }],
        ['REQUIRES', 'CERT', 'R'],
      ],
    );
    before = await snapshot(t.db, p);
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  const exposure = (assume: Record<string, unknown> | null, key: string = KEYS.analyst) => t.run<ExposureOut>(EXPOSURE, { deviceId: id('D'), assume }, key);

  it('an added HAS_COMPONENT brings a component the threat targets into reach: a new route and score, by the formula', async () => {
    const r = await exposure({ addRelationships: [{ type: 'HAS_COMPONENT', fromId: id('D'), toId: id('N') }] }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(r.errors).toBeUndefined();
    // before: T → A → D, 4 × (1 − 0.6) = 1.6; exposure 10 × (1 − (1 − 0.16)) = 1.6
    expect(r.data?.exposure.whatIf?.before).toEqual({ score: 1.6, threats: [{ threat: { id: id('T') }, score: 1.6 }] });
    // after: T → N → D is as guarded (K at D), so the best score stays 1.6 and the route is the first by ids
    expect(r.data?.exposure.threats[0]?.bestPath.path.nodes.map((n) => n.id)).toEqual([id('T'), id('A'), id('D')]);
    expect(r.data?.exposure.threats[0]?.pathCount).toBe(2);
    // failing K as well: both routes unmitigated, 4 each: exposure 4
    const failed = await exposure(
      { addRelationships: [{ type: 'HAS_COMPONENT', fromId: id('D'), toId: id('N') }], failControls: [id('K')] },
      ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED,
    );
    expect(failed.errors).toBeUndefined();
    expect(failed.data?.exposure.score).toBe(4);
    expect(failed.data?.exposure.whatIf).toMatchObject({ scoreBefore: 1.6, scoreAfter: 4, scoreDelta: 2.4 });
    expect(failed.data?.exposure.whatIf?.changedThreats).toEqual([
      { threat: { id: id('T') }, scoreBefore: 1.6, scoreAfter: 4, scoreDelta: 2.4, routeChanged: false },
    ]);
  });

  it('markings: an unclassified caller sees neither the SECRET part nor the SECRET edge, before or after', async () => {
    const secret = await exposure({ failControls: [id('K')] }, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    const unclassified = await exposure({ failControls: [id('K')] }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    const routes = (r: typeof secret) => r.data?.exposure.threats.map((x) => x.bestPath.path.nodes.map((n) => n.id.slice(p.length)));
    expect(routes(unclassified)).toEqual([['T', 'A', 'D']]);
    // a cleared caller's best route is the first by ids among A, A2 and S (all score 4 with K failed)
    expect(routes(secret)).toEqual([['T', 'A', 'D']]);
    // removing D → A leaves the unclassified caller nothing, the cleared one the SECRET routes
    const cut = { removeRelationships: [{ type: 'HAS_COMPONENT', fromId: id('D'), toId: id('A') }] };
    expect((await exposure(cut, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED)).data?.exposure.threats).toEqual([]);
    expect(routes(await exposure({ ...cut, failControls: [id('K')] }, ANALYST_KEYS_BY_CLEARANCE.SECRET))).toEqual([['T', 'A2', 'D']]);
  });

  it('a hidden node or relationship in an assumption is refused exactly like a missing one, naming the field', async () => {
    const refuse = async (assume: Record<string, unknown>, hiddenId: string, missing: Record<string, unknown>, missingId: string) => {
      const h = await exposure(assume, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
      const m = await exposure(missing, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
      const shape = (res: typeof h, x: string) =>
        res.errors?.map((e) => ({ message: e.message.split(x).join('<id>'), code: e.extensions?.code, argumentPath: e.extensions?.argumentPath }));
      expect(h.data).toBeNull();
      expect(shape(h, hiddenId)).toEqual(shape(m, missingId));
      return shape(h, hiddenId);
    };
    const node = await refuse(
      { addRelationships: [{ type: 'TARGETS', fromId: id('T'), toId: id('S') }] },
      id('S'),
      { addRelationships: [{ type: 'TARGETS', fromId: id('T'), toId: id('nothing') }] },
      id('nothing'),
    );
    expect(node).toEqual([
      {
        message: 'assume.addRelationships.0.toId: no node with id "<id>" is visible to you',
        code: 'NOT_FOUND',
        argumentPath: ['assume', 'addRelationships', 0, 'toId'],
      },
    ]);
    // the relationship D → A2 is SECRET (both ends are not): removing it answers as for one that does not exist
    const rel = await refuse(
      { removeRelationships: [{ type: 'HAS_COMPONENT', fromId: id('D'), toId: id('A2') }] },
      id('A2'),
      { removeRelationships: [{ type: 'HAS_COMPONENT', fromId: id('D'), toId: id('N') }] },
      id('N'),
    );
    expect(rel?.[0]).toMatchObject({ code: 'NOT_FOUND', argumentPath: ['assume', 'removeRelationships', 0] });
    // a cleared caller may remove it
    const cleared = await exposure({ removeRelationships: [{ type: 'HAS_COMPONENT', fromId: id('D'), toId: id('A2') }] }, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    expect(cleared.errors).toBeUndefined();
  });

  it('refuses a malformed assumption before reading anything, naming the field', async () => {
    const bad = async (assume: Record<string, unknown>) => {
      const r = await exposure(assume);
      return {
        message: r.errors?.[0]?.message,
        code: r.errors?.[0]?.extensions?.code,
        argumentPath: r.errors?.[0]?.extensions?.argumentPath,
        roundTrips: r.roundTrips,
      };
    };
    expect(await bad({ failControls: Array.from({ length: 51 }, (_, i) => `c${i}`) })).toEqual({
      message: 'assume.failControls: at most 50 entries (got 51)',
      code: 'BAD_USER_INPUT',
      argumentPath: ['assume', 'failControls'],
      roundTrips: 0,
    });
    expect(await bad({ setControlEffectiveness: [{ controlId: id('K'), effectiveness: 1.5 }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentPath: ['assume', 'setControlEffectiveness', 0, 'effectiveness'],
      roundTrips: 0,
    });
    expect(await bad({ removeRelationships: [{ type: 'MAKES', fromId: id('D'), toId: id('A') }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentPath: ['assume', 'removeRelationships', 0, 'type'],
    });
    expect(await bad({ asOf: '2026-01-01' })).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['assume', 'asOf'], roundTrips: 0 });
    expect(await bad({ addRelationships: [{ type: 'TARGETS', fromId: id('T'), toId: id('K') }] })).toMatchObject({
      message: expect.stringContaining('a TARGETS relationship cannot go from a Threat to a Control'),
      code: 'BAD_USER_INPUT',
      argumentPath: ['assume', 'addRelationships', 0],
    });
    expect(await bad({ failControls: [id('D')] })).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['assume', 'failControls', 0] });
    expect(await bad({ moveFleets: [{ deploymentId: id('F'), osReleaseId: id('A') }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentPath: ['assume', 'moveFleets', 0, 'osReleaseId'],
    });
  });

  it('runs a fixed number of statements whatever the size of the assumption (no query per entry)', async () => {
    const one = await exposure({ failControls: [id('K')] }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    const many = await exposure(
      {
        failControls: [id('K')],
        setControlEffectiveness: [{ controlId: id('R'), effectiveness: 0.9 }],
        removeRelationships: [
          { type: 'HAS_COMPONENT', fromId: id('D'), toId: id('A') },
          { type: 'TARGETS', fromId: id('T'), toId: id('N') },
        ],
        addRelationships: [
          { type: 'HAS_COMPONENT', fromId: id('D'), toId: id('N') },
          { type: 'TARGETS', fromId: id('T'), toId: id('OS1') },
          { type: 'HAS_COMPONENT', fromId: id('D'), toId: id('OS1') },
        ],
      },
      ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED,
    );
    expect(one.errors).toBeUndefined();
    expect(many.errors).toBeUndefined();
    // the ids it names, the relationships it removes, the subgraph
    expect(one.roundTrips).toBe(2);
    expect(many.roundTrips).toBe(3);
    expect(many.data?.exposure.threats[0]?.bestPath.path.nodes.map((n) => n.id.slice(p.length))).toEqual(['T', 'OS1', 'D']);
  });

  it('scopeDrift: a moved fleet, a failing required control and a later date, each as the rules say', async () => {
    const drift = async (assume: Record<string, unknown>) => {
      const r = await t.run<{
        scopeDrift: {
          asOf: string;
          deployments: { inScope: boolean; findings: { reason: string }[] }[];
          whatIf: {
            before: { asOf: string; deployments: { inScope: boolean; findings: { reason: string }[] }[] };
            appeared: { finding: { reason: string; control: { id: string } | null; certification: { id: string } | null } }[];
            resolved: unknown[];
            leftScope: { id: string }[];
            enteredScope: unknown[];
            notApplied: string[];
          };
        };
      }>(DRIFT, { deploymentId: id('F'), asOf: '2026-01-01', assume }, KEYS.analyst);
      expect(r.errors).toBeUndefined();
      return r.data?.scopeDrift;
    };
    const moved = await drift({ moveFleets: [{ deploymentId: id('F'), osReleaseId: id('OS2') }] });
    expect(moved?.whatIf.before.deployments[0]).toEqual({ inScope: true, findings: [] });
    // OS2 (18.1) is above the certified 17.x, and does not implement the required control R that OS1 did
    expect(moved?.whatIf.appeared.map((a) => a.finding.reason).sort()).toEqual(['OS_NEWER_THAN_SCOPE', 'REQUIRED_CONTROL_NOT_IMPLEMENTED']);
    expect(moved?.whatIf.leftScope.map((x) => x.id)).toEqual([id('F')]);
    const failed = await drift({ failControls: [id('R')] });
    expect(failed?.whatIf.appeared).toEqual([
      { finding: { reason: 'REQUIRED_CONTROL_NOT_IMPLEMENTED', control: { id: id('R') }, certification: { id: id('CERT') } } },
    ]);
    const later = await drift({ asOf: '2026-07-01' });
    expect(later?.asOf).toBe('2026-07-01');
    expect(later?.whatIf.before.asOf).toBe('2026-01-01');
    expect(later?.whatIf.appeared.map((a) => a.finding.reason)).toEqual(['CERTIFICATION_NOT_VALID']);
    const strengthened = await drift({ setControlEffectiveness: [{ controlId: id('R'), effectiveness: 1 }] });
    expect(strengthened?.whatIf.appeared).toEqual([]);
    expect(strengthened?.whatIf.notApplied).toEqual([expect.stringContaining('effectiveness does not enter scope drift')]);
  });

  it('the answer without the assumption is the plain analysis, at every clearance', async () => {
    const cases: [string, string, string, Record<string, unknown>][] = [
      [
        'exposure',
        'deviceId: $a, maxHops: 5',
        '{ score explanation truncated threats { threat { id } score pathCount mitigatedPathCount bestPath { score path { nodes { id } } } } }',
        { a: id('D') },
      ],
      [
        'riskPaths',
        'from: $a, to: $b, maxHops: 4',
        '{ totalCount truncated paths { score residualFactor path { nodes { id } edges { type direction } } steps { controls { control { id } effectiveness } } } }',
        { a: id('T'), b: id('F') },
      ],
      ['riskPaths', 'from: $a, maxHops: 6', '{ totalCount paths { score path { nodes { id } } } }', { a: id('T') }],
      [
        'blastRadius',
        'componentId: $a, maxHops: 6',
        '{ devices { node { id } hops path { nodes { id } } } deployments { node { id } hops } components { node { id } } certifications { certification { id } affectedAsset { id } hops } }',
        { a: id('A') },
      ],
    ];
    for (const key of [ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED, ANALYST_KEYS_BY_CLEARANCE.SECRET]) {
      for (const [field, args, body, vars] of cases) {
        const params = args.includes('$b') ? '$a: ID!, $b: ID' : '$a: ID!';
        const plain = await t.run<Record<string, unknown>>(`query(${params}) { ${field}(${args}) ${body} }`, vars, key);
        const assumed = await t.run<Record<string, Record<string, unknown>>>(
          `query(${params}, $assume: Assumption) { ${field}(${args}, assume: $assume) { whatIf { before ${body} } } }`,
          { ...vars, assume: {} },
          key,
        );
        expect(plain.errors).toBeUndefined();
        expect(assumed.errors).toBeUndefined();
        expect(plain.data?.[field]).toBeTruthy();
        expect(assumed.data?.[field]?.whatIf).toEqual({ before: plain.data?.[field] });
      }
    }
  });

  it('nothing was written', async () => {
    expect(await snapshot(t.db, p)).toBe(before);
  });
});
