/**
 * Curator and admin writes of certification status histories (docs/CERTIFICATION-LIFECYCLE.md):
 * each one transaction, checked against the history the caller may see with the pure rules of
 * src/domain/statusHistory.ts, written through the one write path (recordStatusChanges).
 */
import type { Caller } from '../domain/caller';
import { invalidInput as badInput, notFoundError as notFound } from '../domain/errors';
import { CLASSIFICATIONS, markingsVisibleTo, type CertificationStatus } from '../domain/model';
import { certificationStatusOn, checkRetraction, checkStatusChange, type StatusSubject } from '../domain/statusHistory';
import { echoInput, TEXT_MAX_CHARS } from '../domain/validation';
import type { Tx } from '../store/database';
import type { GraphStore } from '../store/graphStore';
import type { CertificationRow } from '../store/rows';
import { emitRetractionEvents, refreshFeedState } from '../store/feedEmitters';
import { readHistoriesTx, recordStatusChanges, retractStatusChange, statusChangeOwner, type StatusChangeRow } from '../store/statusHistoryStore';

export interface StatusWriteDeps {
  caller: Caller;
  store: GraphStore;
}

export interface RecordStatusInput {
  certificationId: string;
  status: CertificationStatus;
  effectiveFrom: unknown;
  reason: string;
  sourceRef?: string | null;
  classification?: string | null;
}

export interface StatusWriteResult {
  /** The certification with its visible history after the write (`__history`). */
  certification: CertificationRow;
  entry: StatusChangeRow;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A GraphQL Date (a JS Date from the scalar, or a string) as YYYY-MM-DD. */
export function dateText(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return typeof value === 'string' ? value : '';
}

/** The facts the rules need about a certification row and its history. */
export function subjectOf(row: CertificationRow, history: readonly StatusChangeRow[]): StatusSubject {
  return { id: row.id, status: str(row.status), issuedAt: str(row.issuedAt), validUntil: str(row.validUntil), history };
}

/**
 * The status in force on a date (see certificationStatusOn); null before the issue date when no
 * history entry is in force then (a certification not yet issued has no status, unless its
 * history records one, e.g. PENDING).
 */
export function statusOfRow(row: CertificationRow, history: readonly StatusChangeRow[], asOf: string): CertificationStatus | null {
  const subject = subjectOf(row, history);
  const onDate = certificationStatusOn(subject, asOf);
  if (onDate.entry === null && subject.issuedAt !== null && asOf < subject.issuedAt) return null;
  return onDate.status;
}

function requireText(value: string, path: string[]): string {
  const text = value.trim();
  if (text === '') throw badInput(`${path.join('.')}: must not be empty`, path);
  if (text.length > TEXT_MAX_CHARS) throw badInput(`${path.join('.')}: at most ${TEXT_MAX_CHARS} characters`, path);
  return text;
}

/** A visible certification in the transaction, else NOT_FOUND (missing and hidden look alike). */
async function certificationTx(deps: StatusWriteDeps, tx: Tx, id: string, path: string[]): Promise<CertificationRow> {
  const row = await deps.store.getNodeTx(tx, id);
  if (!row || row.__label !== 'Certification') throw notFound(`${path.join('.')}: no certification with id ${echoInput(id)} is visible to you`, path);
  return row;
}

/**
 * Records one status change in one transaction. Refused (nothing written) when the date or
 * status contradicts the history the caller may see, when the same change is already recorded,
 * or when the entry's marking is above the caller's clearance. The rules are checked against the
 * visible history only: entries above the caller's clearance are neither revealed nor consulted.
 */
export async function recordCertificationStatus(deps: StatusWriteDeps, input: RecordStatusInput): Promise<StatusWriteResult> {
  const effectiveFrom = dateText(input.effectiveFrom);
  const reason = requireText(input.reason, ['input', 'reason']);
  const sourceRef = input.sourceRef === null || input.sourceRef === undefined ? null : requireText(input.sourceRef, ['input', 'sourceRef']);
  const marking = input.classification ?? null;
  if (marking !== null) {
    if (!(CLASSIFICATIONS as readonly string[]).includes(marking))
      throw badInput(`input.classification: unknown marking ${echoInput(marking)}`, ['input', 'classification']);
    if (!(markingsVisibleTo(deps.caller.clearance) as string[]).includes(marking))
      throw badInput(`input.classification: cannot be above your clearance (${deps.caller.clearance})`, ['input', 'classification']);
  }
  return deps.store.writeTransaction(async (tx) => {
    const cert = await certificationTx(deps, tx, input.certificationId, ['input', 'certificationId']);
    const history = (await readHistoriesTx(tx, deps.store.markings, [cert.id])).get(cert.id) ?? [];
    const check = checkStatusChange(subjectOf(cert, history), { status: input.status, effectiveFrom });
    if (check.kind === 'refused') throw badInput(`input.${check.message}`, ['input', check.field]);
    if (check.kind === 'duplicate')
      throw badInput(
        `input.effectiveFrom: ${cert.id} already records ${input.status} from ${effectiveFrom} (entry ${check.entry.id ?? ''}); nothing to record`,
        ['input', 'effectiveFrom'],
      );
    const [entry] = await recordStatusChanges(tx, [
      {
        certificationId: cert.id,
        status: input.status,
        effectiveFrom,
        reason,
        source: `curator:${deps.caller.id}`,
        sourceRef,
        classification: marking,
      },
    ]);
    // an entry with this id exists but the caller cannot see it (recorded at a higher marking)
    if (!entry)
      throw badInput(`input.effectiveFrom: ${cert.id} already records ${input.status} from ${effectiveFrom}; nothing to record`, ['input', 'effectiveFrom']);
    // the change feed: scope drift of the deployments this certification covers (docs/EVENTS.md)
    await refreshFeedState(tx, [cert.id], `curator:${deps.caller.id}`);
    return { certification: { ...cert, __history: [...history, entry] }, entry };
  });
}

/**
 * An admin correction: marks one visible entry retracted, in one transaction. Refused when the
 * entries before and after it could not follow one another (retract the later one first).
 */
export async function retractCertificationStatus(deps: StatusWriteDeps, input: { entryId: string; reason: string }): Promise<StatusWriteResult> {
  const reason = requireText(input.reason, ['input', 'reason']);
  return deps.store.writeTransaction(async (tx) => {
    const owner = await statusChangeOwner(tx, deps.store.markings, input.entryId);
    if (!owner) throw notFound(`input.entryId: no status history entry ${echoInput(input.entryId)} is visible to you`, ['input', 'entryId']);
    const cert = await certificationTx(deps, tx, owner, ['input', 'entryId']);
    const history = (await readHistoriesTx(tx, deps.store.markings, [cert.id])).get(cert.id) ?? [];
    const problem = checkRetraction(subjectOf(cert, history), input.entryId);
    if (problem) throw badInput(`input.entryId: ${problem}`, ['input', 'entryId']);
    const entry = await retractStatusChange(tx, deps.store.markings, input.entryId, deps.caller.id, reason);
    if (!entry) throw notFound(`input.entryId: no status history entry ${echoInput(input.entryId)} is visible to you`, ['input', 'entryId']);
    // the change feed (docs/EVENTS.md): STATUS_RETRACTED, its lineage consequences and drift changes, in this transaction
    await emitRetractionEvents(
      tx,
      {
        id: entry.id,
        certificationId: entry.certificationId,
        status: entry.status,
        effectiveFrom: entry.effectiveFrom,
        reason: entry.reason,
        source: entry.source,
        classification: entry.classification,
      },
      `curator:${deps.caller.id}`,
      reason,
    );
    return { certification: { ...cert, __history: history.filter((e) => e.id !== entry.id) }, entry };
  });
}
