/**
 * What the generator plans: the entities of a synthetic world and the indexes between them
 * (`World`), the options it is planned from, and the id scheme of everything it emits.
 */
import type { AttackTechnique, CatalogControl } from './sources';

export interface GeneratorOptions {
  scale: number;
  seed: string;
  /** Rows per emitted batch (default 10 000). */
  chunkSize?: number;
}

/** Every generated id starts with this, so generated data never collides with imports or the seed. */
export const GENERATED_ID_PREFIX = 'gen:';

/**
 * Relationship types of the model the generator does not write: IMPACT_OF (a Mappings Explorer
 * impact of a technique on a CVE) carries nothing the benchmark questions read.
 */
export const NOT_GENERATED_RELATIONSHIPS: readonly string[] = ['IMPACT_OF'];
/** "Today" for the generated world: statuses and OS choices are decided against it. */
export const WORLD_TODAY = '2025-06-01';

const MAX_SCALE = 100;

export interface OrgEntity {
  id: string;
  name: string;
  kind: 'VENDOR' | 'SUPPLIER' | 'OPERATOR' | 'CERTIFICATION_BODY' | 'ASSESSOR' | 'STANDARDS_BODY';
  country: string;
}

export type ComponentKind = 'HARDWARE' | 'SECURITY_HARDWARE' | 'FIRMWARE' | 'OS_RELEASE' | 'CRYPTO_MODULE' | 'APPLICATION' | 'LIBRARY';

export interface ComponentEntity {
  id: string;
  name: string;
  kind: ComponentKind;
  version: string;
  releasedAt: string;
  supportEndsAt: string;
  /** Organization index of the supplier (the vendor for its own OS and firmware). */
  supplier: number;
  /** Family index for versioned components (OS, library, application, crypto module). */
  family: number;
  purl?: string;
  cpe?: string;
}

export interface FamilyEntity {
  name: string;
  kind: ComponentKind;
  /** Component indexes, oldest version first (each SUPERSEDES the one before). */
  members: number[];
}

export interface DeviceEntity {
  id: string;
  name: string;
  category: 'PHONE' | 'TABLET' | 'LAPTOP' | 'WEARABLE';
  releasedAt: string;
  vendor: number;
  /** Member position of the shipped OS release in the vendor's OS family. */
  osPosition: number;
  components: { component: number; role: string }[];
}

export interface VulnerabilityEntity {
  id: string;
  name: string;
  family: number;
  /** Affected members (component indexes) of the family, with the range they fall in. */
  affected: number[];
  versionRange: string;
  cvss: number;
  knownExploited: boolean;
  publishedAt: string;
  description: string;
}

export type CertKind = 'CERTIFICATE' | 'EVALUATION' | 'APPROVAL' | 'CLEARANCE';

export interface CertificationEntity {
  id: string;
  name: string;
  kind: CertKind;
  status: 'ACTIVE' | 'PENDING' | 'SUSPENDED' | 'REVOKED' | 'EXPIRED';
  issuedAt: string;
  validUntil: string;
  issuer: number;
  assessor?: number;
  standards: number[];
  basedOn?: number;
  supersedes?: number;
  /** Devices (indexes) in scope, with the OS range on the edge. */
  devices: number[];
  /** Components (indexes) in scope (crypto modules for a CERTIFICATE). */
  components: number[];
  minOsVersion?: string;
  maxOsVersion?: string;
  scope: string;
}

export interface DeploymentEntity {
  id: string;
  name: string;
  operator: number;
  device: number;
  /** OS release component the fleet runs. */
  os: number;
  apps: number[];
  deviceCount: number;
  environment: string;
}

export interface StandardEntity {
  id: string;
  name: string;
  publisher: string;
  version: string;
}

export interface World {
  scale: number;
  seed: string;
  orgs: OrgEntity[];
  vendors: number[];
  suppliers: number[];
  operators: number[];
  bodies: number[];
  labs: number[];
  standards: StandardEntity[];
  controls: CatalogControl[];
  techniques: AttackTechnique[];
  components: ComponentEntity[];
  families: FamilyEntity[];
  /** OS family index per vendor (same order as `vendors`). */
  osFamilyOfVendor: number[];
  libraryFamilies: number[];
  applicationFamilies: number[];
  cryptoFamilies: number[];
  devices: DeviceEntity[];
  devicesOfVendor: number[][];
  vulnerabilities: VulnerabilityEntity[];
  certifications: CertificationEntity[];
  deployments: DeploymentEntity[];
}

export function validateOptions(opts: GeneratorOptions): void {
  if (!Number.isFinite(opts.scale) || opts.scale <= 0 || opts.scale > MAX_SCALE)
    throw new RangeError(`scale must be a number in (0, ${MAX_SCALE}] (got ${opts.scale})`);
  if (opts.seed.length === 0) throw new RangeError('seed must not be empty');
  if (opts.chunkSize !== undefined && (!Number.isInteger(opts.chunkSize) || opts.chunkSize < 1))
    throw new RangeError(`chunkSize must be a positive integer (got ${opts.chunkSize})`);
}

export function controlId(control: CatalogControl): string {
  return `${GENERATED_ID_PREFIX}control:${control.controlId}`;
}

export function threatId(technique: AttackTechnique): string {
  return `${GENERATED_ID_PREFIX}threat:${technique.externalId}:${technique.stixId.slice(-12)}`;
}
