/**
 * Conversion at the store boundary: Neo4j integers, dates and datetimes never leave the store.
 * Integers become numbers, dates 'YYYY-MM-DD' strings, datetimes ISO-8601 strings.
 * In the other direction, typed model properties are turned into Neo4j values for parameters.
 */
import neo4j, { isDate, isDateTime, isInt, isLocalDateTime, isNode, isRelationship, type Integer } from 'neo4j-driver';
import type { PropertySpec } from '../domain/model';
import { scalarText } from '../domain/text';

function pad(n: number | Integer, width = 2): string {
  return String(Number(n)).padStart(width, '0');
}

/**
 * Neo4j value -> plain JS value (recursively). Hot path (every row of every read): strings,
 * numbers, booleans, lists and the plain maps the driver unpacks are tested first, with no call
 * into the driver's type guards; driver values (integers, temporals, nodes…) come after.
 */
export function fromNeo4j(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromNeo4j);
  if (Object.getPrototypeOf(value) === Object.prototype) return fromPlainMap(value as Record<string, unknown>);
  return fromDriverValue(value);
}

function fromPlainMap(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(map)) out[k] = fromNeo4j(map[k]);
  return out;
}

function fromDriverValue(value: object): unknown {
  if (isInt(value)) return value.inSafeRange() ? value.toNumber() : value.toString();
  if (isDate(value)) return `${pad(value.year, 4)}-${pad(value.month)}-${pad(value.day)}`;
  if (isDateTime(value) || isLocalDateTime(value)) return new Date(value.toString()).toISOString();
  if (isNode(value)) return fromNeo4j(value.properties);
  if (isRelationship(value)) return fromNeo4j(value.properties);
  return fromPlainMap(value as Record<string, unknown>);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function toNeo4jDate(value: string): unknown {
  const m = DATE_RE.exec(value);
  if (!m) throw new TypeError(`not a date (YYYY-MM-DD): ${value}`);
  return new neo4j.types.Date(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function toNeo4jDateTime(value: string | Date): unknown {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a date-time: ${String(value)}`);
  return neo4j.types.DateTime.fromStandardDate(date);
}

/** A typed property value (already validated) -> the Neo4j parameter value. */
export function toNeo4jProperty(spec: PropertySpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.type) {
    case 'date':
      return toNeo4jDate(value instanceof Date ? value.toISOString().slice(0, 10) : scalarText(value));
    case 'datetime':
      return toNeo4jDateTime(value instanceof Date ? value : scalarText(value));
    case 'int':
      return neo4j.int(Number(value));
    case 'float':
      return Number(value);
    default:
      return value;
  }
}
