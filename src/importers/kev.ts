/**
 * CISA Known Exploited Vulnerabilities catalog (JSON) -> Vulnerability nodes keyed by CVE id,
 * marked known-exploited. Validated against the catalog's published JSON schema first.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import kevSchema from './schemas/kev.schema.json';
import { ImportError, addNode, count, emptyBatch, isRecord, parseJson, pointerToPath, type ImportBatch } from './types';
import { scalarText } from '../domain/text';

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);
const validateKev = ajv.compile(kevSchema);

interface KevEntry {
  cveID: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  dateAdded: string;
  shortDescription: string;
  requiredAction: string;
  dueDate: string;
  knownRansomwareCampaignUse?: string;
  notes?: string;
}

function describe(error: ErrorObject): ImportError {
  const base = pointerToPath(error.instancePath);
  if (error.keyword === 'required') {
    return new ImportError(base || '(catalog)', `${String((error.params as { missingProperty?: string }).missingProperty)} is missing`);
  }
  return new ImportError(base || '(catalog)', error.message ?? 'invalid');
}

export interface KevOptions {
  name?: string;
}

export function parseKev(text: string, options: KevOptions = {}): ImportBatch {
  const doc = parseJson(text);
  if (!validateKev(doc)) {
    const first = validateKev.errors?.[0];
    throw first ? describe(first) : new ImportError('(catalog)', 'does not match the KEV schema');
  }
  if (!isRecord(doc) || !Array.isArray(doc.vulnerabilities)) throw new ImportError('vulnerabilities', 'is missing');
  const title = typeof doc.title === 'string' ? doc.title : 'CISA Catalog of Known Exploited Vulnerabilities';
  const batch = emptyBatch('KEV', 'cisa-kev', `kev:${options.name ?? title}`, scalarText(doc.catalogVersion));
  const entries = doc.vulnerabilities as KevEntry[];
  if (typeof doc.count === 'number' && doc.count !== entries.length) {
    batch.problems.push(`count: says ${doc.count} but the catalog lists ${entries.length} vulnerabilities`);
  }
  const seen = new Map<string, number>();
  entries.forEach((v, i) => {
    const where = `vulnerabilities[${i}]`;
    const previous = seen.get(v.cveID);
    if (previous !== undefined) throw new ImportError(`${where}.cveID`, `duplicate ${v.cveID} (also vulnerabilities[${previous}])`);
    seen.set(v.cveID, i);
    count(batch.stats, 'entries');
    const ransomware = v.knownRansomwareCampaignUse === 'Known';
    if (ransomware) count(batch.stats, 'knownRansomwareUse');
    addNode(batch, 'Vulnerability', {
      id: v.cveID,
      where,
      props: {
        name: v.vulnerabilityName.trim() || v.cveID,
        description: `${v.shortDescription}\nRequired action: ${v.requiredAction}`,
        knownExploited: true,
        vendor: v.vendorProject,
        product: v.product,
        kevDateAdded: v.dateAdded,
        kevDueDate: v.dueDate,
        knownRansomwareUse: ransomware,
      },
    });
  });
  return batch;
}
