import { assessDeployment, type Coverage } from '../../src/domain/drift';

const coverage = (id: string, min: string | null, max: string | null, extra: Partial<Coverage> = {}): Coverage => ({
  cert: { id, status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-01-01', history: [] },
  minOsVersion: min,
  maxOsVersion: max,
  supersededBy: [],
  missingControlIds: [],
  ...extra,
});
const reasons = (r: { findings: { reason: string }[] }) => r.findings.map((f) => f.reason);

describe('scope drift', () => {
  const asOf = '2025-06-01';
  it('is in scope when a covering certification has no finding', () => {
    const r = assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '17.4', coverage: [coverage('C', '17.0', '17')] }, asOf);
    expect(r).toEqual({ inScope: true, coveredBy: ['C'], findings: [] });
  });

  it('reports OS releases just outside the range on each side', () => {
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '18.0', coverage: [coverage('C', '17.0', '17')] }, asOf))).toEqual([
      'OS_NEWER_THAN_SCOPE',
    ]);
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '16.7.9', coverage: [coverage('C', '17.0', '17')] }, asOf))).toEqual([
      'OS_OLDER_THAN_SCOPE',
    ]);
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: null, coverage: [coverage('C', '17.0', '17')] }, asOf))).toEqual([
      'OS_VERSION_UNKNOWN',
    ]);
  });

  it('reports a device no certification covers, or no device at all', () => {
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '17', coverage: [] }, asOf))).toEqual(['DEVICE_NOT_COVERED']);
    expect(assessDeployment({ deploymentId: 'D', deviceId: null, osVersion: '17', coverage: [] }, asOf).inScope).toBe(false);
  });

  it('reports an invalid certification and missing required controls, naming them', () => {
    const expired = coverage('C', null, null, {
      cert: { id: 'C', status: 'ACTIVE', issuedAt: '2020-01-01', validUntil: '2024-12-31', history: [] },
      missingControlIds: ['K2', 'K1'],
    });
    const r = assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '17', coverage: [expired] }, asOf);
    expect(reasons(r)).toEqual(['CERTIFICATION_NOT_VALID', 'REQUIRED_CONTROL_NOT_IMPLEMENTED', 'REQUIRED_CONTROL_NOT_IMPLEMENTED']);
    expect(r.findings.map((f) => f.controlId)).toEqual([null, 'K1', 'K2']);
    expect(r.findings[0]?.explanation).toMatch(/valid until 2024-12-31/);
    expect(r.inScope).toBe(false);
  });

  it('stays in scope through one clean certification while listing the other one’s findings', () => {
    const r = assessDeployment(
      { deploymentId: 'D', deviceId: 'X', osVersion: '18.1', coverage: [coverage('OLD', '17.0', '17'), coverage('NEW', '18.0', '18')] },
      asOf,
    );
    expect(r.inScope).toBe(true);
    expect(r.coveredBy).toEqual(['NEW']);
    expect(reasons(r)).toEqual(['OS_NEWER_THAN_SCOPE']);
  });
});

describe('scope drift: known-exploited flaws and support end of the running release', () => {
  const asOf = '2025-06-01';
  const clean = coverage('C', '17.0', '17');
  const kev = (id: string, kevDateAdded: string | null, kevDueDate: string | null) => ({ id, kevDateAdded, kevDueDate });

  it('reports KNOWN_EXPLOITED, and KEV_PAST_DUE when the due date is before asOf, naming the CVE and date', () => {
    const r = assessDeployment(
      {
        deploymentId: 'D',
        deviceId: 'X',
        osVersion: '17.6',
        coverage: [clean],
        release: {
          id: 'R17.6',
          supportEndsAt: '2025-09-15',
          knownExploited: [kev('CVE-2025-24200', '2025-02-12', '2025-03-05'), kev('CVE-2025-0001', '2025-05-20', '2025-06-10')],
        },
      },
      asOf,
    );
    // still inside the certified scope: these findings are about the release, not the certification
    expect(r.inScope).toBe(true);
    expect(r.coveredBy).toEqual(['C']);
    expect(r.findings.map((f) => [f.reason, f.vulnerabilityId, f.date])).toEqual([
      ['KNOWN_EXPLOITED', 'CVE-2025-0001', null],
      ['KNOWN_EXPLOITED', 'CVE-2025-24200', null],
      ['KEV_PAST_DUE', 'CVE-2025-24200', '2025-03-05'],
    ]);
    expect(r.findings[2]?.explanation).toBe('CVE-2025-24200 affects R17.6 and its CISA remediation due date 2025-03-05 is before 2025-06-01');
    expect(r.findings[1]?.explanation).toBe('R17.6 is affected by known-exploited CVE-2025-24200 (in the CISA KEV catalog since 2025-02-12)');
  });

  it('the due date itself and the last supported day are not past; a CVE listed after asOf does not count yet', () => {
    const r = assessDeployment(
      {
        deploymentId: 'D',
        deviceId: 'X',
        osVersion: '17.6',
        coverage: [clean],
        release: {
          id: 'R',
          supportEndsAt: '2025-06-01',
          knownExploited: [kev('CVE-A', '2025-05-01', '2025-06-01'), kev('CVE-LATER', '2025-06-02', '2025-06-23')],
        },
      },
      asOf,
    );
    expect(r.findings.map((f) => [f.reason, f.vulnerabilityId])).toEqual([['KNOWN_EXPLOITED', 'CVE-A']]);
  });

  it('reports OS_SUPPORT_ENDED with the date, also for a device no certification covers', () => {
    const r = assessDeployment(
      {
        deploymentId: 'D',
        deviceId: 'X',
        osVersion: '16.6',
        coverage: [],
        release: { id: 'R16.6', supportEndsAt: '2024-09-16', knownExploited: [kev('CVE-B', null, null)] },
      },
      asOf,
    );
    expect(r.findings.map((f) => [f.reason, f.date, f.vulnerabilityId])).toEqual([
      ['DEVICE_NOT_COVERED', null, null],
      ['OS_SUPPORT_ENDED', '2024-09-16', null],
      ['KNOWN_EXPLOITED', null, 'CVE-B'],
    ]);
    expect(r.findings[1]?.explanation).toBe('support for R16.6 ended on 2024-09-16, before 2025-06-01');
  });

  it('no release recorded: no release findings', () => {
    expect(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '17.4', coverage: [clean], release: null }, asOf).findings).toEqual([]);
  });
});
