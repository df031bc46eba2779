/**
 * Format detection from the document itself (used when the caller leaves the format out),
 * and the one entry point that dispatches to the right parser.
 */
import { parseCcCsv, looksLikeCcCsv } from './ccCsv';
import { looksLikeCmvp, parseCmvp } from './cmvp';
import { parseCve } from './cve';
import { parseCycloneDx } from './cyclonedx';
import { parseKev } from './kev';
import { parseMapping } from './mapping';
import { parseOscalCatalog, parseOscalComponentDefinition } from './oscal';
import { parseStix } from './stix';
import { ImportError, type ImportBatch, type ImportFormat } from './types';

/** Detects the format from the first bytes and top-level keys; throws ImportError when unknown. */
export function detectFormat(text: string): ImportFormat {
  // Looking at the whole text would be slow for big files; the markers sit near the top.
  const head = text.slice(0, 4096);
  if (looksLikeCcCsv(head)) return 'CC_CSV';
  if (looksLikeCmvp(head)) return 'CMVP';
  if (/"bomFormat"\s*:\s*"CycloneDX"/.test(head)) return 'CYCLONEDX';
  if (/^\s*\{\s*"catalog"\s*:/.test(head)) return 'OSCAL_CATALOG';
  if (/^\s*\{\s*"component-definition"\s*:/.test(head)) return 'OSCAL_COMPONENT_DEFINITION';
  if (/"type"\s*:\s*"bundle"/.test(head) && /"objects"\s*:/.test(text.slice(0, 65536))) return 'STIX';
  if (/"catalogVersion"\s*:/.test(head) && /"vulnerabilities"\s*:/.test(text.slice(0, 65536))) return 'KEV';
  if (/"dataType"\s*:\s*"CVE_RECORD"/.test(head)) return 'CVE';
  if (/"mapping_framework"\s*:/.test(head) && /"mapping_objects"\s*:/.test(text)) return 'MAPPING';
  // Key order is not guaranteed: fall back to parsing.
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch {
    throw new ImportError('document', 'format not recognised and not valid JSON; give the format explicitly');
  }
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    if (o.bomFormat === 'CycloneDX') return 'CYCLONEDX';
    if ('catalog' in o) return 'OSCAL_CATALOG';
    if ('component-definition' in o) return 'OSCAL_COMPONENT_DEFINITION';
    if (o.type === 'bundle' && Array.isArray(o.objects)) return 'STIX';
    if ('catalogVersion' in o && Array.isArray(o.vulnerabilities)) return 'KEV';
    if (o.dataType === 'CVE_RECORD') return 'CVE';
    if (Array.isArray(o.mapping_objects)) return 'MAPPING';
  }
  if (Array.isArray(doc) && doc.length > 0 && typeof doc[0] === 'object' && doc[0] !== null && (doc[0] as Record<string, unknown>).dataType === 'CVE_RECORD')
    return 'CVE';
  throw new ImportError(
    'document',
    'format not recognised (expected a STIX 2.1 bundle, an OSCAL catalog or component-definition, a CycloneDX BOM, the CISA KEV catalog, CVE JSON 5 records, a Mappings Explorer mapping file, a NIST CMVP module list or a Common Criteria products CSV)',
  );
}

/** Command-line names of the formats. */
export const FORMAT_NAMES: Record<string, ImportFormat> = {
  stix: 'STIX',
  'oscal-catalog': 'OSCAL_CATALOG',
  'oscal-component-definition': 'OSCAL_COMPONENT_DEFINITION',
  cyclonedx: 'CYCLONEDX',
  kev: 'KEV',
  cve: 'CVE',
  mapping: 'MAPPING',
  cmvp: 'CMVP',
  'cc-csv': 'CC_CSV',
};

export interface ParseOptions {
  /** Document name for provenance and stale marking. */
  name?: string;
  /** Snapshot date of a dated list (CMVP, Common Criteria), YYYY-MM-DD. */
  asOf?: string;
  /** More documents of the same import (CMVP: the historical list and detail records beside the active list). */
  more?: { name: string; text: string }[];
  /** Name of the first document in messages (a file name; default `document`). */
  documentName?: string;
}

/** Formats that read several documents as one import. */
export const MULTI_DOCUMENT_FORMATS: readonly ImportFormat[] = ['CMVP'];

export function parseDocument(format: ImportFormat, text: string, name?: string, more: ParseOptions = {}): ImportBatch {
  const options = name ? { name } : {};
  if ((more.more?.length ?? 0) > 0 && !MULTI_DOCUMENT_FORMATS.includes(format))
    throw new ImportError('documents', `${format} reads one document; further documents are only read for ${MULTI_DOCUMENT_FORMATS.join(', ')}`);
  switch (format) {
    case 'CMVP':
      return parseCmvp([{ name: more.documentName ?? 'document', text }, ...(more.more ?? [])], { ...options, ...(more.asOf ? { asOf: more.asOf } : {}) });
    case 'CC_CSV':
      return parseCcCsv(text, { ...options, ...(more.asOf ? { asOf: more.asOf } : {}) });
    case 'STIX':
      return parseStix(text, options);
    case 'OSCAL_CATALOG':
      return parseOscalCatalog(text, options);
    case 'OSCAL_COMPONENT_DEFINITION':
      return parseOscalComponentDefinition(text, options);
    case 'CYCLONEDX':
      return parseCycloneDx(text, options);
    case 'KEV':
      return parseKev(text, options);
    case 'CVE':
      return parseCve(text, options);
    case 'MAPPING':
      return parseMapping(text, options);
  }
}
