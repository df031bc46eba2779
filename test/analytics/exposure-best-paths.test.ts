/**
 * exposure reads its up to 1000 candidate paths as sketches (node ids and edge types), scores them,
 * then reads in full only the best path of each threat, and only when the query selects `bestPath`
 * (issue 16 target 4, docs/ANALYTICS.md). These tests hold that answer to the one riskPaths gives
 * for the same threat and device, and check the selection rules (fragments, @include / @skip).
 */
import { KEYS, startTestApp, testDatabase, type TestApp } from '../helpers/app';
import { freshSeed } from '../helpers/seed';

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

describe('exposure reads the best paths in full only', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '60000' });
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
