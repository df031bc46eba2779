/**
 * A synthetic assurance ecosystem of realistic shape, generated deterministically from a seed.
 *
 * Pure: no I/O. `planWorld` decides the entities and their structure (vendors and shared
 * suppliers, OS release chains, library version chains, device compositions, certification
 * lineages, vulnerabilities); `batches` then emits nodes and relationships as write batches,
 * every node label first, then every relationship type, each chunked to `chunkSize` rows.
 * Every section draws from its own PRNG stream (seed + section name), so the output for a
 * seed is the same whatever the chunk size or the order in which batches are consumed.
 *
 * Scale 1 is about 50k nodes and 300k relationships. The controls (SP 800-53 rev5) and the
 * threats (ATT&CK Mobile) are the real catalog entries and do not grow with the scale.
 */
import type { Classification, Label, RelationshipType } from '../domain/model';
import type { NodeWrite, RelationshipWrite } from '../store/graphStore';
import { Prng, addDays } from './prng';
import type { AttackTechnique, CatalogControl, Sources } from './sources';

export interface GeneratorOptions {
  scale: number;
  seed: string;
  /** Rows per emitted batch (default 10 000). */
  chunkSize?: number;
}

export interface NodeBatch {
  kind: 'nodes';
  label: Label;
  rows: NodeWrite[];
}

export interface RelationshipBatch {
  kind: 'relationships';
  type: RelationshipType;
  fromLabel: Label;
  toLabel: Label;
  rows: RelationshipWrite[];
}

export type Batch = NodeBatch | RelationshipBatch;

/** Every generated id starts with this, so generated data never collides with imports or the seed. */
export const GENERATED_ID_PREFIX = 'gen:';
/** "Today" for the generated world: statuses and OS choices are decided against it. */
export const WORLD_TODAY = '2025-06-01';

const MAX_SCALE = 100;

// ------------------------------------------------------------------ entities

interface OrgEntity {
  id: string;
  name: string;
  kind: 'VENDOR' | 'SUPPLIER' | 'OPERATOR' | 'CERTIFICATION_BODY' | 'ASSESSOR' | 'STANDARDS_BODY';
  country: string;
}

type ComponentKind = 'HARDWARE' | 'SECURITY_HARDWARE' | 'FIRMWARE' | 'OS_RELEASE' | 'CRYPTO_MODULE' | 'APPLICATION' | 'LIBRARY';

interface ComponentEntity {
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

interface FamilyEntity {
  name: string;
  kind: ComponentKind;
  /** Component indexes, oldest version first (each SUPERSEDES the one before). */
  members: number[];
}

interface DeviceEntity {
  id: string;
  name: string;
  category: 'PHONE' | 'TABLET' | 'LAPTOP' | 'WEARABLE';
  releasedAt: string;
  vendor: number;
  /** Member position of the shipped OS release in the vendor's OS family. */
  osPosition: number;
  components: { component: number; role: string }[];
}

interface VulnerabilityEntity {
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

type CertKind = 'CERTIFICATE' | 'EVALUATION' | 'APPROVAL' | 'CLEARANCE';

interface CertificationEntity {
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

interface DeploymentEntity {
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

interface StandardEntity {
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

// ------------------------------------------------------------------ vocabulary

const NAME_STEMS = ['Aster', 'Boreal', 'Cobalt', 'Delta', 'Ember', 'Fjord', 'Granite', 'Helix', 'Indigo', 'Juniper', 'Krypton', 'Lumen', 'Meridian', 'Nimbus', 'Onyx', 'Polar', 'Quartz', 'Raven', 'Sable', 'Tundra', 'Umbra', 'Vertex', 'Willow', 'Xenon', 'Yarrow', 'Zephyr'];
const VENDOR_SUFFIXES = ['Mobile', 'Devices', 'Systems', 'Electronics', 'Telecom'];
const SUPPLIER_SUFFIXES = ['Semiconductor', 'Microsystems', 'Components', 'Software', 'Labs', 'Silicon', 'Optics', 'Power'];
const OPERATOR_NAMES = ['Ministry of Defence', 'Coast Guard', 'Health Service', 'Border Agency', 'Police Service', 'Tax Authority', 'Foreign Office', 'Civil Protection', 'Energy Regulator', 'Rail Operator', 'Port Authority', 'Water Board'];
const REGIONS = ['Northern', 'Southern', 'Eastern', 'Western', 'Central', 'Coastal', 'Highland', 'Metropolitan'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'SE', 'FI', 'JP', 'KR', 'TW', 'CN', 'IN', 'CA', 'AU', 'IT', 'ES', 'PL', 'NO', 'DK', 'BE'];
const LIBRARY_STEMS = [
  'zlib', 'libpng', 'openssl', 'boringssl', 'sqlite', 'curl', 'expat', 'libxml2', 'protobuf', 'freetype', 'harfbuzz', 'icu', 'libwebp', 'ffmpeg', 'okhttp',
  'bouncycastle', 'mbedtls', 'wolfssl', 'libjpeg-turbo', 'skia', 'webrtc', 'v8', 'jsoncpp', 'tinyxml2', 'lz4', 'zstd', 'brotli', 'nghttp2', 'c-ares', 'libusb',
  'bluez', 'wpa_supplicant', 'dnsmasq', 'busybox', 'toybox', 'libcap', 'libselinux', 'pcre2', 'glib', 'dbus', 'libopus', 'libvpx', 'libaom', 'dav1d', 'flac',
  'libogg', 'pdfium', 'libarchive', 'xz', 'bzip2',
];
const LIBRARY_VARIANTS = ['ng', 'lite', 'mobile', 'compat', 'android', 'embedded', 'secure', 'fast'];
const APP_STEMS = ['Secure Messenger', 'Mail Client', 'VPN Client', 'MDM Agent', 'Browser', 'Authenticator', 'Voice Client', 'Document Viewer', 'Maps', 'Camera', 'Keyboard', 'Wallet'];
const HARDWARE_PARTS: [string, ComponentKind][] = [
  ['application processor', 'HARDWARE'], ['baseband modem', 'HARDWARE'], ['Wi-Fi/Bluetooth combo chip', 'HARDWARE'], ['NFC controller', 'HARDWARE'],
  ['power management IC', 'HARDWARE'], ['LPDDR5 memory', 'HARDWARE'], ['UFS storage', 'HARDWARE'], ['image sensor', 'HARDWARE'], ['GNSS receiver', 'HARDWARE'],
  ['audio codec', 'HARDWARE'], ['touch controller', 'HARDWARE'], ['fingerprint sensor', 'SECURITY_HARDWARE'], ['secure element', 'SECURITY_HARDWARE'],
  ['TPM', 'SECURITY_HARDWARE'], ['hardware security module', 'SECURITY_HARDWARE'],
];
const DEVICE_PARTS = ['mainboard', 'display assembly', 'battery pack', 'camera module', 'enclosure', 'antenna module', 'charging port', 'speaker module', 'haptic motor', 'sensor hub board', 'SIM tray', 'thermal assembly'];
const FIRMWARE_PARTS = ['bootloader', 'baseband firmware', 'TEE firmware', 'sensor hub firmware', 'secure element applet', 'Wi-Fi firmware'];
const SERIES: [string, DeviceEntity['category']][] = [
  ['Nova', 'PHONE'], ['Edge', 'PHONE'], ['Core', 'PHONE'], ['Rugged', 'PHONE'], ['Secure', 'PHONE'], ['Flex', 'PHONE'], ['Tab', 'TABLET'], ['Slate', 'TABLET'], ['Watch', 'WEARABLE'], ['Book', 'LAPTOP'],
];
const DEVICE_VARIANTS = ['', ' Pro', ' Max', ' Lite', ' Plus', ' Mini', ' Ultra', ' Go'];
const WEAKNESSES = ['buffer overflow', 'use-after-free', 'integer overflow', 'improper certificate validation', 'out-of-bounds read', 'race condition', 'privilege escalation', 'information disclosure', 'heap corruption', 'authentication bypass'];
const ENVIRONMENTS = ['field', 'office', 'classified enclave', 'bring your own device', 'kiosk', 'vehicle-mounted'];
const STANDARDS: Omit<StandardEntity, 'id'>[] = [
  { name: 'Protection Profile for Mobile Device Fundamentals', publisher: 'NIAP', version: '3.3' },
  { name: 'FIPS 140-3 Security Requirements for Cryptographic Modules', publisher: 'NIST', version: '140-3' },
  { name: 'Common Criteria for Information Technology Security Evaluation', publisher: 'CCRA', version: 'CC:2022 R1' },
  { name: 'NIST SP 800-53 Security and Privacy Controls', publisher: 'NIST', version: 'Rev. 5' },
  { name: 'ETSI EN 303 645 Cyber Security for Consumer IoT', publisher: 'ETSI', version: '2.1.1' },
  { name: 'Network Equipment Security Assurance Scheme', publisher: 'GSMA', version: '2.0' },
  { name: 'European Common Criteria-based cybersecurity certification scheme', publisher: 'ENISA', version: '1.0' },
  { name: 'PP-Module for Bluetooth', publisher: 'NIAP', version: '1.0' },
  { name: 'PP-Module for VPN Client', publisher: 'NIAP', version: '2.4' },
  { name: 'Mobile Device Management Protection Profile', publisher: 'NIAP', version: '4.0' },
];
const CERT_KIND_ORDER: CertKind[] = ['CERTIFICATE', 'EVALUATION', 'APPROVAL', 'CLEARANCE'];

// ------------------------------------------------------------------ helpers

function count(scale: number, perScaleOne: number, minimum: number): number {
  return Math.max(minimum, Math.round(perScaleOne * scale));
}

function pad(n: number, width = 6): string {
  return String(n).padStart(width, '0');
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Nodes: mostly UNCLASSIFIED, every marking present. */
function nodeMarking(rng: Prng, weights: readonly [number, number, number] = [0.08, 0.05, 0.02]): Classification {
  const r = rng.next();
  if (r < weights[2]) return 'SECRET';
  if (r < weights[2] + weights[1]) return 'CONFIDENTIAL';
  if (r < weights[2] + weights[1] + weights[0]) return 'RESTRICTED';
  return 'UNCLASSIFIED';
}

/** Relationships: claims are rarely marked above their ends, but every marking occurs. */
function relMarking(rng: Prng): Classification {
  return nodeMarking(rng, [0.03, 0.015, 0.005]);
}

function nextLibraryVersion(rng: Prng, previous: number[]): number[] {
  const [major = 1, minor = 0, patch = 0] = previous;
  const r = rng.next();
  if (r < 0.1) return [major + 1, 0, 0];
  if (r < 0.4) return [major, minor + 1, 0];
  return [major, minor, patch + 1];
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

// ------------------------------------------------------------------ planning

export function validateOptions(opts: GeneratorOptions): void {
  if (!Number.isFinite(opts.scale) || opts.scale <= 0 || opts.scale > MAX_SCALE) throw new RangeError(`scale must be a number in (0, ${MAX_SCALE}] (got ${opts.scale})`);
  if (opts.seed.length === 0) throw new RangeError('seed must not be empty');
  if (opts.chunkSize !== undefined && (!Number.isInteger(opts.chunkSize) || opts.chunkSize < 1)) throw new RangeError(`chunkSize must be a positive integer (got ${opts.chunkSize})`);
}

/** Decides every entity and the structure between them. Deterministic for (sources, scale, seed). */
export function planWorld(sources: Sources, opts: GeneratorOptions): World {
  validateOptions(opts);
  const { scale, seed } = opts;
  const stream = (name: string): Prng => new Prng(`${seed}:${name}`);

  // Organizations ------------------------------------------------------------
  const orgs: OrgEntity[] = [];
  const orgRng = stream('organizations');
  const addOrgs = (n: number, kind: OrgEntity['kind'], name: (i: number) => string): number[] =>
    Array.from({ length: n }, (_, i) => {
      orgs.push({ id: `${GENERATED_ID_PREFIX}org:${kind.toLowerCase()}:${pad(i, 4)}`, name: name(i), kind, country: orgRng.pick(COUNTRIES) });
      return orgs.length - 1;
    });
  const stemAt = (i: number, suffixes: readonly string[]): string => {
    const stem = NAME_STEMS[i % NAME_STEMS.length] ?? 'Generic';
    const suffix = suffixes[Math.floor(i / NAME_STEMS.length) % suffixes.length] ?? '';
    const round = Math.floor(i / (NAME_STEMS.length * suffixes.length));
    return `${stem} ${suffix}${round > 0 ? ` ${round + 1}` : ''}`;
  };
  const vendors = addOrgs(count(scale, 40, 2), 'VENDOR', (i) => stemAt(i, VENDOR_SUFFIXES));
  const suppliers = addOrgs(count(scale, 150, 4), 'SUPPLIER', (i) => stemAt(i + 7, SUPPLIER_SUFFIXES));
  const operators = addOrgs(count(scale, 60, 2), 'OPERATOR', (i) => {
    const base = OPERATOR_NAMES[i % OPERATOR_NAMES.length] ?? 'Agency';
    const region = REGIONS[Math.floor(i / OPERATOR_NAMES.length) % REGIONS.length] ?? '';
    const round = Math.floor(i / (OPERATOR_NAMES.length * REGIONS.length));
    return `${region} ${base}${round > 0 ? ` ${round + 1}` : ''}`;
  });
  const bodies = addOrgs(12, 'CERTIFICATION_BODY', (i) => `Synthetic Certification Body ${NAME_STEMS[i] ?? i}`);
  const labs = addOrgs(10, 'ASSESSOR', (i) => `${NAME_STEMS[(i + 13) % NAME_STEMS.length] ?? 'Generic'} Evaluation Laboratory`);
  const standards = STANDARDS.map((s, i) => ({ ...s, id: `${GENERATED_ID_PREFIX}standard:${pad(i, 3)}` }));

  // Components ---------------------------------------------------------------
  const components: ComponentEntity[] = [];
  const families: FamilyEntity[] = [];
  let componentSerial = 0;
  const componentId = (kind: string): string => `${GENERATED_ID_PREFIX}component:${kind}:${pad(componentSerial++, 7)}`;

  const addChain = (rng: Prng, kind: ComponentKind, name: string, supplier: number, length: number, startYear: number, osStyle: boolean): number => {
    const family: FamilyEntity = { name, kind, members: [] };
    families.push(family);
    const familyIndex = families.length - 1;
    let version = osStyle ? [rng.int(6, 11), 0] : [rng.int(0, 4), rng.int(0, 9), rng.int(0, 20)];
    let releasedAt = rng.date(startYear, startYear + 3);
    for (let k = 0; k < length; k++) {
      if (k > 0) {
        version = osStyle ? (rng.chance(0.3) ? [(version[0] ?? 0) + 1, 0] : [version[0] ?? 0, (version[1] ?? 0) + 1]) : nextLibraryVersion(rng, version);
        releasedAt = addDays(releasedAt, osStyle ? rng.int(60, 200) : rng.int(30, 400));
      }
      const v = version.join('.');
      const s = slug(name);
      components.push({
        id: componentId(kind.toLowerCase()),
        name: `${name} ${v}`,
        kind,
        version: v,
        releasedAt,
        supportEndsAt: addDays(releasedAt, rng.int(540, 1500)),
        supplier,
        family: familyIndex,
        purl: osStyle ? undefined : `pkg:generic/${s}@${v}`,
        cpe: osStyle ? `cpe:2.3:o:${slug(orgs[supplier]?.name ?? 'vendor')}:${s}:${v}:*:*:*:*:*:*:*` : undefined,
      });
      family.members.push(components.length - 1);
    }
    return familyIndex;
  };

  const chainRng = stream('chains');
  const osFamilyOfVendor = vendors.map((v) => {
    const stem = (orgs[v]?.name ?? 'Vendor').split(' ')[0] ?? 'Vendor';
    return addChain(chainRng, 'OS_RELEASE', `${stem}OS`, v, chainRng.int(14, 30), 2014, true);
  });
  const libraryFamilies = Array.from({ length: count(scale, 900, 12) }, (_, i) => {
    const stem = LIBRARY_STEMS[i % LIBRARY_STEMS.length] ?? 'lib';
    const round = Math.floor(i / LIBRARY_STEMS.length);
    const name = round === 0 ? stem : `${stem}-${LIBRARY_VARIANTS[round % LIBRARY_VARIANTS.length] ?? 'x'}${round >= LIBRARY_VARIANTS.length ? Math.floor(round / LIBRARY_VARIANTS.length) + 1 : ''}`;
    return addChain(chainRng, 'LIBRARY', name, chainRng.pick(suppliers), chainRng.int(3, 10), 2013, false);
  });
  const applicationFamilies = Array.from({ length: count(scale, 150, 3) }, (_, i) => {
    const supplier = chainRng.pick(suppliers);
    const name = `${(orgs[supplier]?.name ?? 'Generic').split(' ')[0] ?? ''} ${APP_STEMS[i % APP_STEMS.length] ?? 'App'}${i >= APP_STEMS.length ? ` ${Math.floor(i / APP_STEMS.length) + 1}` : ''}`;
    return addChain(chainRng, 'APPLICATION', name, supplier, chainRng.int(2, 5), 2016, false);
  });
  const cryptoFamilies = Array.from({ length: count(scale, 60, 3) }, (_, i) => {
    const supplier = chainRng.pick(suppliers);
    const name = `${(orgs[supplier]?.name ?? 'Generic').split(' ')[0] ?? ''} Crypto Module ${i + 1}`;
    return addChain(chainRng, 'CRYPTO_MODULE', name, supplier, chainRng.int(2, 5), 2015, false);
  });

  const hwRng = stream('hardware');
  const sharedHardware = Array.from({ length: count(scale, 8000, 30) }, (_, i) => {
    const [part, kind] = hwRng.pick(HARDWARE_PARTS);
    const supplier = hwRng.pick(suppliers);
    const releasedAt = hwRng.date(2014, 2025);
    const model = `${String.fromCharCode(65 + (i % 26))}${hwRng.int(100, 9999)}`;
    components.push({
      id: componentId('hardware'),
      name: `${(orgs[supplier]?.name ?? 'Generic').split(' ')[0] ?? ''} ${part} ${model}`,
      kind,
      version: `rev ${String.fromCharCode(65 + hwRng.int(0, 5))}`,
      releasedAt,
      supportEndsAt: addDays(releasedAt, hwRng.int(1000, 3000)),
      supplier,
      family: -1,
    });
    return components.length - 1;
  });

  // Devices ------------------------------------------------------------------
  const deviceRng = stream('devices');
  const devices: DeviceEntity[] = [];
  const devicesOfVendor: number[][] = vendors.map(() => []);
  const deviceCount = count(scale, 1000, 4);
  const seriesCounter = new Map<string, number>();
  const latestMemberAt = (familyIndex: number, date: string, rng: Prng): number => {
    const members = families[familyIndex]?.members ?? [];
    let chosen = 0;
    members.forEach((m, position) => {
      if ((components[m]?.releasedAt ?? '') <= date) chosen = position;
    });
    // Some devices ship a release or two behind the newest one.
    return Math.max(0, chosen - (rng.chance(0.3) ? rng.int(1, 2) : 0));
  };
  for (let d = 0; d < deviceCount; d++) {
    const vendorPos = d < vendors.length ? d : deviceRng.skewedIndex(vendors.length, 1.6);
    const vendor = vendors[vendorPos] ?? 0;
    const [series, category] = deviceRng.pick(SERIES);
    const vendorStem = (orgs[vendor]?.name ?? 'Generic').split(' ')[0] ?? '';
    const key = `${vendor}:${series}`;
    const generation = (seriesCounter.get(key) ?? 0) + 1;
    seriesCounter.set(key, generation);
    const releasedAt = deviceRng.date(2016, 2025);
    const osFamily = osFamilyOfVendor[vendorPos] ?? 0;
    const osPosition = latestMemberAt(osFamily, releasedAt, deviceRng);
    const parts: { component: number; role: string }[] = [];
    const seen = new Set<number>();
    const add = (component: number, role: string): void => {
      if (seen.has(component)) return;
      seen.add(component);
      parts.push({ component, role });
    };
    const target = deviceRng.int(20, 60);
    add(families[osFamily]?.members[osPosition] ?? 0, 'os');
    const firmwareCount = deviceRng.int(2, 4);
    for (let k = 0; k < firmwareCount; k++) {
      const part = FIRMWARE_PARTS[k % FIRMWARE_PARTS.length] ?? 'firmware';
      const fwReleased = addDays(releasedAt, -deviceRng.int(30, 200));
      components.push({
        id: componentId('firmware'),
        name: `${vendorStem} ${series} ${generation} ${part}`,
        kind: 'FIRMWARE',
        version: `${deviceRng.int(1, 9)}.${deviceRng.int(0, 30)}.${deviceRng.int(0, 999)}`,
        releasedAt: fwReleased,
        supportEndsAt: addDays(fwReleased, deviceRng.int(900, 2200)),
        supplier: deviceRng.chance(0.6) ? vendor : deviceRng.pick(suppliers),
        family: -1,
      });
      add(components.length - 1, part.replace(/ /g, '-'));
    }
    const ownHardware = deviceRng.int(4, 12);
    for (let k = 0; k < ownHardware; k++) {
      const part = DEVICE_PARTS[k % DEVICE_PARTS.length] ?? 'part';
      components.push({
        id: componentId('part'),
        name: `${vendorStem} ${series} ${generation} ${part}`,
        kind: 'HARDWARE',
        version: `rev ${String.fromCharCode(65 + deviceRng.int(0, 3))}`,
        releasedAt: addDays(releasedAt, -deviceRng.int(60, 300)),
        supportEndsAt: addDays(releasedAt, deviceRng.int(1100, 2500)),
        supplier: deviceRng.pick(suppliers),
        family: -1,
      });
      add(components.length - 1, slug(part));
    }
    const sharedHw = deviceRng.int(6, 14);
    for (let k = 0; k < sharedHw; k++) {
      const c = sharedHardware[deviceRng.skewedIndex(sharedHardware.length, 1.8)] ?? 0;
      add(c, slug(HARDWARE_PARTS.find(([, kind]) => kind === components[c]?.kind)?.[0] ?? 'hardware'));
    }
    const cryptoCount = deviceRng.int(1, 3);
    for (let k = 0; k < cryptoCount; k++) {
      const fam = families[cryptoFamilies[deviceRng.skewedIndex(cryptoFamilies.length, 1.5)] ?? 0];
      const members = fam?.members ?? [];
      add(members[deviceRng.int(0, members.length - 1)] ?? 0, 'crypto-module');
    }
    let guard = 0;
    while (parts.length < target && guard++ < 500) {
      const useApp = deviceRng.chance(0.2);
      const pool = useApp ? applicationFamilies : libraryFamilies;
      const fam = families[pool[deviceRng.skewedIndex(pool.length, 1.7)] ?? 0];
      const members = fam?.members ?? [];
      // Newer devices carry newer versions.
      const position = Math.min(members.length - 1, Math.max(0, Math.floor(((Date.parse(releasedAt) - Date.UTC(2016, 0, 1)) / (Date.UTC(2025, 0, 1) - Date.UTC(2016, 0, 1))) * members.length) + deviceRng.int(-1, 1)));
      add(members[position] ?? 0, useApp ? 'application' : 'library');
    }
    const variant = deviceRng.pick(DEVICE_VARIANTS);
    devices.push({
      id: `${GENERATED_ID_PREFIX}device:${pad(d)}`,
      name: `${vendorStem} ${series} ${generation}${variant}`,
      category,
      releasedAt,
      vendor,
      osPosition,
      components: parts,
    });
    devicesOfVendor[vendorPos]?.push(d);
  }

  // Vulnerabilities ----------------------------------------------------------
  const vulnRng = stream('vulnerabilities');
  const vulnerable = [...libraryFamilies, ...libraryFamilies, ...libraryFamilies, ...osFamilyOfVendor, ...cryptoFamilies, ...applicationFamilies];
  const vulnerabilities: VulnerabilityEntity[] = Array.from({ length: count(scale, 10000, 20) }, (_, i) => {
    const familyIndex = vulnerable[vulnRng.skewedIndex(vulnerable.length, 1.3)] ?? 0;
    const family = families[familyIndex];
    const members = family?.members ?? [];
    const first = vulnRng.int(0, members.length - 1);
    const span = Math.min(members.length - first, vulnRng.int(1, 8));
    const affected = members.slice(first, first + span);
    const lastAffected = components[affected[affected.length - 1] ?? 0];
    const fixed = components[members[first + span] ?? -1];
    const firstVersion = components[affected[0] ?? 0]?.version ?? '0';
    const weakness = vulnRng.pick(WEAKNESSES);
    const year = Number((lastAffected?.releasedAt ?? '2020').slice(0, 4));
    return {
      id: `${GENERATED_ID_PREFIX}vulnerability:${pad(i)}`,
      name: `SYNVULN-${year}-${pad(i, 5)}`,
      family: familyIndex,
      affected,
      versionRange: fixed ? `>= ${firstVersion}, < ${fixed.version}` : `>= ${firstVersion}`,
      cvss: round1(2 + vulnRng.next() * 8),
      knownExploited: vulnRng.chance(0.05),
      publishedAt: addDays(lastAffected?.releasedAt ?? '2020-01-01', vulnRng.int(10, 300)),
      description: `Synthetic ${weakness} in ${family?.name ?? 'component'} ${fixed ? `before ${fixed.version}` : 'with no fixed version'}.`,
    };
  });

  // Certifications -----------------------------------------------------------
  const certRng = stream('certifications');
  const certifications: CertificationEntity[] = [];
  const lineageCount = count(scale, 750, 4);
  const certStatus = (rng: Prng, validUntil: string, issuedAt: string): CertificationEntity['status'] => {
    if (issuedAt > WORLD_TODAY) return 'PENDING';
    if (validUntil < WORLD_TODAY) return rng.chance(0.85) ? 'EXPIRED' : 'ACTIVE';
    const r = rng.next();
    return r < 0.03 ? 'REVOKED' : r < 0.05 ? 'SUSPENDED' : r < 0.08 ? 'PENDING' : 'ACTIVE';
  };
  for (let l = 0; l < lineageCount; l++) {
    const vendorPos = certRng.int(0, vendors.length - 1);
    const vendorDevices = devicesOfVendor[vendorPos] ?? [];
    if (vendorDevices.length === 0) continue;
    const depth = certRng.int(2, 4);
    const kinds = CERT_KIND_ORDER.slice(CERT_KIND_ORDER.length - depth);
    // Devices in scope: a slice of the vendor's range, with the OS range spanning their releases.
    const inScope = certRng.distinctIndexes(vendorDevices.length, certRng.int(1, 12)).map((i) => vendorDevices[i] ?? 0);
    const osMembers = families[osFamilyOfVendor[vendorPos] ?? 0]?.members ?? [];
    const positions = inScope.map((d) => devices[d]?.osPosition ?? 0);
    const minPos = Math.min(...positions);
    const maxPos = Math.min(osMembers.length - 1, Math.max(...positions) + certRng.int(0, 4));
    const minOs = components[osMembers[minPos] ?? 0]?.version;
    const maxOsFull = components[osMembers[maxPos] ?? 0]?.version ?? '';
    const maxOs = certRng.chance(0.3) ? maxOsFull.split('.')[0] : maxOsFull;
    const cryptoInScope = [...new Set(inScope.flatMap((d) => (devices[d]?.components ?? []).filter((p) => p.role === 'crypto-module').map((p) => p.component)))].slice(0, 3);
    let issuedAt = certRng.date(2016, 2024);
    let previous: number | undefined;
    for (const kind of kinds) {
      issuedAt = addDays(issuedAt, certRng.int(20, 240));
      const validUntil = addDays(issuedAt, certRng.int(730, 1825));
      const serial = certifications.length;
      const vendorStem = (orgs[vendors[vendorPos] ?? 0]?.name ?? 'Vendor').split(' ')[0] ?? '';
      const entity: CertificationEntity = {
        id: `${GENERATED_ID_PREFIX}certification:${pad(serial)}`,
        name: `${vendorStem} ${kind.toLowerCase()} ${l + 1}`,
        kind,
        status: certStatus(certRng, validUntil, issuedAt),
        issuedAt,
        validUntil,
        issuer: certRng.pick(bodies),
        assessor: kind === 'EVALUATION' || kind === 'CERTIFICATE' ? certRng.pick(labs) : undefined,
        standards: certRng.distinctIndexes(standards.length, certRng.int(1, 2)),
        basedOn: previous,
        devices: kind === 'CERTIFICATE' && cryptoInScope.length > 0 ? [] : inScope,
        components: kind === 'CERTIFICATE' ? cryptoInScope : [],
        minOsVersion: kind === 'CERTIFICATE' ? undefined : minOs,
        maxOsVersion: kind === 'CERTIFICATE' ? undefined : maxOs,
        scope: kind === 'CERTIFICATE' ? 'cryptographic module boundary' : `${inScope.length} device model(s), ${families[osFamilyOfVendor[vendorPos] ?? 0]?.name ?? 'OS'} ${minOs ?? '?'} to ${maxOs ?? '?'}`,
      };
      certifications.push(entity);
      const current = certifications.length - 1;
      // A renewal: a later certificate of the same kind that supersedes this one.
      if (certRng.chance(0.35)) {
        const renewedAt = addDays(validUntil, -certRng.int(30, 400));
        const renewedUntil = addDays(renewedAt, certRng.int(730, 1825));
        certifications.push({
          ...entity,
          id: `${GENERATED_ID_PREFIX}certification:${pad(certifications.length)}`,
          name: `${entity.name} (renewal)`,
          issuedAt: renewedAt,
          validUntil: renewedUntil,
          status: certStatus(certRng, renewedUntil, renewedAt),
          supersedes: current,
        });
      }
      previous = current;
    }
  }

  // Deployments --------------------------------------------------------------
  const depRng = stream('deployments');
  const deployments: DeploymentEntity[] = Array.from({ length: count(scale, 8000, 8) }, (_, i) => {
    const operator = operators[i % operators.length] ?? 0;
    const d = depRng.skewedIndex(devices.length, 1.4);
    const device = devices[d];
    const vendorPos = vendors.indexOf(device?.vendor ?? -1);
    const osMembers = families[osFamilyOfVendor[vendorPos] ?? 0]?.members ?? [];
    const osPosition = Math.min(osMembers.length - 1, (device?.osPosition ?? 0) + depRng.int(0, 6));
    const apps = depRng.distinctIndexes(applicationFamilies.length, depRng.int(0, 2)).map((f) => {
      const members = families[applicationFamilies[f] ?? 0]?.members ?? [];
      return members[members.length - 1] ?? 0;
    });
    return {
      id: `${GENERATED_ID_PREFIX}deployment:${pad(i)}`,
      name: `${orgs[operator]?.name ?? 'Operator'} fleet ${i + 1}: ${device?.name ?? 'device'}`,
      operator,
      device: d,
      os: osMembers[osPosition] ?? 0,
      apps,
      deviceCount: depRng.int(10, 50000),
      environment: depRng.pick(ENVIRONMENTS),
    };
  });

  return {
    scale,
    seed,
    orgs,
    vendors,
    suppliers,
    operators,
    bodies,
    labs,
    standards,
    controls: sources.controls,
    techniques: sources.techniques,
    components,
    families,
    osFamilyOfVendor,
    libraryFamilies,
    applicationFamilies,
    cryptoFamilies,
    devices,
    devicesOfVendor,
    vulnerabilities,
    certifications,
    deployments,
  };
}

// ------------------------------------------------------------------ emission

export function controlId(control: CatalogControl): string {
  return `${GENERATED_ID_PREFIX}control:${control.controlId}`;
}

export function threatId(technique: AttackTechnique): string {
  return `${GENERATED_ID_PREFIX}threat:${technique.externalId}:${technique.stixId.slice(-12)}`;
}

function* chunked<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

interface Section {
  kind: 'nodes' | 'relationships';
  label?: Label;
  type?: RelationshipType;
  fromLabel?: Label;
  toLabel?: Label;
  rows: (rng: Prng) => Iterable<NodeWrite | RelationshipWrite>;
}

const node = (id: string, props: Record<string, unknown>): NodeWrite => ({ id, props });

function nodeSections(world: World): { label: Label; rows: (rng: Prng) => Iterable<NodeWrite> }[] {
  const { orgs, components, devices, vulnerabilities, certifications, deployments, standards, controls, techniques } = world;
  return [
    {
      label: 'Organization',
      *rows(rng) {
        for (const o of orgs) yield node(o.id, { name: o.name, kind: o.kind, country: o.country, classification: nodeMarking(rng, [0.04, 0.02, 0.01]), description: `Synthetic ${o.kind.toLowerCase().replace('_', ' ')}.` });
      },
    },
    {
      label: 'Standard',
      *rows() {
        for (const s of standards) yield node(s.id, { name: s.name, publisher: s.publisher, version: s.version, classification: 'UNCLASSIFIED' });
      },
    },
    {
      label: 'Control',
      *rows(rng) {
        for (const c of controls) {
          yield node(controlId(c), {
            name: `${c.label} ${c.title}`,
            framework: 'NIST SP 800-53 Rev. 5',
            family: c.family,
            controlId: c.controlId,
            statement: c.statement,
            withdrawn: c.withdrawn,
            effectiveness: round2(0.2 + rng.next() * 0.7),
            classification: 'UNCLASSIFIED',
          });
        }
      },
    },
    {
      label: 'Threat',
      *rows(rng) {
        for (const t of techniques) {
          yield node(threatId(t), {
            name: t.name,
            description: t.description,
            kind: 'ATTACK_TECHNIQUE',
            externalId: t.externalId,
            platforms: t.platforms,
            tactics: t.tactics,
            revoked: t.revoked,
            deprecated: t.deprecated,
            severity: round1(1 + rng.next() * 9),
            likelihood: round2(0.05 + rng.next() * 0.9),
            classification: 'UNCLASSIFIED',
          });
        }
      },
    },
    {
      label: 'Device',
      *rows(rng) {
        for (const d of devices) yield node(d.id, { name: d.name, category: d.category, releasedAt: d.releasedAt, classification: nodeMarking(rng), description: `Synthetic ${d.category.toLowerCase()} model with ${d.components.length} components.` });
      },
    },
    {
      label: 'Component',
      *rows(rng) {
        for (const c of components) {
          yield node(c.id, {
            name: c.name,
            kind: c.kind,
            version: c.version,
            releasedAt: c.releasedAt,
            supportEndsAt: c.supportEndsAt,
            purl: c.purl,
            cpe: c.cpe,
            classification: nodeMarking(rng),
          });
        }
      },
    },
    {
      label: 'Vulnerability',
      *rows(rng) {
        for (const v of vulnerabilities) {
          yield node(v.id, {
            name: v.name,
            description: v.description,
            cvss: v.cvss,
            knownExploited: v.knownExploited,
            publishedAt: v.publishedAt,
            product: world.families[v.family]?.name,
            classification: nodeMarking(rng, [0.06, 0.04, 0.02]),
          });
        }
      },
    },
    {
      label: 'Certification',
      *rows(rng) {
        for (const c of certifications) {
          yield node(c.id, {
            name: c.name,
            kind: c.kind,
            status: c.status,
            issuedAt: c.issuedAt,
            validUntil: c.validUntil,
            scope: c.scope,
            reference: `SYNTHETIC-${c.id.slice(-6)}`,
            classification: c.kind === 'CLEARANCE' ? nodeMarking(rng, [0.3, 0.2, 0.1]) : nodeMarking(rng),
          });
        }
      },
    },
    {
      label: 'Deployment',
      *rows(rng) {
        for (const d of deployments) {
          yield node(d.id, {
            name: d.name,
            deviceCount: d.deviceCount,
            osVersion: world.components[d.os]?.version,
            environment: d.environment,
            classification: nodeMarking(rng, [0.25, 0.15, 0.1]),
          });
        }
      },
    },
  ];
}

const rel = (rng: Prng, fromId: string, toId: string, props: Record<string, unknown> = {}): RelationshipWrite => ({ fromId, toId, props: { ...props, classification: relMarking(rng) } });

function relationshipSections(world: World): { type: RelationshipType; fromLabel: Label; toLabel: Label; rows: (rng: Prng) => Iterable<RelationshipWrite> }[] {
  const { orgs, components, families, devices, vulnerabilities, certifications, deployments, standards, controls, techniques, scale } = world;
  const orgId = (i: number): string => orgs[i]?.id ?? '';
  const compId = (i: number): string => components[i]?.id ?? '';
  const liveControls = controls.filter((c) => !c.withdrawn);
  const liveTechniques = techniques.filter((t) => !t.revoked && !t.deprecated);
  const scLike = liveControls.filter((c) => /^(sc|ia)-/.test(c.controlId));
  const libraryMembers = world.libraryFamilies.flatMap((f) => families[f]?.members ?? []);
  const osMembers = world.osFamilyOfVendor.flatMap((f) => families[f]?.members ?? []);

  return [
    {
      type: 'MAKES',
      fromLabel: 'Organization',
      toLabel: 'Device',
      *rows(rng) {
        for (const d of devices) yield rel(rng, orgId(d.vendor), d.id);
      },
    },
    {
      type: 'HAS_COMPONENT',
      fromLabel: 'Device',
      toLabel: 'Component',
      *rows(rng) {
        for (const d of devices) for (const p of d.components) yield rel(rng, d.id, compId(p.component), { role: p.role });
      },
    },
    {
      // OS releases bundle libraries; firmware embeds a crypto library.
      type: 'HAS_COMPONENT',
      fromLabel: 'Component',
      toLabel: 'Component',
      *rows(rng) {
        for (const c of components) {
          if (c.kind === 'OS_RELEASE') {
            for (const i of rng.distinctIndexes(libraryMembers.length, rng.int(8, 22))) yield rel(rng, c.id, compId(libraryMembers[i] ?? 0), { role: 'bundled-library' });
          } else if (c.kind === 'FIRMWARE' && rng.chance(0.7)) {
            yield rel(rng, c.id, compId(libraryMembers[rng.skewedIndex(libraryMembers.length, 2)] ?? 0), { role: 'embedded-library' });
          }
        }
      },
    },
    {
      // Libraries and applications depend on versions of earlier library families (a DAG).
      type: 'DEPENDS_ON',
      fromLabel: 'Component',
      toLabel: 'Component',
      *rows(rng) {
        const libFamilies = world.libraryFamilies;
        for (const f of [...libFamilies, ...world.applicationFamilies]) {
          const family = families[f];
          if (!family) continue;
          const position = libFamilies.indexOf(f);
          const candidates = position < 0 ? libFamilies.length : position;
          if (candidates === 0) continue;
          for (const member of family.members) {
            for (const j of rng.distinctIndexes(candidates, rng.int(0, 4))) {
              const dep = families[libFamilies[j] ?? 0]?.members ?? [];
              yield rel(rng, compId(member), compId(dep[rng.int(0, dep.length - 1)] ?? 0));
            }
          }
        }
      },
    },
    {
      type: 'SUPPLIED_BY',
      fromLabel: 'Component',
      toLabel: 'Organization',
      *rows(rng) {
        for (const c of components) yield rel(rng, c.id, orgId(c.supplier));
      },
    },
    {
      type: 'SUPERSEDES',
      fromLabel: 'Component',
      toLabel: 'Component',
      *rows(rng) {
        for (const f of families) for (let k = 1; k < f.members.length; k++) yield rel(rng, compId(f.members[k] ?? 0), compId(f.members[k - 1] ?? 0));
      },
    },
    {
      type: 'IMPLEMENTS',
      fromLabel: 'Device',
      toLabel: 'Control',
      *rows(rng) {
        for (const d of devices) {
          for (const i of rng.distinctIndexes(liveControls.length, rng.int(15, 40))) {
            const c = liveControls[i];
            if (c) yield rel(rng, d.id, controlId(c), { evidence: `synthetic test report ${d.id.slice(-6)}-${i}` });
          }
        }
      },
    },
    {
      type: 'IMPLEMENTS',
      fromLabel: 'Component',
      toLabel: 'Control',
      *rows(rng) {
        for (const c of components) {
          const pool = c.kind === 'CRYPTO_MODULE' ? scLike : c.kind === 'OS_RELEASE' ? liveControls : [];
          if (pool.length === 0) continue;
          for (const i of rng.distinctIndexes(pool.length, c.kind === 'OS_RELEASE' ? rng.int(10, 20) : rng.int(3, 8))) {
            const control = pool[i];
            if (control) yield rel(rng, c.id, controlId(control), { evidence: `synthetic vendor attestation for ${c.name}` });
          }
        }
      },
    },
    {
      type: 'MAPS_TO',
      fromLabel: 'Control',
      toLabel: 'Control',
      *rows(rng) {
        for (const c of controls) if (c.parent) yield rel(rng, controlId(c), `${GENERATED_ID_PREFIX}control:${c.parent}`);
      },
    },
    {
      type: 'MITIGATES',
      fromLabel: 'Control',
      toLabel: 'Threat',
      *rows(rng) {
        for (const t of liveTechniques) {
          for (const i of rng.distinctIndexes(liveControls.length, rng.int(5, 15))) {
            const c = liveControls[i];
            if (c) yield rel(rng, controlId(c), threatId(t), { effectiveness: round2(0.1 + rng.next() * 0.8) });
          }
        }
      },
    },
    {
      type: 'TARGETS',
      fromLabel: 'Threat',
      toLabel: 'Component',
      *rows(rng) {
        for (const t of liveTechniques) {
          const n = Math.max(1, Math.round(rng.int(20, 80) * scale));
          const pool = rng.chance(0.5) ? osMembers : libraryMembers;
          for (const i of rng.distinctIndexes(pool.length, n)) yield rel(rng, threatId(t), compId(pool[i] ?? 0));
        }
      },
    },
    {
      type: 'TARGETS',
      fromLabel: 'Threat',
      toLabel: 'Device',
      *rows(rng) {
        for (const t of liveTechniques) {
          const n = Math.round(rng.int(0, 8) * scale);
          for (const i of rng.distinctIndexes(devices.length, n)) yield rel(rng, threatId(t), devices[i]?.id ?? '');
        }
      },
    },
    {
      type: 'EXPLOITS',
      fromLabel: 'Threat',
      toLabel: 'Vulnerability',
      *rows(rng) {
        if (liveTechniques.length === 0) return;
        for (const v of vulnerabilities) {
          if (!rng.chance(0.25)) continue;
          for (const i of rng.distinctIndexes(liveTechniques.length, rng.int(1, 3))) {
            const t = liveTechniques[i];
            if (t) yield rel(rng, threatId(t), v.id);
          }
        }
      },
    },
    {
      type: 'AFFECTS',
      fromLabel: 'Vulnerability',
      toLabel: 'Component',
      *rows(rng) {
        for (const v of vulnerabilities) {
          for (const c of v.affected) {
            const r = rng.next();
            const vexState = r < 0.85 ? 'AFFECTED' : r < 0.92 ? 'UNDER_INVESTIGATION' : r < 0.97 ? 'FIXED' : 'NOT_AFFECTED';
            yield rel(rng, v.id, compId(c), { versionRange: v.versionRange, vexState, vexJustification: vexState === 'NOT_AFFECTED' ? 'vulnerable_code_not_in_execute_path' : undefined });
          }
        }
      },
    },
    {
      type: 'CERTIFIES',
      fromLabel: 'Certification',
      toLabel: 'Device',
      *rows(rng) {
        for (const c of certifications) for (const d of c.devices) yield rel(rng, c.id, devices[d]?.id ?? '', { scope: c.scope, minOsVersion: c.minOsVersion, maxOsVersion: c.maxOsVersion });
      },
    },
    {
      type: 'CERTIFIES',
      fromLabel: 'Certification',
      toLabel: 'Component',
      *rows(rng) {
        for (const c of certifications) for (const comp of c.components) yield rel(rng, c.id, compId(comp), { scope: c.scope });
      },
    },
    {
      type: 'ISSUED_BY',
      fromLabel: 'Certification',
      toLabel: 'Organization',
      *rows(rng) {
        for (const c of certifications) yield rel(rng, c.id, orgId(c.issuer));
      },
    },
    {
      type: 'EVALUATED_BY',
      fromLabel: 'Certification',
      toLabel: 'Organization',
      *rows(rng) {
        for (const c of certifications) if (c.assessor !== undefined) yield rel(rng, c.id, orgId(c.assessor));
      },
    },
    {
      type: 'ASSESSED_AGAINST',
      fromLabel: 'Certification',
      toLabel: 'Standard',
      *rows(rng) {
        for (const c of certifications) for (const s of c.standards) yield rel(rng, c.id, standards[s]?.id ?? '');
      },
    },
    {
      type: 'BASED_ON',
      fromLabel: 'Certification',
      toLabel: 'Certification',
      *rows(rng) {
        for (const c of certifications) if (c.basedOn !== undefined) yield rel(rng, c.id, certifications[c.basedOn]?.id ?? '');
      },
    },
    {
      type: 'SUPERSEDES',
      fromLabel: 'Certification',
      toLabel: 'Certification',
      *rows(rng) {
        for (const c of certifications) if (c.supersedes !== undefined) yield rel(rng, c.id, certifications[c.supersedes]?.id ?? '');
      },
    },
    {
      type: 'REQUIRES',
      fromLabel: 'Certification',
      toLabel: 'Control',
      *rows(rng) {
        for (const c of certifications) {
          for (const i of rng.distinctIndexes(liveControls.length, rng.int(5, 20))) {
            const control = liveControls[i];
            if (control) yield rel(rng, c.id, controlId(control));
          }
        }
      },
    },
    {
      type: 'OPERATES',
      fromLabel: 'Organization',
      toLabel: 'Deployment',
      *rows(rng) {
        for (const d of deployments) yield rel(rng, orgId(d.operator), d.id);
      },
    },
    {
      type: 'OF',
      fromLabel: 'Deployment',
      toLabel: 'Device',
      *rows(rng) {
        for (const d of deployments) yield rel(rng, d.id, devices[d.device]?.id ?? '');
      },
    },
    {
      type: 'RUNS',
      fromLabel: 'Deployment',
      toLabel: 'Component',
      *rows(rng) {
        for (const d of deployments) for (const c of [d.os, ...d.apps]) yield rel(rng, d.id, compId(c));
      },
    },
  ];
}

function sections(world: World): Section[] {
  return [
    ...nodeSections(world).map((s): Section => ({ kind: 'nodes', label: s.label, rows: s.rows })),
    ...relationshipSections(world).map((s): Section => ({ kind: 'relationships', type: s.type, fromLabel: s.fromLabel, toLabel: s.toLabel, rows: s.rows })),
  ];
}

/** Every node (all labels first), then every relationship, in chunks. Lazy: rows are built as consumed. */
export function* batches(world: World, chunkSize = 10000): Generator<Batch> {
  for (const section of sections(world)) {
    const sectionName = section.kind === 'nodes' ? `nodes:${section.label ?? ''}` : `rels:${section.type ?? ''}:${section.fromLabel ?? ''}->${section.toLabel ?? ''}`;
    const rng = new Prng(`${world.seed}:${sectionName}`);
    if (section.kind === 'nodes' && section.label) {
      for (const rows of chunked(section.rows(rng) as Iterable<NodeWrite>, chunkSize)) yield { kind: 'nodes', label: section.label, rows };
    } else if (section.kind === 'relationships' && section.type && section.fromLabel && section.toLabel) {
      for (const rows of chunked(section.rows(rng) as Iterable<RelationshipWrite>, chunkSize)) yield { kind: 'relationships', type: section.type, fromLabel: section.fromLabel, toLabel: section.toLabel, rows };
    }
  }
}

export interface GeneratedCounts {
  nodes: Partial<Record<Label, number>>;
  /** Keyed `TYPE` (summed over end-label pairs). */
  relationships: Partial<Record<RelationshipType, number>>;
  totalNodes: number;
  totalRelationships: number;
}

/** Counts what `batches` would emit (walks the whole output without keeping it). */
export function countBatches(world: World): GeneratedCounts {
  const counts: GeneratedCounts = { nodes: {}, relationships: {}, totalNodes: 0, totalRelationships: 0 };
  for (const batch of batches(world)) {
    if (batch.kind === 'nodes') {
      counts.nodes[batch.label] = (counts.nodes[batch.label] ?? 0) + batch.rows.length;
      counts.totalNodes += batch.rows.length;
    } else {
      counts.relationships[batch.type] = (counts.relationships[batch.type] ?? 0) + batch.rows.length;
      counts.totalRelationships += batch.rows.length;
    }
  }
  return counts;
}
