import { evaluateLineage, ownValidity, type CertFacts } from '../../src/domain/lineage';

import type { StatusFact } from '../../src/domain/statusHistory';

const cert = (id: string, issuedAt: string | null, validUntil: string | null, status = 'ACTIVE', history: StatusFact[] = []): CertFacts => ({
  id,
  status,
  issuedAt,
  validUntil,
  history,
});
const reasons = (v: { findings: { reason: string }[] } | undefined) => v?.findings.map((f) => f.reason);

describe('certification validity on a date', () => {
  it('holds between its issue date and its last day of validity, inclusive', () => {
    const c = cert('C', '2024-01-01', '2025-12-31');
    expect(ownValidity(c, '2024-01-01', []).holds).toBe(true);
    expect(ownValidity(c, '2025-12-31', []).holds).toBe(true);
    expect(reasons(ownValidity(c, '2023-12-31', []))).toEqual(['NOT_YET_ISSUED']);
    expect(reasons(ownValidity(c, '2026-01-01', []))).toEqual(['EXPIRED']);
  });

  it('without history, applies the recorded status on every date: PENDING, SUSPENDED, REVOKED, WITHDRAWN, EXPIRED without validUntil', () => {
    expect(reasons(ownValidity(cert('C', null, null, 'PENDING'), '2025-01-01', []))).toEqual(['NOT_YET_ISSUED']);
    expect(reasons(ownValidity(cert('C', null, null, 'SUSPENDED'), '2025-01-01', []))).toEqual(['SUSPENDED']);
    expect(reasons(ownValidity(cert('C', null, null, 'REVOKED'), '2025-01-01', []))).toEqual(['REVOKED']);
    expect(reasons(ownValidity(cert('C', null, null, 'WITHDRAWN'), '2025-01-01', []))).toEqual(['WITHDRAWN']);
    expect(reasons(ownValidity(cert('C', null, null, 'EXPIRED'), '2025-01-01', []))).toEqual(['EXPIRED']);
  });

  // Changed with the status history (issue 14): an EXPIRED status recorded without history used to
  // fail every date; with a validUntil it now reads as the end of validity, the day after validUntil.
  it('without history, an EXPIRED status with a validUntil takes effect the day after validUntil', () => {
    const c = cert('C', '2023-02-01', '2024-01-31', 'EXPIRED');
    expect(ownValidity(c, '2024-01-01', []).holds).toBe(true);
    expect(ownValidity(c, '2024-01-31', []).holds).toBe(true);
    expect(reasons(ownValidity(c, '2024-02-01', []))).toEqual(['EXPIRED']);
  });

  it('with a history, reads the status in force on the date: suspended on 2025-03-01 holds on 2025-02-28', () => {
    const c = cert('C', '2024-01-01', '2027-01-01', 'ACTIVE', [{ status: 'SUSPENDED', effectiveFrom: '2025-03-01', reason: 'under review' }]);
    expect(ownValidity(c, '2025-02-28', []).holds).toBe(true);
    const v = ownValidity(c, '2025-03-01', []);
    expect(reasons(v)).toEqual(['SUSPENDED']);
    expect(v.findings[0]?.explanation).toBe('C is SUSPENDED from 2025-03-01 (under review) on 2025-03-01');
    const reinstated = cert('C', '2024-01-01', '2027-01-01', 'ACTIVE', [
      { status: 'SUSPENDED', effectiveFrom: '2025-03-01' },
      { status: 'ACTIVE', effectiveFrom: '2025-04-01' },
      { status: 'REVOKED', effectiveFrom: '2025-09-01', retracted: true },
    ]);
    expect(ownValidity(reinstated, '2025-03-31', []).holds).toBe(false);
    expect(ownValidity(reinstated, '2025-04-01', []).holds).toBe(true);
    expect(ownValidity(reinstated, '2025-10-01', []).holds).toBe(true);
  });

  it('with a history, expires on the EXPIRED entry or after validUntil, whichever comes first', () => {
    const early = cert('C', '2023-02-01', '2024-01-31', 'EXPIRED', [
      { status: 'ACTIVE', effectiveFrom: '2023-02-01' },
      { status: 'EXPIRED', effectiveFrom: '2023-12-01', reason: 'sunset' },
    ]);
    expect(ownValidity(early, '2023-11-30', []).holds).toBe(true);
    expect(reasons(ownValidity(early, '2023-12-01', []))).toEqual(['EXPIRED']);
    const late = cert('C', '2023-02-01', '2024-01-31', 'ACTIVE', [{ status: 'ACTIVE', effectiveFrom: '2023-02-01' }]);
    expect(ownValidity(late, '2024-01-31', []).holds).toBe(true);
    expect(reasons(ownValidity(late, '2024-02-01', []))).toEqual(['EXPIRED']);
    // suspended, then past validUntil: both named
    const both = cert('C', '2023-02-01', '2024-01-31', 'ACTIVE', [{ status: 'SUSPENDED', effectiveFrom: '2023-06-01' }]);
    expect(reasons(ownValidity(both, '2024-03-01', []))).toEqual(['EXPIRED', 'SUSPENDED']);
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

  it('is superseded by a successor only while the successor is not PENDING on the date', () => {
    const old = cert('OLD', '2020-01-01', null);
    const successor = cert('NEW', null, null, 'ACTIVE', [
      { status: 'PENDING', effectiveFrom: '2024-01-01' },
      { status: 'ACTIVE', effectiveFrom: '2024-06-01' },
    ]);
    expect(ownValidity(old, '2024-05-31', [successor]).holds).toBe(true);
    expect(reasons(ownValidity(old, '2024-06-01', [successor]))).toEqual(['SUPERSEDED']);
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
