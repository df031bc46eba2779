/**
 * The status history of a certification: which status is in force on a date, and which new
 * entries contradict the history. Pure: no I/O. The rules are stated in
 * docs/CERTIFICATION-LIFECYCLE.md ("Pure rules"); each one has a unit test in
 * test/unit/statusHistory.test.ts.
 */
import { isCertificationStatus, type CertificationStatus } from './model';

/** One entry of a history, as the pure rules need it. */
export interface StatusFact {
  status: CertificationStatus;
  /** YYYY-MM-DD: first day the status is in force. */
  effectiveFrom: string;
  /** ISO-8601: when the graph learned it (breaks ties on the same effectiveFrom; missing sorts first). */
  recordedAt?: string | null;
  reason?: string | null;
  /** Set by an admin correction: a retracted entry is ignored by every rule. */
  retracted?: boolean | null;
  id?: string;
}

/** What the rules know about a certification besides its history. */
export interface StatusSubject {
  id: string;
  /** The status recorded on the certification itself (at creation); the fallback when it has no history. */
  status: string | null;
  /** YYYY-MM-DD */
  issuedAt: string | null;
  /** YYYY-MM-DD, last day of validity. */
  validUntil: string | null;
  history: readonly StatusFact[];
}

/** Deterministic id of an entry, so recording the same change again writes nothing. */
export function statusChangeId(certificationId: string, effectiveFrom: string, status: CertificationStatus): string {
  return `status:${certificationId}:${effectiveFrom}:${status}`;
}

/** Statuses in which a certification does not hold. */
export const NOT_HOLDING_STATUSES: readonly CertificationStatus[] = ['PENDING', 'SUSPENDED', 'REVOKED', 'EXPIRED', 'WITHDRAWN'];

/** Statuses that end validity: they can only follow a granted (ACTIVE or SUSPENDED) certification. */
const ENDING: readonly CertificationStatus[] = ['SUSPENDED', 'REVOKED', 'EXPIRED', 'WITHDRAWN'];

/**
 * Which status may follow which. REVOKED, EXPIRED and WITHDRAWN are final: a renewal is a new
 * certification that SUPERSEDES the old one; a mistaken entry is retracted by an admin.
 */
export const TRANSITIONS: Readonly<Record<CertificationStatus, readonly CertificationStatus[]>> = {
  PENDING: ['ACTIVE', 'WITHDRAWN'],
  ACTIVE: ['SUSPENDED', 'REVOKED', 'EXPIRED', 'WITHDRAWN'],
  SUSPENDED: ['ACTIVE', 'REVOKED', 'EXPIRED', 'WITHDRAWN'],
  REVOKED: [],
  EXPIRED: [],
  WITHDRAWN: [],
};

export function canFollow(from: CertificationStatus, to: CertificationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string is a real calendar date YYYY-MM-DD. */
export function isDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

function shiftDay(date: string, days: number): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10);
}

export const nextDay = (date: string): string => shiftDay(date, 1);
export const previousDay = (date: string): string => shiftDay(date, -1);

/** Non-retracted entries in order: effectiveFrom, then recordedAt (missing first), then id. */
export function orderedHistory(history: readonly StatusFact[]): StatusFact[] {
  return history
    .filter((e) => e.retracted !== true)
    .sort((a, b) => cmpStr(a.effectiveFrom, b.effectiveFrom) || cmpStr(a.recordedAt ?? '', b.recordedAt ?? '') || cmpStr(a.id ?? a.status, b.id ?? b.status));
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The status before the first entry of a non-empty history: the certification's own status when
 * the first entry may follow it (a legacy SUSPENDED reinstated), else ACTIVE when the first entry
 * ends validity (an expiry, suspension, revocation or withdrawal can only follow a granted
 * certification), else PENDING (a history that starts with ACTIVE: granted on that day).
 */
export function priorStatus(first: StatusFact, fallback: string | null): CertificationStatus {
  if (isCertificationStatus(fallback) && canFollow(fallback, first.status)) return fallback;
  return ENDING.includes(first.status) ? 'ACTIVE' : 'PENDING';
}

export interface StatusInForce {
  /** Null only when there is no history and no valid fallback. */
  status: CertificationStatus | null;
  /** The entry that put it in force (null: before the first entry, or no history). */
  entry: StatusFact | null;
}

/**
 * The status a history puts in force on `asOf`: the latest non-retracted entry with
 * effectiveFrom <= asOf (ties: the one recorded last). No history: the fallback (the status
 * recorded on the certification) on every date. Before the first entry: priorStatus.
 */
export function statusInForce(history: readonly StatusFact[], asOf: string, fallback: string | null): StatusInForce {
  const ordered = orderedHistory(history);
  const first = ordered[0];
  if (!first) return { status: isCertificationStatus(fallback) ? fallback : null, entry: null };
  let entry: StatusFact | null = null;
  for (const e of ordered) if (e.effectiveFrom <= asOf) entry = e;
  return entry ? { status: entry.status, entry } : { status: priorStatus(first, fallback), entry: null };
}

/** statusInForce's status. */
export function statusOn(history: readonly StatusFact[], asOf: string, fallback: string | null): CertificationStatus | null {
  return statusInForce(history, asOf, fallback).status;
}

export interface CertificationStatusOn extends StatusInForce {
  /** Why: `validUntil` when the date passed the last day of validity, `history`, or `recorded` (the fallback). */
  basis: 'validUntil' | 'history' | 'recorded' | 'recordedUntilValidUntil';
}

/**
 * The status of a certification on a date, dates included: the history's status, except that a
 * certification still ACTIVE or SUSPENDED after its validUntil is EXPIRED from the next day, and
 * that an EXPIRED status recorded without history on a certification with a validUntil takes
 * effect the day after validUntil (it is ACTIVE until then). Issue dates are not a status: a
 * date before issuedAt answers what the history says (lineage reports NOT_YET_ISSUED).
 */
export function certificationStatusOn(cert: StatusSubject, asOf: string): CertificationStatusOn {
  const inForce = statusInForce(cert.history, asOf, cert.status);
  const expiredByDate = cert.validUntil !== null && cert.validUntil < asOf;
  if (inForce.entry === null && orderedHistory(cert.history).length === 0 && inForce.status === 'EXPIRED' && cert.validUntil !== null && !expiredByDate)
    return { status: 'ACTIVE', entry: null, basis: 'recordedUntilValidUntil' };
  if (expiredByDate && (inForce.status === 'ACTIVE' || inForce.status === 'SUSPENDED')) return { status: 'EXPIRED', entry: null, basis: 'validUntil' };
  return { ...inForce, basis: inForce.entry ? 'history' : 'recorded' };
}

/** A change someone asks to record. */
export interface ProposedChange {
  status: CertificationStatus;
  effectiveFrom: string;
}

export type ChangeCheck =
  | { kind: 'ok' }
  /** Exactly this change is already recorded (same date and status): recording it again writes nothing. */
  | { kind: 'duplicate'; entry: StatusFact }
  | { kind: 'refused'; field: 'effectiveFrom' | 'status'; message: string };

const VERB: Record<CertificationStatus, string> = {
  ACTIVE: 'reinstate (ACTIVE)',
  PENDING: 'mark PENDING',
  SUSPENDED: 'suspend',
  REVOKED: 'revoke',
  EXPIRED: 'expire',
  WITHDRAWN: 'withdraw',
};

function describe(e: StatusFact): string {
  return `${e.status} from ${e.effectiveFrom}${e.reason ? ` (${e.reason})` : ''}`;
}

/**
 * Whether recording `change` keeps the history consistent. Refused, in this order:
 * 1. effectiveFrom is not a real date;
 * 2. effectiveFrom is before the certification's issuedAt (only PENDING may be);
 * 3. ACTIVE or SUSPENDED effective after validUntil (it has expired by then);
 * 4. another status recorded on the same date (the same status on the same date is a duplicate);
 * 5. the status in force the day before may not be followed by it (TRANSITIONS: reinstating what
 *    is not suspended, suspending what is revoked, expired or withdrawn, repeating the status in
 *    force). With no history the status recorded on the certification is the one in force; before
 *    the first entry, priorStatus;
 * 6. it may not be followed by the next later entry (inserting a revocation before a reinstatement).
 */
export function checkStatusChange(cert: StatusSubject, change: ProposedChange): ChangeCheck {
  const when = change.effectiveFrom;
  if (!isDate(when)) return { kind: 'refused', field: 'effectiveFrom', message: `effectiveFrom: ${when} is not a date (YYYY-MM-DD)` };
  if (cert.issuedAt !== null && when < cert.issuedAt && change.status !== 'PENDING')
    return {
      kind: 'refused',
      field: 'effectiveFrom',
      message: `effectiveFrom: ${when} is before ${cert.id} was issued (${cert.issuedAt}); a ${change.status} status cannot take effect before issue`,
    };
  if (cert.validUntil !== null && when > cert.validUntil && (change.status === 'ACTIVE' || change.status === 'SUSPENDED'))
    return {
      kind: 'refused',
      field: 'effectiveFrom',
      message: `effectiveFrom: ${when} is after the last day of validity of ${cert.id} (${cert.validUntil}); it is EXPIRED by then`,
    };
  const ordered = orderedHistory(cert.history);
  const sameDay = ordered.filter((e) => e.effectiveFrom === when);
  const same = sameDay.find((e) => e.status === change.status);
  if (same) return { kind: 'duplicate', entry: same };
  const other = sameDay[sameDay.length - 1];
  if (other)
    return {
      kind: 'refused',
      field: 'effectiveFrom',
      message: `effectiveFrom: ${cert.id} already has ${describe(other)} recorded on ${when}; a ${change.status} entry on the same date contradicts it`,
    };
  const before = ordered.filter((e) => e.effectiveFrom < when);
  const last = before[before.length - 1];
  const first = ordered[0];
  const prior: CertificationStatus | null = last
    ? last.status
    : first
      ? priorStatus(first, cert.status)
      : isCertificationStatus(cert.status)
        ? cert.status
        : null;
  if (prior !== null && !canFollow(prior, change.status)) {
    const since = last ? ` (${describe(last)})` : ordered.length === 0 ? ' (the status recorded on it, no history)' : '';
    const why =
      prior === change.status ? `it is already ${prior}` : TRANSITIONS[prior].length === 0 ? `${prior} is final` : `${change.status} cannot follow ${prior}`;
    return { kind: 'refused', field: 'status', message: `status: cannot ${VERB[change.status]} ${cert.id} on ${when}: it is ${prior} then${since}; ${why}` };
  }
  const next = ordered.find((e) => e.effectiveFrom > when);
  if (next && !canFollow(change.status, next.status))
    return {
      kind: 'refused',
      field: 'effectiveFrom',
      message: `effectiveFrom: ${change.status} on ${when} contradicts the later entry ${describe(next)} of ${cert.id}: ${next.status} cannot follow ${change.status}`,
    };
  return { kind: 'ok' };
}

/**
 * Whether retracting the entry `entryId` leaves a consistent history: the entries before and
 * after it must still follow one another. Null when it does, else the reason.
 */
export function checkRetraction(cert: StatusSubject, entryId: string): string | null {
  const ordered = orderedHistory(cert.history);
  const i = ordered.findIndex((e) => e.id === entryId);
  if (i < 0) return `no entry ${entryId} in the history of ${cert.id}`;
  const prev = ordered[i - 1];
  const next = ordered[i + 1];
  if (prev && next && !canFollow(prev.status, next.status))
    return `retracting ${entryId} would leave ${describe(next)} right after ${describe(prev)}, and ${next.status} cannot follow ${prev.status}; retract the later entry first`;
  return null;
}

/**
 * Whether a whole history is consistent (for histories written at once: the seed, an importer's
 * first record of a certification): every date real and not before issuedAt (PENDING excepted),
 * ACTIVE and SUSPENDED not after validUntil, at most one status per date, and each entry allowed
 * to follow the one before. The first entry is not checked against the recorded status: it dates
 * it (an ACTIVE entry on the issue date of a certification recorded ACTIVE). Null when consistent,
 * else the first problem with the index of the entry (in the order given).
 */
export function checkHistory(cert: StatusSubject): { index: number; message: string } | null {
  const entries = cert.history.map((e, index) => ({ e, index })).filter(({ e }) => e.retracted !== true);
  for (const { e, index } of entries) {
    if (!isDate(e.effectiveFrom)) return { index, message: `effectiveFrom: ${e.effectiveFrom} is not a date (YYYY-MM-DD)` };
    if (cert.issuedAt !== null && e.effectiveFrom < cert.issuedAt && e.status !== 'PENDING')
      return { index, message: `effectiveFrom: ${e.effectiveFrom} is before ${cert.id} was issued (${cert.issuedAt})` };
    if (cert.validUntil !== null && e.effectiveFrom > cert.validUntil && (e.status === 'ACTIVE' || e.status === 'SUSPENDED'))
      return { index, message: `effectiveFrom: ${e.status} on ${e.effectiveFrom} is after the last day of validity of ${cert.id} (${cert.validUntil})` };
  }
  const sorted = [...entries].sort((a, b) => cmpStr(a.e.effectiveFrom, b.e.effectiveFrom));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (!prev || !cur) continue;
    if (prev.e.effectiveFrom === cur.e.effectiveFrom)
      return { index: cur.index, message: `effectiveFrom: two entries of ${cert.id} on ${cur.e.effectiveFrom} (${prev.e.status} and ${cur.e.status})` };
    if (!canFollow(prev.e.status, cur.e.status))
      return {
        index: cur.index,
        message: `status: ${cur.e.status} from ${cur.e.effectiveFrom} cannot follow ${describe(prev.e)} in the history of ${cert.id}`,
      };
  }
  return null;
}
