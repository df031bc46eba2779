import { assessDeployment, type Coverage } from '../../src/domain/drift';

const coverage = (id: string, min: string | null, max: string | null, extra: Partial<Coverage> = {}): Coverage => ({
  cert: { id, status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2027-01-01' },
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
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '18.0', coverage: [coverage('C', '17.0', '17')] }, asOf))).toEqual(['OS_NEWER_THAN_SCOPE']);
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '16.7.9', coverage: [coverage('C', '17.0', '17')] }, asOf))).toEqual(['OS_OLDER_THAN_SCOPE']);
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: null, coverage: [coverage('C', '17.0', '17')] }, asOf))).toEqual(['OS_VERSION_UNKNOWN']);
  });

  it('reports a device no certification covers, or no device at all', () => {
    expect(reasons(assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '17', coverage: [] }, asOf))).toEqual(['DEVICE_NOT_COVERED']);
    expect(assessDeployment({ deploymentId: 'D', deviceId: null, osVersion: '17', coverage: [] }, asOf).inScope).toBe(false);
  });

  it('reports an invalid certification and missing required controls, naming them', () => {
    const expired = coverage('C', null, null, { cert: { id: 'C', status: 'ACTIVE', issuedAt: '2020-01-01', validUntil: '2024-12-31' }, missingControlIds: ['K2', 'K1'] });
    const r = assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '17', coverage: [expired] }, asOf);
    expect(reasons(r)).toEqual(['CERTIFICATION_NOT_VALID', 'REQUIRED_CONTROL_NOT_IMPLEMENTED', 'REQUIRED_CONTROL_NOT_IMPLEMENTED']);
    expect(r.findings.map((f) => f.controlId)).toEqual([null, 'K1', 'K2']);
    expect(r.findings[0]?.explanation).toMatch(/valid until 2024-12-31/);
    expect(r.inScope).toBe(false);
  });

  it('stays in scope through one clean certification while listing the other one’s findings', () => {
    const r = assessDeployment({ deploymentId: 'D', deviceId: 'X', osVersion: '18.1', coverage: [coverage('OLD', '17.0', '17'), coverage('NEW', '18.0', '18')] }, asOf);
    expect(r.inScope).toBe(true);
    expect(r.coveredBy).toEqual(['NEW']);
    expect(reasons(r)).toEqual(['OS_NEWER_THAN_SCOPE']);
  });
});
