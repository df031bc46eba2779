/**
 * The seed as a test's own starting point. Loading the seed never undoes curation (it keeps
 * what another writer changed), so a file that asserts on the seed's answers first removes the
 * seed's nodes (with whatever earlier files attached to them) and loads the seed afresh: its
 * answers then do not depend on which files ran before it.
 */
import { loadSeed, readSeed, type SeedSummary } from '../../src/seed/loadSeed';
import type { Database } from '../../src/store/database';

export async function freshSeed(db: Database): Promise<SeedSummary> {
  await removeSeed(db);
  return loadSeed(db);
}

/**
 * Removes the seed's nodes (and what earlier files attached to them), for a file whose answers
 * assume the seed is absent (e.g. an importer that joins the seed's organizations by name).
 */
export async function removeSeed(db: Database): Promise<void> {
  const ids = readSeed().nodes.map((n) => n.id);
  await db.write(undefined, 'test remove seed nodes', 'UNWIND $ids AS id MATCH (n {id: id}) DETACH DELETE n', { ids });
}

/**
 * Removes what a CVE-record import wrote (its AFFECTS edges, the nodes it created, the properties it
 * added to existing vulnerabilities), so the next file that imports the records starts from the seed.
 */
export async function removeCveImports(db: Database, extraSourceRefPrefixes: readonly string[] = []): Promise<void> {
  await db.write(undefined, 'test cve cleanup edges', "MATCH ()-[r:AFFECTS]->() WHERE r.source = 'cve' DELETE r");
  await db.write(
    undefined,
    'test cve cleanup nodes',
    "MATCH (n) WHERE n.sourceRef STARTS WITH 'cve:' OR any(p IN $prefixes WHERE n.sourceRef STARTS WITH p) DETACH DELETE n",
    { prefixes: [...extraSourceRefPrefixes] },
  );
  await db.write(
    undefined,
    'test cve cleanup properties',
    'MATCH (v:Vulnerability) WHERE v.cveRanges IS NOT NULL REMOVE v.cveRanges, v.cveProducts, v.cweIds, v.cvssVersion, v.cvssVector, v.cvssSource, v.ssvcExploitation, v.cveUpdatedAt',
  );
}

/** Removes what one imported document wrote (nodes, relationships, status history), by its `sourceRef` prefix `<documentKey>@`. */
export async function removeDocument(db: Database, documentKey: string): Promise<void> {
  const prefix = `${documentKey}@`;
  await db.write(
    undefined,
    'test remove status history',
    'MATCH (c:Certification)-[:HAS_STATUS_CHANGE]->(s) WHERE c.sourceRef STARTS WITH $prefix DETACH DELETE s',
    { prefix },
  );
  await db.write(undefined, 'test remove document relationships', 'MATCH ()-[r]->() WHERE r.sourceRef STARTS WITH $prefix DELETE r', { prefix });
  await db.write(undefined, 'test remove document nodes', 'MATCH (n) WHERE n.sourceRef STARTS WITH $prefix DETACH DELETE n', { prefix });
}
