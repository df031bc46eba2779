/**
 * What every parser produces: a batch of nodes per label and relationships per type, ready
 * for the loader (src/store/importStore.ts). Parsers are pure: no I/O, no database.
 */
import type { SnapshotEntry } from '../domain/cmvp';
import type { Label, RelationshipType } from '../domain/model';

export const IMPORT_FORMATS = ['STIX', 'OSCAL_CATALOG', 'OSCAL_COMPONENT_DEFINITION', 'CYCLONEDX', 'KEV', 'CVE', 'MAPPING', 'CMVP', 'CC_CSV'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** A node to write, with the place in the document it came from (for messages). */
export interface BatchNode {
  id: string;
  /** Content properties, keyed as in src/domain/model.ts. */
  props: Record<string, unknown>;
  /** Path in the document, e.g. `objects[17]`. */
  where: string;
}

/** A relationship to write between two node ids. */
export interface BatchRelationship {
  fromId: string;
  /** The target id, or the value of `toKey` on the target when the group has one. */
  toId: string;
  props: Record<string, unknown>;
  where: string;
}

export interface RelationshipGroup {
  type: RelationshipType;
  fromLabel: Label;
  toLabel: Label;
  /** When set, `toId` is the value of this property on an existing target node (e.g. `controlId`). */
  toKey?: string;
  /** When set, `fromId` is the value of this property on an existing start node (e.g. `externalId`). */
  fromKey?: string;
  rows: BatchRelationship[];
}

export interface ImportBatch {
  format: ImportFormat;
  /** Provenance `source`, e.g. `mitre-attack`, `oscal`, `cyclonedx`, `cisa-kev`. */
  source: string;
  /** Stable name of the document across versions, e.g. `stix:Mobile ATT&CK`. Stale marking is scoped to it. */
  documentKey: string;
  /** Version of this document, e.g. `17.1`. */
  documentVersion: string;
  /** Nodes per label, in write order. */
  nodes: Map<Label, BatchNode[]>;
  relationships: RelationshipGroup[];
  /**
   * Join keys per label: a node of that label already in the graph under another id with the
   * same value of this property is the same thing (e.g. a seed Threat with `externalId: "T1474"`).
   */
  joinKeys: Partial<Record<Label, string>>;
  /** Objects deliberately not imported, counted per reason (e.g. `relationship uses`). */
  skipped: Record<string, number>;
  /** Object types the parser does not know, counted per type. Not fatal. */
  unknown: Record<string, number>;
  /** Non-fatal remarks naming the place in the document. */
  problems: string[];
  /** Format-specific counts (used by golden tests and the summary). */
  stats: Record<string, number>;
  /** False for collections that are not versioned documents (CVE records): nothing is marked stale. Default true. */
  staleMarking?: boolean;
  /**
   * A dated list of certifications (CMVP, Common Criteria): the loader compares it with what the
   * graph holds and records the status changes it implies (src/domain/cmvp.ts `planSnapshot`).
   */
  statusSnapshot?: StatusSnapshot;
  /**
   * False when the components of this format carry no CPE, purl or product alias to match CVE
   * ranges against (CMVP crypto modules, Common Criteria products): the loader skips CVE matching.
   * Default true.
   */
  cveMatching?: boolean;
}

/** The certifications a dated list names, with the status it gives each. */
export interface StatusSnapshot {
  /** Date of the list (ISO), from its metadata or given by the caller. */
  asOf: string;
  /** Who issues the list, for reasons and provenance, e.g. `NIST CMVP`. */
  program: string;
  entries: SnapshotEntry[];
  /**
   * True when the entries carry their own dated history (the Common Criteria certification and
   * archived dates): the changes are recorded as listed, without comparing snapshots.
   */
  datedHistory?: boolean;
}

/** A document that cannot be imported; nothing is written. `path` names the place. */
export class ImportError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

export function emptyBatch(format: ImportFormat, source: string, documentKey: string, documentVersion: string): ImportBatch {
  return { format, source, documentKey, documentVersion, nodes: new Map(), relationships: [], joinKeys: {}, skipped: {}, unknown: {}, problems: [], stats: {} };
}

export function addNode(batch: ImportBatch, label: Label, node: BatchNode): void {
  const list = batch.nodes.get(label) ?? [];
  list.push(node);
  batch.nodes.set(label, list);
}

export function relationshipGroup(batch: ImportBatch, type: RelationshipType, fromLabel: Label, toLabel: Label, toKey?: string): RelationshipGroup {
  let group = batch.relationships.find((g) => g.type === type && g.fromLabel === fromLabel && g.toLabel === toLabel && g.toKey === toKey);
  if (!group) {
    group = { type, fromLabel, toLabel, toKey, rows: [] };
    batch.relationships.push(group);
  }
  return group;
}

export function count(into: Record<string, number>, key: string, by = 1): void {
  into[key] = (into[key] ?? 0) + by;
}

/** Parses JSON text; a syntax error names the line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const m = /position (\d+)/.exec(message);
    let where = '';
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const column = pos - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    } else if (/end of JSON input/i.test(message)) {
      where = ' (the document ends early: truncated?)';
    }
    throw new ImportError('document', `not valid JSON${where}: ${message}`);
  }
}

/** A JSON pointer as a place in the document: `/vulnerabilities/17/cveID` -> `vulnerabilities[17].cveID`. */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .filter((s) => s !== '')
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required non-empty string field, or an ImportError naming it. */
export function requireString(obj: Record<string, unknown>, key: string, where: string): string {
  const value = obj[key];
  if (value === undefined || value === null) throw new ImportError(where, `${key} is missing`);
  if (typeof value !== 'string' || value.trim() === '') throw new ImportError(`${where}.${key}`, 'must be a non-empty string');
  return value;
}

export function optionalString(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ImportError(`${where}.${key}`, 'must be a string');
  return value;
}

export function optionalArray(obj: Record<string, unknown>, key: string, where: string): unknown[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ImportError(`${where}.${key}`, 'must be an array');
  return value;
}

export function stringArray(obj: Record<string, unknown>, key: string, where: string): string[] {
  return optionalArray(obj, key, where).map((v, i) => {
    if (typeof v !== 'string') throw new ImportError(`${where}.${key}[${i}]`, 'must be a string');
    return v;
  });
}

/** Counts of rows per label / relationship type in a batch. */
export function batchCounts(batch: ImportBatch): { nodes: Record<string, number>; relationships: Record<string, number> } {
  const nodes: Record<string, number> = {};
  for (const [label, rows] of batch.nodes) nodes[label] = rows.length;
  const relationships: Record<string, number> = {};
  for (const g of batch.relationships) count(relationships, g.type, g.rows.length);
  return { nodes, relationships };
}
