/**
 * Pure validation of write inputs against the model. Returns problems with the path of the
 * offending argument; the API layer turns them into BAD_USER_INPUT errors.
 */
import {
  RELATIONSHIPS,
  markingsVisibleTo,
  propertySpec,
  type Classification,
  type Label,
  type PropertySpec,
  type RelationshipSpec,
  type RelationshipType,
} from './model';
import { scalarText } from './text';

export interface Problem {
  path: (string | number)[];
  message: string;
}

// eslint-disable-next-line no-control-regex -- ids must not contain control characters
const ID_RE = /^[^\s\u0000-\u001f]{1,500}$/;

/**
 * Longest string (in UTF-16 code units, JavaScript's `length`) accepted in a property that has a
 * range index (src/store/migrations.ts). Neo4j refuses an index key over about 8 KB (8167 bytes),
 * and a code unit is at most 3 bytes of UTF-8, so 2048 characters stay under it (at most 6144 bytes)
 * whatever the script.
 */
export const INDEXED_STRING_MAX_CHARS = 2048;

/** Longest free-text string (description, statement, scope, ...) and provenance string accepted. */
export const TEXT_MAX_CHARS = 65536;

/** Most elements in a string-list property (platforms, tactics). */
export const LIST_MAX_ITEMS = 1000;

/** String properties of nodes that carry a range index; a unit test compares this with the migrations. */
export const INDEXED_STRING_PROPERTIES: ReadonlySet<string> = new Set(['name', 'purl', 'cpe', 'externalId', 'controlId', 'framework']);

/**
 * GraphQL's Date/DateTime scalars hand resolvers JS Date objects: turn them back into the
 * model's representation ('YYYY-MM-DD' for dates, ISO-8601 for datetimes) before validation.
 */
export function normalizeTemporal(label: Label, props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) {
    const spec = propertySpec(label, key);
    if (value instanceof Date && spec?.type === 'date') out[key] = value.toISOString().slice(0, 10);
    else if (value instanceof Date && spec?.type === 'datetime') out[key] = value.toISOString();
    else out[key] = value;
  }
  return out;
}

/** Most characters of a caller's input repeated in an error message. */
export const ECHO_MAX_CHARS = 100;

/**
 * A caller's value as quoted in an error message: JSON-quoted, cut to ECHO_MAX_CHARS characters
 * with '…' and the full length when longer, so a 100,000-character id or cursor is not sent back.
 */
export function echoInput(value: string): string {
  if (value.length <= ECHO_MAX_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, ECHO_MAX_CHARS)).slice(0, -1)}…" (${value.length} characters)`;
}

/** Provenance given with a write: short strings, like the indexed properties. */
export function validateProvenance(
  provenance: { source?: string | null; sourceRef?: string | null } | null | undefined,
  basePath: (string | number)[],
): Problem[] {
  const problems: Problem[] = [];
  for (const key of ['source', 'sourceRef'] as const) {
    const value = provenance?.[key];
    if (typeof value === 'string' && value.length > INDEXED_STRING_MAX_CHARS)
      problems.push({ path: [...basePath, key], message: `must be at most ${INDEXED_STRING_MAX_CHARS} characters (got ${value.length})` });
  }
  return problems;
}

/**
 * Ids taken from an import document (STIX ids, bom-refs, CVE ids, OSCAL uuids): not empty and,
 * as they are indexed by the uniqueness constraint, at most INDEXED_STRING_MAX_CHARS characters.
 */
export function validateImportId(id: string, path: (string | number)[]): Problem[] {
  if (id.trim() === '') return [{ path, message: 'must not be empty' }];
  return id.length > INDEXED_STRING_MAX_CHARS
    ? [{ path, message: `must be at most ${INDEXED_STRING_MAX_CHARS} characters (got ${id.length}); it is indexed, and Neo4j refuses index keys over 8 KB` }]
    : [];
}

export function validateId(id: string, path: (string | number)[]): Problem[] {
  return ID_RE.test(id) ? [] : [{ path, message: 'must be 1..500 characters without spaces or control characters' }];
}

/** A string over `max` characters, or undefined. Names the limit and why it exists. */
function tooLong(value: string, max: number, indexed: boolean): string | undefined {
  if (value.length <= max) return undefined;
  return `must be at most ${max} characters (got ${value.length})${indexed ? '; it is indexed, and Neo4j refuses index keys over 8 KB' : ''}`;
}

/** Length limits of a string or string-list property value (indexed properties have the lower one). */
export function checkLength(value: unknown, indexed: boolean, path: (string | number)[]): Problem[] {
  const max = indexed ? INDEXED_STRING_MAX_CHARS : TEXT_MAX_CHARS;
  if (typeof value === 'string') {
    const message = tooLong(value, max, indexed);
    return message ? [{ path, message }] : [];
  }
  if (Array.isArray(value)) {
    if (value.length > LIST_MAX_ITEMS) return [{ path, message: `must have at most ${LIST_MAX_ITEMS} items (got ${value.length})` }];
    for (const [i, item] of value.entries()) {
      const message = typeof item === 'string' ? tooLong(item, max, indexed) : undefined;
      if (message) return [{ path: [...path, i], message }];
    }
  }
  return [];
}

function checkValue(spec: PropertySpec, value: unknown, path: (string | number)[], indexed = false): Problem[] {
  if (value === null || value === undefined) return [];
  const length = checkLength(value, indexed, path);
  if (length.length > 0) return length;
  if ((spec.type === 'float' || spec.type === 'int') && typeof value === 'number') {
    if (!Number.isFinite(value)) return [{ path, message: 'must be a finite number' }];
    if (spec.type === 'int' && !Number.isInteger(value)) return [{ path, message: 'must be an integer' }];
    if (spec.min !== undefined && value < spec.min) return [{ path, message: `must be at least ${spec.min} (got ${value})` }];
    if (spec.max !== undefined && value > spec.max) return [{ path, message: `must be at most ${spec.max} (got ${value})` }];
  }
  if (spec.type === 'date' && (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))) {
    return [{ path, message: 'must be a date YYYY-MM-DD' }];
  }
  if (spec.enum && typeof value === 'string' && !spec.enum.includes(value)) {
    return [{ path, message: `must be one of ${spec.enum.join(', ')} (got ${echoInput(value)})` }];
  }
  return [];
}

/** Date pairs that must be ordered, per label. */
const ORDERED_DATES: Partial<Record<Label, [string, string][]>> = {
  Certification: [['issuedAt', 'validUntil']],
  Component: [['releasedAt', 'supportEndsAt']],
};

/**
 * Validates a node upsert: non-empty name, values in range, dates in order, a marking the
 * writer may assign. `existing` holds the stored values (to check dates given one at a time).
 */
export function validateNodeInput(
  label: Label,
  props: Record<string, unknown>,
  writerClearance: Classification,
  existing: Record<string, unknown> = {},
  basePath: (string | number)[] = ['input'],
): Problem[] {
  const problems: Problem[] = [];
  if ('name' in props && (typeof props.name !== 'string' || props.name.trim() === ''))
    problems.push({ path: [...basePath, 'name'], message: 'must not be empty' });
  for (const [key, value] of Object.entries(props)) {
    const spec = propertySpec(label, key);
    if (!spec) {
      problems.push({ path: [...basePath, key], message: `is not a property of ${label}` });
      continue;
    }
    problems.push(...checkValue(spec, value, [...basePath, key], INDEXED_STRING_PROPERTIES.has(key)));
  }
  const marking = props.classification;
  if (typeof marking === 'string' && !(markingsVisibleTo(writerClearance) as string[]).includes(marking)) {
    problems.push({ path: [...basePath, 'classification'], message: `cannot be above your clearance (${writerClearance})` });
  }
  for (const [startKey, endKey] of ORDERED_DATES[label] ?? []) {
    const start = startKey in props ? props[startKey] : existing[startKey];
    const end = endKey in props ? props[endKey] : existing[endKey];
    if (typeof start === 'string' && typeof end === 'string' && end < start) {
      problems.push({ path: [...basePath, endKey in props ? endKey : startKey], message: `${endKey} (${end}) is before ${startKey} (${start})` });
    }
  }
  return problems;
}

/** Validates relationship properties against the relationship type. */
export function validateRelationshipProperties(
  type: RelationshipType,
  props: Record<string, unknown>,
  writerClearance: Classification,
  basePath: (string | number)[],
): Problem[] {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'classification') {
      if (!(markingsVisibleTo(writerClearance) as string[]).includes(scalarText(value)))
        problems.push({ path: [...basePath, key], message: `cannot be above your clearance (${writerClearance})` });
      continue;
    }
    const p = spec.properties[key];
    if (!p) {
      const allowed = Object.keys(spec.properties);
      problems.push({
        path: [...basePath, key],
        message: `does not apply to ${type}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it takes no properties)'}`,
      });
      continue;
    }
    problems.push(...checkValue(p, value, [...basePath, key]));
  }
  return problems;
}

export function describeEnds(type: RelationshipType): string {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  return `${type} goes from ${spec.from.join('|')} to ${spec.to.join('|')}`;
}
