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

export interface DeploymentFacts {
  deploymentId: string;
  deviceId: string | null;
  /** The running release's version (RUNS an OS_RELEASE), else Deployment.osVersion. */
  osVersion: string | null;
  coverage: Coverage[];
}

export interface DriftFinding {
  reason: DriftReason;
  explanation: string;
  certificationId: string | null;
  controlId: string | null;
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
  if (facts.deviceId === null) {
    return { inScope: false, coveredBy: [], findings: [{ reason: 'DEVICE_NOT_COVERED', explanation: `${facts.deploymentId} names no visible device model (OF)`, certificationId: null, controlId: null }] };
  }
  if (facts.coverage.length === 0) {
    return {
      inScope: false,
      coveredBy: [],
      findings: [{ reason: 'DEVICE_NOT_COVERED', explanation: `no visible certification CERTIFIES device ${facts.deviceId}`, certificationId: null, controlId: null }],
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
      if (position === 'ABOVE_RANGE') own.push({ reason: 'OS_NEWER_THAN_SCOPE', explanation: `OS ${facts.osVersion ?? ''} is newer than ${certId} covers (${range})`, certificationId: certId, controlId: null });
      if (position === 'BELOW_RANGE') own.push({ reason: 'OS_OLDER_THAN_SCOPE', explanation: `OS ${facts.osVersion ?? ''} is older than ${certId} covers (${range})`, certificationId: certId, controlId: null });
      if (position === 'UNKNOWN_VERSION') own.push({ reason: 'OS_VERSION_UNKNOWN', explanation: `the deployment's OS version is unknown, so it cannot be checked against ${certId} (${range})`, certificationId: certId, controlId: null });
    }
    const validity = ownValidity(c.cert, asOf, c.supersededBy);
    if (!validity.holds) {
      own.push({ reason: 'CERTIFICATION_NOT_VALID', explanation: `${certId} does not hold on ${asOf}: ${validity.findings.map((f) => f.explanation).join('; ')}`, certificationId: certId, controlId: null });
    }
    for (const controlId of [...c.missingControlIds].sort(cmp)) {
      own.push({ reason: 'REQUIRED_CONTROL_NOT_IMPLEMENTED', explanation: `${certId} requires control ${controlId}, which neither the device, its components nor the running release implement`, certificationId: certId, controlId });
    }
    if (own.length === 0) coveredBy.push(certId);
    findings.push(...own);
  }
  return { inScope: coveredBy.length > 0, coveredBy, findings };
}
