/**
 * Remediation of a fleet's known-exploited vulnerabilities: which newer releases of its OS line
 * fix all of them, the lowest, and whether that release stays inside the certified scope of each
 * certification covering the device model. Pure: no I/O. See docs/ANALYTICS.md.
 */
import type { ExploitedFact } from './drift';
import { ownValidity, type CertFacts } from './lineage';
import { cmp } from './risk';
import { compareVersions, describeRange, parseVersion, versionInRange } from './versions';

export interface ReleaseRef {
  id: string;
  /** Display name, e.g. `iOS 18.3.1` (else the id). */
  name: string | null;
  version: string | null;
  releasedAt: string | null;
}

export interface CandidateFacts extends ReleaseRef {
  /** SUPERSEDES links between it and the running release. */
  distance: number;
  /** Known-exploited vulnerabilities that AFFECT it (VEX NOT_AFFECTED / FIXED already left out). */
  affectedBy: string[];
}

export interface RemediationCoverage {
  cert: CertFacts;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  supersededBy: CertFacts[];
}

export interface RemediationFacts {
  deploymentId: string;
  deviceId: string | null;
  release: ReleaseRef | null;
  knownExploited: ExploitedFact[];
  candidates: CandidateFacts[];
  coverage: RemediationCoverage[];
}

export interface CandidatePlan {
  id: string;
  distance: number;
  stillAffectedBy: string[];
  fixesAll: boolean;
}

export interface CertificationPlan {
  certId: string;
  holds: boolean;
  currentInScope: boolean;
  fixInScope: boolean | null;
  explanation: string;
}

export interface RemediationPlan {
  /** Known-exploited vulnerabilities listed by asOf that affect the running release, by id. */
  knownExploitedIds: string[];
  /** Releases out by asOf and newer than the running one, lowest version first. */
  candidates: CandidatePlan[];
  lowestFixId: string | null;
  certifications: CertificationPlan[];
  fixKeepsScope: boolean;
  explanation: string;
}

const label = (r: ReleaseRef): string => (r.name && r.version && !r.name.includes(r.version) ? `${r.name} (${r.version})` : (r.name ?? r.id));

/** Lower version first; unparseable versions last; then id. */
function byVersion(a: ReleaseRef, b: ReleaseRef): number {
  const va = parseVersion(a.version);
  const vb = parseVersion(b.version);
  if (va && vb) return compareVersions(va, vb) || cmp(a.id, b.id);
  if (va) return -1;
  if (vb) return 1;
  return cmp(a.id, b.id);
}

/** Newer than the running release: by SUPERSEDES, and by version when both versions parse (a chain that says otherwise is not trusted). */
function isNewer(candidate: ReleaseRef, current: ReleaseRef): boolean {
  const vc = parseVersion(candidate.version);
  const vr = parseVersion(current.version);
  return !(vc && vr) || compareVersions(vc, vr) > 0;
}

const list = (ids: readonly string[]): string => ids.join(', ');

export function planRemediation(facts: RemediationFacts, asOf: string): RemediationPlan {
  const release = facts.release;
  if (!release) {
    const certifications = [...facts.coverage]
      .sort((a, b) => cmp(a.cert.id, b.cert.id))
      .map((c): CertificationPlan => ({
        certId: c.cert.id,
        holds: ownValidity(c.cert, asOf, c.supersededBy).holds,
        currentInScope: false,
        fixInScope: null,
        explanation: `${c.cert.id} covers ${describeRange(c.minOsVersion, c.maxOsVersion)}; the fleet's OS release is not recorded`,
      }));
    return {
      knownExploitedIds: [],
      candidates: [],
      lowestFixId: null,
      certifications,
      fixKeepsScope: false,
      explanation: `${facts.deploymentId} records no OS release it RUNS, so its known-exploited vulnerabilities cannot be judged`,
    };
  }
  const cves = facts.knownExploited.filter((v) => v.kevDateAdded === null || v.kevDateAdded <= asOf).map((v) => v.id);
  const wanted = [...new Set(cves)].sort(cmp);
  const available = facts.candidates.filter((c) => (c.releasedAt === null || c.releasedAt <= asOf) && isNewer(c, release)).sort(byVersion);
  const candidates: CandidatePlan[] = available.map((c) => {
    const still = wanted.filter((id) => c.affectedBy.includes(id));
    return { id: c.id, distance: c.distance, stillAffectedBy: still, fixesAll: still.length === 0 };
  });
  const lowest = wanted.length === 0 ? undefined : available.find((c, i) => candidates[i]?.fixesAll === true);
  const fixText = lowest ? `the fix needs ${label(lowest)} or later` : undefined;

  const certifications = [...facts.coverage]
    .sort((a, b) => cmp(a.cert.id, b.cert.id))
    .map((c): CertificationPlan => {
      const certId = c.cert.id;
      const holds = ownValidity(c.cert, asOf, c.supersededBy).holds;
      const range = describeRange(c.minOsVersion, c.maxOsVersion);
      const currentInScope = versionInRange(release.version, c.minOsVersion, c.maxOsVersion) === 'IN_RANGE';
      const fixInScope = lowest ? versionInRange(lowest.version, c.minOsVersion, c.maxOsVersion) === 'IN_RANGE' : null;
      let explanation: string;
      if (wanted.length === 0) explanation = `${certId} covers ${range}; ${label(release)} has no known-exploited vulnerability to fix`;
      else if (!lowest) explanation = `no newer release fixes ${list(wanted)}; ${certId} covers ${range}`;
      else if (fixInScope)
        explanation = `${fixText ?? ''}; ${certId} covers ${range}, so patching ${currentInScope ? 'keeps' : 'brings the fleet into'} its certified scope`;
      else explanation = `${fixText ?? ''}; ${certId} covers ${range}, so patching ${currentInScope ? 'leaves' : 'stays outside'} its certified scope`;
      if (!holds) explanation += ` (${certId} itself does not hold on ${asOf})`;
      return { certId, holds, currentInScope, fixInScope, explanation };
    });

  const keeping = certifications.filter((c) => c.holds && c.fixInScope === true).map((c) => c.certId);
  let explanation: string;
  if (wanted.length === 0) {
    explanation = `${label(release)} is affected by no known-exploited vulnerability listed by ${asOf}; nothing to fix`;
  } else if (!lowest) {
    const newest = available[available.length - 1];
    explanation =
      `${label(release)} is affected by known-exploited ${list(wanted)}, and no newer release of its line out by ${asOf} fixes ${wanted.length === 1 ? 'it' : 'all of them'}` +
      (newest
        ? ` (the newest known, ${label(newest)}, is still affected by ${list(candidates[candidates.length - 1]?.stillAffectedBy ?? [])})`
        : ' (no newer release is recorded)');
  } else if (facts.coverage.length === 0) {
    explanation = `${fixText ?? ''} to fix ${list(wanted)}; no visible certification covers device ${facts.deviceId ?? '(none)'}`;
  } else if (keeping.length > 0) {
    explanation = `${fixText ?? ''} to fix ${list(wanted)}; it lies inside the certified scope of ${list(keeping)}, so patching keeps the fleet certified`;
  } else {
    const ranges = [...facts.coverage]
      .sort((a, b) => cmp(a.cert.id, b.cert.id))
      .map((c) => `${c.cert.id} covers ${describeRange(c.minOsVersion, c.maxOsVersion)}`);
    explanation = `${fixText ?? ''} to fix ${list(wanted)}, but ${ranges.join('; ')}${certifications.some((c) => c.fixInScope && !c.holds) ? ' (and the ones covering it do not hold)' : ''}, so patching leaves the certified scope: the scope must be extended, or the risk accepted until it is`;
  }
  return { knownExploitedIds: wanted, candidates, lowestFixId: lowest?.id ?? null, certifications, fixKeepsScope: keeping.length > 0, explanation };
}
