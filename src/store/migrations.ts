/**
 * Schema migrations, applied idempotently at every start: a uniqueness constraint on `id`
 * for every label, range indexes for the filters and orderings the API offers, and the
 * full-text index behind `search`.
 */
import { FEED_LABELS } from '../domain/events';
import { LABELS, SEED_LOAD_LABEL, STATUS_CHANGE_LABEL } from '../domain/model';
import type { Database } from './database';

const FULLTEXT_INDEX = 'nodeSearch';

export function migrationStatements(): { name: string; cypher: string }[] {
  const statements: { name: string; cypher: string }[] = [];
  for (const label of LABELS) {
    const lower = label.toLowerCase();
    statements.push({ name: `constraint ${label}.id`, cypher: `CREATE CONSTRAINT ${lower}_id_unique IF NOT EXISTS FOR (n:${label}) REQUIRE n.id IS UNIQUE` });
    statements.push({ name: `index ${label}.name`, cypher: `CREATE INDEX ${lower}_name IF NOT EXISTS FOR (n:${label}) ON (n.name)` });
    statements.push({
      name: `index ${label}.classification`,
      cypher: `CREATE INDEX ${lower}_classification IF NOT EXISTS FOR (n:${label}) ON (n.classification)`,
    });
  }
  const extra: [string, string][] = [
    ['component_purl', 'FOR (n:Component) ON (n.purl)'],
    // CVE matching: components by CPE prefix (STARTS WITH), vulnerabilities by product key (CONTAINS, text index).
    ['component_cpe', 'FOR (n:Component) ON (n.cpe)'],
    ['component_kind', 'FOR (n:Component) ON (n.kind)'],
    ['threat_external_id', 'FOR (n:Threat) ON (n.externalId)'],
    ['control_control_id', 'FOR (n:Control) ON (n.controlId)'],
    ['control_framework', 'FOR (n:Control) ON (n.framework)'],
    ['certification_valid_until', 'FOR (n:Certification) ON (n.validUntil)'],
    ['vulnerability_published_at', 'FOR (n:Vulnerability) ON (n.publishedAt)'],
  ];
  // the status history (docs/CERTIFICATION-LIFECYCLE.md): entries are merged on their deterministic id
  statements.push({
    name: `constraint ${STATUS_CHANGE_LABEL}.id`,
    cypher: `CREATE CONSTRAINT status_change_id_unique IF NOT EXISTS FOR (n:${STATUS_CHANGE_LABEL}) REQUIRE n.id IS UNIQUE`,
  });
  // the record of the last seed load (its fingerprint): one node, merged on its id
  statements.push({
    name: `constraint ${SEED_LOAD_LABEL}.id`,
    cypher: `CREATE CONSTRAINT seed_load_id_unique IF NOT EXISTS FOR (n:${SEED_LOAD_LABEL}) REQUIRE n.id IS UNIQUE`,
  });
  extra.push(
    ['status_change_effective_from', `FOR (n:${STATUS_CHANGE_LABEL}) ON (n.effectiveFrom)`],
    ['status_change_recorded_at', `FOR (n:${STATUS_CHANGE_LABEL}) ON (n.recordedAt)`],
  );
  for (const [name, body] of extra) statements.push({ name: `index ${name}`, cypher: `CREATE INDEX ${name} IF NOT EXISTS ${body}` });
  // The change feed (src/store/eventStore.ts, watchStore.ts): its log, counter, watches, delivery log and job leases.
  const feed: [string, string, string][] = [
    ['certificationevent_sequence_unique', FEED_LABELS.event, 'sequence'],
    ['eventsequence_id_unique', FEED_LABELS.sequence, 'id'],
    ['watch_id_unique', FEED_LABELS.watch, 'id'],
    ['webhookdelivery_id_unique', FEED_LABELS.delivery, 'id'],
    ['joblease_id_unique', FEED_LABELS.jobLease, 'id'],
    ['feedstate_id_unique', FEED_LABELS.state, 'id'],
  ];
  for (const [name, label, key] of feed) {
    statements.push({ name: `constraint ${name}`, cypher: `CREATE CONSTRAINT ${name} IF NOT EXISTS FOR (n:${label}) REQUIRE n.${key} IS UNIQUE` });
  }
  statements.push({ name: 'index watch_owner', cypher: `CREATE INDEX watch_owner IF NOT EXISTS FOR (n:${FEED_LABELS.watch}) ON (n.owner)` });
  statements.push({
    name: 'index webhookdelivery_watch',
    cypher: `CREATE INDEX webhookdelivery_watch IF NOT EXISTS FOR (n:${FEED_LABELS.delivery}) ON (n.watchId)`,
  });
  statements.push({
    name: 'text index vulnerability_cve_products',
    cypher: 'CREATE TEXT INDEX vulnerability_cve_products IF NOT EXISTS FOR (n:Vulnerability) ON (n.cveProducts)',
  });
  statements.push({
    name: 'fulltext nodeSearch',
    cypher: `CREATE FULLTEXT INDEX ${FULLTEXT_INDEX} IF NOT EXISTS FOR (n:${LABELS.join('|')}) ON EACH [n.name, n.description, n.externalId, n.controlId, n.id]`,
  });
  return statements;
}

export const SEARCH_INDEX_NAME = FULLTEXT_INDEX;

/** The index or constraint name a migration creates (every migration names what it creates). */
export function migrationSchemaName(cypher: string): string | undefined {
  return /^CREATE (?:(?:TEXT|FULLTEXT|RANGE) )?(?:CONSTRAINT|INDEX) (\w+) IF NOT EXISTS/.exec(cypher)?.[1];
}

/**
 * Applies every migration whose index or constraint is not there yet (each `IF NOT EXISTS`, so a
 * concurrent start applying the same one is harmless) and waits for indexes to come online. The
 * names present are read once first: on a store already migrated this is one read and the wait,
 * not one schema transaction per migration. Returns how many were applied.
 */
export async function applyMigrations(db: Database): Promise<{ applied: number }> {
  const indexes = await db.read(undefined, 'migration: index names', 'SHOW INDEXES YIELD name RETURN name');
  const constraints = await db.read(undefined, 'migration: constraint names', 'SHOW CONSTRAINTS YIELD name RETURN name');
  const names = new Set([...indexes, ...constraints].map((row) => String(row.name)));
  let applied = 0;
  for (const statement of migrationStatements()) {
    const name = migrationSchemaName(statement.cypher);
    if (name !== undefined && names.has(name)) continue;
    await db.write(undefined, `migration: ${statement.name}`, statement.cypher);
    applied += 1;
  }
  await db.write(undefined, 'migration: await indexes', 'CALL db.awaitIndexes(60)');
  return { applied };
}

/** Names of the constraints present, for tests and /readyz diagnostics. */
export async function listConstraints(db: Database): Promise<string[]> {
  const rows = await db.read(undefined, 'listConstraints', 'SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name');
  return rows.map((row) => String(row.name));
}
