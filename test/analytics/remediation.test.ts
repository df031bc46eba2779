/**
 * Known-exploited flaws in scope drift, and remediation, on a hand-built graph:
 *
 *   release line: R175 <-SUPERSEDES- R176 <- R177 <- R1775;  R176 <- R180 <- R1831
 *   (versions 17.5, 17.6, 17.7, 17.7.5, 18.0, 18.3.1; R176 support ends 2025-09-15)
 *   V1 (KEV added 2025-02-12, due 2025-03-05) AFFECTS R176, R177, R180
 *   V2 (KEV added 2025-01-10, due 2025-07-01) AFFECTS R176
 *   V3 (KEV) AFFECTS R176 with vexState NOT_AFFECTED;  V4 (not in KEV) AFFECTS R176
 *   V5 (KEV, RESTRICTED) AFFECTS R176 and R1775
 *   DEP1 OF DX RUNS R176; CA -CERTIFIES {17.0..17.9}-> DX; CB -CERTIFIES {17.0..17}-> DX
 *   DEP2 OF DY RUNS R176; CC -CERTIFIES {17.0..17.6}-> DY
 *
 * Worked by hand: for an UNCLASSIFIED analyst the fleet's flaws are V1, V2; R177 and R180 still
 * have V1; R1775 is the lowest fix (17.7.5), inside CA and CB, outside CC. A SECRET analyst also
 * sees V5, which R1775 still has: the lowest fix becomes R1831 (18.3.1), outside CA and CB.
 */
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { buildGraph } from './graph';

interface Ref {
  id: string;
}
interface RemediationOut {
  remediation: {
    asOf: string;
    osRelease: Ref | null;
    knownExploited: Ref[];
    candidates: { release: Ref; distance: number; fixesAll: boolean; stillAffectedBy: Ref[] }[];
    lowestFix: Ref | null;
    certifications: { certification: Ref; holds: boolean; currentInScope: boolean; fixInScope: boolean | null; explanation: string }[];
    fixKeepsScope: boolean;
    explanation: string;
    truncated: boolean;
  };
}
const REMEDIATION = `query($id: ID!, $asOf: Date) { remediation(deploymentId: $id, asOf: $asOf) {
  asOf osRelease { id } knownExploited { id } candidates { release { id } distance fixesAll stillAffectedBy { id } } lowestFix { id }
  certifications { certification { id } holds currentInScope fixInScope explanation } fixKeepsScope explanation truncated } }`;

interface DriftOut {
  scopeDrift: {
    atRiskCount: number;
    driftingCount: number;
    deployments: {
      deployment: Ref;
      inScope: boolean;
      atRisk: boolean;
      findings: { reason: string; explanation: string; vulnerability: Ref | null; date: string | null; certification: Ref | null }[];
    }[];
  };
}
const DRIFT = `query($id: ID!, $asOf: Date) { scopeDrift(deploymentId: $id, asOf: $asOf) { atRiskCount driftingCount
  deployments { deployment { id } inScope atRisk findings { reason explanation vulnerability { id } date certification { id } } } } }`;

describe('known-exploited flaws: scope drift and remediation', () => {
  let t: TestApp;
  const p = uniquePrefix('remediation');
  const strip = (id: string | undefined) => (id ?? '').slice(p.length);
  const ids = (list: readonly Ref[] | undefined) => (list ?? []).map((n) => strip(n.id));

  beforeAll(async () => {
    t = await startTestApp();
    const cert = { kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' };
    const rel = (version: string, releasedAt: string, supportEndsAt = '2026-12-31') => ({ kind: 'OS_RELEASE', version, releasedAt, supportEndsAt });
    await buildGraph(
      t.db,
      p,
      [
        ['Device', 'DX', { category: 'TABLET' }],
        ['Device', 'DY', { category: 'TABLET' }],
        ['Deployment', 'DEP1', { osVersion: '17.6' }],
        ['Deployment', 'DEP2', { osVersion: '17.6' }],
        ['Certification', 'CA', cert],
        ['Certification', 'CB', cert],
        ['Certification', 'CC', cert],
        ['Component', 'R175', rel('17.5', '2024-05-13')],
        ['Component', 'R176', rel('17.6', '2024-07-29', '2025-09-15')],
        ['Component', 'R177', rel('17.7', '2024-09-16')],
        ['Component', 'R1775', rel('17.7.5', '2025-02-10')],
        ['Component', 'R180', rel('18.0', '2024-09-16')],
        ['Component', 'R1831', rel('18.3.1', '2025-02-10')],
        ['Vulnerability', 'V1', { knownExploited: true, kevDateAdded: '2025-02-12', kevDueDate: '2025-03-05' }],
        ['Vulnerability', 'V2', { knownExploited: true, kevDateAdded: '2025-01-10', kevDueDate: '2025-07-01' }],
        ['Vulnerability', 'V3', { knownExploited: true, kevDateAdded: '2025-01-10', kevDueDate: '2025-01-31' }],
        ['Vulnerability', 'V4', { knownExploited: false }],
        ['Vulnerability', 'V5', { knownExploited: true, kevDateAdded: '2025-01-10', kevDueDate: '2025-01-31', classification: 'RESTRICTED' }],
      ],
      [
        ['OF', 'DEP1', 'DX'],
        ['RUNS', 'DEP1', 'R176'],
        ['OF', 'DEP2', 'DY'],
        ['RUNS', 'DEP2', 'R176'],
        ['CERTIFIES', 'CA', 'DX', { minOsVersion: '17.0', maxOsVersion: '17.9' }],
        ['CERTIFIES', 'CB', 'DX', { minOsVersion: '17.0', maxOsVersion: '17' }],
        ['CERTIFIES', 'CC', 'DY', { minOsVersion: '17.0', maxOsVersion: '17.6' }],
        ['SUPERSEDES', 'R176', 'R175'],
        ['SUPERSEDES', 'R177', 'R176'],
        ['SUPERSEDES', 'R1775', 'R177'],
        ['SUPERSEDES', 'R180', 'R176'],
        ['SUPERSEDES', 'R1831', 'R180'],
        ['AFFECTS', 'V1', 'R176', { vexState: 'AFFECTED' }],
        ['AFFECTS', 'V1', 'R177'],
        ['AFFECTS', 'V1', 'R180'],
        ['AFFECTS', 'V2', 'R176'],
        ['AFFECTS', 'V3', 'R176', { vexState: 'NOT_AFFECTED' }],
        ['AFFECTS', 'V4', 'R176'],
        ['AFFECTS', 'V5', 'R176'],
        ['AFFECTS', 'V5', 'R1775'],
      ],
    );
  });

  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  it('scopeDrift names the known-exploited CVEs, the past due date and the support end; inScope is kept, atRisk is set', async () => {
    const r = await t.run<DriftOut>(DRIFT, { id: `${p}DEP1`, asOf: '2025-06-01' }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(r.errors).toBeUndefined();
    const d = r.data?.scopeDrift;
    expect(d?.driftingCount).toBe(0);
    expect(d?.atRiskCount).toBe(1);
    expect(d?.deployments[0]?.inScope).toBe(true);
    expect(d?.deployments[0]?.atRisk).toBe(true);
    // V3 is stopped by its VEX statement, V4 is not known-exploited, V5 is hidden; V2 is due 2025-07-01, after asOf
    expect(d?.deployments[0]?.findings.map((f) => [f.reason, strip(f.vulnerability?.id), f.date, f.certification])).toEqual([
      ['KNOWN_EXPLOITED', 'V1', null, null],
      ['KEV_PAST_DUE', 'V1', '2025-03-05', null],
      ['KNOWN_EXPLOITED', 'V2', null, null],
    ]);

    // later: support ended on 2025-09-15 and V2's due date has passed
    const late = await t.run<DriftOut>(DRIFT, { id: `${p}DEP1`, asOf: '2025-10-01' }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(late.data?.scopeDrift.deployments[0]?.findings.map((f) => [f.reason, strip(f.vulnerability?.id), f.date])).toEqual([
      ['OS_SUPPORT_ENDED', '', '2025-09-15'],
      ['KNOWN_EXPLOITED', 'V1', null],
      ['KEV_PAST_DUE', 'V1', '2025-03-05'],
      ['KNOWN_EXPLOITED', 'V2', null],
      ['KEV_PAST_DUE', 'V2', '2025-07-01'],
    ]);
    expect(late.data?.scopeDrift.deployments[0]?.findings[0]?.explanation).toBe(`support for ${p}R176 ended on 2025-09-15, before 2025-10-01`);

    // a SECRET analyst also sees V5
    const secret = await t.run<DriftOut>(DRIFT, { id: `${p}DEP1`, asOf: '2025-06-01' }, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    expect(secret.data?.scopeDrift.deployments[0]?.findings.map((f) => [f.reason, strip(f.vulnerability?.id)])).toEqual([
      ['KNOWN_EXPLOITED', 'V1'],
      ['KEV_PAST_DUE', 'V1'],
      ['KNOWN_EXPLOITED', 'V2'],
      ['KNOWN_EXPLOITED', 'V5'],
      ['KEV_PAST_DUE', 'V5'],
    ]);
  });

  it('remediation: the lowest release fixing every flaw the caller can see, inside both certified ranges', async () => {
    const r = await t.run<RemediationOut>(REMEDIATION, { id: `${p}DEP1`, asOf: '2025-06-01' }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(r.errors).toBeUndefined();
    const m = r.data?.remediation;
    expect(m?.asOf).toBe('2025-06-01');
    expect(strip(m?.osRelease?.id)).toBe('R176');
    expect(ids(m?.knownExploited)).toEqual(['V1', 'V2']);
    expect(m?.candidates.map((c) => [strip(c.release.id), c.distance, c.fixesAll, ids(c.stillAffectedBy)])).toEqual([
      ['R177', 1, false, ['V1']],
      ['R1775', 2, true, []],
      ['R180', 1, false, ['V1']],
      ['R1831', 2, true, []],
    ]);
    expect(strip(m?.lowestFix?.id)).toBe('R1775');
    expect(m?.certifications.map((c) => [strip(c.certification.id), c.holds, c.currentInScope, c.fixInScope])).toEqual([
      ['CA', true, true, true],
      ['CB', true, true, true],
    ]);
    expect(m?.fixKeepsScope).toBe(true);
    expect(m?.explanation).toBe(
      `the fix needs R1775 (17.7.5) or later to fix ${p}V1, ${p}V2; it lies inside the certified scope of ${p}CA, ${p}CB, so patching keeps the fleet certified`,
    );
    expect(m?.truncated).toBe(false);
  });

  it('remediation: a SECRET analyst sees V5, so only 18.3.1 fixes everything and patching leaves both scopes', async () => {
    const r = await t.run<RemediationOut>(REMEDIATION, { id: `${p}DEP1`, asOf: '2025-06-01' }, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    expect(r.errors).toBeUndefined();
    const m = r.data?.remediation;
    expect(ids(m?.knownExploited)).toEqual(['V1', 'V2', 'V5']);
    expect(m?.candidates.find((c) => strip(c.release.id) === 'R1775')?.stillAffectedBy.map((v) => strip(v.id))).toEqual(['V5']);
    expect(strip(m?.lowestFix?.id)).toBe('R1831');
    expect(m?.certifications.map((c) => [strip(c.certification.id), c.fixInScope])).toEqual([
      ['CA', false],
      ['CB', false],
    ]);
    expect(m?.certifications[0]?.explanation).toBe(
      `the fix needs R1831 (18.3.1) or later; ${p}CA covers 17.0 to 17.9.x, so patching leaves its certified scope`,
    );
    expect(m?.fixKeepsScope).toBe(false);
    expect(m?.explanation).toBe(
      `the fix needs R1831 (18.3.1) or later to fix ${p}V1, ${p}V2, ${p}V5, but ${p}CA covers 17.0 to 17.9.x; ${p}CB covers 17.0 to 17.x, so patching leaves the certified scope: the scope must be extended, or the risk accepted until it is`,
    );
  });

  it('remediation: a narrower clearance (17.0 to 17.6) is left by the fix', async () => {
    const r = await t.run<RemediationOut>(REMEDIATION, { id: `${p}DEP2`, asOf: '2025-06-01' }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(r.errors).toBeUndefined();
    expect(r.data?.remediation.certifications.map((c) => [strip(c.certification.id), c.currentInScope, c.fixInScope])).toEqual([['CC', true, false]]);
    expect(r.data?.remediation.certifications[0]?.explanation).toBe(
      `the fix needs R1775 (17.7.5) or later; ${p}CC covers 17.0 to 17.6.x, so patching leaves its certified scope`,
    );
  });

  it('remediation: before the fixes shipped, no release fixes everything', async () => {
    // on 2025-02-01: V1 not yet listed (2025-02-12), V2 listed; R1775 and R1831 not out; R177 and R180 fix V2
    const r = await t.run<RemediationOut>(REMEDIATION, { id: `${p}DEP1`, asOf: '2025-02-01' }, ANALYST_KEYS_BY_CLEARANCE.UNCLASSIFIED);
    expect(r.errors).toBeUndefined();
    const m = r.data?.remediation;
    expect(ids(m?.knownExploited)).toEqual(['V2']);
    expect(m?.candidates.map((c) => [strip(c.release.id), c.fixesAll])).toEqual([
      ['R177', true],
      ['R180', true],
    ]);
    expect(strip(m?.lowestFix?.id)).toBe('R177');
  });

  it('remediation needs the analyst role and answers a hidden or missing deployment with NOT_FOUND', async () => {
    const viewer = await t.run(REMEDIATION, { id: `${p}DEP1` }, KEYS.viewer);
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const missing = await t.run(REMEDIATION, { id: `${p}NOPE` }, KEYS.analyst);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.message).toBe(`deploymentId: no node with id "${p}NOPE" is visible to you`);
    const wrong = await t.run(REMEDIATION, { id: `${p}DX` }, KEYS.analyst);
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
