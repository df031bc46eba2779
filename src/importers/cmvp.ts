/**
 * NIST Cryptographic Module Validation Program lists (the NIST-CMVP-API export: `modules.json`,
 * the active list, and `historical-modules.json`, the expired, sunset and revoked modules; each
 * `{metadata, modules}`), optionally with certificate detail records (`{"<number>": {metadata,
 * certificate}}`: validation history with the testing lab, vendor address and country).
 *
 * One import may take several of these documents of one snapshot (the active and the historical
 * list and the detail records). Mapping:
 * - a certificate -> Certification (kind CERTIFICATE, reference = certificate number, status from
 *   the list, issuedAt = first validation date, validationDates, validUntil = sunset date, level,
 *   embodiment, module type, caveat), ISSUED_BY the NIST CMVP, EVALUATED_BY the testing lab of the
 *   latest validation (detail records), ASSESSED_AGAINST FIPS 140-2 or FIPS 140-3;
 * - the module -> Component of kind CRYPTO_MODULE, one per vendor, module name and version
 *   (`Apple corecrypto Module v12.0 [Apple silicon, ...]` -> `Apple corecrypto Module` 12.0; the
 *   platform goes on CERTIFIES.scope), SUPPLIED_BY the vendor Organization (names that differ only
 *   in punctuation are one vendor), with its country when a detail record gives it.
 * The snapshot date is the list's `metadata.generated_at` (or the caller's `asOf`); the loader
 * records the status changes against the previous snapshot (src/domain/cmvp.ts `planSnapshot`).
 */
import {
  countryCode,
  parseCmvpDate,
  parseCmvpDates,
  slug,
  splitModuleName,
  vendorKey,
  vendorSlug,
  type SnapshotEntry,
  type SnapshotStatus,
} from '../domain/cmvp';
import { ImportError, addNode, count, emptyBatch, isRecord, parseJson, relationshipGroup, type ImportBatch } from './types';

export interface CmvpDocument {
  /** File name (or `document`, `documents[1]`), used in messages. */
  name: string;
  text: string;
}

export interface CmvpOptions {
  /** Document name for provenance (default `NIST CMVP validated modules`). */
  name?: string;
  /** Snapshot date (YYYY-MM-DD); default: the lists' `metadata.generated_at`. */
  asOf?: string;
}

export const CMVP_ISSUER_ID = 'cmvp:org:nist-cmvp';
/** Same names as the seed's, so the loader joins them (Organization and Standard join by name). */
export const CMVP_ISSUER_NAME = 'NIST Cryptographic Module Validation Program';
const STANDARDS: Record<string, { id: string; name: string; url: string }> = {
  'FIPS 140-2': {
    id: 'cmvp:standard:fips-140-2',
    name: 'FIPS 140-2 Security Requirements for Cryptographic Modules',
    url: 'https://csrc.nist.gov/pubs/fips/140-2/upd2/final',
  },
  'FIPS 140-3': {
    id: 'cmvp:standard:fips-140-3',
    name: 'FIPS 140-3 Security Requirements for Cryptographic Modules',
    url: 'https://csrc.nist.gov/pubs/fips/140-3/final',
  },
};

const LIST_STATUS: Record<string, SnapshotStatus> = { active: 'ACTIVE', historical: 'EXPIRED', revoked: 'REVOKED' };

/** `cmvp:<number>`, the Certification id of a certificate. */
export function cmvpCertificationId(number: string): string {
  return `cmvp:${number}`;
}

interface Row {
  where: string;
  number: string;
  /** Missing on some rows of the real lists (20 active, 90 historical on 2026-01-18): imported without a module. */
  vendor?: string;
  moduleName?: string;
  moduleType?: string;
  validationDates: string[];
  status: SnapshotStatus;
  standard?: string;
  level?: number;
  embodiment?: string;
  caveat?: string;
  sunset?: string;
  description?: string;
  url?: string;
  lab?: string;
  country?: string;
  validationHistory?: string[];
}

interface DetailRecord {
  where: string;
  vendor?: string;
  moduleName?: string;
  lab?: string;
  country?: string;
  sunset?: string;
  standard?: string;
  level?: number;
  embodiment?: string;
  caveat?: string;
  description?: string;
  history: string[];
}

function text(row: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = row[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new ImportError(`${where}.${key}`, 'must be a string');
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function requiredText(row: Record<string, unknown>, key: string, where: string): string {
  const v = text(row, key, where);
  if (v === undefined) throw new ImportError(`${where}.${key}`, 'is missing');
  return v;
}

function date(row: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = text(row, key, where);
  if (v === undefined) return undefined;
  const d = parseCmvpDate(v);
  if (!d) throw new ImportError(`${where}.${key}`, `${JSON.stringify(v)} is not a date (M/D/YYYY)`);
  return d;
}

function level(row: Record<string, unknown>, key: string, where: string): number | undefined {
  const v = row[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new ImportError(`${where}.${key}`, `${JSON.stringify(v)} is not a security level 1..4`);
  return n;
}

type Parsed = { kind: 'list'; asOf: string; rows: Row[] } | { kind: 'details'; records: Map<string, DetailRecord> };

function parseList(doc: Record<string, unknown>, name: string): Parsed {
  const metadata = isRecord(doc.metadata) ? doc.metadata : undefined;
  const generated = metadata ? text(metadata, 'generated_at', `${name}: metadata`) : undefined;
  const asOf = generated && /^\d{4}-\d{2}-\d{2}/.test(generated) ? generated.slice(0, 10) : '';
  if (!Array.isArray(doc.modules)) throw new ImportError(`${name}: modules`, 'must be an array');
  const rows = (doc.modules as unknown[]).map((m, i): Row => {
    const where = `${name}: modules[${i}]`;
    if (!isRecord(m)) throw new ImportError(where, 'must be an object');
    const number = requiredText(m, 'Certificate Number', where);
    if (!/^\d+$/.test(number)) throw new ImportError(`${where}.Certificate Number`, `${JSON.stringify(number)} is not a certificate number`);
    const statusText = text(m, 'status', where) ?? text(m, 'Status', where);
    if (!statusText) throw new ImportError(`${where}.Status`, 'is missing');
    const status = LIST_STATUS[statusText.toLowerCase()];
    if (!status) throw new ImportError(`${where}.Status`, `${JSON.stringify(statusText)} is not Active, Historical or Revoked`);
    const rawDate = requiredText(m, 'Validation Date', where);
    const validationDates = parseCmvpDates(rawDate);
    if (!validationDates) throw new ImportError(`${where}.Validation Date`, `${JSON.stringify(rawDate)} is not a date (M/D/YYYY, or several run together)`);
    const standard = text(m, 'standard', where);
    if (standard !== undefined && !STANDARDS[standard])
      throw new ImportError(`${where}.standard`, `${JSON.stringify(standard)} is not FIPS 140-2 or FIPS 140-3`);
    const row: Row = {
      where,
      number,
      vendor: text(m, 'Vendor Name', where),
      moduleName: text(m, 'Module Name', where) ?? text(m, 'module_name', where),
      moduleType: text(m, 'Module Type', where) ?? text(m, 'module_type', where),
      validationDates,
      status,
      standard,
      level: level(m, 'overall_level', where),
      embodiment: text(m, 'embodiment', where),
      caveat: text(m, 'caveat', where),
      sunset: date(m, 'sunset_date', where),
      description: text(m, 'description', where),
      url: text(m, 'certificate_detail_url', where) ?? text(m, 'Certificate Number_url', where),
    };
    return row;
  });
  return { kind: 'list', asOf, rows };
}

function parseDetails(doc: Record<string, unknown>, name: string): Parsed {
  const records = new Map<string, DetailRecord>();
  for (const [number, value] of Object.entries(doc)) {
    const where = `${name}: ${number}`;
    if (!isRecord(value) || !isRecord(value.certificate)) throw new ImportError(`${where}.certificate`, 'is missing');
    const c = value.certificate;
    const history = Array.isArray(c.validation_history) ? (c.validation_history as unknown[]) : [];
    const entries = history.map((h, i) => {
      const w = `${where}.certificate.validation_history[${i}]`;
      if (!isRecord(h)) throw new ImportError(w, 'must be an object');
      return { date: date(h, 'date', w), type: text(h, 'type', w), lab: text(h, 'lab', w) };
    });
    const latest = [...entries].reverse().find((e) => e.lab !== undefined);
    const vendor = isRecord(c.vendor) ? c.vendor : undefined;
    const standard = text(c, 'standard', `${where}.certificate`);
    records.set(number, {
      where,
      vendor: text(c, 'vendor_name', `${where}.certificate`),
      moduleName: text(c, 'module_name', `${where}.certificate`),
      lab: latest?.lab,
      country: vendor ? text(vendor, 'country', `${where}.certificate.vendor`) : undefined,
      sunset: date(c, 'sunset_date', `${where}.certificate`),
      standard: standard && STANDARDS[standard] ? standard : undefined,
      level: level(c, 'overall_level', `${where}.certificate`),
      embodiment: text(c, 'embodiment', `${where}.certificate`),
      caveat: text(c, 'caveat', `${where}.certificate`),
      description: text(c, 'description', `${where}.certificate`),
      history: entries.map((e) => [e.date ?? '?', e.type ?? '', e.lab ?? ''].filter((p) => p !== '').join(' ')),
    });
  }
  return { kind: 'details', records };
}

function parseOne(document: CmvpDocument): Parsed {
  let doc: unknown;
  try {
    doc = parseJson(document.text);
  } catch (error) {
    if (error instanceof ImportError) throw new ImportError(document.name, error.detail);
    throw error;
  }
  if (!isRecord(doc)) throw new ImportError(document.name, 'must be a JSON object (a CMVP module list or certificate detail records)');
  if ('modules' in doc) return parseList(doc, document.name);
  const first = Object.values(doc)[0];
  if (isRecord(first) && 'certificate' in first) return parseDetails(doc, document.name);
  throw new ImportError(document.name, 'neither a CMVP module list ({metadata, modules}) nor certificate detail records ({"<number>": {certificate}})');
}

/** True when the text looks like a CMVP list or detail records (format detection). */
export function looksLikeCmvp(head: string): boolean {
  return /"Certificate Number"\s*:/.test(head) || (/"certificate_number"\s*:/.test(head) && /"validation_history"|"nist_page_url"/.test(head));
}

/** Most frequent spelling, ties broken by the smallest. */
function canonical(names: Map<string, number>): string {
  return [...names.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[0] ?? '';
}

export function parseCmvp(documents: CmvpDocument[], options: CmvpOptions = {}): ImportBatch {
  if (documents.length === 0) throw new ImportError('document', 'no CMVP list given');
  const parsed = documents.map((d) => ({ name: d.name, result: parseOne(d) }));
  const lists = parsed.filter((p): p is { name: string; result: Extract<Parsed, { kind: 'list' }> } => p.result.kind === 'list');
  if (lists.length === 0) throw new ImportError('document', 'no CMVP module list given (detail records alone name no snapshot)');
  let asOf = options.asOf;
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new ImportError('asOf', `${JSON.stringify(asOf)} is not a date (YYYY-MM-DD)`);
  if (asOf === undefined) {
    const dates = [...new Set(lists.map((l) => l.result.asOf))];
    if (dates.includes('')) {
      const missing = lists.find((l) => l.result.asOf === '');
      throw new ImportError(`${missing?.name ?? 'document'}: metadata.generated_at`, 'is missing: give the snapshot date (asOf / --as-of)');
    }
    if (dates.length > 1)
      throw new ImportError(
        'documents',
        `the lists are of different snapshots (${lists.map((l) => `${l.name}: ${l.result.asOf}`).join(', ')}); import each snapshot on its own`,
      );
    asOf = dates[0] ?? '';
  }
  const details = new Map<string, DetailRecord>();
  for (const p of parsed) if (p.result.kind === 'details') for (const [k, v] of p.result.records) details.set(k, v);

  const batch = emptyBatch('CMVP', 'nist-cmvp', `cmvp:${options.name ?? 'NIST CMVP validated modules'}`, asOf);
  // The lists are not versions of one document: a certificate that leaves the active list moves to
  // the historical one, and the status history records that. Nothing is marked stale.
  batch.staleMarking = false;
  // Crypto modules and certified products carry no CPE or purl: not matched to CVE ranges.
  batch.cveMatching = false;
  batch.joinKeys = { Organization: 'name', Standard: 'name' };
  const rows: Row[] = [];
  const seen = new Map<string, string>();
  for (const list of lists) {
    for (const row of list.result.rows) {
      const other = seen.get(row.number);
      if (other !== undefined) throw new ImportError(`${row.where}.Certificate Number`, `certificate ${row.number} is listed twice (also ${other})`);
      seen.set(row.number, row.where);
      rows.push(row);
      count(batch.stats, row.status === 'ACTIVE' ? 'active' : row.status === 'EXPIRED' ? 'historical' : 'revoked');
    }
  }
  for (const [number, record] of details) {
    if (!seen.has(number)) {
      count(batch.skipped, 'detail record without a list entry');
      continue;
    }
    count(batch.stats, 'detailRecords');
    if (record.history.length === 0) batch.problems.push(`${record.where}: no validation history; no testing lab`);
  }

  for (const row of rows) {
    const detail = details.get(row.number);
    row.vendor ??= detail?.vendor;
    row.moduleName ??= detail?.moduleName;
  }
  // Vendors: one per name reduced to letters and digits; the most frequent spelling names it.
  const vendorNames = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (row.vendor === undefined) continue;
    const key = vendorKey(row.vendor);
    const names = vendorNames.get(key) ?? new Map<string, number>();
    names.set(row.vendor, (names.get(row.vendor) ?? 0) + 1);
    vendorNames.set(key, names);
  }
  for (const names of vendorNames.values()) if (names.size > 1) count(batch.stats, 'vendorsWithSeveralSpellings');

  addNode(batch, 'Organization', {
    id: CMVP_ISSUER_ID,
    where: 'issuer',
    props: {
      name: CMVP_ISSUER_NAME,
      kind: 'CERTIFICATION_BODY',
      country: 'US',
      description: 'NIST and the Canadian Centre for Cyber Security validate cryptographic modules against FIPS 140-2 and FIPS 140-3.',
    },
  });
  const usedStandards = new Set<string>();
  const vendors = new Map<string, { id: string; country?: string }>();
  const labs = new Map<string, string>();
  const modules = new Set<string>();
  const entries: SnapshotEntry[] = [];
  const issuedBy = relationshipGroup(batch, 'ISSUED_BY', 'Certification', 'Organization');
  const evaluatedBy = relationshipGroup(batch, 'EVALUATED_BY', 'Certification', 'Organization');
  const assessedAgainst = relationshipGroup(batch, 'ASSESSED_AGAINST', 'Certification', 'Standard');
  const certifies = relationshipGroup(batch, 'CERTIFIES', 'Certification', 'Component');
  const suppliedBy = relationshipGroup(batch, 'SUPPLIED_BY', 'Component', 'Organization');
  const missing = (row: Row, field: string) => {
    count(batch.stats, `rows without ${field}`);
    if (row.status === 'ACTIVE' || field === 'Vendor Name') batch.problems.push(`${row.where} (certificate ${row.number}): no ${field}; imported without it`);
  };

  for (const row of rows) {
    const detail = details.get(row.number);
    const standard = row.standard ?? detail?.standard;
    const sunset = row.sunset ?? detail?.sunset;
    const levelValue = row.level ?? detail?.level;
    const embodiment = row.embodiment ?? detail?.embodiment;
    const caveat = row.caveat ?? detail?.caveat;
    const description = row.description ?? detail?.description;
    if (row.validationDates.length > 1) count(batch.stats, 'runTogetherValidationDates');
    if (row.status === 'ACTIVE') {
      if (!sunset) missing(row, 'sunset_date');
      if (!caveat) missing(row, 'caveat');
      if (!description) missing(row, 'description');
    } else if (!sunset) count(batch.stats, 'historicalWithoutSunset');
    if (!standard) count(batch.stats, 'withoutStandard');

    let vendor: { id: string; country?: string } | undefined;
    if (row.vendor !== undefined) {
      const key = vendorKey(row.vendor);
      vendor = vendors.get(key);
      if (!vendor) {
        // The id comes from the reduced name, so every spelling (and every snapshot) gives the same one.
        vendor = { id: `cmvp:vendor:${vendorSlug(row.vendor)}` };
        vendors.set(key, vendor);
      }
      if (detail?.country && !vendor.country) vendor.country = countryCode(detail.country);
    } else missing(row, 'Vendor Name');

    const split = row.moduleName === undefined ? undefined : splitModuleName(row.moduleName);
    const moduleId = split
      ? `cmvp:module:${vendor ? vendor.id.slice('cmvp:vendor:'.length) : 'unknown-vendor'}:${slug(split.name)}${split.version ? `:${split.version}` : ''}`
      : undefined;
    if (split && moduleId && !modules.has(moduleId)) {
      modules.add(moduleId);
      addNode(batch, 'Component', {
        id: moduleId,
        where: row.where,
        props: { name: split.name, kind: 'CRYPTO_MODULE', ...(split.version ? { version: split.version } : {}) },
      });
      if (vendor) suppliedBy.rows.push({ fromId: moduleId, toId: vendor.id, props: {}, where: row.where });
    }
    if (!split) missing(row, 'Module Name (no crypto module)');
    else if (split.version || split.platform) count(batch.stats, 'moduleNamesWithVersionOrPlatform');

    const id = cmvpCertificationId(row.number);
    const issuedAt = row.validationDates[0];
    addNode(batch, 'Certification', {
      id,
      where: row.where,
      props: {
        name: `${standard ?? 'FIPS 140'} certificate #${row.number}${row.moduleName ? `: ${row.moduleName}` : ''}`,
        kind: 'CERTIFICATE',
        status: row.status,
        reference: row.number,
        issuedAt,
        validationDates: row.validationDates,
        ...(sunset ? { validUntil: sunset } : {}),
        ...(levelValue !== undefined ? { securityLevel: levelValue } : {}),
        ...(embodiment ? { embodiment } : {}),
        ...(row.moduleType ? { moduleType: row.moduleType } : {}),
        ...(caveat ? { caveat } : {}),
        ...(description ? { description } : {}),
        ...(row.url ? { url: row.url } : {}),
        ...(detail && detail.history.length > 0 ? { validationHistory: detail.history } : {}),
        ...(row.moduleName ? { scope: row.moduleName } : {}),
        snapshotDate: asOf,
      },
    });
    entries.push({
      certificationId: id,
      reference: row.number,
      status: row.status,
      ...(issuedAt ? { issuedAt } : {}),
      ...(sunset ? { validUntil: sunset } : {}),
    });
    issuedBy.rows.push({ fromId: id, toId: CMVP_ISSUER_ID, props: {}, where: row.where });
    if (standard) {
      const s = STANDARDS[standard];
      if (s) {
        usedStandards.add(standard);
        assessedAgainst.rows.push({ fromId: id, toId: s.id, props: {}, where: row.where });
      }
    }
    if (split && moduleId) certifies.rows.push({ fromId: id, toId: moduleId, props: { scope: split.platform ?? row.moduleName }, where: row.where });
    if (detail?.lab) {
      let labId = labs.get(vendorKey(detail.lab));
      if (!labId) {
        labId = `cmvp:lab:${slug(detail.lab)}`;
        labs.set(vendorKey(detail.lab), labId);
        addNode(batch, 'Organization', {
          id: labId,
          where: detail.where,
          props: { name: detail.lab, kind: 'ASSESSOR', description: 'CMVP accredited testing laboratory' },
        });
      }
      evaluatedBy.rows.push({ fromId: id, toId: labId, props: {}, where: detail.where });
    }
  }
  for (const [key, vendor] of vendors) {
    const names = vendorNames.get(key) ?? new Map<string, number>();
    addNode(batch, 'Organization', {
      id: vendor.id,
      where: `vendor ${canonical(names)}`,
      props: {
        name: canonical(names),
        kind: 'VENDOR',
        ...(vendor.country ? { country: vendor.country } : {}),
        ...(names.size > 1 ? { description: `Also listed as ${[...names.keys()].filter((n) => n !== canonical(names)).join('; ')}` } : {}),
      },
    });
  }
  for (const standard of [...usedStandards].sort()) {
    const s = STANDARDS[standard];
    if (s)
      addNode(batch, 'Standard', { id: s.id, where: standard, props: { name: s.name, publisher: 'NIST', version: standard.replace('FIPS ', ''), url: s.url } });
  }
  batch.stats.certificates = rows.length;
  batch.stats.modules = modules.size;
  batch.stats.vendors = vendors.size;
  batch.stats.labs = labs.size;
  batch.statusSnapshot = { asOf, program: 'NIST CMVP', entries };
  return batch;
}
