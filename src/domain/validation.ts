/**
 * Pure validation of write inputs against the model. Returns problems with the path of the
 * offending argument; the API layer turns them into BAD_USER_INPUT errors.
 */
import { RELATIONSHIPS, markingsVisibleTo, propertySpec, type Classification, type Label, type PropertySpec, type RelationshipSpec, type RelationshipType } from './model';

export interface Problem {
  path: (string | number)[];
  message: string;
}

const ID_RE = /^[^\s\u0000-\u001f]{1,500}$/;

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

export function validateId(id: string, path: (string | number)[]): Problem[] {
  return ID_RE.test(id) ? [] : [{ path, message: 'must be 1..500 characters without spaces or control characters' }];
}

function checkValue(spec: PropertySpec, value: unknown, path: (string | number)[]): Problem[] {
  if (value === null || value === undefined) return [];
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
    return [{ path, message: `must be one of ${spec.enum.join(', ')} (got ${value})` }];
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
  if ('name' in props && (typeof props.name !== 'string' || props.name.trim() === '')) problems.push({ path: [...basePath, 'name'], message: 'must not be empty' });
  for (const [key, value] of Object.entries(props)) {
    const spec = propertySpec(label, key);
    if (!spec) {
      problems.push({ path: [...basePath, key], message: `is not a property of ${label}` });
      continue;
    }
    problems.push(...checkValue(spec, value, [...basePath, key]));
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
export function validateRelationshipProperties(type: RelationshipType, props: Record<string, unknown>, writerClearance: Classification, basePath: (string | number)[]): Problem[] {
  const spec: RelationshipSpec = RELATIONSHIPS[type];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'classification') {
      if (!(markingsVisibleTo(writerClearance) as string[]).includes(String(value))) problems.push({ path: [...basePath, key], message: `cannot be above your clearance (${writerClearance})` });
      continue;
    }
    const p = spec.properties[key];
    if (!p) {
      const allowed = Object.keys(spec.properties);
      problems.push({ path: [...basePath, key], message: `does not apply to ${type}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it takes no properties)'}` });
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
