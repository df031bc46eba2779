/**
 * Loads the seed scenario (seed/*.json) through the store's one write path (`writeBatch`, as the
 * importers, the generator and the test fixtures do): validated first (file, index and field
 * named on error), then written in one transaction, idempotently (a second load creates and
 * updates nothing). The seed's own rule is its write policy's guards.
 *
 * The seed never undoes curation: it creates what is missing and updates only what it wrote
 * last itself (assertedBy 'seed'). A node or relationship a curator, an admin or an importer
 * changed since is left exactly as they left it (counted as `kept`), and a marking is never
 * lowered: a seed update keeps the higher of the stored and the seed's classification.
 *
 * Each load records the seed's fingerprint (its files and the loader's own code) in the same
 * transaction. `npm start` passes `skipUnchanged`: when the fingerprint stored by the last load is
 * the current one, it writes nothing and reports `unchanged` (one indexed read instead of the whole
 * write transaction, most of a restart's time on a cold JVM). `npm run seed` always loads in full
 * (it recreates seed items someone deleted by hand).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../config';
import {
  CERTIFICATION_STATUSES,
  CLASSIFICATIONS,
  LABELS,
  isRelationshipType,
  markingsVisibleTo,
  relationshipAllows,
  type Label,
  type RelationshipType,
} from '../domain/model';
import { checkHistory } from '../domain/statusHistory';
import { recordStatusChanges, type StatusChangeInput } from '../store/statusHistoryStore';
import { validateId, validateNodeInput, validateRelationshipProperties } from '../domain/validation';
import type { Database } from '../store/database';
import { matchCveRanges } from '../store/cveMatchStore';
import { groupNodes, groupRelationships, writeBatch } from '../store/batchWriter';
import type { WriteCounts } from '../store/graphStore';
import {
  SEED_ASSERTER,
  readSeedFingerprint,
  recordSeedFingerprint,
  seedNodeOwnership,
  seedRelationshipOwnership,
  type SeedOwnership,
} from '../store/seedStore';

export const SEED_DIR = path.join(REPO_ROOT, 'seed');

const provenanceSource = z.string().min(1);

const seedNode = z
  .object({
    label: z.enum(LABELS),
    id: z.string().min(1),
    name: z.string().min(1),
    source: provenanceSource,
    sourceRef: z.string().optional(),
  })
  .catchall(z.unknown());

const seedRelationship = z
  .object({
    type: z.string().min(1),
    from: z.string().min(1),
    to: z.string().min(1),
    source: provenanceSource,
    sourceRef: z.string().optional(),
  })
  .catchall(z.unknown());

const seedFile = z.object({
  description: z.string().optional(),
  nodes: z.array(seedNode).default([]),
  relationships: z.array(seedRelationship).default([]),
});

export type SeedNode = z.infer<typeof seedNode>;
export type SeedRelationship = z.infer<typeof seedRelationship> & { type: RelationshipType };

/**
 * One entry of a seed certification's `statusHistory` (docs/CERTIFICATION-LIFECYCLE.md): written
 * through recordStatusChanges with source `seed`.
 */
const seedStatusEntry = z
  .object({
    status: z.enum(CERTIFICATION_STATUSES),
    effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
    reason: z.string().min(1).optional(),
    sourceRef: z.string().min(1).optional(),
  })
  .strict();

export interface SeedData {
  nodes: (SeedNode & { where: string })[];
  relationships: (SeedRelationship & { where: string })[];
  /** Status history entries of seed certifications, in file order. */
  statusChanges: (z.infer<typeof seedStatusEntry> & { certificationId: string; where: string })[];
}

export class SeedError extends Error {}

/** Reads and validates every seed file; throws SeedError naming the file, index and field. */
export function readSeed(dir = SEED_DIR): SeedData {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const data: SeedData = { nodes: [], relationships: [], statusChanges: [] };
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      throw new SeedError(`seed/${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = seedFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SeedError(`seed/${file} ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    parsed.data.nodes.forEach((n, i) => data.nodes.push({ ...n, where: `seed/${file} nodes[${i}]` }));
    parsed.data.relationships.forEach((r, i) => {
      if (!isRelationshipType(r.type)) throw new SeedError(`seed/${file} relationships[${i}].type: unknown relationship type ${r.type}`);
      data.relationships.push({ ...(r as SeedRelationship), where: `seed/${file} relationships[${i}]` });
    });
  }
  const labels = new Map<string, Label>();
  data.nodes = data.nodes.map((node) => {
    const { statusHistory, ...rest } = node;
    if (statusHistory === undefined) return rest;
    if (node.label !== 'Certification') throw new SeedError(`${node.where}.statusHistory: only a Certification has a status history`);
    const parsed = z.array(seedStatusEntry).safeParse(statusHistory);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SeedError(`${node.where}.statusHistory.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    const problem = checkHistory({
      id: node.id,
      status: str(node.status),
      issuedAt: str(node.issuedAt),
      validUntil: str(node.validUntil),
      history: parsed.data,
    });
    if (problem) throw new SeedError(`${node.where}.statusHistory.${problem.index}.${problem.message}`);
    parsed.data.forEach((e, i) => data.statusChanges.push({ ...e, certificationId: node.id, where: `${node.where}.statusHistory.${i}` }));
    return rest;
  });
  for (const node of data.nodes) {
    const { label, id, source: _s, sourceRef: _r, where, ...props } = node;
    const idProblem = validateId(id, ['id'])[0];
    if (idProblem) throw new SeedError(`${where}.id: ${idProblem.message}`);
    if (labels.has(id)) throw new SeedError(`${where}.id: duplicate id ${id}`);
    labels.set(id, label);
    const problem = validateNodeInput(label, props, 'SECRET', {}, [])[0];
    if (problem) throw new SeedError(`${where}.${problem.path.join('.')}: ${problem.message}`);
  }
  for (const rel of data.relationships) {
    const { type, from, to, source: _s, sourceRef: _r, where, ...props } = rel;
    const fromLabel = labels.get(from);
    const toLabel = labels.get(to);
    if (!fromLabel) throw new SeedError(`${where}.from: no seed node with id ${from}`);
    if (!toLabel) throw new SeedError(`${where}.to: no seed node with id ${to}`);
    if (!relationshipAllows(type, fromLabel, toLabel)) throw new SeedError(`${where}.type: ${type} cannot join ${fromLabel} to ${toLabel}`);
    const problem = validateRelationshipProperties(type, props, 'SECRET', [])[0];
    if (problem) throw new SeedError(`${where}.${problem.path.join('.')}: ${problem.message}`);
  }
  return data;
}

/**
 * The code whose behaviour decides what a seed load writes: a change to any of these files makes
 * the next start load the seed again even if the seed files are the same.
 */
const LOADER_SOURCES = [
  __filename,
  ...['../store/batchWriter', '../store/seedStore', '../store/statusHistoryStore', '../store/cveMatchStore', '../domain/model', '../domain/validation'].map(
    (f) => path.join(__dirname, `${f}${path.extname(__filename)}`),
  ),
];

/** SHA-256 over the seed files (names and bytes, sorted) and the loader's source files: what the stored fingerprint is compared with. */
export function seedFingerprint(dir = SEED_DIR): string {
  const hash = createHash('sha256');
  const part = (name: string, bytes: Buffer | string) => {
    hash.update(`${name}\u0000${bytes.length}\u0000`);
    hash.update(bytes);
  };
  for (const file of LOADER_SOURCES) part(`loader:${path.basename(file)}`, fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of files) part(`seed:${file}`, fs.readFileSync(path.join(dir, file)));
  return hash.digest('hex');
}

/** Write counts, plus `kept`: seed items someone else changed since, left untouched. */
export type SeedCounts = WriteCounts & { kept: number };

export interface SeedSummary {
  nodes: SeedCounts;
  relationships: SeedCounts;
  /** Status history entries: `created` new, `unchanged` already recorded (a retracted one stays retracted). */
  statusChanges: { created: number; unchanged: number };
  /** `loaded`: the write transaction ran; `unchanged`: skipped, the last load recorded the same fingerprint (`skipUnchanged`). */
  status: 'loaded' | 'unchanged';
  /** The fingerprint of the seed files and the loader's code (seedFingerprint). */
  fingerprint: string;
}

export interface LoadSeedOptions {
  /** Write nothing when the last load recorded the current fingerprint (what `npm start` does). */
  skipUnchanged?: boolean;
}

/** The higher of two markings (unknown or missing values rank lowest). */
function higherMarking(a: unknown, b: unknown): unknown {
  const rank = (v: unknown) => CLASSIFICATIONS.indexOf(v as (typeof CLASSIFICATIONS)[number]);
  return rank(a) >= rank(b) ? a : b;
}

/**
 * Which seed rows may be written: missing ones, and ones the seed wrote last (their marking never
 * lowered). The others were changed by someone else and are kept as they are.
 */
function writable<T extends { props: Record<string, unknown> }>(
  rows: T[],
  keyOf: (row: T) => string,
  existing: Map<string, SeedOwnership>,
  defaultMarking: string | undefined,
): { rows: T[]; kept: number } {
  const out: T[] = [];
  let kept = 0;
  for (const row of rows) {
    const current = existing.get(keyOf(row));
    if (!current) out.push(row);
    else if (!current.seedOwned) kept += 1;
    else if (current.classification === null) out.push(row);
    else out.push({ ...row, props: { ...row.props, classification: higherMarking(current.classification, row.props.classification ?? defaultMarking) } });
  }
  return { rows: out, kept };
}

/** A first load on a cold JVM compiles every query shape; allow more than an API request. */
export const SEED_TRANSACTION_TIMEOUT_MS = 300_000;

/** Writes the seed in one transaction. Idempotent; never overwrites what someone else changed since. */
export async function loadSeed(db: Database, dir = SEED_DIR, options: LoadSeedOptions = {}): Promise<SeedSummary> {
  const fingerprint = seedFingerprint(dir);
  if (options.skipUnchanged && (await readSeedFingerprint(db)) === fingerprint) {
    const none = { created: 0, updated: 0, unchanged: 0, kept: 0 };
    return { nodes: { ...none }, relationships: { ...none }, statusChanges: { created: 0, unchanged: 0 }, status: 'unchanged', fingerprint };
  }
  const data = readSeed(dir);
  const labels = new Map(data.nodes.map((n) => [n.id, n.label]));
  const assertedAt = new Date();
  const summary: SeedSummary = {
    nodes: { created: 0, updated: 0, unchanged: 0, kept: 0 },
    relationships: { created: 0, updated: 0, unchanged: 0, kept: 0 },
    statusChanges: { created: 0, unchanged: 0 },
    status: 'loaded',
    fingerprint,
  };
  const add = (into: SeedCounts, c: WriteCounts & { kept?: number }) => {
    into.created += c.created;
    into.updated += c.updated;
    into.unchanged += c.unchanged;
    into.kept += c.kept ?? 0;
  };
  const batch = {
    nodes: groupNodes(
      data.nodes.map(({ label, id, source, sourceRef, where, ...props }) => ({ label, id, source, sourceRef: sourceRef ?? 'seed', where, props })),
    ),
    relationships: groupRelationships(
      data.relationships.map(({ type, from, to, source, sourceRef, where, ...props }) => ({
        type,
        fromId: from,
        toId: to,
        source,
        sourceRef: sourceRef ?? 'seed',
        where,
        props,
      })),
      (id) => labels.get(id),
      (r) => new SeedError(`${r.where ?? 'seed'}: no seed node with id ${r.fromId} or ${r.toId}`),
    ),
  };
  const result = await writeBatch(
    db,
    batch,
    { source: 'seed', assertedBy: SEED_ASSERTER, assertedAt },
    {
      clearance: 'SECRET',
      defaultMarking: 'UNCLASSIFIED',
      feedSource: SEED_ASSERTER,
      // The seed's ownership rule: missing rows and rows the seed wrote last are written (their marking never lowered), the others kept.
      nodeGuard: async (tx, group) => {
        const existing = await seedNodeOwnership(
          tx,
          group.label,
          group.rows.map((r) => r.id),
        );
        const { rows, kept } = writable(group.rows, (r) => r.id, existing, 'UNCLASSIFIED');
        return { write: rows, kept };
      },
      relationshipGuard: async (tx, group) => {
        const existing = await seedRelationshipOwnership(
          tx,
          group.type,
          group.fromLabel,
          group.toLabel,
          group.rows.map((r) => ({ fromId: r.fromId, toId: r.toId })),
        );
        const { rows, kept } = writable(group.rows, (r) => `${r.fromId}\u0000${r.toId}`, existing, undefined);
        return { write: rows, kept };
      },
      onMissing: (group, missing) => {
        throw new SeedError(`seed relationship ${group.type} ${missing[0]?.fromId} -> ${missing[0]?.toId}: an end is missing from the database`);
      },
    },
    {
      timeoutMs: Math.max(db.queryTimeoutMs, SEED_TRANSACTION_TIMEOUT_MS),
      // Seed components are matched against the CVE ranges already in the graph (none on a fresh database).
      finish: async (tx) => {
        const componentIds = data.nodes.filter((n) => n.label === 'Component').map((n) => n.id);
        add(summary.relationships, await matchCveRanges(tx, { componentIds }, { source: 'cve', assertedBy: 'seed', assertedAt }, markingsVisibleTo('SECRET')));
        // The status histories: only ever added (an entry already recorded, or retracted by an admin, is left as it is).
        const changes: StatusChangeInput[] = data.statusChanges.map((e) => ({
          certificationId: e.certificationId,
          status: e.status,
          effectiveFrom: e.effectiveFrom,
          reason: e.reason ?? null,
          source: SEED_ASSERTER,
          sourceRef: e.sourceRef ?? 'illustrative',
          recordedAt: assertedAt,
        }));
        const created = await recordStatusChanges(tx, changes);
        summary.statusChanges.created += created.length;
        summary.statusChanges.unchanged += changes.length - created.length;
        // committed with the seed or not at all: a failed load leaves the previous fingerprint (or none)
        await recordSeedFingerprint(tx, fingerprint, assertedAt);
      },
    },
  );
  for (const counts of Object.values(result.nodes)) add(summary.nodes, counts);
  for (const counts of Object.values(result.relationships)) add(summary.relationships, counts);
  return summary;
}
