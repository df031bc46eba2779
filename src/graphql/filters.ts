/**
 * Filter inputs of the list queries, declared as data: each GraphQL filter field becomes a
 * store Condition on a model property or a relationship. Unknown fields cannot reach Cypher.
 */
import type { Label, RelationshipType } from '../domain/model';
import type { Condition } from '../store/filters';
import { badInput } from './errors';
import { scalarText } from '../domain/text';

type FilterRule =
  | { kind: 'in'; key: string }
  | { kind: 'anyIn'; key: string }
  | { kind: 'eq'; key: string }
  | { kind: 'gte' | 'lte'; key: string }
  /** A date property between today (UTC) and today plus the given number of days. */
  | { kind: 'withinDays'; key: string }
  | { kind: 'related'; relationship: RelationshipType; direction: 'out' | 'in' };

/** Largest `…WithinDays` window, 100 years. */
const MAX_WITHIN_DAYS = 36500;

const rel = (relationship: RelationshipType, direction: 'out' | 'in'): FilterRule => ({ kind: 'related', relationship, direction });

export const FILTER_RULES: Record<Label, Record<string, FilterRule>> = {
  Organization: { kinds: { kind: 'in', key: 'kind' }, countries: { kind: 'in', key: 'country' } },
  Device: {
    categories: { kind: 'in', key: 'category' },
    madeBy: rel('MAKES', 'in'),
    certifiedBy: rel('CERTIFIES', 'in'),
    releasedAfter: { kind: 'gte', key: 'releasedAt' },
    releasedBefore: { kind: 'lte', key: 'releasedAt' },
  },
  Component: {
    kinds: { kind: 'in', key: 'kind' },
    partOf: rel('HAS_COMPONENT', 'in'),
    suppliedBy: rel('SUPPLIED_BY', 'out'),
    affectedBy: rel('AFFECTS', 'in'),
    targetedBy: rel('TARGETS', 'in'),
    purl: { kind: 'eq', key: 'purl' },
    supportEndsAfter: { kind: 'gte', key: 'supportEndsAt' },
    supportEndsBefore: { kind: 'lte', key: 'supportEndsAt' },
  },
  Control: {
    frameworks: { kind: 'in', key: 'framework' },
    families: { kind: 'in', key: 'family' },
    controlIds: { kind: 'in', key: 'controlId' },
    withdrawn: { kind: 'eq', key: 'withdrawn' },
    implementedBy: rel('IMPLEMENTS', 'in'),
    mitigates: rel('MITIGATES', 'out'),
    requiredBy: rel('REQUIRES', 'in'),
  },
  Certification: {
    kinds: { kind: 'in', key: 'kind' },
    statuses: { kind: 'in', key: 'status' },
    issuedBy: rel('ISSUED_BY', 'out'),
    evaluatedBy: rel('EVALUATED_BY', 'out'),
    certifies: rel('CERTIFIES', 'out'),
    issuedAfter: { kind: 'gte', key: 'issuedAt' },
    issuedBefore: { kind: 'lte', key: 'issuedAt' },
    validUntilAfter: { kind: 'gte', key: 'validUntil' },
    validUntilBefore: { kind: 'lte', key: 'validUntil' },
    validUntilWithinDays: { kind: 'withinDays', key: 'validUntil' },
  },
  Standard: { publishers: { kind: 'in', key: 'publisher' } },
  Threat: {
    kinds: { kind: 'in', key: 'kind' },
    externalIds: { kind: 'in', key: 'externalId' },
    platforms: { kind: 'anyIn', key: 'platforms' },
    targets: rel('TARGETS', 'out'),
    mitigatedBy: rel('MITIGATES', 'in'),
    minSeverity: { kind: 'gte', key: 'severity' },
  },
  Vulnerability: {
    knownExploited: { kind: 'eq', key: 'knownExploited' },
    affects: rel('AFFECTS', 'out'),
    minCvss: { kind: 'gte', key: 'cvss' },
    publishedAfter: { kind: 'gte', key: 'publishedAt' },
    publishedBefore: { kind: 'lte', key: 'publishedAt' },
  },
  Deployment: {
    operatedBy: rel('OPERATES', 'in'),
    ofDevice: rel('OF', 'out'),
    environments: { kind: 'in', key: 'environment' },
  },
};

export const ORDER_KEYS: Record<Label, Record<string, string>> = {
  Organization: { KIND: 'kind' },
  Device: { RELEASED_AT: 'releasedAt', CATEGORY: 'category' },
  Component: { KIND: 'kind', VERSION: 'version', SUPPORT_ENDS_AT: 'supportEndsAt', RELEASED_AT: 'releasedAt' },
  Control: { FRAMEWORK: 'framework', CONTROL_ID: 'controlId' },
  Certification: { ISSUED_AT: 'issuedAt', VALID_UNTIL: 'validUntil', STATUS: 'status' },
  Standard: { PUBLISHER: 'publisher' },
  Threat: { SEVERITY: 'severity', LIKELIHOOD: 'likelihood', EXTERNAL_ID: 'externalId' },
  Vulnerability: { CVSS: 'cvss', PUBLISHED_AT: 'publishedAt' },
  Deployment: { DEVICE_COUNT: 'deviceCount' },
};

export function orderKey(label: Label, field: string | undefined | null): string {
  if (!field || field === 'NAME') return 'name';
  if (field === 'ID') return 'id';
  const key = ORDER_KEYS[label][field];
  if (!key) throw badInput(`Unknown order field ${field}`, ['orderBy', 'field']);
  return key;
}

/** Filter input -> store conditions. */
export function conditionsFor(label: Label, filter: Record<string, unknown> | null | undefined): Condition[] {
  const conditions: Condition[] = [];
  const f = filter ?? {};
  if (Array.isArray(f.ids)) conditions.push({ op: 'in', key: 'id', values: f.ids });
  if (typeof f.nameContains === 'string' && f.nameContains !== '') conditions.push({ op: 'nameContains', value: f.nameContains });
  if (typeof f.nameStartsWith === 'string' && f.nameStartsWith !== '') conditions.push({ op: 'nameStartsWith', value: f.nameStartsWith });
  if (Array.isArray(f.classifications)) conditions.push({ op: 'in', key: 'classification', values: f.classifications });
  if (f.includeStale !== true) conditions.push({ op: 'notTrue', key: 'stale' });
  if (label === 'Threat' && f.includeRevoked !== true) {
    conditions.push({ op: 'notTrue', key: 'revoked' });
    conditions.push({ op: 'notTrue', key: 'deprecated' });
  }
  for (const [field, rule] of Object.entries(FILTER_RULES[label])) {
    const value = f[field];
    if (value === undefined || value === null) continue;
    switch (rule.kind) {
      case 'in':
      case 'anyIn':
        conditions.push({ op: rule.kind, key: rule.key, values: value as unknown[] });
        break;
      case 'eq':
      case 'gte':
      case 'lte':
        conditions.push({ op: rule.kind, key: rule.key, value });
        break;
      case 'related':
        conditions.push({ op: 'related', relationship: rule.relationship, direction: rule.direction, otherId: scalarText(value) });
        break;
      case 'withinDays': {
        const days = typeof value === 'number' ? value : Number.NaN;
        if (!Number.isInteger(days) || days < 0 || days > MAX_WITHIN_DAYS)
          throw badInput(`filter.${field}: must be 0..${MAX_WITHIN_DAYS} days`, ['filter', field]);
        const today = new Date();
        const day = (offset: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset)).toISOString().slice(0, 10);
        conditions.push({ op: 'gte', key: rule.key, value: day(0) }, { op: 'lte', key: rule.key, value: day(days) });
        break;
      }
    }
  }
  return conditions;
}
