/**
 * `npm run import -- [format] <file> [more files...] [--as-of YYYY-MM-DD] [--dry-run] [--name <name>] [--json]`
 *
 * For `cmvp`, several files of one snapshot are one import (one transaction): the active list,
 * the historical list and certificate detail records, e.g.
 * `npm run import -- cmvp data/nist-cmvp/modules-2026-01-18.json.gz data/nist-cmvp/historical-modules-2026-01-18.json.gz data/nist-cmvp/certificates.json.gz`.
 *
 * Imports one document into the configured database (NEO4J_URI when set, otherwise the
 * project's own Neo4j: the one already running on that store, e.g. under `npm start`, or one
 * started for the run and stopped afterwards) in one transaction, and
 * prints a summary: created, updated, unchanged, skipped and stale per label and relationship
 * type, and nodes/relationships per second. The format (stix, oscal-catalog,
 * oscal-component-definition, cyclonedx, kev, cve) is detected when left out. A folder is read as
 * CVE records (every *.json / *.json.gz file in it, one record or an array each), one document. A progress bar is
 * shown only when stdout is a terminal. Exit codes: 0 imported, 1 database or unexpected
 * error, 2 bad arguments, configuration or an invalid document (nothing is written then).
 */
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config';
import { FORMAT_NAMES, detectFormat } from '../importers/detect';
import { readDocument } from '../importers/readDocument';
import type { ImportFormat } from '../importers/types';
import { LocalNeo4jError } from '../runtime/localNeo4j';
import { connectDatabase, type ConnectedDatabase } from '../runtime/database';
import { ImportError, importDocument, parseAndValidate, type CountLine, type ImportSummary } from '../services/importService';
import { batchLoader } from '../store/importStore';
import { applyMigrations } from '../store/migrations';

/** Large documents need more than the API's per-query timeout. */
const CLI_TRANSACTION_TIMEOUT_MS = 600000;

class UsageError extends Error {}

/** A folder of CVE record files as one JSON array (records in file-name order). */
function readCveFolder(dir: string): string {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.json(\.gz)?$/.test(f))
    .sort();
  if (files.length === 0) throw new UsageError(`${dir}: no *.json or *.json.gz files`);
  const records: unknown[] = [];
  for (const file of files) {
    const parsed = JSON.parse(readDocument(path.join(dir, file))) as unknown;
    if (Array.isArray(parsed)) records.push(...(parsed as unknown[]));
    else records.push(parsed);
  }
  return JSON.stringify(records);
}

function table(title: string, lines: CountLine[]): string[] {
  if (lines.length === 0) return [];
  const width = Math.max(title.length, ...lines.map((l) => l.name.length));
  const head = `  ${title.padEnd(width)}  created  updated  unchanged  skipped  stale`;
  return [
    head,
    ...lines.map(
      (l) =>
        `  ${l.name.padEnd(width)}  ${String(l.created).padStart(7)}  ${String(l.updated).padStart(7)}  ${String(l.unchanged).padStart(9)}  ${String(l.skipped).padStart(7)}  ${String(l.stale).padStart(5)}`,
    ),
  ];
}

function snapshotLines(s: ImportSummary): string[] {
  const snap = s.snapshot;
  if (!snap) return [];
  const out = [`  snapshot ${snap.asOf}${snap.previousAsOf ? ` (previous in the graph: ${snap.previousAsOf})` : ' (first snapshot in the graph)'}`];
  out.push(`  status history entries recorded: ${snap.statusChangesRecorded}`);
  if (snap.previousAsOf) {
    out.push(`  new certificates: ${snap.newCertifications.length}${snap.newCertifications.length > 0 ? ` (${snap.newCertifications.join(', ')})` : ''}`);
    out.push(`  moved from active to expired/revoked: ${snap.moved.length}`);
    for (const m of snap.moved) out.push(`    ${m.reference} ${m.status} from ${m.effectiveFrom}: ${m.reason}`);
  }
  if (snap.keptNewer > 0) out.push(`  left as a newer snapshot wrote them: ${snap.keptNewer}`);
  return out;
}

function formatSummary(file: string, s: ImportSummary): string {
  const out = [
    `${s.dryRun ? 'Dry run (rolled back, nothing kept)' : 'Imported'} ${path.basename(file)} as ${s.format}: ${s.document} (source ${s.source}, run ${s.runId})`,
    ...table('label', s.nodes),
    ...table('relationship', s.relationships),
    ...snapshotLines(s),
  ];
  if (s.unknownObjectTypes.length > 0) out.push(`  unknown object types: ${s.unknownObjectTypes.map((u) => `${u.name} ${u.count}`).join(', ')}`);
  if (s.skipped.length > 0) out.push(`  not imported: ${s.skipped.map((u) => `${u.name} ${u.count}`).join(', ')}`);
  if (s.joined.length > 0) out.push(`  joined to existing nodes: ${s.joined.map((j) => `${j.importedId} -> ${j.existingId}`).join(', ')}`);
  if (s.missingEnds.length > 0) out.push(`  ends not in the graph (or not visible): ${s.missingEnds.map((m) => `${m.name} ${m.count}`).join(', ')}`);
  if (s.problemCount > 0) out.push(`  ${s.problemCount} remark(s):`, ...s.problems.map((p) => `    ${p}`));
  out.push(s.changed ? '  the graph changed' : '  nothing changed: the graph already held this document');
  out.push(`  parse ${s.parseMs} ms, write ${s.writeMs} ms: ${s.nodesPerSecond} nodes/s, ${s.relationshipsPerSecond} relationships/s`);
  return out.join('\n');
}

interface Arguments {
  format?: ImportFormat;
  file: string;
  /** Further files of the same import (cmvp). */
  more: string[];
  asOf?: string;
  dryRun: boolean;
  name?: string;
  json: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const program = new Command()
    .name('npm run import --')
    .description(
      'Import a STIX, OSCAL, CycloneDX, CISA KEV, CVE JSON 5, Mappings Explorer, NIST CMVP or Common Criteria CSV document into the assurance graph. For cve, the file may be one record, a JSON array of records, or a folder of record files (*.json, *.json.gz), imported as one document. For cmvp, give the active list, the historical list and certificate detail records of one snapshot together (one import).',
    )
    .argument('<format-or-file>', `format (${Object.keys(FORMAT_NAMES).join(', ')}) or, with the format left out, the file`)
    .argument('[files...]', 'the document (JSON, gzip-compressed JSON such as .json.gz, or CSV); for cmvp several files of one snapshot')
    .option('--as-of <date>', 'snapshot date of a dated list (cmvp, cc-csv), YYYY-MM-DD (default: from the list metadata; cc-csv: today)')
    .option('--dry-run', 'validate and report what would change, then roll back')
    .option('--name <name>', 'document name for provenance and stale marking (default: from the document)')
    .option('--json', 'print the summary as JSON')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.parse(argv, { from: 'user' });
  const [first, ...rest] = program.args;
  const opts = program.opts<{ dryRun?: boolean; name?: string; json?: boolean; asOf?: string }>();
  if (!first) throw new UsageError('missing the file to import');
  let format: ImportFormat | undefined;
  let files = [first, ...rest];
  const named = FORMAT_NAMES[first.toLowerCase()];
  if (rest.length > 0 && (named || !fs.existsSync(first))) {
    format = named;
    if (!format)
      throw new UsageError(`unknown format ${JSON.stringify(first)}; use one of ${Object.keys(FORMAT_NAMES).join(', ')} (or leave it out to detect it)`);
    files = rest;
  }
  if (opts.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new UsageError(`--as-of ${JSON.stringify(opts.asOf)}: expected YYYY-MM-DD`);
  const [file, ...more] = files;
  if (!file) throw new UsageError('missing the file to import');
  return { format, file, more, asOf: opts.asOf, dryRun: opts.dryRun ?? false, name: opts.name, json: opts.json ?? false };
}

function readFile(file: string): string {
  try {
    return fs.statSync(file).isDirectory() ? readCveFolder(file) : readDocument(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<number> {
  let args;
  let text: string;
  let more: { name: string; text: string }[];
  let config;
  try {
    args = parseArguments(process.argv.slice(2));
    text = readFile(args.file);
    more = args.more.map((f) => ({ name: path.basename(f), text: readFile(f) }));
    config = loadConfig();
    // Parse and validate before starting or connecting to anything: a broken file fails fast.
    const format = args.format ?? detectFormat(text);
    parseAndValidate(text, format, args.name, { more, documentName: path.basename(args.file), ...(args.asOf ? { asOf: args.asOf } : {}) });
    args.format = format;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof ImportError) {
      // CMVP messages already name the file.
      const named = error instanceof ImportError && args !== undefined && args.format !== 'CMVP' && !error.message.startsWith(path.basename(args.file));
      process.stderr.write(`${named ? `${args?.file ?? 'document'}: ` : ''}${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let connected: ConnectedDatabase | undefined;
  const bar = process.stdout.isTTY
    ? new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} rows', hideCursor: true }, Presets.shades_classic)
    : undefined;
  try {
    connected = await connectDatabase(
      { ...config, QUERY_TIMEOUT_MS: Math.max(config.QUERY_TIMEOUT_MS, CLI_TRANSACTION_TIMEOUT_MS) },
      { log: (m) => process.stderr.write(`${m}\n`) },
    );
    await applyMigrations(connected.db);
    let started = false;
    const summary = await importDocument(batchLoader(connected.db), {
      text,
      format: args.format,
      name: args.name,
      dryRun: args.dryRun,
      more,
      documentName: path.basename(args.file),
      ...(args.asOf ? { asOf: args.asOf } : {}),
      caller: `cli:${process.env.USER ?? 'unknown'}`,
      // Whoever can run the command line can reach the database directly.
      clearance: 'SECRET',
      onProgress: (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
    bar?.stop();
    process.stdout.write(`${args.json ? JSON.stringify(summary, null, 2) : formatSummary(args.file, summary)}\n`);
    return 0;
  } catch (error) {
    bar?.stop();
    if (error instanceof LocalNeo4jError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await connected?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Import failed (nothing was written): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
