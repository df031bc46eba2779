/**
 * Whether a certification holds on a date, and why not. Pure: no I/O. See docs/ANALYTICS.md.
 */
import { cmp } from './risk';

export const LINEAGE_REASONS = ['NOT_YET_ISSUED', 'EXPIRED', 'SUSPENDED', 'REVOKED', 'SUPERSEDED', 'BASIS_NOT_VALID'] as const;
export type LineageReason = (typeof LINEAGE_REASONS)[number];

export interface CertFacts {
  id: string;
  status: string | null;
  /** YYYY-MM-DD */
  issuedAt: string | null;
  /** YYYY-MM-DD, last day of validity */
  validUntil: string | null;
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

/** A superseding certification is in effect on asOf once issued (a PENDING one never is). */
export function isInEffect(cert: CertFacts, asOf: string): boolean {
  if (cert.status === 'PENDING') return false;
  return cert.issuedAt === null || cert.issuedAt <= asOf;
}

/**
 * The certification's own validity on asOf: issue date, validity end, the issuer's status,
 * and supersession by a certification already in effect. Statuses carry no effective date,
 * so SUSPENDED, REVOKED and EXPIRED apply to every asOf.
 */
export function ownValidity(cert: CertFacts, asOf: string, supersededBy: readonly CertFacts[]): Validity {
  const findings: LineageFinding[] = [];
  if (cert.status === 'PENDING') {
    findings.push({ reason: 'NOT_YET_ISSUED', explanation: `${cert.id} is PENDING: applied for, not granted`, relatedId: null });
  } else if (cert.issuedAt !== null && cert.issuedAt > asOf) {
    findings.push({ reason: 'NOT_YET_ISSUED', explanation: `${cert.id} is issued on ${cert.issuedAt}, after ${asOf}`, relatedId: null });
  }
  if (cert.validUntil !== null && cert.validUntil < asOf) {
    findings.push({ reason: 'EXPIRED', explanation: `${cert.id} was valid until ${cert.validUntil}, before ${asOf}`, relatedId: null });
  } else if (cert.status === 'EXPIRED') {
    findings.push({ reason: 'EXPIRED', explanation: `${cert.id} is marked EXPIRED by its issuer`, relatedId: null });
  }
  if (cert.status === 'SUSPENDED') findings.push({ reason: 'SUSPENDED', explanation: `${cert.id} is suspended by its issuer`, relatedId: null });
  if (cert.status === 'REVOKED') findings.push({ reason: 'REVOKED', explanation: `${cert.id} is revoked by its issuer`, relatedId: null });
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
