/**
 * What the seed may still write. The seed owns a node or relationship only while the last
 * writer was the seed itself (`assertedBy = 'seed'`): once a curator, an admin or an importer
 * changed it, a later seed load leaves it alone. Read in the seed's own transaction.
 */
import { LABELS, RELATIONSHIPS, SEED_LOAD_LABEL, isLabel, type Label, type RelationshipSpec, type RelationshipType } from '../domain/model';
import type { Database, Tx } from './database';

export const SEED_ASSERTER = 'seed';

export interface SeedOwnership {
  /** The seed wrote it last: it may be updated to the seed's values. */
  seedOwned: boolean;
  classification: string | null;
}

/** The existing nodes of one label among the seed's ids, keyed by id. */
export async function seedNodeOwnership(tx: Tx, label: Label, ids: string[]): Promise<Map<string, SeedOwnership>> {
  if (!LABELS.includes(label)) throw new Error(`unknown label ${label}`);
  const rows = await tx.run(
    `seed ownership ${label}`,
    `UNWIND $ids AS id
     MATCH (n:${label} {id: id})
     RETURN n.id AS id, coalesce(n.assertedBy, '') = $seed AS seedOwned, n.classification AS classification`,
    { ids, seed: SEED_ASSERTER },
  );
  return new Map(
    rows.map((r) => [String(r.id), { seedOwned: r.seedOwned === true, classification: typeof r.classification === 'string' ? r.classification : null }]),
  );
}

/** The existing relationships of one type among the seed's (from, to) pairs, keyed by `from\u0000to`. */
export async function seedRelationshipOwnership(
  tx: Tx,
  type: RelationshipType,
  fromLabel: Label,
  toLabel: Label,
  pairs: { fromId: string; toId: string }[],
): Promise<Map<string, SeedOwnership>> {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  if (!LABELS.includes(fromLabel) || !LABELS.includes(toLabel)) throw new Error(`unknown label ${fromLabel} or ${toLabel}`);
  const rows = await tx.run(
    `seed ownership ${fromLabel}-${type}->${toLabel}`,
    `UNWIND $pairs AS pair
     MATCH (:${fromLabel} {id: pair.fromId})-[r:${spec.type}]->(:${toLabel} {id: pair.toId})
     RETURN pair.fromId AS fromId, pair.toId AS toId, coalesce(r.assertedBy, '') = $seed AS seedOwned, r.classification AS classification`,
    { pairs, seed: SEED_ASSERTER },
  );
  return new Map(
    rows.map((r) => [
      `${String(r.fromId)}\u0000${String(r.toId)}`,
      { seedOwned: r.seedOwned === true, classification: typeof r.classification === 'string' ? r.classification : null },
    ]),
  );
}

/** The labels of the nodes with these ids (ids missing from the graph are absent from the map). */
export async function labelsOf(db: Database, ids: string[]): Promise<Map<string, Label>> {
  const rows = await db.read(
    undefined,
    'seedLinkLabels',
    `UNWIND $ids AS id
     CALL (id) {
       ${LABELS.map((l) => `MATCH (n:${l} {id: id}) RETURN n`).join('\n       UNION ALL\n       ')}
     }
     RETURN n.id AS id, labels(n)[0] AS label`,
    { ids },
  );
  const out = new Map<string, Label>();
  for (const r of rows) if (typeof r.label === 'string' && isLabel(r.label)) out.set(String(r.id), r.label);
  return out;
}

/** The id of the one node recording the last seed load. */
const SEED_LOAD_ID = 'seed';

/**
 * The fingerprint of the last seed load (seed files and loader code, see src/seed/loadSeed.ts),
 * or undefined when the seed was never loaded into this database (or its record was removed).
 */
export async function readSeedFingerprint(db: Database): Promise<string | undefined> {
  const rows = await db.read(undefined, 'seedFingerprint', `MATCH (s:${SEED_LOAD_LABEL} {id: $id}) RETURN s.fingerprint AS fingerprint`, {
    id: SEED_LOAD_ID,
  });
  const fingerprint = rows[0]?.fingerprint;
  return typeof fingerprint === 'string' ? fingerprint : undefined;
}

/** Records the fingerprint of the seed just written, in the seed's own transaction (so it commits with it, or not at all). */
export async function recordSeedFingerprint(tx: Tx, fingerprint: string, loadedAt: Date): Promise<void> {
  await tx.run(
    'recordSeedFingerprint',
    `MERGE (s:${SEED_LOAD_LABEL} {id: $id})
     SET s.fingerprint = $fingerprint, s.loadedAt = datetime($loadedAt)`,
    { id: SEED_LOAD_ID, fingerprint, loadedAt: loadedAt.toISOString() },
  );
}
