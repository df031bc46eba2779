import { evaluateLineage, ownValidity, type CertFacts } from '../../src/domain/lineage';

const cert = (id: string, issuedAt: string | null, validUntil: string | null, status = 'ACTIVE'): CertFacts => ({ id, status, issuedAt, validUntil });
const reasons = (v: { findings: { reason: string }[] } | undefined) => v?.findings.map((f) => f.reason);

describe('certification validity on a date', () => {
  it('holds between its issue date and its last day of validity, inclusive', () => {
    const c = cert('C', '2024-01-01', '2025-12-31');
    expect(ownValidity(c, '2024-01-01', []).holds).toBe(true);
    expect(ownValidity(c, '2025-12-31', []).holds).toBe(true);
    expect(reasons(ownValidity(c, '2023-12-31', []))).toEqual(['NOT_YET_ISSUED']);
    expect(reasons(ownValidity(c, '2026-01-01', []))).toEqual(['EXPIRED']);
  });

  it('applies the issuer status: PENDING, SUSPENDED, REVOKED, EXPIRED', () => {
    expect(reasons(ownValidity(cert('C', null, null, 'PENDING'), '2025-01-01', []))).toEqual(['NOT_YET_ISSUED']);
    expect(reasons(ownValidity(cert('C', null, null, 'SUSPENDED'), '2025-01-01', []))).toEqual(['SUSPENDED']);
    expect(reasons(ownValidity(cert('C', null, null, 'REVOKED'), '2025-01-01', []))).toEqual(['REVOKED']);
    expect(reasons(ownValidity(cert('C', null, '2030-01-01', 'EXPIRED'), '2025-01-01', []))).toEqual(['EXPIRED']);
  });

  it('is superseded only once the successor is issued', () => {
    const old = cert('OLD', '2020-01-01', null);
    const successor = cert('NEW', '2024-06-01', null);
    expect(ownValidity(old, '2024-05-31', [successor]).holds).toBe(true);
    const v = ownValidity(old, '2024-06-01', [successor]);
    expect(reasons(v)).toEqual(['SUPERSEDED']);
    expect(v.findings[0]?.relatedId).toBe('NEW');
    expect(ownValidity(old, '2030-01-01', [cert('NEW', null, null, 'PENDING')]).holds).toBe(true);
  });

  it('fails a certification whose basis (transitively) does not hold, naming the basis', () => {
    const graph = {
      certs: [cert('NATO', '2024-01-01', '2027-01-01'), cert('NAT', '2023-01-01', '2026-01-01'), cert('CC', '2022-01-01', '2024-12-31')],
      basedOn: [
        ['NATO', 'NAT'],
        ['NAT', 'CC'],
      ] as const,
      supersedes: [] as const,
    };
    const v = evaluateLineage(graph, '2025-06-01');
    expect(reasons(v.get('CC'))).toEqual(['EXPIRED']);
    expect(reasons(v.get('NAT'))).toEqual(['BASIS_NOT_VALID']);
    expect(v.get('NAT')?.findings[0]?.relatedId).toBe('CC');
    expect(reasons(v.get('NATO'))).toEqual(['BASIS_NOT_VALID']);
    expect(evaluateLineage(graph, '2024-06-01').get('NATO')?.holds).toBe(true);
  });

  it('terminates on a BASED_ON cycle', () => {
    const v = evaluateLineage(
      {
        certs: [cert('A', '2020-01-01', null), cert('B', '2020-01-01', null)],
        basedOn: [
          ['A', 'B'],
          ['B', 'A'],
        ],
        supersedes: [],
      },
      '2025-01-01',
    );
    expect(v.get('A')?.holds).toBe(true);
    expect(v.get('B')?.holds).toBe(true);
  });
});
