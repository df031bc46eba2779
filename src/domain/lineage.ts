/**
 * Whether a certification holds on a date, and why not. Pure: no I/O. See docs/ANALYTICS.md.
 */
import { cmp } from './risk';
import { certificationStatusOn, statusInForce, type StatusFact } from './statusHistory';

export const LINEAGE_REASONS = ['NOT_YET_ISSUED', 'EXPIRED', 'SUSPENDED', 'REVOKED', 'WITHDRAWN', 'SUPERSEDED', 'BASIS_NOT_VALID'] as const;
export type LineageReason = (typeof LINEAGE_REASONS)[number];

export interface CertFacts {
  id: string;
  /** The status recorded on the certification: in force on every date only when it has no history. */
  status: string | null;
  /** YYYY-MM-DD */
  issuedAt: string | null;
  /** YYYY-MM-DD, last day of validity */
  validUntil: string | null;
  /** Its status history as visible to the caller (docs/CERTIFICATION-LIFECYCLE.md); empty: none recorded. */
  history: readonly StatusFact[];
}

export interface LineageFinding {
  reason: LineageReason;
  explanation: string;
  /** The superseding certification, or the basis that does not hold. */
  relatedId: string | null;
}

export interface Validity {
  holds: boolean;
  findings: LineageFinding[];
}

/** A superseding certification is in effect on asOf once issued and not PENDING on that date. */
export function isInEffect(cert: CertFacts, asOf: string): boolean {
  if (statusInForce(cert.history, asOf, cert.status).status === 'PENDING') return false;
  return cert.issuedAt === null || cert.issuedAt <= asOf;
}

/** How a status came to be in force on asOf, for an explanation. */
function since(status: string, entry: StatusFact | null): string {
  if (!entry) return `is ${status} (recorded on the certification, no effective date)`;
  return `is ${status} from ${entry.effectiveFrom}${entry.reason ? ` (${entry.reason})` : ''}`;
}

/**
 * The certification's own validity on asOf: issue date, validity end, the status in force on
 * asOf (its history: a status holds from its effectiveFrom; without history the recorded status
 * applies to every date, except EXPIRED, which with a validUntil takes effect the day after it),
 * and supersession by a certification already in effect.
 */
export function ownValidity(cert: CertFacts, asOf: string, supersededBy: readonly CertFacts[]): Validity {
  const findings: LineageFinding[] = [];
  const onDate = certificationStatusOn(cert, asOf);
  // past validUntil the EXPIRED finding comes from the date; a suspension or revocation in force is still named
  const { status, entry } = onDate.basis === 'validUntil' ? statusInForce(cert.history, asOf, cert.status) : onDate;
  if (status === 'PENDING') {
    findings.push({ reason: 'NOT_YET_ISSUED', explanation: `${cert.id} ${since('PENDING', entry)} on ${asOf}: applied for, not granted`, relatedId: null });
  } else if (cert.issuedAt !== null && cert.issuedAt > asOf) {
    findings.push({ reason: 'NOT_YET_ISSUED', explanation: `${cert.id} is issued on ${cert.issuedAt}, after ${asOf}`, relatedId: null });
  }
  if (cert.validUntil !== null && cert.validUntil < asOf) {
    findings.push({ reason: 'EXPIRED', explanation: `${cert.id} was valid until ${cert.validUntil}, before ${asOf}`, relatedId: null });
  } else if (status === 'EXPIRED') {
    findings.push({ reason: 'EXPIRED', explanation: `${cert.id} ${since('EXPIRED', entry)} on ${asOf}`, relatedId: null });
  }
  if (status === 'SUSPENDED') findings.push({ reason: 'SUSPENDED', explanation: `${cert.id} ${since('SUSPENDED', entry)} on ${asOf}`, relatedId: null });
  if (status === 'REVOKED') findings.push({ reason: 'REVOKED', explanation: `${cert.id} ${since('REVOKED', entry)} on ${asOf}`, relatedId: null });
  if (status === 'WITHDRAWN') findings.push({ reason: 'WITHDRAWN', explanation: `${cert.id} ${since('WITHDRAWN', entry)} on ${asOf}`, relatedId: null });
  for (const successor of [...supersededBy].sort((a, b) => cmp(a.id, b.id))) {
    if (isInEffect(successor, asOf)) {
      const when = successor.issuedAt ? ` issued ${successor.issuedAt}` : '';
      findings.push({ reason: 'SUPERSEDED', explanation: `${cert.id} is superseded by ${successor.id}${when}`, relatedId: successor.id });
    }
  }
  return { holds: findings.length === 0, findings };
}

export interface LineageGraph {
  certs: readonly CertFacts[];
  /** [certification, the certification it rests on] */
  basedOn: readonly (readonly [string, string])[];
  /** [newer, older] */
  supersedes: readonly (readonly [string, string])[];
}

/**
 * Validity of every certification of a lineage on asOf. A certification also fails when a
 * certification it rests on (BASED_ON, transitively) does not hold. A BASED_ON cycle is a data
 * error; the edge that closes it is ignored so evaluation terminates.
 */
export function evaluateLineage(graph: LineageGraph, asOf: string): Map<string, Validity> {
  const byId = new Map(graph.certs.map((c) => [c.id, c]));
  const successors = new Map<string, CertFacts[]>();
  for (const [newer, older] of graph.supersedes) {
    const n = byId.get(newer);
    if (!n) continue;
    successors.set(older, [...(successors.get(older) ?? []), n]);
  }
  const bases = new Map<string, string[]>();
  for (const [cert, basis] of graph.basedOn) {
    if (byId.has(basis)) bases.set(cert, [...(bases.get(cert) ?? []), basis]);
  }
  const result = new Map<string, Validity>();
  const inProgress = new Set<string>();
  const visit = (id: string): Validity | undefined => {
    const done = result.get(id);
    if (done) return done;
    const cert = byId.get(id);
    if (!cert || inProgress.has(id)) return undefined;
    inProgress.add(id);
    const own = ownValidity(cert, asOf, successors.get(id) ?? []);
    const findings = [...own.findings];
    for (const basis of [...(bases.get(id) ?? [])].sort(cmp)) {
      const v = visit(basis);
      if (v && !v.holds) {
        findings.push({
          reason: 'BASIS_NOT_VALID',
          explanation: `${id} rests on ${basis}, which does not hold on ${asOf} (${v.findings.map((f) => f.reason).join(', ')})`,
          relatedId: basis,
        });
      }
    }
    inProgress.delete(id);
    const validity = { holds: findings.length === 0, findings };
    result.set(id, validity);
    return validity;
  };
  for (const cert of graph.certs) visit(cert.id);
  return result;
}

/** Today's date as YYYY-MM-DD (UTC). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
