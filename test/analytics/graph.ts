/**
 * Builds small hand-made graphs for the analytics tests in one CREATE statement (labels and
 * relationship types checked against the model, every value a parameter). Every id is prefixed
 * so each test file owns its data (see cleanup in test/helpers/app.ts).
 */
import { isLabel, isRelationshipType, RELATIONSHIPS, type Label, type RelationshipType } from '../../src/domain/model';
import { toNeo4jDate } from '../../src/store/convert';
import type { Database } from '../../src/store/database';

export type NodeSpec = [Label, string, Record<string, unknown>?];
export type RelSpec = [RelationshipType, string, string, Record<string, unknown>?];

const DATE_KEYS = new Set(['issuedAt', 'validUntil', 'releasedAt', 'supportEndsAt', 'publishedAt', 'kevDateAdded', 'kevDueDate']);

function props(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = DATE_KEYS.has(k) && typeof v === 'string' ? toNeo4jDate(v) : v;
  return out;
}

export async function buildGraph(db: Database, prefix: string, nodes: NodeSpec[], rels: RelSpec[]): Promise<void> {
  const variables = new Map<string, string>();
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  nodes.forEach(([label, id, extra], i) => {
    if (!isLabel(label)) throw new Error(`unknown label ${String(label)}`);
    variables.set(id, `n${i}`);
    params[`n${i}`] = props({ id: prefix + id, name: id, classification: 'UNCLASSIFIED', source: 'test', ...extra });
    clauses.push(`CREATE (n${i}:${label}) SET n${i} = $n${i}`);
  });
  rels.forEach(([type, from, to, extra], i) => {
    const a = variables.get(from);
    const b = variables.get(to);
    if (!a || !b || !isRelationshipType(type)) throw new Error(`test graph: bad relationship ${type} ${from} -> ${to}`);
    params[`r${i}`] = props({ source: 'test', ...extra });
    clauses.push(`CREATE (${a})-[r${i}:${RELATIONSHIPS[type].type}]->(${b}) SET r${i} = $r${i}`);
  });
  await db.write(undefined, 'analytics test graph', clauses.join('\n'), params);
}
