/**
 * CVE JSON 5 records (CVE Record Format 5.0-5.2): one record, or a JSON array of records ->
 * Vulnerability nodes keyed by CVE id (the id KEV and CycloneDX use), with description, dates,
 * CWE ids, CVSS, SSVC exploitation and the parsed `affected` ranges (`cveRanges`, JSON) that the
 * loader matches against components (src/store/cveMatchStore.ts). Pure: no I/O.
 *
 * Ranges come from the CISA ADP container when it lists `affected` products (CPE names, often
 * exact), otherwise from the CNA container; a CNA `lessThan` that a "fixed in" release of the
 * description contradicts is widened to that release and the record is listed as imprecise.
 */
import {
  COMPARABLE_VERSION_TYPES,
  CVE_STATUSES,
  KNOWN_UNSUPPORTED_VERSION_TYPES,
  PRODUCT_ALIASES,
  contradictingFix,
  cpeKey,
  fixedInReleases,
  isComparable,
  keysProperty,
  lowerBound,
  nameKeys,
  productWords,
  purlKey,
  wildcardUpper,
  type ComparableVersionType,
  type CveStatus,
  type FixedIn,
  type RangeEntry,
  type StoredRange,
} from '../domain/cveRanges';
import { validateCveRecord } from './cveSchema';
import { ImportError, addNode, count, emptyBatch, isRecord, parseJson, type ImportBatch } from './types';
import { scalarText } from '../domain/text';

export interface CveOptions {
  name?: string;
}

/** Default document name: every CVE import shares it, so records imported in different files are one document. */
export const CVE_DOCUMENT_NAME = 'CVE records';
/** Version stamped in `sourceRef`; the record's own date is `cveUpdatedAt`. */
export const CVE_DOCUMENT_VERSION = 'CVE JSON 5';

type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function english(descriptions: unknown): string | undefined {
  const list = arr(descriptions).filter(isRecord);
  const en = list.find((d) => typeof d.lang === 'string' && d.lang.toLowerCase().startsWith('en')) ?? list[0];
  return en ? str(en.value) : undefined;
}

const CVSS_KEYS: [string, string][] = [
  ['cvssV4_0', '4.0'],
  ['cvssV3_1', '3.1'],
  ['cvssV3_0', '3.0'],
  ['cvssV2_0', '2.0'],
];

/** The newest CVSS version a container's metrics give. */
function cvssOf(container: Json): { score: number; version: string; vector: string | undefined } | undefined {
  for (const [key, version] of CVSS_KEYS) {
    for (const metric of arr(container.metrics).filter(isRecord)) {
      const m = metric[key];
      if (isRecord(m) && typeof m.baseScore === 'number') return { score: m.baseScore, version, vector: str(m.vectorString) };
    }
  }
  return undefined;
}

function ssvcExploitation(container: Json): string | undefined {
  for (const metric of arr(container.metrics).filter(isRecord)) {
    const other = metric.other;
    if (!isRecord(other) || other.type !== 'ssvc' || !isRecord(other.content)) continue;
    for (const option of arr(other.content.options).filter(isRecord)) if (typeof option.Exploitation === 'string') return option.Exploitation;
  }
  return undefined;
}

function hasKev(container: Json): boolean {
  return arr(container.metrics).some((m) => isRecord(m) && isRecord(m.other) && m.other.type === 'kev');
}

function cweIds(containers: Json[]): string[] {
  const out = new Set<string>();
  for (const c of containers)
    for (const pt of arr(c.problemTypes).filter(isRecord))
      for (const d of arr(pt.descriptions).filter(isRecord)) if (typeof d.cweId === 'string' && /^CWE-\d+$/.test(d.cweId)) out.add(d.cweId);
  return [...out].sort();
}

/** Product words the description may use for canonical keys (single-product aliases): `cpe:o:apple:iphone_os` -> `ios`. */
function wordsForKeys(keys: string[]): string[] {
  const words = new Set<string>();
  for (const [name, targets] of Object.entries(PRODUCT_ALIASES)) {
    if (targets.length !== 1 || !keys.includes(`cpe:${targets[0] as string}`)) continue;
    const product = name.split('|')[1] as string;
    if (!/-\d+$/.test(product)) words.add(product);
  }
  return [...words];
}

interface ParsedRanges {
  ranges: StoredRange[];
  problems: string[];
  imprecise: string[];
  named: number;
}

/** Parses the `affected` entries of one container; throws ImportError for a malformed entry. */
function parseAffected(record: string, container: Json, containerName: string, where: string, fixes: FixedIn[]): ParsedRanges {
  const out: ParsedRanges = { ranges: [], problems: [], imprecise: [], named: 0 };
  arr(container.affected).forEach((raw, i) => {
    const at = `${where}.affected[${i}]`;
    if (!isRecord(raw)) throw new ImportError(`${record} ${at}`, 'must be an object');
    const vendor = raw.vendor;
    const product = raw.product;
    if (product === undefined && raw.packageName === undefined) throw new ImportError(`${record} ${at}`, 'product is missing');
    if (product !== undefined && typeof product !== 'string') throw new ImportError(`${record} ${at}.product`, 'must be a string');
    if (vendor !== undefined && typeof vendor !== 'string') throw new ImportError(`${record} ${at}.vendor`, 'must be a string');
    const defaultStatus = raw.defaultStatus ?? 'unknown';
    if (!(CVE_STATUSES as readonly unknown[]).includes(defaultStatus))
      throw new ImportError(`${record} ${at}.defaultStatus`, `must be one of ${CVE_STATUSES.join(', ')}`);
    // Keys: the entry's CPEs, its packageURL, else vendor/product through the alias table.
    let keys: string[] = [];
    let method: StoredRange['method'] = 'cpe';
    for (const [j, cpe] of arr(raw.cpes).entries()) {
      if (typeof cpe !== 'string') throw new ImportError(`${record} ${at}.cpes[${j}]`, 'must be a string');
      const key = cpeKey(cpe);
      if (key) keys.push(key);
    }
    if (keys.length === 0 && typeof raw.packageURL === 'string') {
      const key = purlKey(raw.packageURL);
      if (!key) throw new ImportError(`${record} ${at}.packageURL`, 'not a package URL (pkg:...)');
      keys = [key];
      method = 'purl';
    }
    if (keys.length === 0 && typeof vendor === 'string' && typeof product === 'string') {
      const named = nameKeys(vendor, product);
      if (named) {
        keys = named.keys;
        method = named.method;
      }
    }
    keys = [...new Set(keys)];
    const versions = raw.versions;
    if (versions !== undefined && !Array.isArray(versions)) throw new ImportError(`${record} ${at}.versions`, 'must be an array');
    let versionType: ComparableVersionType | undefined;
    let unparseable: string | undefined;
    const entries: RangeEntry[] = [];
    const imprecise: string[] = [];
    for (const [j, v] of arr(versions).entries()) {
      const vat = `${at}.versions[${j}]`;
      if (!isRecord(v)) throw new ImportError(`${record} ${vat}`, 'must be an object');
      for (const field of ['version', 'lessThan', 'lessThanOrEqual', 'versionType'] as const) {
        if (v[field] !== undefined && typeof v[field] !== 'string')
          throw new ImportError(`${record} ${vat}.${field}`, `must be a string (got ${JSON.stringify(v[field])})`);
      }
      if (typeof v.version !== 'string') throw new ImportError(`${record} ${vat}`, 'version is missing');
      if (!(CVE_STATUSES as readonly unknown[]).includes(v.status))
        throw new ImportError(`${record} ${vat}.status`, `must be one of ${CVE_STATUSES.join(', ')} (got ${JSON.stringify(v.status)})`);
      const type = typeof v.versionType === 'string' ? v.versionType.toLowerCase() : 'custom';
      if ((KNOWN_UNSUPPORTED_VERSION_TYPES as readonly string[]).includes(type)) {
        unparseable ??= `${vat}.versionType: ${type} versions are not ordered by this importer`;
        continue;
      }
      if (!(COMPARABLE_VERSION_TYPES as readonly string[]).includes(type)) {
        throw new ImportError(
          `${record} ${vat}.versionType`,
          `unknown version type ${JSON.stringify(v.versionType)} (known: ${[...COMPARABLE_VERSION_TYPES, ...KNOWN_UNSUPPORTED_VERSION_TYPES].join(', ')})`,
        );
      }
      const vt = type as ComparableVersionType;
      if (versionType && versionType !== vt) throw new ImportError(`${record} ${vat}.versionType`, `mixes ${versionType} and ${vt} in one product`);
      versionType = vt;
      const changes: RangeEntry['changes'] = [];
      for (const [k, c] of arr(v.changes).entries()) {
        if (!isRecord(c) || typeof c.at !== 'string' || !(CVE_STATUSES as readonly unknown[]).includes(c.status))
          throw new ImportError(`${record} ${vat}.changes[${k}]`, 'must have a string at and a status');
        changes.push({ at: c.at, status: c.status as CveStatus });
      }
      const entry: RangeEntry = { status: v.status as CveStatus, version: lowerBound(v.version), lessThan: null, lessThanOrEqual: null, changes };
      if (typeof v.lessThan === 'string') {
        const lt = v.lessThan.trim();
        if (lt === '*') entry.openEnded = true;
        else entry.lessThan = wildcardUpper(lt) ?? lt;
      }
      if (typeof v.lessThanOrEqual === 'string') {
        const le = v.lessThanOrEqual.trim();
        if (le === '*') entry.openEnded = true;
        else if (wildcardUpper(le)) entry.lessThan = wildcardUpper(le) as string;
        else entry.lessThanOrEqual = le;
      }
      const isSingle = entry.lessThan === null && entry.lessThanOrEqual === null && entry.openEnded !== true;
      const bounds: [string, string | null][] = [
        ['version', isSingle && entry.version === null ? null : entry.version],
        ['lessThan', entry.lessThan],
        ['lessThanOrEqual', entry.lessThanOrEqual],
        ...changes.map((c, k): [string, string] => [`changes[${k}].at`, c.at]),
      ];
      const bad = bounds.find(([, value]) => value !== null && !isComparable(value, vt));
      if (bad) {
        unparseable ??= `${vat}.${bad[0]}: ${JSON.stringify(bad[1])} is not a ${vt} version`;
        continue;
      }
      if (isSingle && entry.version === null) {
        // "version: n/a" alone says nothing about which versions.
        unparseable ??= `${vat}.version: ${JSON.stringify(v.version)} names no version`;
        continue;
      }
      if (entry.lessThan !== null && vt === 'custom') {
        const names = [...new Set([...(typeof product === 'string' ? productWords(product) : []), ...wordsForKeys(keys)])];
        const fix = contradictingFix(entry.lessThan, names, fixes);
        if (fix) {
          entry.widenedLessThan = fix.version;
          entry.widenedBy = fix.text;
          imprecise.push(`${vat}.lessThan ${JSON.stringify(entry.lessThan)} but the description says fixed in ${fix.text}: matched as < ${fix.version}`);
        }
      }
      entries.push(entry);
    }
    if (defaultStatus === 'affected' && entries.length > 0 && entries.every((e) => e.status === 'affected' && e.changes.length === 0)) {
      imprecise.push(`${at}.defaultStatus "affected" with only affected ranges: every other version reads as affected too (kept: the safer reading)`);
    }
    if (keys.length === 0) return;
    out.named += 1;
    if (unparseable) {
      out.problems.push(`${record} ${unparseable}; this product's ranges are not matched`);
      return;
    }
    if (entries.length === 0 && defaultStatus === 'unknown') return;
    const range: StoredRange = {
      keys,
      method,
      container: containerName,
      where: at,
      versionType: versionType ?? 'custom',
      defaultStatus: defaultStatus as CveStatus,
      entries,
    };
    if (imprecise.length > 0) {
      range.imprecise = imprecise.join('; ');
      out.imprecise.push(...imprecise);
    }
    out.ranges.push(range);
  });
  return out;
}

export function parseCve(text: string, options: CveOptions = {}): ImportBatch {
  const doc = parseJson(text);
  const records: unknown[] = Array.isArray(doc) ? doc : [doc];
  if (records.length === 0) throw new ImportError('document', 'an empty array: no CVE records');
  const batch = emptyBatch('CVE', 'cve', `cve:${options.name ?? CVE_DOCUMENT_NAME}`, CVE_DOCUMENT_VERSION);
  // A set of records is not a versioned catalog: a record left out of a later file is not stale.
  batch.staleMarking = false;
  const seen = new Map<string, string>();
  records.forEach((raw, i) => {
    const item = typeof raw === 'string' ? parseJson(raw) : raw;
    const place = Array.isArray(doc) ? `records[${i}]` : 'record';
    const id = isRecord(item) && isRecord(item.cveMetadata) && typeof item.cveMetadata.cveId === 'string' ? item.cveMetadata.cveId : undefined;
    const record = id ? `${id} (${place})` : place;
    if (!isRecord(item)) throw new ImportError(record, 'must be a JSON object (a CVE record)');
    const checked = validateCveRecord(item);
    if (!checked.ok) throw new ImportError(`${record} ${checked.path}`, checked.message);
    const meta = item.cveMetadata as Json;
    const cveId = (meta.cveId as string).toUpperCase();
    const previous = seen.get(cveId);
    if (previous) throw new ImportError(`${record} cveMetadata.cveId`, `duplicate ${cveId} (also ${previous})`);
    seen.set(cveId, place);
    count(batch.stats, 'records');
    count(batch.stats, `dataVersion ${scalarText(item.dataVersion)}`);
    if (checked.deviations.length > 0) {
      // Tolerated schema deviations (src/importers/cveSchema.ts): imported, and named with the record and field.
      count(batch.stats, 'schemaDeviations');
      batch.problems.push(...checked.deviations.map((d) => `${record} ${d.path}: schema deviation (${d.keyword}): ${d.message}`));
    }
    if (meta.state === 'REJECTED') {
      count(batch.skipped, 'rejected record');
      return;
    }
    const containers = item.containers as Json;
    const cna = containers.cna as Json;
    const adps = arr(containers.adp).filter(isRecord);
    const cisa = adps.find((a) => isRecord(a.providerMetadata) && a.providerMetadata.shortName === 'CISA-ADP');
    const description = english(cna.descriptions);
    const fixes = description ? fixedInReleases(description) : [];
    const cnaRanges = parseAffected(record, cna, 'cna', 'containers.cna', fixes);
    const cisaIndex = cisa ? adps.indexOf(cisa) : -1;
    const adpRanges = cisa ? parseAffected(record, cisa, 'cisa-adp', `containers.adp[${cisaIndex}]`, fixes) : undefined;
    const chosen = adpRanges && adpRanges.ranges.length > 0 ? adpRanges : cnaRanges;
    count(batch.stats, chosen === cnaRanges ? 'rangesFromCna' : 'rangesFromCisaAdp');
    batch.problems.push(...chosen.problems);
    if (chosen.imprecise.length > 0) {
      count(batch.stats, 'imprecise');
      batch.problems.push(...chosen.imprecise.map((p) => `${record} imprecise: ${p}`));
    }
    if (chosen.ranges.length === 0) count(batch.stats, 'noMatchableRange');
    const cvssCna = cvssOf(cna);
    const cvssAdp = cisa ? cvssOf(cisa) : undefined;
    const cvss = cvssCna ?? cvssAdp;
    const published = str(meta.datePublished);
    const updated = str(meta.dateUpdated);
    const props: Record<string, unknown> = {
      name: str(cna.title) ?? cveId,
      description: description ?? null,
      publishedAt: published ? published.slice(0, 10) : null,
      cveUpdatedAt: updated ? updated.slice(0, 10) : null,
      cweIds: cweIds([cna, ...adps]),
      cvss: cvss ? cvss.score : null,
      cvssVersion: cvss ? cvss.version : null,
      cvssVector: cvss?.vector ?? null,
      cvssSource: cvss ? (cvssCna ? 'cna' : 'cisa-adp') : null,
      ssvcExploitation: (cisa ? ssvcExploitation(cisa) : undefined) ?? ssvcExploitation(cna) ?? null,
      cveRanges: JSON.stringify(chosen.ranges),
      cveProducts: keysProperty(chosen.ranges.flatMap((r) => r.keys)),
    };
    if (cisa && hasKev(cisa)) props.knownExploited = true;
    addNode(batch, 'Vulnerability', { id: cveId, where: record, props });
  });
  return batch;
}
