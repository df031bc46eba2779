/**
 * Scope drift per clearance level, from one full-knowledge read (docs/EVENTS.md, "Scope drift per
 * clearance level"). The read returns every item the scopeDrift statement can use with its
 * `level`: the rank (index in CLASSIFICATIONS) of the lowest clearance that sees it, i.e. the
 * highest marking on the way to it (the node, the relationship that reaches it, and for a part of
 * a device model every part and HAS_COMPONENT claim on its least-marked chain). `factsAtLevel`
 * drops what a clearance may not see and chooses what the scopeDrift statement chooses at that
 * clearance (the first visible device model and running release by id), so the findings agree with
 * the `scopeDrift` answer of a caller of that clearance. Pure: no I/O.
 */
import type { Coverage, DeploymentFacts } from './drift';
import type { CertFacts } from './lineage';
import { CLASSIFICATIONS, type Classification } from './model';
import type { StatusFact } from './statusHistory';

/** Rank of a clearance (index in CLASSIFICATIONS); an item with level ≤ rank is visible to it. */
export function clearanceRank(clearance: Classification): number {
  return CLASSIFICATIONS.indexOf(clearance);
}

/** A control id with the level at which it counts (implemented, or required). */
export interface LeveledId {
  id: string;
  level: number;
}

/** A certification's facts; each history entry carries its own marking (entries above a clearance are not in its history). */
export interface LeveledCert extends Omit<CertFacts, 'history'> {
  classification: string | null;
  history: (StatusFact & { classification: string | null })[];
}

export interface LeveledCoverage {
  cert: LeveledCert;
  /** The certification and its CERTIFIES claim. */
  level: number;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  /** Successors (SUPERSEDES), each with the successor's and the claim's level. */
  supersededBy: { cert: LeveledCert; level: number }[];
  /** Required controls (REQUIRES), with the control's and the claim's level. */
  required: LeveledId[];
}

/** A device model the deployment is OF, with the controls it and its parts implement and what certifies it. */
export interface LeveledDevice {
  id: string;
  /** The model and its OF claim. */
  level: number;
  /** Controls implemented by the model or a part of it (and their MAPS_TO equivalents), each at its lowest level. */
  implemented: LeveledId[];
  coverage: LeveledCoverage[];
}

export interface LeveledExploited {
  id: string;
  classification: string | null;
  /** The vulnerability and its least-marked AFFECTS claim that no VEX statement stops. */
  level: number;
  kevDateAdded: string | null;
  kevDueDate: string | null;
}

/** An OS release the deployment RUNS. */
export interface LeveledRelease {
  id: string;
  /** The release and its RUNS claim. */
  level: number;
  version: string | null;
  supportEndsAt: string | null;
  /** Controls the release implements (and their MAPS_TO equivalents). */
  implemented: LeveledId[];
  knownExploited: LeveledExploited[];
}

export interface LeveledScope {
  deploymentId: string;
  name: string | null;
  classification: string | null;
  /** The deployment's own marking (a node of unknown marking: never visible). */
  level: number;
  /** Deployment.osVersion (used when no release is visible). */
  osVersion: string | null;
  devices: LeveledDevice[];
  releases: LeveledRelease[];
}

/** What one clearance sees of a deployment: the drift input and the markings of the nodes its findings may name. */
export interface ScopeAtLevel {
  facts: DeploymentFacts;
  /** The device model chosen at this level and its level (node and OF claim). */
  device: { id: string; level: number } | null;
  /** Markings of the certifications and vulnerabilities the findings may name. */
  markingOf: Map<string, string | null>;
}

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function certAt(c: LeveledCert, rank: number): CertFacts {
  const history = c.history.filter((h) => {
    const i = CLASSIFICATIONS.indexOf(h.classification as Classification);
    return i >= 0 && i <= rank;
  });
  return { id: c.id, status: c.status, issuedAt: c.issuedAt, validUntil: c.validUntil, history };
}

/**
 * The deployment as a caller of clearance rank `rank` sees it (null: the deployment itself is
 * hidden from it, so its scopeDrift has no row): the first visible device model and running
 * release by id, the visible certifications covering that model (their visible history,
 * successors and required controls), the controls visible as implemented by that model, its parts
 * or that release, and the release's visible known-exploited vulnerabilities.
 */
export function factsAtLevel(scope: LeveledScope, rank: number): ScopeAtLevel | null {
  if (scope.level < 0 || scope.level > rank) return null;
  const visible = <T extends { level: number }>(xs: readonly T[]): T[] => xs.filter((x) => x.level <= rank);
  const device = [...visible(scope.devices)].sort(byId)[0] ?? null;
  const release = [...visible(scope.releases)].sort(byId)[0] ?? null;
  const implemented = new Set([...visible(device?.implemented ?? []), ...visible(release?.implemented ?? [])].map((c) => c.id));
  const markingOf = new Map<string, string | null>();
  const coverage: Coverage[] = visible(device?.coverage ?? []).map((c) => {
    markingOf.set(c.cert.id, c.cert.classification);
    return {
      cert: certAt(c.cert, rank),
      minOsVersion: c.minOsVersion,
      maxOsVersion: c.maxOsVersion,
      supersededBy: visible(c.supersededBy).map((s) => certAt(s.cert, rank)),
      missingControlIds: visible(c.required)
        .map((r) => r.id)
        .filter((id) => !implemented.has(id)),
    };
  });
  const exploited = new Map<string, LeveledExploited>();
  for (const v of visible(release?.knownExploited ?? [])) {
    exploited.set(v.id, v);
    markingOf.set(v.id, v.classification);
  }
  const facts: DeploymentFacts = {
    deploymentId: scope.deploymentId,
    deviceId: device?.id ?? null,
    osVersion: release?.version ?? scope.osVersion,
    coverage,
    release: release
      ? {
          id: release.id,
          supportEndsAt: release.supportEndsAt,
          knownExploited: [...exploited.values()].map((v) => ({ id: v.id, kevDateAdded: v.kevDateAdded, kevDueDate: v.kevDueDate })),
        }
      : null,
  };
  return { facts, device: device ? { id: device.id, level: device.level } : null, markingOf };
}
