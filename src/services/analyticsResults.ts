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
import type {
  CertificationRow,
  ComponentRow,
  ControlRow,
  DeploymentRow,
  DeviceRow,
  NodeRow,
  RelationshipRow,
  ThreatRow,
  VulnerabilityRow,
} from '../store/rows';

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
  control: ControlRow;
  threat: ThreatRow;
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
  threat: ThreatRow;
  score: number;
  /** Absent when the query did not select it: exposure then reads no path in full (src/graphql/resolvers/analytics.ts). */
  bestPath?: RiskPath;
  pathCount: number;
  mitigatedPathCount: number;
  unmitigatedPathCount: number;
}

export interface Exposure {
  device: DeviceRow;
  score: number;
  explanation: string;
  threats: ThreatExposure[];
  truncated: boolean;
  maxHops: number;
  whatIf?: ExposureWhatIf | null;
}

export interface ThreatExposureChange {
  threat: ThreatRow;
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
  certification: CertificationRow;
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
  relatedCertification: CertificationRow | null;
}

export interface LineageEntry {
  certification: CertificationRow;
  depth: number;
  holds: boolean;
  findings: LineageFinding[];
}

export interface LineageLink {
  type: RelationshipType;
  from: CertificationRow;
  to: CertificationRow;
  holds: boolean;
}

export interface CertificationLineage {
  root: CertificationRow;
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
  certification: CertificationRow | null;
  control: ControlRow | null;
  vulnerability: VulnerabilityRow | null;
  /** YYYY-MM-DD. */
  date: string | null;
}

export interface DeploymentScope {
  deployment: DeploymentRow;
  device: DeviceRow | null;
  osRelease: ComponentRow | null;
  osVersion: string | null;
  inScope: boolean;
  atRisk: boolean;
  coveredBy: CertificationRow[];
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
  deployment: DeploymentRow;
  finding: DriftFinding;
}

export interface ScopeDriftWhatIf {
  before: ScopeDriftReport;
  appeared: DriftFindingChange[];
  resolved: DriftFindingChange[];
  leftScope: DeploymentRow[];
  enteredScope: DeploymentRow[];
  notApplied: string[];
}

export interface RemediationCandidate {
  release: ComponentRow;
  distance: number;
  stillAffectedBy: VulnerabilityRow[];
  fixesAll: boolean;
}

export interface RemediationCertification {
  certification: CertificationRow;
  minOsVersion: string | null;
  maxOsVersion: string | null;
  holds: boolean;
  currentInScope: boolean;
  fixInScope: boolean | null;
  explanation: string;
}

export interface Remediation {
  deployment: DeploymentRow;
  /** YYYY-MM-DD. */
  asOf: string;
  osRelease: ComponentRow | null;
  knownExploited: VulnerabilityRow[];
  candidates: RemediationCandidate[];
  lowestFix: ComponentRow | null;
  certifications: RemediationCertification[];
  fixKeepsScope: boolean;
  explanation: string;
  truncated: boolean;
}
