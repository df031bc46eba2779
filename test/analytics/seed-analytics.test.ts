/**
 * The analytics operations of docs/queries/analytics-*.graphql, run against the seed scenario
 * (seed/*.json) with their default variables, with the answers the scenario implies.
 */
import {
  ANALYTICS_QUERY_FILES,
  ANALYTICS_QUERY_NAMES,
  analyticsFilesInCollection,
  readAnalyticsQuery,
  type AnalyticsQueryName,
} from '../helpers/analyticsQueries';
import { KEYS, startTestApp, testDatabase, type TestApp } from '../helpers/app';
import { freshSeed } from '../helpers/seed';

/** The query files this test has run (each must be, see the last test). */
const checked = new Set<AnalyticsQueryName>();
const read = (name: AnalyticsQueryName): string => {
  checked.add(name);
  return readAnalyticsQuery(name);
};
const idsOf = (list: readonly { id: string }[] | undefined) => (list ?? []).map((n) => n.id);

interface Ref {
  id: string;
}
interface PathOut {
  score: number;
  baseScore: number;
  residualFactor: number;
  mitigated: boolean;
  path: { length: number; nodes: Ref[]; edges: { type: string; direction: string }[] };
  steps: { node: Ref; controls: { control: Ref; effectiveness: number }[] }[];
}

/** The exposure operations of the nested describe "exposure reads the best paths in full only". */
const DEVICE = 'device:iphone-15';

const PATH_FIELDS = `
  score baseScore residualFactor mitigated blocked
  target { id }
  path {
    length
    nodes { id }
    edges { type direction from { id } to { id } relationship { type classification vexState role provenance { source } } }
  }
  steps { position node { id } controls { control { id } threat { id } effectiveness effectivenessSource } }`;

const WITH_BEST = `query ($d: ID!) {
  exposure(deviceId: $d, maxHops: 5) {
    score explanation truncated
    threats { threat { id } score pathCount mitigatedPathCount unmitigatedPathCount bestPath { ${PATH_FIELDS} } }
  }
}`;

const WITHOUT_BEST = `query ($d: ID!) {
  exposure(deviceId: $d, maxHops: 5) {
    score explanation truncated
    threats { threat { id } score pathCount mitigatedPathCount unmitigatedPathCount }
  }
}`;

interface ThreatOut {
  threat: { id: string };
  score: number;
  pathCount: number;
  mitigatedPathCount: number;
  unmitigatedPathCount: number;
  bestPath?: Record<string, unknown> & { score: number; path: { nodes: { id: string }[] } };
}
interface ExposureOut {
  exposure: { score: number; explanation: string; truncated: boolean; threats: ThreatOut[] };
}

describe('analytics on the seed scenario', () => {
  let t: TestApp;
  beforeAll(async () => {
    // first runs of these query shapes spend seconds in Cypher planning on a busy 2-core machine
    t = await startTestApp({ QUERY_TIMEOUT_MS: '60000' });
    // the seed is one large transaction: give it more than the app's per-query timeout on a busy machine
    const loader = testDatabase(undefined, 120000);
    try {
      await freshSeed(loader);
    } finally {
      await loader.close();
    }
  }, 300000);
  afterAll(async () => {
    await t.close();
  });

  it('analytics-risk-paths: firmware tampering reaches the iPhone 15 only through mitigated paths, best first', async () => {
    const r = await t.run<{ riskPaths: { source: Ref; totalCount: number; truncated: boolean; paths: PathOut[] } }>(read('risk-paths'), {}, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const rp = r.data?.riskPaths;
    expect(rp?.source.id).toBe('threat:firmware-tampering');
    expect(rp?.truncated).toBe(false);
    expect(rp?.totalCount).toBe(rp?.paths.length);
    expect(rp?.paths.length).toBeGreaterThanOrEqual(2);
    for (const p of rp?.paths ?? []) {
      expect(p.path.nodes[0]?.id).toBe('threat:firmware-tampering');
      expect(p.path.nodes[p.path.nodes.length - 1]?.id).toBe('device:iphone-15');
      expect(p.baseScore).toBe(0.9); // severity 9 × likelihood 0.1
      expect(p.mitigated).toBe(true);
      expect(p.score).toBeCloseTo(p.baseScore * p.residualFactor, 4);
    }
    const scores = (rp?.paths ?? []).map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // best path: through the baseband firmware and modem, only the device's supply-chain verification (0.4) in the way
    expect(idsOf(rp?.paths[0]?.path.nodes)).toEqual(['threat:firmware-tampering', 'component:baseband-firmware', 'component:modem-x70', 'device:iphone-15']);
    expect(rp?.paths[0]).toMatchObject({ score: 0.54, residualFactor: 0.6 });
    expect(rp?.paths[0]?.steps[2]?.controls.map((c) => [c.control.id, c.effectiveness])).toEqual([['control:supply-chain-verification', 0.4]]);
    // the boot-chain route meets verified boot (0.8) at iBoot
    const boot = rp?.paths.find((p) => p.path.nodes[1]?.id === 'component:iboot');
    expect(boot?.steps[0]?.controls.map((c) => c.control.id)).toContain('control:secure-boot-verification');
    expect(boot?.score ?? 1).toBeLessThan(rp?.paths[0]?.score ?? 0);
  });

  it('analytics-exposure: eight threats reach the iPhone 15, all through mitigated paths, combined as documented', async () => {
    const r = await t.run<{
      exposure: {
        device: Ref;
        score: number;
        explanation: string;
        threats: { threat: Ref; score: number; pathCount: number; mitigatedPathCount: number; unmitigatedPathCount: number; bestPath: { score: number } }[];
      };
    }>(read('exposure'), {}, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const e = r.data?.exposure;
    expect(e?.device.id).toBe('device:iphone-15');
    expect(idsOf(e?.threats.map((x) => x.threat)).sort()).toEqual([
      'threat:counterfeit-components',
      'threat:cyber-intrusion',
      'threat:data-leakage-apps',
      'threat:data-leakage-cloud',
      'threat:firmware-tampering',
      'threat:kernel-privilege-escalation',
      'threat:third-party-software',
      'threat:unauthorized-access',
    ]);
    // zero-click spyware targets iOS 16.6 only, which the iPhone 15 does not run
    expect(idsOf(e?.threats.map((x) => x.threat))).not.toContain('threat:zero-click-spyware');
    expect(e?.threats[0]).toMatchObject({ threat: { id: 'threat:unauthorized-access' }, score: 1.26 });
    for (const x of e?.threats ?? []) {
      expect(x.unmitigatedPathCount).toBe(0);
      expect(x.mitigatedPathCount).toBe(x.pathCount);
      expect(x.bestPath.score).toBe(x.score);
    }
    const expected = 10 * (1 - (e?.threats ?? []).reduce((acc, x) => acc * (1 - x.score / 10), 1));
    expect(e?.score).toBeCloseTo(expected, 3);
    expect(e?.explanation).toMatch(/^8 threat\(s\) reach the device, 0 of them/);
  });

  it('analytics-blast-radius: CVE-2025-24200 puts the iOS 18 / iPadOS releases, their devices, fleets and clearances at risk', async () => {
    const r = await t.run<{
      blastRadius: {
        source: Ref;
        components: { node: Ref; hops: number }[];
        devices: { node: Ref; hops: number }[];
        deployments: { node: Ref; hops: number; path: { edges: { type: string }[] } }[];
        certifications: { certification: Ref; affectedAsset: Ref; hops: number }[];
      };
    }>(read('blast-radius'), {}, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const b = r.data?.blastRadius;
    expect(idsOf(b?.components.map((h) => h.node))).toEqual(['component:ios-18.0', 'component:ipados-17.6', 'component:ipados-18.0']);
    expect(idsOf(b?.devices.map((h) => h.node))).toEqual(expect.arrayContaining(['device:ipad-pro-m4', 'device:iphone-15', 'device:iphone-15-pro']));
    const deployments = b?.deployments ?? [];
    expect(deployments.slice(0, 2).map((h) => [h.node.id, h.hops, h.path.edges.map((e) => e.type).join('>')])).toEqual([
      ['deployment:field-iphone-15-pro-ios18', 2, 'AFFECTS>RUNS'],
      ['deployment:field-planners-ipad-pro', 2, 'AFFECTS>RUNS'],
    ]);
    expect(idsOf(b?.certifications.map((c) => c.certification))).toEqual(
      expect.arrayContaining(['cert:nato-clearance-2024', 'cert:national-approval-2024', 'cert:independent-evaluation-2024']),
    );
    expect(b?.certifications.find((c) => c.certification.id === 'cert:nato-clearance-2024')?.affectedAsset.id).toMatch(/^device:/);
    // the certified crypto module is not reachable from this vulnerability
    expect(idsOf(b?.certifications.map((c) => c.certification))).not.toContain('cert:corecrypto-validation');
  });

  it('analytics-certification-lineage: the NATO clearance holds on 2025-06-01; the replaced 2023 approval does not', async () => {
    const r = await t.run<{
      certificationLineage: {
        holds: boolean;
        entries: { certification: Ref; depth: number; holds: boolean; findings: { reason: string; relatedCertification: Ref | null }[] }[];
        links: { type: string; from: Ref; to: Ref; holds: boolean }[];
      };
    }>(read('certification-lineage'), {}, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const l = r.data?.certificationLineage;
    expect(l?.holds).toBe(true);
    expect(l?.entries.map((e) => [e.certification.id, e.depth, e.holds])).toEqual([
      ['cert:nato-clearance-2024', 0, true],
      ['cert:independent-evaluation-2024', 1, true],
      ['cert:national-approval-2024', 1, true],
      ['cert:corecrypto-validation', 2, true],
      ['cert:national-approval-2023', 2, false],
    ]);
    expect(l?.entries[4]?.findings.map((f) => [f.reason, f.relatedCertification?.id ?? null])).toEqual([
      ['EXPIRED', null],
      ['SUPERSEDED', 'cert:national-approval-2024'],
    ]);
    expect(l?.links.filter((k) => k.type === 'BASED_ON').every((k) => k.holds)).toBe(true);

    // before the clearance was issued (2024-10-15) it does not hold yet, though its bases do
    const before = await t.run<{ certificationLineage: { holds: boolean; entries: { certification: Ref; findings: { reason: string }[] }[] } }>(
      read('certification-lineage'),
      { asOf: '2024-09-01' },
      KEYS.analyst,
    );
    expect(before.data?.certificationLineage.holds).toBe(false);
    expect(before.data?.certificationLineage.entries[0]?.findings.map((f) => f.reason)).toEqual(['NOT_YET_ISSUED']);

    // the 2023 approval was valid until 2024-01-31 (its status history: ACTIVE from 2023-02-01, EXPIRED from 2024-02-01)
    type Lineage = { certificationLineage: { holds: boolean; entries: { findings: { reason: string; explanation: string }[] }[] } };
    const approval = (asOf: string) =>
      t.run<Lineage>(
        `query($asOf: Date) { certificationLineage(certificationId: "cert:national-approval-2023", asOf: $asOf) { holds entries { findings { reason explanation } } } }`,
        { asOf },
        KEYS.analyst,
      );
    expect((await approval('2024-01-01')).data?.certificationLineage.holds).toBe(true);
    expect((await approval('2024-01-31')).data?.certificationLineage.holds).toBe(true);
    expect((await approval('2024-02-01')).data?.certificationLineage.entries[0]?.findings.map((f) => f.reason)).toEqual(['EXPIRED']);
  });

  it('analytics-scope-drift: the field command iPhone 15 Pro fleet on iOS 18 is outside the 17.0-17.9 scope, the iPad fleet is inside; both run a release with CVE-2025-24200 past its KEV due date', async () => {
    type Finding = { reason: string; certification: Ref | null; vulnerability: Ref | null; date: string | null };
    const r = await t.run<{
      scopeDrift: {
        driftingCount: number;
        atRiskCount: number;
        deployments: { deployment: Ref; osVersion: string | null; inScope: boolean; atRisk: boolean; coveredBy: Ref[]; findings: Finding[] }[];
      };
    }>(read('scope-drift'), {}, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const d = r.data?.scopeDrift;
    expect(d?.driftingCount).toBe(1);
    expect(d?.atRiskCount).toBe(2);
    expect(d?.deployments.map((x) => [x.deployment.id, x.osVersion, x.inScope, x.atRisk])).toEqual([
      ['deployment:field-iphone-15-pro-ios18', '18.0', false, true],
      ['deployment:field-planners-ipad-pro', '17.6', true, true],
    ]);
    // CVE-2025-24200 (seed/05-threats.json): AFFECTS iOS 18.0 and iPadOS 17.6, KEV added 2025-02-12, due 2025-03-05 < 2025-06-01
    const row = (f: Finding) => [f.reason, f.certification?.id ?? null, f.vulnerability?.id ?? null, f.date];
    expect(d?.deployments[0]?.findings.map(row)).toEqual([
      ['OS_NEWER_THAN_SCOPE', 'cert:independent-evaluation-2024', null, null],
      ['OS_NEWER_THAN_SCOPE', 'cert:national-approval-2024', null, null],
      ['OS_NEWER_THAN_SCOPE', 'cert:nato-clearance-2024', null, null],
      ['KNOWN_EXPLOITED', null, 'CVE-2025-24200', null],
      ['KEV_PAST_DUE', null, 'CVE-2025-24200', '2025-03-05'],
    ]);
    expect(d?.deployments[1]?.findings.map(row)).toEqual([
      ['KNOWN_EXPLOITED', null, 'CVE-2025-24200', null],
      ['KEV_PAST_DUE', null, 'CVE-2025-24200', '2025-03-05'],
    ]);
    expect(idsOf(d?.deployments[1]?.coveredBy)).toContain('cert:nato-clearance-2024');

    // before CISA listed it (2025-02-12) the iPad fleet had no finding at all
    const early = await t.run<{ scopeDrift: { deployments: { findings: Finding[] }[] } }>(read('scope-drift'), { asOf: '2025-02-01' }, KEYS.analyst);
    expect(early.data?.scopeDrift.deployments[1]?.findings).toEqual([]);

    // the civil protection agency: an uncleared Android model and an iPhone 12 on an expired, replaced approval
    const civil = await t.run<{ scopeDrift: { driftingCount: number; deployments: { deployment: Ref; findings: { reason: string }[] }[] } }>(
      read('scope-drift'),
      { organizationId: 'org:civil-protection-agency' },
      KEYS.analyst,
    );
    expect(civil.errors).toBeUndefined();
    const byId = new Map(civil.data?.scopeDrift.deployments.map((x) => [x.deployment.id, x.findings.map((f) => f.reason)]));
    expect(civil.data?.scopeDrift.driftingCount).toBe(2);
    expect(byId.get('deployment:civil-galaxy-s24')).toEqual(['DEVICE_NOT_COVERED']);
    expect(byId.get('deployment:civil-iphone-12')).toContain('CERTIFICATION_NOT_VALID');
    // iOS 16.6: support ended 2024-09-16; CVE-2023-41064 (due 2023-10-02) and CVE-2024-23225 (due 2024-03-27) affect it
    expect(byId.get('deployment:civil-iphone-12')?.slice(-5)).toEqual([
      'OS_SUPPORT_ENDED',
      'KNOWN_EXPLOITED',
      'KEV_PAST_DUE',
      'KNOWN_EXPLOITED',
      'KEV_PAST_DUE',
    ]);
  });

  it('analytics-remediation: the iPad fleet on iPadOS 17.6 is fixed by iPadOS 17.7.5, inside the clearance scope 17.5-17.9', async () => {
    const r = await t.run<{
      remediation: {
        osRelease: Ref;
        knownExploited: Ref[];
        candidates: { release: Ref; distance: number; fixesAll: boolean; stillAffectedBy: Ref[] }[];
        lowestFix: Ref | null;
        certifications: {
          certification: Ref;
          minOsVersion: string;
          maxOsVersion: string;
          holds: boolean;
          currentInScope: boolean;
          fixInScope: boolean | null;
          explanation: string;
        }[];
        fixKeepsScope: boolean;
        explanation: string;
      };
    }>(read('remediation'), {}, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const m = r.data?.remediation;
    expect(m?.osRelease.id).toBe('component:ipados-17.6');
    expect(idsOf(m?.knownExploited)).toEqual(['CVE-2025-24200']);
    // 17.7.5 < 18.0 by version; 18.0 is still affected (seed AFFECTS), 17.7.5 has no AFFECTS edge
    expect(m?.candidates.map((c) => [c.release.id, c.distance, c.fixesAll, idsOf(c.stillAffectedBy)])).toEqual([
      ['component:ipados-17.7.5', 1, true, []],
      ['component:ipados-18.0', 1, false, ['CVE-2025-24200']],
    ]);
    expect(m?.lowestFix?.id).toBe('component:ipados-17.7.5');
    expect(m?.certifications.map((c) => [c.certification.id, c.minOsVersion, c.maxOsVersion, c.currentInScope, c.fixInScope])).toEqual([
      ['cert:independent-evaluation-2024', '17.5', '17.9', true, true],
      ['cert:national-approval-2024', '17.5', '17.9', true, true],
      ['cert:nato-clearance-2024', '17.5', '17.9', true, true],
    ]);
    expect(m?.certifications.find((c) => c.certification.id === 'cert:nato-clearance-2024')?.explanation).toBe(
      'the fix needs iPadOS 17.7.5 or later; cert:nato-clearance-2024 covers 17.5 to 17.9.x, so patching keeps its certified scope',
    );
    expect(m?.fixKeepsScope).toBe(true);
    expect(m?.explanation).toMatch(
      /^the fix needs iPadOS 17\.7\.5 or later to fix CVE-2025-24200; it lies inside the certified scope of .*cert:nato-clearance-2024.*, so patching keeps the fleet certified$/,
    );

    // the iPhone 15 Pro fleet on iOS 18.0: no newer iOS 18 release is in the seed
    const ios = await t.run<{ remediation: { lowestFix: Ref | null; explanation: string } }>(
      read('remediation'),
      { deploymentId: 'deployment:field-iphone-15-pro-ios18' },
      KEYS.analyst,
    );
    expect(ios.errors).toBeUndefined();
    expect(ios.data?.remediation.lowestFix).toBeNull();
    expect(ios.data?.remediation.explanation).toBe(
      'iOS 18.0 is affected by known-exploited CVE-2025-24200, and no newer release of its line out by 2025-06-01 fixes it (no newer release is recorded)',
    );
  });

  /**
   * exposure reads its up to 1000 candidate paths as sketches (node ids and edge types), scores
   * them, then reads in full only the best path of each threat, and only when the query selects
   * `bestPath` (issue 16 target 4, docs/ANALYTICS.md): each answer held to the one riskPaths gives
   * for the same threat and device, and the selection rules (fragments, @include / @skip).
   */
  describe('exposure reads the best paths in full only', () => {
    it("each threat's bestPath is the first path riskPaths gives from that threat to the device, in full", async () => {
      const r = await t.run<ExposureOut>(WITH_BEST, { d: DEVICE }, KEYS.analyst);
      expect(r.errors).toBeUndefined();
      const threats = r.data?.exposure.threats ?? [];
      expect(threats.length).toBe(8);
      // the sketch read, then one read of the best paths (same transaction)
      expect(r.roundTrips).toBe(2);
      for (const x of threats) {
        const rp = await t.run<{ riskPaths: { totalCount: number; paths: Record<string, unknown>[] } }>(
          `query ($from: ID!, $to: ID!) { riskPaths(from: $from, to: $to, maxHops: 5, includeMitigated: true, first: 1) { totalCount paths { ${PATH_FIELDS} } } }`,
          { from: x.threat.id, to: DEVICE },
          KEYS.analyst,
        );
        expect(rp.errors).toBeUndefined();
        expect(rp.data?.riskPaths.totalCount).toBe(x.pathCount);
        expect(x.bestPath).toEqual(rp.data?.riskPaths.paths[0]);
        expect(x.bestPath?.score).toBe(x.score);
        expect(x.bestPath?.path.nodes[0]?.id).toBe(x.threat.id);
      }
    });

    it('without bestPath selected the answer is the same and no path is read in full (one round trip)', async () => {
      const full = await t.run<ExposureOut>(WITH_BEST, { d: DEVICE }, KEYS.analyst);
      const lean = await t.run<ExposureOut>(WITHOUT_BEST, { d: DEVICE }, KEYS.analyst);
      expect(lean.errors).toBeUndefined();
      expect(lean.roundTrips).toBe(1);
      const strip = (e: ExposureOut['exposure'] | undefined) => ({ ...e, threats: (e?.threats ?? []).map(({ bestPath: _omit, ...rest }) => rest) });
      expect(strip(lean.data?.exposure)).toEqual(strip(full.data?.exposure));
      expect(lean.data?.exposure.threats.length).toBe(8);
    });

    it('bestPath asked for through a fragment spread, an inline fragment or @skip(if: false) is read; under @include(if: false) it is not', async () => {
      const spread = await t.run<ExposureOut>(
        `query ($d: ID!) { exposure(deviceId: $d) { ...E } }
         fragment E on Exposure { threats { threat { id } ...B } }
         fragment B on ThreatExposure { bestPath { score path { nodes { id } } } }`,
        { d: DEVICE },
        KEYS.analyst,
      );
      expect(spread.errors).toBeUndefined();
      expect(spread.roundTrips).toBe(2);
      expect(spread.data?.exposure.threats.every((x) => x.bestPath?.path.nodes[0]?.id === x.threat.id)).toBe(true);

      const inline = await t.run<ExposureOut>(
        `query ($d: ID!) { exposure(deviceId: $d) { threats { ... on ThreatExposure { threat { id } bestPath @skip(if: false) { score } } } } }`,
        { d: DEVICE },
        KEYS.analyst,
      );
      expect(inline.errors).toBeUndefined();
      expect(inline.roundTrips).toBe(2);
      expect(inline.data?.exposure.threats.every((x) => typeof x.bestPath?.score === 'number')).toBe(true);

      const skipped = await t.run<ExposureOut>(
        `query ($d: ID!, $show: Boolean!) { exposure(deviceId: $d) { threats { threat { id } bestPath @include(if: $show) { score } } } }`,
        { d: DEVICE, show: false },
        KEYS.analyst,
      );
      expect(skipped.errors).toBeUndefined();
      expect(skipped.roundTrips).toBe(1);
      expect(skipped.data?.exposure.threats.length).toBe(8);
      expect(skipped.data?.exposure.threats.every((x) => x.bestPath === undefined)).toBe(true);
    });
  });

  it('has checked every analytics file of docs/queries (the registry query-collection relies on)', () => {
    expect(analyticsFilesInCollection()).toEqual([...ANALYTICS_QUERY_FILES].sort());
    expect([...checked].sort()).toEqual([...ANALYTICS_QUERY_NAMES].sort());
  });
});
