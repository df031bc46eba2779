/**
 * The Common Criteria portal's certified products list (`certified_products.csv`, also
 * `cc_products_active.csv` / `cc_products_archived.csv`): one row per product and maintenance
 * update, Latin-1 bytes (decoded by readDocument) with HTML entities in the text (`w&#x2f;`).
 *
 * Mapping: a certified product -> Certification (kind CERTIFICATE, issuedAt = certification date,
 * validUntil = archived date, assurance level, report URL), ISSUED_BY the scheme's certification
 * body, ASSESSED_AGAINST each protection profile (Standard), CERTIFIES the product: a Device for
 * the device categories (mobility, multi-function devices), otherwise a Component whose kind
 * follows the category; MAKES / SUPPLIED_BY the manufacturer. Rows repeating a product with a
 * maintenance update add to its `maintenanceUpdates` (`<date>: <title>`). The certification and
 * archived dates go into the status history as ACTIVE and EXPIRED entries.
 */
import { parseCmvpDate, slug, type SnapshotEntry } from '../domain/cmvp';
import { ImportError, addNode, count, emptyBatch, relationshipGroup, type ImportBatch } from './types';

export interface CcCsvOptions {
  name?: string;
  /** Date the list was taken (YYYY-MM-DD): certifications archived on or before it are EXPIRED. Default: today. */
  asOf?: string;
}

const COLUMNS = [
  'Category',
  'Name',
  'Manufacturer',
  'Scheme',
  'Assurance Level',
  'Protection Profile(s)',
  'Certification Date',
  'Archived Date',
  'Certification Report URL',
  'Security Target URL',
  'Maintenance Date',
  'Maintenance Title',
  'Maintenance Report',
  'Maintenance ST',
] as const;
type Column = (typeof COLUMNS)[number];

/** Certification bodies of the CCRA schemes, by the portal's scheme code. */
const SCHEMES: Record<string, { name: string; country: string }> = {
  AU: { name: 'Australian Information Security Evaluation Program (AISEP)', country: 'AU' },
  CA: { name: 'Canadian Common Criteria Program (CCCS)', country: 'CA' },
  DE: { name: 'Bundesamt für Sicherheit in der Informationstechnik (BSI)', country: 'DE' },
  ES: { name: 'Organismo de Certificación de la Seguridad de las Tecnologías de la Información (CCN)', country: 'ES' },
  FR: { name: "Agence nationale de la sécurité des systèmes d'information (ANSSI)", country: 'FR' },
  IN: { name: 'Indian Common Criteria Certification Scheme (IC3S)', country: 'IN' },
  IT: { name: 'Organismo di Certificazione della Sicurezza Informatica (OCSI)', country: 'IT' },
  JP: { name: 'Japan IT Security Evaluation and Certification Scheme (JISEC)', country: 'JP' },
  KR: { name: 'IT Security Certification Center (ITSCC)', country: 'KR' },
  MY: { name: 'Malaysian Common Criteria Evaluation and Certification Scheme (MyCC)', country: 'MY' },
  NL: { name: 'Netherlands Scheme for Certification in the Area of IT Security (NSCIB)', country: 'NL' },
  NO: { name: 'Norwegian Certification Authority for IT Security (SERTIT)', country: 'NO' },
  SE: { name: 'Swedish Certification Body for IT Security (CSEC)', country: 'SE' },
  SG: { name: 'Singapore Common Criteria Scheme (SCCS)', country: 'SG' },
  TR: { name: 'Turkish Standards Institution Common Criteria Certification Scheme (TSE)', country: 'TR' },
  UK: { name: 'UK IT Security Evaluation and Certification Scheme (NCSC)', country: 'GB' },
  US: { name: 'National Information Assurance Partnership (NIAP CCEVS)', country: 'US' },
};

/** Categories whose products are devices; every other category certifies a component of this kind. */
const DEVICE_CATEGORIES = new Set(['mobility', 'multi-function devices']);
const COMPONENT_KIND: Record<string, string> = {
  'ics, smart cards and smart card-related devices and systems': 'SECURITY_HARDWARE',
  'smart cards and similar devices': 'SECURITY_HARDWARE',
  'operating systems': 'OS_RELEASE',
  'trusted computing': 'SECURITY_HARDWARE',
  'key management systems': 'SERVICE',
  databases: 'APPLICATION',
  'access control devices and systems': 'APPLICATION',
  'data protection': 'APPLICATION',
  'detection devices and systems': 'APPLICATION',
  'products for digital signatures': 'APPLICATION',
};

/** Named and numeric HTML character references (`&#x2f;`, `&#47;`, `&amp;`). */
export function decodeHtmlEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', reg: '®', trade: '™', copy: '©' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) {
      const cp = parseInt(ref.slice(2), 16);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    if (ref.startsWith('#')) {
      const cp = parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

/** RFC 4180 records with the line each starts on; a quote left open is an error naming its line. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  while (i < body.length) {
    const c = body.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (body.charAt(i + 1) === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body.charAt(i + 1) === '\n') i += 1;
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === '')) out.push({ line: start, fields });
      fields = [];
      field = '';
      line += 1;
      start = line;
    } else field += c;
    i += 1;
  }
  if (quoted) throw new ImportError(`line ${start}`, 'a quoted field is not closed (the file ends early: truncated?)');
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    out.push({ line: start, fields });
  }
  return out;
}

export function looksLikeCcCsv(head: string): boolean {
  return /^\ufeff?"?Category"?,"?Name"?,"?Manufacturer"?,"?Scheme"?/.test(head);
}

export function parseCcCsv(text: string, options: CcCsvOptions = {}): ImportBatch {
  const records = parseCsv(text);
  const header = records[0];
  if (!header) throw new ImportError('line 1', 'the header row is missing');
  const index = new Map<Column, number>();
  for (const column of COLUMNS) {
    const at = header.fields.findIndex((f) => f.trim() === column);
    if (at < 0) throw new ImportError('line 1', `column "${column}" is missing`);
    index.set(column, at);
  }
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new ImportError('asOf', `${JSON.stringify(asOf)} is not a date (YYYY-MM-DD)`);
  // The list's own version: its latest date (a re-import of the same file is the same version).
  const batch = emptyBatch('CC_CSV', 'commoncriteriaportal', `cc-csv:${options.name ?? 'Common Criteria certified products'}`, asOf);
  batch.staleMarking = false;
  // Crypto modules and certified products carry no CPE or purl: not matched to CVE ranges.
  batch.cveMatching = false;
  batch.joinKeys = { Organization: 'name', Standard: 'name' };
  const issuedBy = relationshipGroup(batch, 'ISSUED_BY', 'Certification', 'Organization');
  const assessed = relationshipGroup(batch, 'ASSESSED_AGAINST', 'Certification', 'Standard');
  const certifiesDevice = relationshipGroup(batch, 'CERTIFIES', 'Certification', 'Device');
  const certifiesComponent = relationshipGroup(batch, 'CERTIFIES', 'Certification', 'Component');
  const makes = relationshipGroup(batch, 'MAKES', 'Organization', 'Device');
  const supplied = relationshipGroup(batch, 'SUPPLIED_BY', 'Component', 'Organization');
  const certs = new Map<string, { props: Record<string, unknown>; maintenance: string[]; where: string }>();
  const orgs = new Map<string, { where: string; props: Record<string, unknown> }>();
  const standards = new Map<string, { where: string; name: string }>();
  const products = new Map<string, { label: 'Device' | 'Component'; where: string; props: Record<string, unknown> }>();
  const entries: SnapshotEntry[] = [];

  for (const record of records.slice(1)) {
    const where = `line ${record.line}`;
    if (record.fields.length !== header.fields.length)
      throw new ImportError(where, `has ${record.fields.length} fields, the header ${header.fields.length} (truncated or a stray comma?)`);
    const get = (column: Column): string => decodeHtmlEntities(record.fields[index.get(column) ?? -1] ?? '').trim();
    const required = (column: Column): string => {
      const v = get(column);
      if (v === '') throw new ImportError(`${where}.${column}`, 'is missing');
      return v;
    };
    const dateOf = (column: Column): string | undefined => {
      const v = get(column);
      if (v === '') return undefined;
      const d = parseCmvpDate(v);
      if (!d) throw new ImportError(`${where}.${column}`, `${JSON.stringify(v)} is not a date (MM/DD/YYYY)`);
      return d;
    };
    const name = required('Name');
    const category = required('Category');
    const manufacturer = required('Manufacturer');
    const scheme = required('Scheme').toUpperCase();
    const certified = dateOf('Certification Date');
    if (!certified) throw new ImportError(`${where}.Certification Date`, 'is missing');
    const archived = dateOf('Archived Date');
    const maintenanceDate = dateOf('Maintenance Date');
    count(batch.stats, 'rows');

    const id = `cc:${slug(scheme)}:${slug(name)}:${certified}`;
    let cert = certs.get(id);
    if (!cert) {
      const assurance = get('Assurance Level');
      const report = get('Certification Report URL');
      const target = get('Security Target URL');
      cert = {
        where,
        maintenance: [],
        props: {
          name: `Common Criteria certificate (${scheme}): ${name}`,
          kind: 'CERTIFICATE',
          status: archived && archived <= asOf ? 'EXPIRED' : 'ACTIVE',
          issuedAt: certified,
          ...(archived ? { validUntil: archived } : {}),
          ...(assurance && assurance.toLowerCase() !== 'none' ? { assuranceLevel: assurance } : {}),
          ...(report ? { url: report } : {}),
          ...(target ? { description: `Security target: ${target}` } : {}),
          scope: `${name} (${category})`,
          snapshotDate: asOf,
        },
      };
      certs.set(id, cert);
      count(batch.stats, 'certifications');
      if (!assurance || assurance.toLowerCase() === 'none') count(batch.stats, 'withoutAssuranceLevel');
      entries.push({
        certificationId: id,
        reference: name,
        status: archived && archived <= asOf ? 'EXPIRED' : 'ACTIVE',
        issuedAt: certified,
        ...(archived ? { validUntil: archived } : {}),
      });
      const body = SCHEMES[scheme];
      const bodyId = `cc:scheme:${slug(scheme)}`;
      if (!orgs.has(bodyId)) {
        if (!body) batch.problems.push(`${where}.Scheme: ${scheme} is not a scheme this importer knows; its certification body is named after the code`);
        orgs.set(bodyId, {
          where,
          props: {
            name: body?.name ?? `Common Criteria certification body (scheme ${scheme})`,
            kind: 'CERTIFICATION_BODY',
            ...(body ? { country: body.country } : {}),
          },
        });
      }
      issuedBy.rows.push({ fromId: id, toId: bodyId, props: {}, where });
      for (const pp of get('Protection Profile(s)')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '' && p.toLowerCase() !== 'none')) {
        const ppId = `cc:pp:${slug(pp)}`;
        if (!standards.has(ppId)) standards.set(ppId, { where, name: pp });
        assessed.rows.push({ fromId: id, toId: ppId, props: {}, where });
      }
      const vendorId = `cc:vendor:${slug(manufacturer)}`;
      if (!orgs.has(vendorId)) orgs.set(vendorId, { where, props: { name: manufacturer, kind: 'VENDOR' } });
      const isDevice = DEVICE_CATEGORIES.has(category.toLowerCase());
      const productId = `cc:product:${slug(manufacturer)}:${slug(name)}`;
      if (!products.has(productId)) {
        products.set(productId, {
          label: isDevice ? 'Device' : 'Component',
          where,
          props: isDevice
            ? { name, category: 'OTHER', description: `Common Criteria category: ${category}` }
            : { name, kind: COMPONENT_KIND[category.toLowerCase()] ?? 'OTHER', description: `Common Criteria category: ${category}` },
        });
        if (isDevice) makes.rows.push({ fromId: vendorId, toId: productId, props: {}, where });
        else supplied.rows.push({ fromId: productId, toId: vendorId, props: {}, where });
      }
      (isDevice ? certifiesDevice : certifiesComponent).rows.push({ fromId: id, toId: productId, props: { scope: category }, where });
    }
    if (maintenanceDate) {
      const title = get('Maintenance Title');
      const report = get('Maintenance Report');
      cert.maintenance.push(`${maintenanceDate}: ${title || '(untitled)'}${report ? ` (${report})` : ''}`);
      count(batch.stats, 'maintenanceUpdates');
    }
  }
  for (const [id, o] of orgs) addNode(batch, 'Organization', { id, where: o.where, props: o.props });
  for (const [id, p] of products) addNode(batch, p.label, { id, where: p.where, props: p.props });
  for (const [id, s] of standards) addNode(batch, 'Standard', { id, where: s.where, props: { name: s.name, publisher: 'Common Criteria protection profile' } });
  for (const [id, c] of certs)
    addNode(batch, 'Certification', {
      id,
      where: c.where,
      props: { ...c.props, ...(c.maintenance.length > 0 ? { maintenanceUpdates: c.maintenance.sort() } : {}) },
    });
  batch.statusSnapshot = { asOf, program: 'Common Criteria', entries, datedHistory: true };
  return batch;
}
