/**
 * Certification-scope drift of a deployment: why its device model or running OS release falls
 * outside the scope of the certifications covering the model. Pure: no I/O. See docs/ANALYTICS.md.
 */
import { ownValidity, type CertFacts } from './lineage';
import { cmp } from './risk';
import { describeRange, versionInRange } from './versions';

export const DRIFT_REASONS = [
  'DEVICE_NOT_COVERED',
  'OS_NEWER_THAN_SCOPE',
  'OS_OLDER_THAN_SCOPE',
  'OS_VERSION_UNKNOWN',
  'CERTIFICATION_NOT_VALID',
  'REQUIRED_CONTROL_NOT_IMPLEMENTED',
  'KNOWN_EXPLOITED',
  'KEV_PAST_DUE',
  'OS_SUPPORT_ENDED',
] as const;
export type DriftReason = (typeof DRIFT_REASONS)[number];

/** A certification that CERTIFIES the deployment's device model, with what the store found about it. */
export interface Coverage {
  cert: CertFacts;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  /** Certifications that SUPERSEDE this one. */
  supersededBy: CertFacts[];
  /** Controls it REQUIRES that neither the device, its parts nor the running release implement. */
  missingControlIds: string[];
}

/** A known-exploited vulnerability that AFFECTS the running release (no VEX statement stops it). */
export interface ExploitedFact {
  id: string;
  /** Date CISA added it to the KEV catalog (YYYY-MM-DD), when known. */
  kevDateAdded: string | null;
  /** CISA remediation due date (YYYY-MM-DD), when known. */
  kevDueDate: string | null;
}

/** What the store found about the OS release a deployment RUNS. */
export interface ReleaseFacts {
  id: string;
  /** Component.supportEndsAt (YYYY-MM-DD): the last supported day. */
  supportEndsAt: string | null;
  knownExploited: ExploitedFact[];
}

export interface DeploymentFacts {
  deploymentId: string;
  deviceId: string | null;
  /** The running release's version (RUNS an OS_RELEASE), else Deployment.osVersion. */
  osVersion: string | null;
  coverage: Coverage[];
  /** The running release (absent or null: none recorded, so no release findings). */
  release?: ReleaseFacts | null;
}

export interface DriftFinding {
  reason: DriftReason;
  explanation: string;
  certificationId: string | null;
  controlId: string | null;
  /** KNOWN_EXPLOITED, KEV_PAST_DUE: the vulnerability. */
  vulnerabilityId: string | null;
  /** KEV_PAST_DUE: the KEV due date; OS_SUPPORT_ENDED: the support end date. */
  date: string | null;
}

/** Reasons about the running release itself, not about a certification: they leave inScope as it is. */
export const RELEASE_REASONS: readonly DriftReason[] = ['KNOWN_EXPLOITED', 'KEV_PAST_DUE', 'OS_SUPPORT_ENDED'];

const finding = (reason: DriftReason, explanation: string, more: Partial<Omit<DriftFinding, 'reason' | 'explanation'>> = {}): DriftFinding => ({
  reason,
  explanation,
  certificationId: more.certificationId ?? null,
  controlId: more.controlId ?? null,
  vulnerabilityId: more.vulnerabilityId ?? null,
  date: more.date ?? null,
});

/**
 * Findings about the running release on asOf (dates compare as YYYY-MM-DD; a date is past when it
 * is before asOf, so the last supported day and the due date itself are still fine):
 * OS_SUPPORT_ENDED when supportEndsAt is before asOf; for each known-exploited vulnerability
 * affecting it that CISA had listed by asOf (kevDateAdded on or before asOf, or unknown),
 * KNOWN_EXPLOITED, and KEV_PAST_DUE as well when its due date is before asOf.
 */
export function assessRelease(release: ReleaseFacts | null | undefined, asOf: string): DriftFinding[] {
  if (!release) return [];
  const out: DriftFinding[] = [];
  if (release.supportEndsAt !== null && release.supportEndsAt < asOf) {
    out.push(finding('OS_SUPPORT_ENDED', `support for ${release.id} ended on ${release.supportEndsAt}, before ${asOf}`, { date: release.supportEndsAt }));
  }
  const listed = release.knownExploited.filter((v) => v.kevDateAdded === null || v.kevDateAdded <= asOf);
  for (const v of [...listed].sort((a, b) => cmp(a.id, b.id))) {
    const added = v.kevDateAdded ? ` (in the CISA KEV catalog since ${v.kevDateAdded})` : '';
    out.push(finding('KNOWN_EXPLOITED', `${release.id} is affected by known-exploited ${v.id}${added}`, { vulnerabilityId: v.id }));
    if (v.kevDueDate !== null && v.kevDueDate < asOf) {
      out.push(
        finding('KEV_PAST_DUE', `${v.id} affects ${release.id} and its CISA remediation due date ${v.kevDueDate} is before ${asOf}`, {
          vulnerabilityId: v.id,
          date: v.kevDueDate,
        }),
      );
    }
  }
  return out;
}

export interface DriftResult {
  /** Some covering certification has no finding. */
  inScope: boolean;
  /** Certifications with no finding. */
  coveredBy: string[];
  findings: DriftFinding[];
}

/** Findings of one deployment on asOf. */
export function assessDeployment(facts: DeploymentFacts, asOf: string): DriftResult {
  const releaseFindings = assessRelease(facts.release, asOf);
  if (facts.deviceId === null) {
    return {
      inScope: false,
      coveredBy: [],
      findings: [finding('DEVICE_NOT_COVERED', `${facts.deploymentId} names no visible device model (OF)`), ...releaseFindings],
    };
  }
  if (facts.coverage.length === 0) {
    return {
      inScope: false,
      coveredBy: [],
      findings: [finding('DEVICE_NOT_COVERED', `no visible certification CERTIFIES device ${facts.deviceId}`), ...releaseFindings],
    };
  }
  const findings: DriftFinding[] = [];
  const coveredBy: string[] = [];
  for (const c of [...facts.coverage].sort((a, b) => cmp(a.cert.id, b.cert.id))) {
    const certId = c.cert.id;
    const own: DriftFinding[] = [];
    const range = describeRange(c.minOsVersion, c.maxOsVersion);
    if (c.minOsVersion !== null || c.maxOsVersion !== null) {
      const position = versionInRange(facts.osVersion, c.minOsVersion, c.maxOsVersion);
      if (position === 'ABOVE_RANGE')
        own.push(finding('OS_NEWER_THAN_SCOPE', `OS ${facts.osVersion ?? ''} is newer than ${certId} covers (${range})`, { certificationId: certId }));
      if (position === 'BELOW_RANGE')
        own.push(finding('OS_OLDER_THAN_SCOPE', `OS ${facts.osVersion ?? ''} is older than ${certId} covers (${range})`, { certificationId: certId }));
      if (position === 'UNKNOWN_VERSION')
        own.push(
          finding('OS_VERSION_UNKNOWN', `the deployment's OS version is unknown, so it cannot be checked against ${certId} (${range})`, {
            certificationId: certId,
          }),
        );
    }
    const validity = ownValidity(c.cert, asOf, c.supersededBy);
    if (!validity.holds) {
      own.push(
        finding('CERTIFICATION_NOT_VALID', `${certId} does not hold on ${asOf}: ${validity.findings.map((f) => f.explanation).join('; ')}`, {
          certificationId: certId,
        }),
      );
    }
    for (const controlId of [...c.missingControlIds].sort(cmp)) {
      own.push(
        finding(
          'REQUIRED_CONTROL_NOT_IMPLEMENTED',
          `${certId} requires control ${controlId}, which neither the device, its components nor the running release implement`,
          { certificationId: certId, controlId },
        ),
      );
    }
    if (own.length === 0) coveredBy.push(certId);
    findings.push(...own);
  }
  return { inScope: coveredBy.length > 0, coveredBy, findings: [...findings, ...releaseFindings] };
}
