/**
 * The assurance graph, declared as data (Cartography style): node labels with their typed
 * properties, and relationship types with their end labels and properties. The store builds
 * its Cypher from these declarations, so a label or relationship type never comes from user
 * input; values always travel as parameters.
 */

export const LABELS = ['Organization', 'Device', 'Component', 'Control', 'Certification', 'Standard', 'Threat', 'Vulnerability', 'Deployment'] as const;
export type Label = (typeof LABELS)[number];

export function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}

export type PropertyType = 'string' | 'int' | 'float' | 'boolean' | 'date' | 'datetime' | 'string[]';

export interface PropertySpec {
  type: PropertyType;
  /** Allowed values (GraphQL enum values) for string properties. */
  enum?: readonly string[];
  /** Inclusive numeric bounds. */
  min?: number;
  max?: number;
}

export const CLASSIFICATIONS = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** Markings at or below a clearance, in order. */
export function markingsVisibleTo(clearance: Classification): Classification[] {
  return CLASSIFICATIONS.slice(0, CLASSIFICATIONS.indexOf(clearance) + 1);
}

export const ORGANIZATION_KINDS = [
  'VENDOR',
  'SUPPLIER',
  'ASSESSOR',
  'CERTIFICATION_BODY',
  'OPERATOR',
  'STANDARDS_BODY',
  'ALLIANCE',
  'GOVERNMENT_AGENCY',
  'OTHER',
] as const;
export const DEVICE_CATEGORIES = ['PHONE', 'TABLET', 'LAPTOP', 'WEARABLE', 'OTHER'] as const;
export const COMPONENT_KINDS = [
  'HARDWARE',
  'SECURITY_HARDWARE',
  'FIRMWARE',
  'OS_RELEASE',
  'CRYPTO_MODULE',
  'APPLICATION',
  'SERVICE',
  'LIBRARY',
  'OTHER',
] as const;
export const CERTIFICATION_KINDS = ['CLEARANCE', 'APPROVAL', 'EVALUATION', 'CERTIFICATE'] as const;
export const CERTIFICATION_STATUSES = ['ACTIVE', 'PENDING', 'SUSPENDED', 'REVOKED', 'EXPIRED', 'WITHDRAWN'] as const;
export type CertificationStatus = (typeof CERTIFICATION_STATUSES)[number];

export function isCertificationStatus(value: unknown): value is CertificationStatus {
  return typeof value === 'string' && (CERTIFICATION_STATUSES as readonly string[]).includes(value);
}

/**
 * The status history of a certification (docs/CERTIFICATION-LIFECYCLE.md):
 * `(:Certification)-[:HAS_STATUS_CHANGE]->(:StatusChange)`. Not one of LABELS: a status change is
 * read only through its certification (never by `node(id)`, lists or search).
 */
export const STATUS_CHANGE_LABEL = 'StatusChange';
export const HAS_STATUS_CHANGE = 'HAS_STATUS_CHANGE';
/**
 * The record of the last seed load (src/seed/loadSeed.ts): one `(:SeedLoad {id: 'seed'})` node
 * holding the fingerprint of the seed files and of the loader's code, written in the seed's own
 * transaction. Not one of LABELS: never read through the API.
 */
export const SEED_LOAD_LABEL = 'SeedLoad';
export const THREAT_KINDS = ['ATTACK_TECHNIQUE', 'INTRUSION', 'DATA_LEAKAGE', 'UNAUTHORIZED_ACCESS', 'SUPPLY_CHAIN', 'OTHER'] as const;
export const VEX_STATES = ['AFFECTED', 'NOT_AFFECTED', 'FIXED', 'UNDER_INVESTIGATION', 'UNKNOWN'] as const;

/** Properties every node carries besides its own. */
export const COMMON_NODE_PROPERTY_DECLARATIONS = {
  name: { type: 'string' },
  description: { type: 'string' },
  classification: { type: 'string', enum: CLASSIFICATIONS },
  source: { type: 'string' },
  sourceRef: { type: 'string' },
  assertedAt: { type: 'datetime' },
  assertedBy: { type: 'string' },
  /** Set by importers when a newer version of a document no longer contains the node. */
  stale: { type: 'boolean' },
  /** Import run that last saw the node. */
  lastSeenRun: { type: 'string' },
} as const satisfies Record<string, PropertySpec>;

/** Properties every node carries besides its own, as a lookup by key. */
export const COMMON_NODE_PROPERTIES: Record<string, PropertySpec> = COMMON_NODE_PROPERTY_DECLARATIONS;

/**
 * Each label's own properties, declared `as const` so the store's row types are derived from
 * this table (src/store/rows.ts `NodeRowOf`): a property added here is a property of the row.
 */
export const NODE_PROPERTY_DECLARATIONS = {
  Organization: {
    kind: { type: 'string', enum: ORGANIZATION_KINDS },
    country: { type: 'string' },
  },
  Device: {
    category: { type: 'string', enum: DEVICE_CATEGORIES },
    releasedAt: { type: 'date' },
  },
  Component: {
    kind: { type: 'string', enum: COMPONENT_KINDS },
    version: { type: 'string' },
    purl: { type: 'string' },
    cpe: { type: 'string' },
    releasedAt: { type: 'date' },
    supportEndsAt: { type: 'date' },
  },
  Control: {
    framework: { type: 'string' },
    family: { type: 'string' },
    controlId: { type: 'string' },
    statement: { type: 'string' },
    withdrawn: { type: 'boolean' },
    /** Fraction of a threat's risk the control removes where it applies (0..1). */
    effectiveness: { type: 'float', min: 0, max: 1 },
  },
  Certification: {
    kind: { type: 'string', enum: CERTIFICATION_KINDS },
    status: { type: 'string', enum: CERTIFICATION_STATUSES },
    issuedAt: { type: 'date' },
    validUntil: { type: 'date' },
    scope: { type: 'string' },
    reference: { type: 'string' },
    /** Overall security level (FIPS 140: 1..4). */
    securityLevel: { type: 'int', min: 1, max: 4 },
    /** Common Criteria assurance level, e.g. `EAL4+,ALC_FLR.2`. */
    assuranceLevel: { type: 'string' },
    /** FIPS 140 embodiment, e.g. `Single Chip`, `Multi-Chip Stand Alone`. */
    embodiment: { type: 'string' },
    /** FIPS 140 module type, e.g. `Hardware`, `Software`, `Firmware-hybrid`. */
    moduleType: { type: 'string' },
    /** The issuer's caveat on the validation. */
    caveat: { type: 'string' },
    /** Validation dates (initial validation first, then updates), ISO dates. */
    validationDates: { type: 'string[]' },
    /** Validation history as the issuer's records give it (`2024-10-01 Initial atsec ...`). */
    validationHistory: { type: 'string[]' },
    /** Maintenance updates (Common Criteria), `<date>: <title>`. */
    maintenanceUpdates: { type: 'string[]' },
    /** The issuer's page of the certificate. */
    url: { type: 'string' },
    /** Date of the issuer's list (snapshot) that last wrote it. */
    snapshotDate: { type: 'date' },
  },
  Standard: {
    publisher: { type: 'string' },
    version: { type: 'string' },
    url: { type: 'string' },
  },
  Threat: {
    kind: { type: 'string', enum: THREAT_KINDS },
    severity: { type: 'float', min: 0, max: 10 },
    likelihood: { type: 'float', min: 0, max: 1 },
    externalId: { type: 'string' },
    platforms: { type: 'string[]' },
    tactics: { type: 'string[]' },
    revoked: { type: 'boolean' },
    deprecated: { type: 'boolean' },
    /** ATT&CK id of the parent technique of a sub-technique (STIX `subtechnique-of`). */
    parentTechnique: { type: 'string' },
  },
  Vulnerability: {
    cvss: { type: 'float', min: 0, max: 10 },
    knownExploited: { type: 'boolean' },
    publishedAt: { type: 'date' },
    vendor: { type: 'string' },
    product: { type: 'string' },
    kevDateAdded: { type: 'date' },
    kevDueDate: { type: 'date' },
    knownRansomwareUse: { type: 'boolean' },
    /** CVE record `cveMetadata.dateUpdated` (date part). */
    cveUpdatedAt: { type: 'date' },
    /** CWE ids of the record's problem types (CNA and ADP containers). */
    cweIds: { type: 'string[]' },
    /** CVSS version of `cvss` (`3.1`, `4.0`, ...). */
    cvssVersion: { type: 'string' },
    /** CVSS vector string of `cvss`. */
    cvssVector: { type: 'string' },
    /** Container `cvss` came from: `cna` or `cisa-adp`. */
    cvssSource: { type: 'string' },
    /** SSVC `Exploitation` decision point (`none`, `poc`, `active`), from the CISA ADP container. */
    ssvcExploitation: { type: 'string' },
    /** The parsed `affected` ranges the CVE importer matches components against (JSON array, see src/domain/cveRanges.ts StoredRange). */
    cveRanges: { type: 'string' },
    /** Product keys of `cveRanges` as `|key|key|` (text-indexed lookup key, e.g. `|cpe:o:apple:iphone_os|`). */
    cveProducts: { type: 'string' },
  },
  Deployment: {
    deviceCount: { type: 'int', min: 0 },
    osVersion: { type: 'string' },
    environment: { type: 'string' },
  },
} as const satisfies Record<Label, Record<string, PropertySpec>>;

/** Each label's own properties, as a lookup by key. */
export const NODE_PROPERTIES: Record<Label, Record<string, PropertySpec>> = NODE_PROPERTY_DECLARATIONS;

/** The declared properties of a label's nodes: the common ones and its own (the row's keys, see src/store/rows.ts). */
export type NodePropertiesOf<L extends Label> = typeof COMMON_NODE_PROPERTY_DECLARATIONS & (typeof NODE_PROPERTY_DECLARATIONS)[L];

/** The TypeScript value of a property of this spec as it leaves the store (src/store/convert.ts): dates as ISO strings, integers as numbers. */
export type PropertyValue<S extends PropertySpec> = S['type'] extends 'int' | 'float'
  ? number
  : S['type'] extends 'boolean'
    ? boolean
    : S['type'] extends 'string[]'
      ? string[]
      : S extends { enum: readonly (infer E)[] }
        ? E
        : string;

/** Properties every relationship that carries a claim has. */
export const COMMON_RELATIONSHIP_PROPERTIES: Record<string, PropertySpec> = {
  source: { type: 'string' },
  sourceRef: { type: 'string' },
  assertedAt: { type: 'datetime' },
  assertedBy: { type: 'string' },
  classification: { type: 'string', enum: CLASSIFICATIONS },
};

export interface RelationshipSpec {
  /** Neo4j relationship type. */
  type: string;
  from: readonly Label[];
  to: readonly Label[];
  properties: Record<string, PropertySpec>;
}

/**
 * Provenance a mapping document (Mappings Explorer: src/importers/mapping.ts) puts on the edges it
 * asserts: the mapping framework (`kev`, `nist_800_53`), its version, the mapping type
 * (`exploitation_technique`, `primary_impact`, `secondary_impact`, `mitigates`, `protects`) and
 * the ATT&CK version mapped to.
 */
export const MAPPING_PROVENANCE = {
  mappingFramework: { type: 'string' },
  mappingFrameworkVersion: { type: 'string' },
  mappingType: { type: 'string' },
  attackVersion: { type: 'string' },
} as const satisfies Record<string, PropertySpec>;

/**
 * Keyed by a name that is unique even where one Neo4j type joins different label pairs
 * (SUPERSEDES links both OS releases and certifications).
 */
export const RELATIONSHIPS = {
  MAKES: { type: 'MAKES', from: ['Organization'], to: ['Device'], properties: {} },
  HAS_COMPONENT: { type: 'HAS_COMPONENT', from: ['Device', 'Component'], to: ['Component'], properties: { role: { type: 'string' } } },
  DEPENDS_ON: { type: 'DEPENDS_ON', from: ['Component'], to: ['Component'], properties: {} },
  SUPPLIED_BY: { type: 'SUPPLIED_BY', from: ['Component'], to: ['Organization'], properties: {} },
  SUPERSEDES: { type: 'SUPERSEDES', from: ['Component', 'Certification'], to: ['Component', 'Certification'], properties: {} },
  IMPLEMENTS: { type: 'IMPLEMENTS', from: ['Device', 'Component'], to: ['Control'], properties: { evidence: { type: 'string' } } },
  MITIGATES: { type: 'MITIGATES', from: ['Control'], to: ['Threat'], properties: { effectiveness: { type: 'float', min: 0, max: 1 }, ...MAPPING_PROVENANCE } },
  MAPS_TO: { type: 'MAPS_TO', from: ['Control'], to: ['Control'], properties: {} },
  TARGETS: { type: 'TARGETS', from: ['Threat'], to: ['Device', 'Component'], properties: {} },
  EXPLOITS: { type: 'EXPLOITS', from: ['Threat'], to: ['Vulnerability'], properties: { ...MAPPING_PROVENANCE } },
  /** An ATT&CK technique an exploited vulnerability leads to (Mappings Explorer primary/secondary impact). */
  IMPACT_OF: { type: 'IMPACT_OF', from: ['Threat'], to: ['Vulnerability'], properties: { ...MAPPING_PROVENANCE } },
  AFFECTS: {
    type: 'AFFECTS',
    from: ['Vulnerability'],
    to: ['Component'],
    properties: {
      versionRange: { type: 'string' },
      vexState: { type: 'string', enum: VEX_STATES },
      vexJustification: { type: 'string' },
      /** CVE matching: the range that matched, with container and place in the record. */
      matchedRange: { type: 'string' },
      /** CVE matching: how the component was found (`cpe`, `purl`, `alias`, `name`). */
      matchMethod: { type: 'string' },
      /** CVE matching: id of the first release of the same line at or above the range's upper bound known to the graph. */
      fixedIn: { type: 'string' },
      /** CVE matching: why the record's range is imprecise (the safer, wider reading was used), when it is. */
      imprecise: { type: 'string' },
    },
  },
  CERTIFIES: {
    type: 'CERTIFIES',
    from: ['Certification'],
    to: ['Device', 'Component'],
    properties: { scope: { type: 'string' }, minOsVersion: { type: 'string' }, maxOsVersion: { type: 'string' } },
  },
  ISSUED_BY: { type: 'ISSUED_BY', from: ['Certification'], to: ['Organization'], properties: {} },
  EVALUATED_BY: { type: 'EVALUATED_BY', from: ['Certification'], to: ['Organization'], properties: {} },
  ASSESSED_AGAINST: { type: 'ASSESSED_AGAINST', from: ['Certification'], to: ['Standard'], properties: {} },
  BASED_ON: { type: 'BASED_ON', from: ['Certification'], to: ['Certification'], properties: {} },
  REQUIRES: { type: 'REQUIRES', from: ['Certification'], to: ['Control'], properties: {} },
  OPERATES: { type: 'OPERATES', from: ['Organization'], to: ['Deployment'], properties: {} },
  OF: { type: 'OF', from: ['Deployment'], to: ['Device'], properties: {} },
  RUNS: { type: 'RUNS', from: ['Deployment'], to: ['Component'], properties: {} },
} as const satisfies Record<string, RelationshipSpec>;

export type RelationshipType = keyof typeof RELATIONSHIPS;
export const RELATIONSHIP_TYPES = Object.keys(RELATIONSHIPS) as RelationshipType[];

export function isRelationshipType(value: string): value is RelationshipType {
  return Object.prototype.hasOwnProperty.call(RELATIONSHIPS, value);
}

/** SUPERSEDES must join two nodes of the same label. */
export function relationshipAllows(type: RelationshipType, fromLabel: Label, toLabel: Label): boolean {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  if (!spec.from.includes(fromLabel) || !spec.to.includes(toLabel)) return false;
  if (type === 'SUPERSEDES') return fromLabel === toLabel;
  return true;
}

export function propertySpec(label: Label, key: string): PropertySpec | undefined {
  return NODE_PROPERTIES[label][key] ?? COMMON_NODE_PROPERTIES[key];
}
