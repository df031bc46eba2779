/**
 * Certification lineage as of a date, and certification-scope drift, on hand-built graphs:
 *
 *   NATO (2024-01-01..2027-12-31) -BASED_ON-> NAT (2023-06-01..2026-06-30) -BASED_ON-> CC (2022-01-01..2024-12-31)
 *   CCNEW (issued 2025-01-15) -SUPERSEDES-> CC;  NATO -ISSUED_BY-> NATOORG;  CC -EVALUATED_BY-> LAB;  CC -ASSESSED_AGAINST-> PP
 *
 *   OP operates DEP1 (DX, RUNS OS 17.10), DEP2 (DX, RUNS OS 18.0), DEP3 (DX, osVersion 17.3.9), DEP4 (DY)
 *   CX -CERTIFIES {min 17.4, max 17}-> DX; CX REQUIRES K1 (DX's part implements it) and K2 (DX implements K2ALT -MAPS_TO-> K2)
 *   OP2 operates DEP5 (DZ); CZ (expired 2024-12-31) CERTIFIES DZ and REQUIRES K3, which nothing implements
 *
 * Status history (recorded through recordStatusChanges, the one write path):
 *   SUSP (2024-01-01..2027-12-31) SUSPENDED from 2025-03-01; TOP -BASED_ON-> SUSP; SUSP CERTIFIES DS; OP3 operates DEP6 (DS)
 *   EXPV (2024-01-01..2025-06-30) ACTIVE from 2024-01-01, no EXPIRED entry; LEGACY (status SUSPENDED, no history)
 */
import { recordStatusChanges } from '../../src/store/statusHistoryStore';
import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { buildGraph } from './graph';

interface LineageOut {
  certificationLineage: {
    root: { id: string };
    asOf: string;
    holds: boolean;
    truncated: boolean;
    entries: {
      depth: number;
      holds: boolean;
      certification: { id: string; issuer: { name: string } | null; assessor: { name: string } | null; standards: { totalCount: number } };
      findings: { reason: string; explanation: string; relatedCertification: { id: string } | null }[];
    }[];
    links: { type: string; from: { id: string }; to: { id: string }; holds: boolean }[];
  };
}
const LINEAGE = `query($id: ID!, $asOf: Date) { certificationLineage(certificationId: $id, asOf: $asOf) {
  root { id } asOf holds truncated
  entries { depth holds certification { id issuer { name } assessor { name } standards { totalCount } } findings { reason explanation relatedCertification { id } } }
  links { type from { id } to { id } holds } } }`;

interface DriftOut {
  scopeDrift: {
    asOf: string;
    driftingCount: number;
    truncated: boolean;
    deployments: {
      deployment: { id: string };
      device: { id: string } | null;
      osRelease: { id: string } | null;
      osVersion: string | null;
      inScope: boolean;
      coveredBy: { id: string }[];
      findings: { reason: string; explanation: string; certification: { id: string } | null; control: { id: string } | null }[];
    }[];
  };
}
const DRIFT = `query($org: ID, $dep: ID, $asOf: Date, $only: Boolean) { scopeDrift(organizationId: $org, deploymentId: $dep, asOf: $asOf, onlyDrifting: $only) {
  asOf driftingCount truncated
  deployments { deployment { id } device { id } osRelease { id } osVersion inScope coveredBy { id } findings { reason explanation certification { id } control { id } } } } }`;

describe('certification lineage and scope drift', () => {
  let t: TestApp;
  const p = uniquePrefix('lineage');
  const strip = (id: string | undefined) => (id ?? '').slice(p.length);

  beforeAll(async () => {
    t = await startTestApp();
    await buildGraph(
      t.db,
      p,
      [
        ['Certification', 'NATO', { kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'NAT', { kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2023-06-01', validUntil: '2026-06-30' }],
        ['Certification', 'CC', { kind: 'EVALUATION', status: 'ACTIVE', issuedAt: '2022-01-01', validUntil: '2024-12-31' }],
        ['Certification', 'CCNEW', { kind: 'EVALUATION', status: 'ACTIVE', issuedAt: '2025-01-15', validUntil: '2029-12-31' }],
        ['Organization', 'NATOORG', { kind: 'ALLIANCE' }],
        ['Organization', 'LAB', { kind: 'ASSESSOR' }],
        ['Standard', 'PP', { publisher: 'test' }],
        ['Organization', 'OP', { kind: 'OPERATOR' }],
        ['Organization', 'OP2', { kind: 'OPERATOR' }],
        ['Device', 'DX', { category: 'PHONE' }],
        ['Device', 'DY', { category: 'PHONE' }],
        ['Device', 'DZ', { category: 'TABLET' }],
        ['Component', 'PART', { kind: 'SECURITY_HARDWARE' }],
        ['Component', 'OS1710', { kind: 'OS_RELEASE', version: '17.10' }],
        ['Component', 'OS18', { kind: 'OS_RELEASE', version: '18.0' }],
        ['Deployment', 'DEP1', { deviceCount: 10 }],
        ['Deployment', 'DEP2', { deviceCount: 10 }],
        ['Deployment', 'DEP3', { deviceCount: 10, osVersion: '17.3.9' }],
        ['Deployment', 'DEP4', { deviceCount: 10, osVersion: '17.5' }],
        ['Deployment', 'DEP5', { deviceCount: 10, osVersion: '17.5' }],
        ['Certification', 'CX', { kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'CZ', { kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2020-01-01', validUntil: '2024-12-31' }],
        ['Control', 'K1', { framework: 'test' }],
        ['Control', 'K2', { framework: 'test' }],
        ['Control', 'K2ALT', { framework: 'other' }],
        ['Control', 'K3', { framework: 'test' }],
        ['Certification', 'SUSP', { kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'TOP', { kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Certification', 'EXPV', { kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2025-06-30' }],
        ['Certification', 'LEGACY', { kind: 'CERTIFICATE', status: 'SUSPENDED', issuedAt: '2024-01-01', validUntil: '2027-12-31' }],
        ['Organization', 'OP3', { kind: 'OPERATOR' }],
        ['Device', 'DS', { category: 'PHONE' }],
        ['Deployment', 'DEP6', { deviceCount: 5, osVersion: '17.5' }],
      ],
      [
        ['BASED_ON', 'NATO', 'NAT'],
        ['BASED_ON', 'NAT', 'CC'],
        ['SUPERSEDES', 'CCNEW', 'CC'],
        ['ISSUED_BY', 'NATO', 'NATOORG'],
        ['EVALUATED_BY', 'CC', 'LAB'],
        ['ASSESSED_AGAINST', 'CC', 'PP'],
        ['OPERATES', 'OP', 'DEP1'],
        ['OPERATES', 'OP', 'DEP2'],
        ['OPERATES', 'OP', 'DEP3'],
        ['OPERATES', 'OP', 'DEP4'],
        ['OPERATES', 'OP2', 'DEP5'],
        ['OF', 'DEP1', 'DX'],
        ['OF', 'DEP2', 'DX'],
        ['OF', 'DEP3', 'DX'],
        ['OF', 'DEP4', 'DY'],
        ['OF', 'DEP5', 'DZ'],
        ['RUNS', 'DEP1', 'OS1710'],
        ['RUNS', 'DEP2', 'OS18'],
        ['CERTIFIES', 'CX', 'DX', { minOsVersion: '17.4', maxOsVersion: '17' }],
        ['REQUIRES', 'CX', 'K1'],
        ['REQUIRES', 'CX', 'K2'],
        ['HAS_COMPONENT', 'DX', 'PART'],
        ['IMPLEMENTS', 'PART', 'K1'],
        ['IMPLEMENTS', 'DX', 'K2ALT'],
        ['MAPS_TO', 'K2ALT', 'K2'],
        ['CERTIFIES', 'CZ', 'DZ'],
        ['REQUIRES', 'CZ', 'K3'],
        ['BASED_ON', 'TOP', 'SUSP'],
        ['CERTIFIES', 'SUSP', 'DS'],
        ['OPERATES', 'OP3', 'DEP6'],
        ['OF', 'DEP6', 'DS'],
      ],
    );
    await t.db.writeTransaction(undefined, (tx) =>
      recordStatusChanges(tx, [
        { certificationId: `${p}SUSP`, status: 'SUSPENDED', effectiveFrom: '2025-03-01', reason: 'audit finding', source: 'test' },
        { certificationId: `${p}EXPV`, status: 'ACTIVE', effectiveFrom: '2024-01-01', source: 'test' },
      ]),
    );
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  it('lineage: every link holds while the base evaluation is valid, with issuer, assessor and standards', async () => {
    const r = await t.run<LineageOut>(LINEAGE, { id: `${p}NATO`, asOf: '2024-06-01' }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const l = r.data?.certificationLineage;
    expect(l?.holds).toBe(true);
    expect(l?.asOf).toBe('2024-06-01');
    expect(l?.entries.map((e) => [strip(e.certification.id), e.depth, e.holds])).toEqual([
      ['NATO', 0, true],
      ['NAT', 1, true],
      ['CC', 2, true],
      ['CCNEW', 3, false],
    ]);
    expect(l?.entries[3]?.findings.map((f) => f.reason)).toEqual(['NOT_YET_ISSUED']);
    expect(l?.entries[0]?.certification.issuer?.name).toBe('NATOORG');
    expect(l?.entries[2]?.certification.assessor?.name).toBe('LAB');
    expect(l?.entries[2]?.certification.standards.totalCount).toBe(1);
    expect(l?.links.map((k) => [k.type, strip(k.from.id), strip(k.to.id), k.holds])).toEqual([
      ['BASED_ON', 'NAT', 'CC', true],
      ['BASED_ON', 'NATO', 'NAT', true],
      ['SUPERSEDES', 'CCNEW', 'CC', false],
    ]);
  });

  it('lineage: an expired, superseded base evaluation breaks every certification resting on it', async () => {
    const r = await t.run<LineageOut>(LINEAGE, { id: `${p}NATO`, asOf: '2025-06-01' }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const l = r.data?.certificationLineage;
    expect(l?.holds).toBe(false);
    const byId = new Map(l?.entries.map((e) => [strip(e.certification.id), e]));
    expect(byId.get('CC')?.findings.map((f) => f.reason)).toEqual(['EXPIRED', 'SUPERSEDED']);
    expect(strip(byId.get('CC')?.findings[1]?.relatedCertification?.id)).toBe('CCNEW');
    expect(byId.get('NAT')?.findings.map((f) => [f.reason, strip(f.relatedCertification?.id)])).toEqual([['BASIS_NOT_VALID', 'CC']]);
    expect(byId.get('NATO')?.findings.map((f) => [f.reason, strip(f.relatedCertification?.id)])).toEqual([['BASIS_NOT_VALID', 'NAT']]);
    expect(byId.get('NATO')?.findings[0]?.explanation).toMatch(/does not hold on 2025-06-01/);
    expect(byId.get('CCNEW')?.holds).toBe(true);
  });

  it('lineage: asOf before the issue date', async () => {
    const r = await t.run<LineageOut>(LINEAGE, { id: `${p}NATO`, asOf: '2023-01-01' }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const root = r.data?.certificationLineage.entries[0];
    expect(root?.findings.map((f) => f.reason)).toEqual(['NOT_YET_ISSUED', 'BASIS_NOT_VALID']);
    expect(root?.findings[0]?.explanation).toMatch(/issued on 2024-01-01, after 2023-01-01/);
  });

  it('lineage: unknown certification, bad date and missing role are clear errors', async () => {
    const missing = await t.run(LINEAGE, { id: `${p}nope` }, KEYS.analyst);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argumentPath: ['certificationId'] });
    const badDate = await t.run(LINEAGE, { id: `${p}NATO`, asOf: '2025-13-01' }, KEYS.analyst);
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const viewer = await t.run(LINEAGE, { id: `${p}NATO` }, KEYS.viewer);
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('scope drift of an operator: OS just inside and just outside the certified range, an uncovered model', async () => {
    const r = await t.run<DriftOut>(DRIFT, { org: `${p}OP`, asOf: '2025-06-01' }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const d = r.data?.scopeDrift;
    expect(d?.driftingCount).toBe(3);
    expect(d?.deployments.map((x) => [strip(x.deployment.id), x.osVersion, x.inScope, x.findings.map((f) => f.reason)])).toEqual([
      ['DEP1', '17.10', true, []],
      ['DEP2', '18.0', false, ['OS_NEWER_THAN_SCOPE']],
      ['DEP3', '17.3.9', false, ['OS_OLDER_THAN_SCOPE']],
      ['DEP4', '17.5', false, ['DEVICE_NOT_COVERED']],
    ]);
    expect(strip(d?.deployments[0]?.coveredBy[0]?.id)).toBe('CX');
    expect(strip(d?.deployments[0]?.osRelease?.id)).toBe('OS1710');
    expect(strip(d?.deployments[1]?.findings[0]?.certification?.id)).toBe('CX');
    expect(d?.deployments[1]?.findings[0]?.explanation).toMatch(/18.0 is newer than .*CX covers \(17.4 to 17.x\)/);
    const only = await t.run<DriftOut>(DRIFT, { org: `${p}OP`, asOf: '2025-06-01', only: true }, KEYS.analyst);
    expect(only.data?.scopeDrift.deployments.map((x) => strip(x.deployment.id))).toEqual(['DEP2', 'DEP3', 'DEP4']);
  });

  it('scope drift of one deployment: an expired certification and a required control nobody implements', async () => {
    const r = await t.run<DriftOut>(DRIFT, { dep: `${p}DEP5`, asOf: '2025-06-01' }, KEYS.analyst);
    expect(r.errors).toBeUndefined();
    const [dep] = r.data?.scopeDrift.deployments ?? [];
    expect(dep?.findings.map((f) => [f.reason, strip(f.certification?.id), f.control ? strip(f.control.id) : null])).toEqual([
      ['CERTIFICATION_NOT_VALID', 'CZ', null],
      ['REQUIRED_CONTROL_NOT_IMPLEMENTED', 'CZ', 'K3'],
    ]);
    expect(dep?.findings[0]?.explanation).toMatch(/valid until 2024-12-31/);
    const before = await t.run<DriftOut>(DRIFT, { dep: `${p}DEP5`, asOf: '2024-06-01' }, KEYS.analyst);
    expect(before.data?.scopeDrift.deployments[0]?.findings.map((f) => f.reason)).toEqual(['REQUIRED_CONTROL_NOT_IMPLEMENTED']);
    const both = await t.run(DRIFT, { org: `${p}OP`, dep: `${p}DEP5` }, KEYS.analyst);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const wrongLabel = await t.run(DRIFT, { dep: `${p}OP` }, KEYS.analyst);
    expect(wrongLabel.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['deploymentId'] });
  });

  describe('with a status history: the status in force on asOf', () => {
    it('lineage: a certification suspended on 2025-03-01 holds on 2025-02-28 and not on 2025-03-01, nor what rests on it', async () => {
      const before = await t.run<LineageOut>(LINEAGE, { id: `${p}TOP`, asOf: '2025-02-28' }, KEYS.analyst);
      expect(before.errors).toBeUndefined();
      expect(before.data?.certificationLineage.holds).toBe(true);
      expect(before.data?.certificationLineage.entries.map((e) => [strip(e.certification.id), e.holds])).toEqual([
        ['TOP', true],
        ['SUSP', true],
      ]);
      const on = await t.run<LineageOut>(LINEAGE, { id: `${p}TOP`, asOf: '2025-03-01' }, KEYS.analyst);
      const l = on.data?.certificationLineage;
      expect(l?.holds).toBe(false);
      const susp = l?.entries.find((e) => strip(e.certification.id) === 'SUSP');
      expect(susp?.findings.map((f) => [f.reason, f.explanation])).toEqual([
        ['SUSPENDED', `${p}SUSP is SUSPENDED from 2025-03-01 (audit finding) on 2025-03-01`],
      ]);
      expect(l?.entries[0]?.findings.map((f) => f.reason)).toEqual(['BASIS_NOT_VALID']);
    });

    it('scope drift: the suspended certification covers the fleet on 2025-02-28, not on 2025-03-01', async () => {
      const before = await t.run<DriftOut>(DRIFT, { dep: `${p}DEP6`, asOf: '2025-02-28' }, KEYS.analyst);
      expect(before.errors).toBeUndefined();
      expect(before.data?.scopeDrift.deployments.map((d) => [d.inScope, d.coveredBy.map((c) => strip(c.id)), d.findings.map((f) => f.reason)])).toEqual([
        [true, ['SUSP'], []],
      ]);
      const on = await t.run<DriftOut>(DRIFT, { org: `${p}OP3`, asOf: '2025-03-01' }, KEYS.analyst);
      const [dep] = on.data?.scopeDrift.deployments ?? [];
      expect(dep?.inScope).toBe(false);
      expect(dep?.findings.map((f) => [f.reason, strip(f.certification?.id)])).toEqual([['CERTIFICATION_NOT_VALID', 'SUSP']]);
      expect(dep?.findings[0]?.explanation).toMatch(/SUSPENDED from 2025-03-01/);
    });

    it('remediation: the suspended certification holds on 2025-02-28, not on 2025-03-01', async () => {
      const q = `query($dep: ID!, $asOf: Date) { remediation(deploymentId: $dep, asOf: $asOf) { certifications { certification { id } holds } } }`;
      type Out = { remediation: { certifications: { certification: { id: string }; holds: boolean }[] } };
      const before = await t.run<Out>(q, { dep: `${p}DEP6`, asOf: '2025-02-28' }, KEYS.analyst);
      expect(before.errors).toBeUndefined();
      expect(before.data?.remediation.certifications.map((c) => [strip(c.certification.id), c.holds])).toEqual([['SUSP', true]]);
      const on = await t.run<Out>(q, { dep: `${p}DEP6`, asOf: '2025-03-01' }, KEYS.analyst);
      expect(on.data?.remediation.certifications.map((c) => [strip(c.certification.id), c.holds])).toEqual([['SUSP', false]]);
    });

    it('expired on validUntil: holds until that day, not the day after (no EXPIRED entry needed)', async () => {
      const last = await t.run<LineageOut>(LINEAGE, { id: `${p}EXPV`, asOf: '2025-06-30' }, KEYS.analyst);
      expect(last.data?.certificationLineage.holds).toBe(true);
      const after = await t.run<LineageOut>(LINEAGE, { id: `${p}EXPV`, asOf: '2025-07-01' }, KEYS.analyst);
      expect(after.data?.certificationLineage.entries[0]?.findings.map((f) => f.reason)).toEqual(['EXPIRED']);
    });

    it('a status recorded without history still applies on every date (no effective date is known)', async () => {
      const r = await t.run<LineageOut>(LINEAGE, { id: `${p}LEGACY`, asOf: '2024-01-02' }, KEYS.analyst);
      expect(r.data?.certificationLineage.entries[0]?.findings.map((f) => [f.reason, f.explanation])).toEqual([
        ['SUSPENDED', `${p}LEGACY is SUSPENDED (recorded on the certification, no effective date) on 2024-01-02`],
      ]);
    });
  });
});
