/**
 * The seed meets real certificates: after a NIST CMVP import, `linkSeedToCmvp` writes the links of
 * `seed/links/cmvp-corecrypto.json` from the seed scenario to the imported certificates (the
 * seed's illustrative corecrypto validation BASED_ON the real FIPS 140-3 certificate, which
 * CERTIFIES the seed's corecrypto component), so the NATO clearance's lineage ends in a real
 * validation with its real lab, dates and level. The seed loader never reads this file: the seed
 * stays loadable without the import. Each link carries source `scenario-link` and a sourceRef
 * stating the scenario's assumption; the certificate's own facts keep their CMVP provenance.
 *
 * Run it with `npm run seed -- --link-cmvp` (after `npm run seed` and `npm run import -- cmvp …`).
 * Idempotent; when an end is not in the graph (no CMVP import yet, or no seed) nothing is written
 * and the missing ids are reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isRelationshipType, relationshipAllows } from '../domain/model';
import { validateRelationshipProperties } from '../domain/validation';
import { groupRelationships, writeBatch } from '../store/batchWriter';
import type { Database } from '../store/database';
import { labelsOf } from '../store/seedStore';
import { SEED_DIR, SeedError } from './loadSeed';

export const CMVP_LINKS_FILE = path.join(SEED_DIR, 'links', 'cmvp-corecrypto.json');
export const SCENARIO_LINK_SOURCE = 'scenario-link';

const linkFile = z.object({
  description: z.string().optional(),
  relationships: z.array(
    z
      .object({ type: z.string(), from: z.string().min(1), to: z.string().min(1), sourceRef: z.string().min(10) })
      .catchall(z.union([z.string(), z.number(), z.boolean()])),
  ),
});

export interface SeedLinkSummary {
  /** True when the links are in the graph after the call. */
  linked: boolean;
  created: number;
  unchanged: number;
  /** Ends not in the graph (nothing was written then). */
  missing: string[];
}

export async function linkSeedToCmvp(db: Database, file = CMVP_LINKS_FILE): Promise<SeedLinkSummary> {
  let parsed;
  try {
    parsed = linkFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (error) {
    throw new SeedError(`${path.relative(process.cwd(), file)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const rows = parsed.relationships.map((r, i) => {
    const { type, from, to, sourceRef, ...props } = r;
    const where = `${path.basename(file)} relationships[${i}]`;
    if (!isRelationshipType(type)) throw new SeedError(`${where}.type: unknown relationship type ${type}`);
    const problem = validateRelationshipProperties(type, props, 'SECRET', [])[0];
    if (problem) throw new SeedError(`${where}.${problem.path.join('.')}: ${problem.message}`);
    return { type: type, fromId: from, toId: to, sourceRef, props, where };
  });
  const labels = await labelsOf(db, [...new Set(rows.flatMap((r) => [r.fromId, r.toId]))]);
  const missing = [...new Set(rows.flatMap((r) => [r.fromId, r.toId]).filter((id) => !labels.has(id)))].sort();
  if (missing.length > 0) return { linked: false, created: 0, unchanged: 0, missing };
  for (const r of rows) {
    const from = labels.get(r.fromId);
    const to = labels.get(r.toId);
    if (from && to && !relationshipAllows(r.type, from, to)) throw new SeedError(`${r.where}.type: ${r.type} cannot join ${from} to ${to}`);
  }
  const groups = groupRelationships(
    rows,
    (id) => labels.get(id),
    (r) => new SeedError(`${r.where}: unknown end`),
  );
  const result = await writeBatch(
    db,
    { nodes: [], relationships: groups },
    { source: SCENARIO_LINK_SOURCE, sourceRef: 'seed/links/cmvp-corecrypto.json', assertedBy: 'seed', assertedAt: new Date() },
    { clearance: 'SECRET', relationshipMerge: 'merge' },
  );
  const counts = Object.values(result.relationships);
  return {
    linked: true,
    created: counts.reduce((n, c) => n + c.created, 0),
    unchanged: counts.reduce((n, c) => n + c.unchanged, 0),
    missing: [],
  };
}
