/**
 * The filter compiler: the conditions of a list query (built by the API layer from a filter
 * input, src/graphql/filters.ts) compiled into a WHERE clause whose values are parameters.
 */
import { RELATIONSHIPS, type Label, type PropertySpec, type RelationshipSpec, type RelationshipType } from '../domain/model';
import { toNeo4jProperty } from './convert';
import { assertKey } from './modelKeys';

/** A condition on a list query, built by the API layer from a filter input. */
export type Condition =
  | { op: 'in'; key: string; values: unknown[] }
  | { op: 'eq'; key: string; value: unknown }
  | { op: 'gte' | 'lte'; key: string; value: unknown }
  | { op: 'anyIn'; key: string; values: unknown[] }
  | { op: 'nameContains' | 'nameStartsWith'; value: string }
  | { op: 'related'; relationship: RelationshipType; direction: 'out' | 'in'; otherId: string }
  | { op: 'notTrue'; key: string };

export interface ListQuery<L extends Label = Label> {
  label: L;
  conditions: Condition[];
  orderKey: string;
  descending: boolean;
  offset: number;
  limit: number;
}

function paramValue(spec: PropertySpec, value: unknown): unknown {
  return toNeo4jProperty(spec, value);
}

/** The WHERE condition of a list query; values go into `params` as $p0, $p1, … */
export function whereClause(q: ListQuery, params: Record<string, unknown>): string {
  const parts = ['n.classification IN $markings'];
  q.conditions.forEach((c, i) => {
    const p = `p${i}`;
    switch (c.op) {
      case 'in': {
        const spec = assertKey(q.label, c.key);
        params[p] = c.values.map((v) => paramValue(spec, v));
        parts.push(`n.${c.key} IN $${p}`);
        break;
      }
      case 'anyIn': {
        assertKey(q.label, c.key);
        params[p] = c.values;
        parts.push(`any(x IN coalesce(n.${c.key}, []) WHERE x IN $${p})`);
        break;
      }
      case 'eq': {
        const spec = assertKey(q.label, c.key);
        params[p] = paramValue(spec, c.value);
        parts.push(spec.type === 'boolean' && c.value === false ? `coalesce(n.${c.key}, false) = $${p}` : `n.${c.key} = $${p}`);
        break;
      }
      case 'notTrue':
        assertKey(q.label, c.key);
        parts.push(`coalesce(n.${c.key}, false) = false`);
        break;
      case 'gte':
      case 'lte': {
        const spec = assertKey(q.label, c.key);
        params[p] = paramValue(spec, c.value);
        parts.push(`n.${c.key} ${c.op === 'gte' ? '>=' : '<='} $${p}`);
        break;
      }
      case 'nameContains':
        params[p] = c.value.toLowerCase();
        parts.push(`toLower(n.name) CONTAINS $${p}`);
        break;
      case 'nameStartsWith':
        params[p] = c.value.toLowerCase();
        parts.push(`toLower(n.name) STARTS WITH $${p}`);
        break;
      case 'related': {
        const spec: RelationshipSpec = RELATIONSHIPS[c.relationship];
        params[p] = c.otherId;
        const pattern = c.direction === 'out' ? `(n)-[r:${spec.type}]->(o {id: $${p}})` : `(n)<-[r:${spec.type}]-(o {id: $${p}})`;
        parts.push(`EXISTS { MATCH ${pattern} WHERE o.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings }`);
        break;
      }
    }
  });
  return parts.join(' AND ');
}
