/**
 * What the analytics service returns (src/services/analytics.ts): plain values, nodes and
 * relationships as the store's rows. Each interface mirrors the SDL type of the same name in
 * schema/analytics.graphql; the resolvers (src/graphql/resolvers/analytics.ts) return these
 * values where the generated resolver types are expected, so the compiler keeps the two in
 * agreement without the service layer importing anything from src/graphql.
 */
import type { DriftReason } from '../domain/drift';
import type { LineageReason } from '../domain/lineage';
import type { RelationshipType } from '../domain/model';
import type { EffectivenessSource } from '../domain/risk';
import type { NodeRow, RelationshipRow } from '../store/rows';

/** Which way a path crossed a stored relationship. */
export type PathDirection = 'FORWARD' | 'BACKWARD';

export interface PathEdge {
  type: RelationshipType;
  from: NodeRow;
  to: NodeRow;
  direction: PathDirection;
  relationship: RelationshipRow;
}

/** `nodes[i]` and `nodes[i+1]` are joined by `edges[i]`. */
export interface GraphPath {
  nodes: NodeRow[];
  edges: PathEdge[];
  length: number;
}

export interface MitigatingControl {
  control: NodeRow;
  threat: NodeRow;
  effectiveness: number;
  effectivenessSource: EffectivenessSource;
}

export interface RiskStep {
  node: NodeRow;
  position: number;
  controls: MitigatingControl[];
}

export interface RiskPath {
  path: GraphPath;
  steps: RiskStep[];
  target: NodeRow;
  baseScore: number;
  residualFactor: number;
  score: number;
  mitigated: boolean;
  blocked: boolean;
}

export interface RiskPathResult {
  source: NodeRow;
  paths: RiskPath[];
  totalCount: number;
  truncated: boolean;
  maxHops: number;
  whatIf?: RiskPathsWhatIf | null;
}

export interface RiskPathChange {
  before: RiskPath;
  after: RiskPath;
  scoreDelta: number;
}

export interface RiskPathsWhatIf {
  before: RiskPathResult;
  appeared: RiskPath[];
  disappeared: RiskPath[];
  lostMitigation: RiskPathChange[];
  gainedMitigation: RiskPathChange[];
  scoreChanged: RiskPathChange[];
  totalCountBefore: number;
  notApplied: string[];
}

export interface ThreatExposure {
  threat: NodeRow;
  score: number;
  bestPath: RiskPath;
  pathCount: number;
  mitigatedPathCount: number;
  unmitigatedPathCount: number;
}

export interface Exposure {
  device: NodeRow;
  score: number;
  explanation: string;
  threats: ThreatExposure[];
  truncated: boolean;
  maxHops: number;
  whatIf?: ExposureWhatIf | null;
}

export interface ThreatExposureChange {
  threat: NodeRow;
  scoreBefore: number | null;
  scoreAfter: number | null;
  scoreDelta: number;
  bestPathBefore: RiskPath | null;
  bestPathAfter: RiskPath | null;
  routeChanged: boolean;
}

export interface ExposureWhatIf {
  before: Exposure;
  scoreBefore: number;
  scoreAfter: number;
  scoreDelta: number;
  changedThreats: ThreatExposureChange[];
  notApplied: string[];
}

export interface BlastHit {
  node: NodeRow;
  hops: number;
  path: GraphPath;
}

export interface CertificationAtRisk {
  certification: NodeRow;
  affectedAsset: NodeRow;
  hops: number;
  path: GraphPath;
}

export interface BlastRadius {
  source: NodeRow;
  devices: BlastHit[];
  deployments: BlastHit[];
  certifications: CertificationAtRisk[];
  components: BlastHit[];
  truncated: boolean;
  maxHops: number;
  whatIf?: BlastRadiusWhatIf | null;
}

export interface BlastRadiusWhatIf {
  before: BlastRadius;
  reached: BlastHit[];
  noLongerReached: BlastHit[];
  notApplied: string[];
}

export interface LineageFinding {
  reason: LineageReason;
  explanation: string;
  relatedCertification: NodeRow | null;
}

export interface LineageEntry {
  certification: NodeRow;
  depth: number;
  holds: boolean;
  findings: LineageFinding[];
}

export interface LineageLink {
  type: RelationshipType;
  from: NodeRow;
  to: NodeRow;
  holds: boolean;
}

export interface CertificationLineage {
  root: NodeRow;
  /** YYYY-MM-DD. */
  asOf: string;
  holds: boolean;
  entries: LineageEntry[];
  links: LineageLink[];
  truncated: boolean;
}

export interface DriftFinding {
  reason: DriftReason;
  explanation: string;
  certification: NodeRow | null;
  control: NodeRow | null;
  vulnerability: NodeRow | null;
  /** YYYY-MM-DD. */
  date: string | null;
}

export interface DeploymentScope {
  deployment: NodeRow;
  device: NodeRow | null;
  osRelease: NodeRow | null;
  osVersion: string | null;
  inScope: boolean;
  atRisk: boolean;
  coveredBy: NodeRow[];
  findings: DriftFinding[];
}

export interface ScopeDriftReport {
  /** YYYY-MM-DD. */
  asOf: string;
  deployments: DeploymentScope[];
  driftingCount: number;
  atRiskCount: number;
  truncated: boolean;
  whatIf?: ScopeDriftWhatIf | null;
}

export interface DriftFindingChange {
  deployment: NodeRow;
  finding: DriftFinding;
}

export interface ScopeDriftWhatIf {
  before: ScopeDriftReport;
  appeared: DriftFindingChange[];
  resolved: DriftFindingChange[];
  leftScope: NodeRow[];
  enteredScope: NodeRow[];
  notApplied: string[];
}

export interface RemediationCandidate {
  release: NodeRow;
  distance: number;
  stillAffectedBy: NodeRow[];
  fixesAll: boolean;
}

export interface RemediationCertification {
  certification: NodeRow;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  holds: boolean;
  currentInScope: boolean;
  fixInScope: boolean | null;
  explanation: string;
}

export interface Remediation {
  deployment: NodeRow;
  /** YYYY-MM-DD. */
  asOf: string;
  osRelease: NodeRow | null;
  knownExploited: NodeRow[];
  candidates: RemediationCandidate[];
  lowestFix: NodeRow | null;
  certifications: RemediationCertification[];
  fixKeepsScope: boolean;
  explanation: string;
  truncated: boolean;
}
