/**
 * The status-history rules (src/domain/statusHistory.ts, docs/CERTIFICATION-LIFECYCLE.md "Pure
 * rules"): the status in force on a date, and which changes are refused as contradicting the history.
 */
import {
  certificationStatusOn,
  checkRetraction,
  checkStatusChange,
  isDate,
  nextDay,
  previousDay,
  priorStatus,
  statusChangeId,
  statusOn,
  type StatusFact,
  type StatusSubject,
} from '../../src/domain/statusHistory';

const subject = (history: StatusFact[], extra: Partial<StatusSubject> = {}): StatusSubject => ({
  id: 'cert:x',
  status: 'ACTIVE',
  issuedAt: '2024-01-01',
  validUntil: '2027-12-31',
  history,
  ...extra,
});

describe('statusOn', () => {
  const history: StatusFact[] = [
    { id: 'b', status: 'ACTIVE', effectiveFrom: '2025-04-01' },
    { id: 'a', status: 'SUSPENDED', effectiveFrom: '2025-03-01' },
  ];

  it('answers the latest entry in force on the date, in date order whatever the input order', () => {
    expect(statusOn(history, '2025-02-28', 'ACTIVE')).toBe('ACTIVE');
    expect(statusOn(history, '2025-03-01', 'ACTIVE')).toBe('SUSPENDED');
    expect(statusOn(history, '2025-03-31', 'ACTIVE')).toBe('SUSPENDED');
    expect(statusOn(history, '2025-04-01', 'ACTIVE')).toBe('ACTIVE');
  });

  it('without history answers the fallback on every date (null when it is no status)', () => {
    expect(statusOn([], '1990-01-01', 'REVOKED')).toBe('REVOKED');
    expect(statusOn([], '2090-01-01', 'REVOKED')).toBe('REVOKED');
    expect(statusOn([], '2025-01-01', null)).toBeNull();
    expect(statusOn([], '2025-01-01', 'BOGUS')).toBeNull();
  });

  it('ignores retracted entries', () => {
    expect(statusOn([...history, { status: 'REVOKED', effectiveFrom: '2025-03-15', retracted: true }], '2025-03-20', 'ACTIVE')).toBe('SUSPENDED');
    expect(statusOn([{ status: 'REVOKED', effectiveFrom: '2025-03-15', retracted: true }], '2025-03-20', 'ACTIVE')).toBe('ACTIVE');
  });

  it('breaks ties on the same date by recordedAt: the one recorded last wins', () => {
    const tie: StatusFact[] = [
      { status: 'REVOKED', effectiveFrom: '2025-03-01', recordedAt: '2025-03-05T00:00:00.000Z' },
      { status: 'EXPIRED', effectiveFrom: '2025-03-01', recordedAt: '2025-03-02T00:00:00.000Z' },
    ];
    expect(statusOn(tie, '2025-03-01', 'ACTIVE')).toBe('REVOKED');
  });

  it('before the first entry: the recorded status when the first entry may follow it, else ACTIVE before an ending, else PENDING', () => {
    expect(priorStatus({ status: 'ACTIVE', effectiveFrom: '2025-01-01' }, 'SUSPENDED')).toBe('SUSPENDED');
    expect(priorStatus({ status: 'EXPIRED', effectiveFrom: '2025-01-01' }, 'EXPIRED')).toBe('ACTIVE');
    expect(priorStatus({ status: 'ACTIVE', effectiveFrom: '2025-01-01' }, 'EXPIRED')).toBe('PENDING');
    expect(statusOn([{ status: 'EXPIRED', effectiveFrom: '2025-12-17' }], '2025-12-16', 'EXPIRED')).toBe('ACTIVE');
  });
});

describe('certificationStatusOn (dates included)', () => {
  it('is EXPIRED the day after validUntil even when the history still says ACTIVE', () => {
    const c = subject([{ status: 'ACTIVE', effectiveFrom: '2024-01-01' }], { validUntil: '2025-06-30' });
    expect(certificationStatusOn(c, '2025-06-30').status).toBe('ACTIVE');
    expect(certificationStatusOn(c, '2025-07-01')).toMatchObject({ status: 'EXPIRED', basis: 'validUntil' });
  });

  it('reads an EXPIRED status recorded without history as taking effect after validUntil', () => {
    const c = subject([], { status: 'EXPIRED', issuedAt: '2023-02-01', validUntil: '2024-01-31' });
    expect(certificationStatusOn(c, '2024-01-01')).toMatchObject({ status: 'ACTIVE', basis: 'recordedUntilValidUntil' });
    expect(certificationStatusOn(c, '2024-02-01').status).toBe('EXPIRED');
    expect(certificationStatusOn(subject([], { status: 'EXPIRED', validUntil: null }), '2000-01-01').status).toBe('EXPIRED');
  });

  it('keeps a REVOKED status past validUntil (only ACTIVE and SUSPENDED turn EXPIRED)', () => {
    const c = subject([{ status: 'REVOKED', effectiveFrom: '2025-01-01' }], { validUntil: '2025-06-30' });
    expect(certificationStatusOn(c, '2026-01-01').status).toBe('REVOKED');
  });
});

describe('checkStatusChange', () => {
  const suspendedInMarch = subject([{ id: 's', status: 'SUSPENDED', effectiveFrom: '2025-03-01', reason: 'review' }]);

  it('accepts a suspension of an active certification, and a reinstatement of a suspended one', () => {
    expect(checkStatusChange(subject([]), { status: 'SUSPENDED', effectiveFrom: '2025-03-01' })).toEqual({ kind: 'ok' });
    expect(checkStatusChange(suspendedInMarch, { status: 'ACTIVE', effectiveFrom: '2025-04-01' })).toEqual({ kind: 'ok' });
    expect(checkStatusChange(suspendedInMarch, { status: 'REVOKED', effectiveFrom: '2025-04-01' })).toEqual({ kind: 'ok' });
    expect(checkStatusChange(subject([], { status: 'PENDING' }), { status: 'WITHDRAWN', effectiveFrom: '2025-04-01' })).toEqual({ kind: 'ok' });
  });

  it('refuses a date that is not a date', () => {
    expect(checkStatusChange(subject([]), { status: 'SUSPENDED', effectiveFrom: '2025-02-30' })).toMatchObject({ kind: 'refused', field: 'effectiveFrom' });
  });

  it('refuses an effective date before the issue date (PENDING excepted)', () => {
    const r = checkStatusChange(subject([]), { status: 'SUSPENDED', effectiveFrom: '2023-12-31' });
    expect(r).toEqual({
      kind: 'refused',
      field: 'effectiveFrom',
      message: 'effectiveFrom: 2023-12-31 is before cert:x was issued (2024-01-01); a SUSPENDED status cannot take effect before issue',
    });
    const pendingHistory = subject([{ status: 'PENDING', effectiveFrom: '2023-05-01' }], { status: 'PENDING' });
    expect(checkStatusChange(pendingHistory, { status: 'WITHDRAWN', effectiveFrom: '2023-06-01' })).toMatchObject({ kind: 'refused', field: 'effectiveFrom' });
    expect(checkStatusChange(subject([], { status: 'PENDING', issuedAt: null }), { status: 'WITHDRAWN', effectiveFrom: '2023-06-01' }).kind).toBe('ok');
  });

  it('refuses ACTIVE or SUSPENDED after the last day of validity', () => {
    expect(checkStatusChange(subject([], { validUntil: '2025-01-31' }), { status: 'SUSPENDED', effectiveFrom: '2025-02-01' })).toMatchObject({
      kind: 'refused',
      field: 'effectiveFrom',
    });
    expect(checkStatusChange(subject([], { validUntil: '2025-01-31' }), { status: 'SUSPENDED', effectiveFrom: '2025-01-31' }).kind).toBe('ok');
  });

  it('calls the same status on the same date a duplicate, and another status on that date a contradiction', () => {
    expect(checkStatusChange(suspendedInMarch, { status: 'SUSPENDED', effectiveFrom: '2025-03-01' })).toMatchObject({ kind: 'duplicate', entry: { id: 's' } });
    expect(checkStatusChange(suspendedInMarch, { status: 'REVOKED', effectiveFrom: '2025-03-01' })).toEqual({
      kind: 'refused',
      field: 'effectiveFrom',
      message: 'effectiveFrom: cert:x already has SUSPENDED from 2025-03-01 (review) recorded on 2025-03-01; a REVOKED entry on the same date contradicts it',
    });
  });

  it('refuses reinstating what is not suspended, and anything after a final status', () => {
    expect(checkStatusChange(subject([]), { status: 'ACTIVE', effectiveFrom: '2025-03-01' })).toEqual({
      kind: 'refused',
      field: 'status',
      message: 'status: cannot reinstate (ACTIVE) cert:x on 2025-03-01: it is ACTIVE then (the status recorded on it, no history); it is already ACTIVE',
    });
    const revoked = subject([{ status: 'REVOKED', effectiveFrom: '2025-02-01' }]);
    expect(checkStatusChange(revoked, { status: 'ACTIVE', effectiveFrom: '2025-03-01' })).toMatchObject({
      kind: 'refused',
      field: 'status',
      message: 'status: cannot reinstate (ACTIVE) cert:x on 2025-03-01: it is REVOKED then (REVOKED from 2025-02-01); REVOKED is final',
    });
    expect(checkStatusChange(suspendedInMarch, { status: 'SUSPENDED', effectiveFrom: '2025-03-10' })).toMatchObject({ kind: 'refused', field: 'status' });
    // without history the recorded status is the one in force
    expect(checkStatusChange(subject([], { status: 'REVOKED' }), { status: 'ACTIVE', effectiveFrom: '2025-03-01' })).toMatchObject({ kind: 'refused' });
  });

  it('refuses an insertion that the later history cannot follow', () => {
    const reinstated = subject([
      { status: 'SUSPENDED', effectiveFrom: '2025-03-01' },
      { status: 'ACTIVE', effectiveFrom: '2025-04-01' },
    ]);
    expect(checkStatusChange(reinstated, { status: 'REVOKED', effectiveFrom: '2025-03-15' })).toEqual({
      kind: 'refused',
      field: 'effectiveFrom',
      message: 'effectiveFrom: REVOKED on 2025-03-15 contradicts the later entry ACTIVE from 2025-04-01 of cert:x: ACTIVE cannot follow REVOKED',
    });
    // before the first entry: the prior status is ACTIVE (a suspension follows), so a suspension earlier is refused by the later one
    expect(checkStatusChange(reinstated, { status: 'SUSPENDED', effectiveFrom: '2025-02-01' }).kind).toBe('refused');
    expect(checkStatusChange(reinstated, { status: 'REVOKED', effectiveFrom: '2025-05-01' }).kind).toBe('ok');
  });

  it('ignores retracted entries', () => {
    const c = subject([{ status: 'REVOKED', effectiveFrom: '2025-02-01', retracted: true }]);
    expect(checkStatusChange(c, { status: 'SUSPENDED', effectiveFrom: '2025-03-01' }).kind).toBe('ok');
  });
});

describe('checkRetraction', () => {
  const h = subject([
    { id: 'a', status: 'SUSPENDED', effectiveFrom: '2025-03-01' },
    { id: 'b', status: 'ACTIVE', effectiveFrom: '2025-04-01' },
    { id: 'c', status: 'SUSPENDED', effectiveFrom: '2025-05-01' },
  ]);

  it('allows retracting the last entry, refuses leaving two entries that cannot follow one another', () => {
    expect(checkRetraction(h, 'c')).toBeNull();
    expect(checkRetraction(h, 'b')).toMatch(/SUSPENDED cannot follow SUSPENDED; retract the later entry first/);
    expect(checkRetraction(h, 'zz')).toMatch(/no entry zz/);
  });
});

describe('dates and ids', () => {
  it('checks calendar dates and shifts days across months and years', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2025-02-29')).toBe(false);
    expect(isDate('2025-1-01')).toBe(false);
    expect(nextDay('2024-01-31')).toBe('2024-02-01');
    expect(previousDay('2025-01-01')).toBe('2024-12-31');
  });

  it('makes the deterministic id of the contract', () => {
    expect(statusChangeId('cert:a', '2025-03-01', 'SUSPENDED')).toBe('status:cert:a:2025-03-01:SUSPENDED');
  });
});
