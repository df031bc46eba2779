/**
 * Imports one document: detect the format, parse (pure), validate every row against the model,
 * then load it in one transaction (src/store/importStore.ts) and summarise. Used by the
 * command line and by the `importDocument` mutation.
 */
import { randomUUID } from 'node:crypto';
import type { Classification } from '../domain/model';
import { echoInput, validateId, validateNodeInput, validateRelationshipProperties } from '../domain/validation';
import { detectFormat, parseDocument, type ParseOptions } from '../importers/detect';
import { ImportError, type ImportBatch, type ImportFormat } from '../importers/types';
import type { QueryStats } from '../store/database';
import { documentRef, type BatchLoader, type LoadCounts, type SnapshotSummary } from '../store/importStore';

export { ImportError };

export interface ImportRequest {
  text: string;
  /** Left out: detected from the document. */
  format?: ImportFormat;
  /** Document name used for provenance and stale marking (default: from the document). */
  name?: string;
  dryRun?: boolean;
  /** Snapshot date of a dated list (CMVP, Common Criteria), YYYY-MM-DD; default from the document. */
  asOf?: string;
  /** More documents of the same import (CMVP: the historical list, certificate detail records). */
  more?: { name: string; text: string }[];
  /** Name of the main document in messages (a file name). */
  documentName?: string;
  /** Who asked (API caller id, or `cli:<user>`). */
  caller: string;
  /** The caller's clearance (the command line runs as SECRET). */
  clearance: Classification;
  stats?: QueryStats;
  onProgress?: (done: number, total: number) => void;
}

export interface CountLine extends LoadCounts {
  /** Label or relationship type. */
  name: string;
}

export interface NamedCount {
  name: string;
  count: number;
}

export interface ImportSummary {
  runId: string;
  format: ImportFormat;
  source: string;
  /** Document key and version as stamped in `sourceRef`. */
  document: string;
  dryRun: boolean;
  /** True when the run created, updated or marked anything stale. */
  changed: boolean;
  nodes: CountLine[];
  relationships: CountLine[];
  unknownObjectTypes: NamedCount[];
  skipped: NamedCount[];
  stats: NamedCount[];
  /** Imported ids joined to existing nodes (e.g. `attack:T1404` -> `threat:kernel-privilege-escalation`). */
  joined: { importedId: string; existingId: string }[];
  /** Relationship ends not in the graph or not visible to the caller, distinct ids per label. */
  missingEnds: NamedCount[];
  problems: string[];
  problemCount: number;
  /** What a dated list (CMVP, Common Criteria) changed in the status history; null for other formats. */
  snapshot: SnapshotSummary | null;
  parseMs: number;
  writeMs: number;
  nodesPerSecond: number;
  relationshipsPerSecond: number;
}

const MAX_PROBLEMS = 100;

/** Checks every row against the model before anything is written: ids by the rule of `upsert*`, then properties. */
export function validateBatch(batch: ImportBatch): void {
  for (const [label, rows] of batch.nodes) {
    for (const row of rows) {
      const problem = validateId(row.id, ['id'])[0] ?? validateNodeInput(label, row.props, 'SECRET', {}, [])[0];
      if (problem) throw new ImportError(row.where, `${problem.path.join('.')}: ${problem.message} (${label} ${echoInput(row.id)})`);
    }
  }
  for (const group of batch.relationships) {
    for (const row of group.rows) {
      const problem = validateRelationshipProperties(group.type, row.props, 'SECRET', [])[0];
      if (problem)
        throw new ImportError(row.where, `${problem.path.join('.')}: ${problem.message} (${group.type} ${echoInput(row.fromId)} -> ${echoInput(row.toId)})`);
    }
  }
}

function toLines(record: Record<string, LoadCounts>): CountLine[] {
  return Object.entries(record)
    .map(([name, c]) => ({ name, ...c }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function toNamed(record: Record<string, number>): NamedCount[] {
  return Object.entries(record)
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Parses and validates only (no database). Throws ImportError naming the place on bad input. */
export function parseAndValidate(text: string, format?: ImportFormat, name?: string, options: ParseOptions = {}): ImportBatch {
  let batch: ImportBatch;
  try {
    batch = parseDocument(format ?? detectFormat(text), text, name, options);
  } catch (error) {
    // The parsers walk nested components and controls recursively; absurd nesting overflows the stack.
    if (error instanceof RangeError) throw new ImportError('document', `nested too deeply to import (${error.message})`);
    throw error;
  }
  validateBatch(batch);
  return batch;
}

export async function importDocument(loader: BatchLoader, request: ImportRequest): Promise<ImportSummary> {
  const started = performance.now();
  const batch = parseAndValidate(request.text, request.format, request.name, {
    ...(request.asOf ? { asOf: request.asOf } : {}),
    ...(request.more ? { more: request.more } : {}),
    ...(request.documentName ? { documentName: request.documentName } : {}),
  });
  const parsed = performance.now();
  const runId = `import-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const result = await loader.load(batch, {
    runId,
    assertedBy: `${request.caller} (${runId})`,
    assertedAt: new Date(),
    dryRun: request.dryRun ?? false,
    clearance: request.clearance,
    stats: request.stats,
    onProgress: request.onProgress,
  });
  const written = performance.now();
  const nodes = toLines(result.nodes);
  const relationships = toLines(result.relationships);
  const seconds = Math.max((written - parsed) / 1000, 0.001);
  const processed = (lines: CountLine[]) => lines.reduce((n, l) => n + l.created + l.updated + l.unchanged, 0);
  const problems = [...batch.problems, ...result.problems];
  return {
    runId,
    format: batch.format,
    source: batch.source,
    document: documentRef(batch),
    dryRun: request.dryRun ?? false,
    changed: [...nodes, ...relationships].some((l) => l.created + l.updated + l.stale > 0) || (result.snapshot?.statusChangesRecorded ?? 0) > 0,
    nodes,
    relationships,
    unknownObjectTypes: toNamed(batch.unknown),
    skipped: toNamed(batch.skipped),
    stats: toNamed({ ...batch.stats, ...result.stats }),
    joined: Object.entries(result.joined).map(([importedId, existingId]) => ({ importedId, existingId })),
    missingEnds: toNamed(result.missingEnds),
    problems: problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more`] : problems,
    problemCount: problems.length,
    snapshot: result.snapshot ?? null,
    parseMs: Math.round(parsed - started),
    writeMs: Math.round(written - parsed),
    nodesPerSecond: Math.round(processed(nodes) / seconds),
    relationshipsPerSecond: Math.round(processed(relationships) / seconds),
  };
}
