/**
 * Pure rules for the NIST CMVP lists (src/importers/cmvp.ts) and the status changes between two
 * snapshots of them (src/store/importStore.ts records them through the status history).
 */

/** A status the CMVP lists give a certificate, in the model's words. */
export type SnapshotStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED';

function isoDate(month: number, day: number, year: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || year < 1970 || year > 2100) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.toISOString().slice(0, 10);
}

const DATE_HEAD = /^(\d{1,2})\/(\d{1,2})\/(\d+)/;

/** Dates from `at` to the end of `value` (backtracking over the year's length), or undefined. */
function datesFrom(value: string, at: number): string[] | undefined {
  let i = at;
  while (i < value.length && /[\s,;]/.test(value.charAt(i))) i += 1;
  if (i >= value.length) return [];
  const m = DATE_HEAD.exec(value.slice(i));
  if (!m) return undefined;
  const digits = m[3] ?? '';
  const start = i + m[0].length - digits.length;
  // A 4-digit year first; a 2-digit one (`01/31/11`, certificate 1145 of the historical list) when that fails.
  for (const width of [4, 2]) {
    if (digits.length < width) continue;
    const yy = Number(digits.slice(0, width));
    const year = width === 4 ? yy : yy < 70 ? 2000 + yy : 1900 + yy;
    const iso = isoDate(Number(m[1]), Number(m[2]), year);
    if (!iso) continue;
    const rest = datesFrom(value, start + width);
    if (rest) return [iso, ...rest];
  }
  return undefined;
}

/**
 * The dates of a CMVP date field as ISO dates: `M/D/YYYY` or `MM/DD/YYYY`, and several dates run
 * together without a separator (`02/05/202103/11/2021`, certificate 3811: an initial validation
 * and its updates; one run in the historical list even holds a 2-digit year, `01/31/11`).
 * Undefined when the text is not made of such dates only.
 */
export function parseCmvpDates(text: string): string[] | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  const dates = datesFrom(value, 0);
  return dates && dates.length > 0 ? dates : undefined;
}

/** One date (the first of a run-together field), or undefined. */
export function parseCmvpDate(text: string): string | undefined {
  const dates = parseCmvpDates(text);
  return dates?.length === 1 ? dates[0] : undefined;
}

export interface ModuleName {
  /** The module name without version and platform, e.g. `Apple corecrypto Module`. */
  name: string;
  /** e.g. `12.0`, when the name carries one. */
  version?: string;
  /** The bracketed platform and parenthesised remarks, e.g. `Apple silicon, Secure Key Store, Hardware, SL2`. */
  platform?: string;
}

/**
 * Splits a CMVP module name into name, version and platform:
 * `Apple corecrypto Module v12.0 [Apple silicon, Secure Key Store, Hardware, SL2]`,
 * `Apple Secure Key Store Cryptographic Module, v10.0`,
 * `Apple corecrypto Module v11.1 [Apple silicon, Secure Key Store, Hardware] (SL2)`.
 */
export function splitModuleName(full: string): ModuleName {
  let rest = full.trim().replace(/\s+/g, ' ');
  const platform: string[] = [];
  for (;;) {
    const m = /\s*[[(]([^[\]()]*)[\])]\s*$/.exec(rest);
    if (!m || m.index === 0) break;
    platform.unshift((m[1] ?? '').trim());
    rest = rest.slice(0, m.index).trim();
  }
  const v = /^(.*?),?\s+(?:v|version\s*)(\d+(?:\.\d+)*[a-z]?)$/i.exec(rest);
  const out: ModuleName = v ? { name: (v[1] ?? '').trim(), version: v[2] } : { name: rest };
  const platformText = platform.filter((p) => p !== '').join('; ');
  if (platformText) out.platform = platformText;
  return out;
}

/** Text reduced to lower-case letters and digits separated by single spaces (marks and punctuation dropped). */
function reduced(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[®™©]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const LEGAL_FORM = /(?: (?:inc|incorporated|llc|ltd|limited|corp|corporation|co|gmbh|ag|sa|bv|plc|pty))+$/;

/**
 * A vendor name reduced to what stays the same across records (`Apple Inc.`, `Apple, Inc.`;
 * `Red Hat®, Inc.`; `Juniper Networks`, `Juniper Networks, Inc`; `Fujitsu limited`): lower case,
 * marks, punctuation and a trailing legal form dropped.
 */
export function vendorKey(name: string): string {
  const r = reduced(name);
  return r.replace(LEGAL_FORM, '') || r;
}

/** A readable id part: lower case letters, digits and dashes. */
export function slug(text: string): string {
  return reduced(text).replace(/ /g, '-') || 'unnamed';
}

/** The id part of a vendor: its reduced name, the same for every spelling. */
export function vendorSlug(name: string): string {
  return vendorKey(name).replace(/ /g, '-') || 'unnamed';
}

/** Country as the seed writes it (ISO 3166 alpha-2) for the names the detail records use; others as given. */
export function countryCode(name: string): string {
  const known: Record<string, string> = {
    usa: 'US',
    'united states': 'US',
    'united states of america': 'US',
    korea: 'KR',
    'south korea': 'KR',
    'republic of korea': 'KR',
    canada: 'CA',
    germany: 'DE',
    france: 'FR',
    japan: 'JP',
    china: 'CN',
    taiwan: 'TW',
    'united kingdom': 'GB',
    israel: 'IL',
    india: 'IN',
  };
  return known[name.trim().toLowerCase()] ?? name.trim();
}

/** The day after an ISO date. */
export function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** What the graph knew of a certification before this snapshot. */
export interface PreviousState {
  status: string | null;
  /** Snapshot that last wrote it. */
  snapshotDate: string | null;
  validUntil: string | null;
}

/** A certification as this snapshot lists it. */
export interface SnapshotEntry {
  certificationId: string;
  /** Certificate number. */
  reference: string;
  status: SnapshotStatus;
  issuedAt?: string;
  validUntil?: string;
}

/** A status change to record (see docs/CERTIFICATION-LIFECYCLE.md). */
export interface PlannedChange {
  certificationId: string;
  reference: string;
  status: SnapshotStatus;
  effectiveFrom: string;
  reason: string;
  /** True for a move between two snapshots (active before, expired or revoked now). */
  moved: boolean;
}

export interface SnapshotPlan {
  changes: PlannedChange[];
  /** Certificate numbers first seen in this snapshot while an earlier snapshot was in the graph. */
  newReferences: string[];
  /** Certifications a newer snapshot already wrote: left as they are. */
  newerKept: string[];
}

const LISTED = (status: SnapshotStatus) => (status === 'REVOKED' ? 'revoked' : 'historical');

/**
 * The status changes one snapshot implies, given what the graph held before (pure).
 *
 * - First sight of an active certificate: ACTIVE from its first validation date.
 * - First sight of an expired or revoked one: ACTIVE from its validation date and EXPIRED (or
 *   REVOKED) from its sunset date when a record gives it; otherwise only the EXPIRED (REVOKED)
 *   entry, effective on the snapshot date (the list says it had ended by then, not when).
 * - Active in an earlier snapshot, historical now: EXPIRED (REVOKED when the list says so)
 *   effective on its sunset date when that lies after the earlier snapshot and not after this one
 *   (certificate 4644: sunset 2025-12-17 between 2025-12-14 and 2026-01-18), else on this
 *   snapshot's date.
 * - Historical before, active now: ACTIVE again from this snapshot's date.
 * - A certification that a newer snapshot already wrote is left alone (no roll-back); the same
 *   snapshot again changes nothing.
 */
export function planSnapshot(
  asOf: string,
  entries: SnapshotEntry[],
  previous: ReadonlyMap<string, PreviousState>,
  previousSnapshot: string | null,
): SnapshotPlan {
  const changes: PlannedChange[] = [];
  const newReferences: string[] = [];
  const newerKept: string[] = [];
  for (const e of entries) {
    const prev = previous.get(e.certificationId);
    if (!prev || prev.snapshotDate === null) {
      if (previousSnapshot !== null && previousSnapshot < asOf) newReferences.push(e.reference);
      if (e.status === 'ACTIVE') {
        if (e.issuedAt) changes.push({ ...base(e), status: 'ACTIVE', effectiveFrom: e.issuedAt, reason: 'validated (first validation date)', moved: false });
        continue;
      }
      if (e.validUntil && e.validUntil <= asOf) {
        if (e.issuedAt && e.issuedAt <= e.validUntil)
          changes.push({ ...base(e), status: 'ACTIVE', effectiveFrom: e.issuedAt, reason: 'validated (first validation date)', moved: false });
        changes.push({
          ...base(e),
          status: e.status,
          effectiveFrom: e.validUntil,
          reason: `sunset date ${e.validUntil}; listed ${LISTED(e.status)}`,
          moved: false,
        });
      } else {
        changes.push({
          ...base(e),
          status: e.status,
          effectiveFrom: asOf,
          reason: `listed ${LISTED(e.status)} in the snapshot of ${asOf}; the list does not say since when`,
          moved: false,
        });
      }
      continue;
    }
    if (prev.snapshotDate > asOf) {
      newerKept.push(e.reference);
      continue;
    }
    if (prev.snapshotDate === asOf) continue;
    const before = prev.status;
    if (before === e.status) continue;
    if (e.status === 'ACTIVE') {
      changes.push({ ...base(e), status: 'ACTIVE', effectiveFrom: asOf, reason: `listed active again in the snapshot of ${asOf}`, moved: false });
      continue;
    }
    const sunset = prev.validUntil ?? e.validUntil ?? null;
    const between = sunset !== null && sunset > prev.snapshotDate && sunset <= asOf;
    changes.push({
      ...base(e),
      status: e.status,
      effectiveFrom: between && sunset ? sunset : asOf,
      reason: between
        ? `sunset date ${sunset}; listed ${LISTED(e.status)} in the snapshot of ${asOf} (active in ${prev.snapshotDate})`
        : `listed ${LISTED(e.status)} in the snapshot of ${asOf} (${before === 'ACTIVE' ? 'active' : String(before).toLowerCase()} in ${prev.snapshotDate})`,
      moved: before === 'ACTIVE',
    });
  }
  return { changes, newReferences, newerKept };
}

function base(e: SnapshotEntry): { certificationId: string; reference: string } {
  return { certificationId: e.certificationId, reference: e.reference };
}

/**
 * The status history a list with its own dates implies (Common Criteria: certification date and
 * archived date): ACTIVE from the certification date, EXPIRED from the archived date. Recording
 * them again changes nothing (the entries' ids are deterministic).
 */
export function planDatedHistory(entries: SnapshotEntry[], previous: ReadonlyMap<string, PreviousState>): PlannedChange[] {
  const out: PlannedChange[] = [];
  for (const e of entries) {
    if (e.issuedAt) out.push({ ...base(e), status: 'ACTIVE', effectiveFrom: e.issuedAt, reason: 'certified (certification date)', moved: false });
    if (e.validUntil)
      out.push({
        ...base(e),
        status: 'EXPIRED',
        effectiveFrom: e.validUntil,
        reason: `archived date ${e.validUntil}`,
        moved: previous.get(e.certificationId)?.status === 'ACTIVE' && e.status === 'EXPIRED',
      });
  }
  return out;
}
