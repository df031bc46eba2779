/** The filter compiler's meaning (src/graphql/filters.ts); its Cypher is pinned in cypher-snapshots. */
import { GraphQLError } from 'graphql';
import { LABELS } from '../../src/domain/model';
import { conditionsFor, ORDER_KEYS, orderKey } from '../../src/graphql/filters';

describe('conditionsFor', () => {
  it('turns validUntilWithinDays into a window from today (UTC), and refuses negative or huge windows', () => {
    const today = new Date().toISOString().slice(0, 10);
    const conditions = conditionsFor('Certification', { validUntilWithinDays: 0 });
    expect(conditions).toContainEqual({ op: 'gte', key: 'validUntil', value: today });
    expect(conditions).toContainEqual({ op: 'lte', key: 'validUntil', value: today });
    const in30 = conditionsFor('Certification', { validUntilWithinDays: 30 }).find((c) => c.op === 'lte');
    expect(in30 && 'value' in in30 ? Date.parse(String(in30.value)) - Date.parse(today) : 0).toBe(30 * 86400000);
    expect(() => conditionsFor('Certification', { validUntilWithinDays: -1 })).toThrow(/filter\.validUntilWithinDays: must be 0\.\.36500 days/);
    expect(() => conditionsFor('Certification', { validUntilWithinDays: 40000 })).toThrow(/must be 0\.\.36500 days/);
  });

  it('hides stale nodes by default, and revoked or deprecated threats', () => {
    expect(conditionsFor('Device', undefined)).toEqual([{ op: 'notTrue', key: 'stale' }]);
    expect(conditionsFor('Threat', {})).toEqual([
      { op: 'notTrue', key: 'stale' },
      { op: 'notTrue', key: 'revoked' },
      { op: 'notTrue', key: 'deprecated' },
    ]);
    expect(conditionsFor('Threat', { includeStale: true, includeRevoked: true })).toEqual([]);
    // includeRevoked means nothing outside threats
    expect(conditionsFor('Control', { includeRevoked: false })).toEqual([{ op: 'notTrue', key: 'stale' }]);
  });

  it('maps each kind of filter field to its condition, ignoring empty text and null fields', () => {
    expect(
      conditionsFor('Component', {
        ids: ['a'],
        nameContains: '',
        nameStartsWith: 'Se',
        kinds: ['FIRMWARE'],
        partOf: 'device:x',
        purl: 'pkg:x',
        supportEndsBefore: '2030-01-01',
        suppliedBy: null,
        includeStale: true,
      }),
    ).toEqual([
      { op: 'in', key: 'id', values: ['a'] },
      { op: 'nameStartsWith', value: 'Se' },
      { op: 'in', key: 'kind', values: ['FIRMWARE'] },
      { op: 'related', relationship: 'HAS_COMPONENT', direction: 'in', otherId: 'device:x' },
      { op: 'eq', key: 'purl', value: 'pkg:x' },
      { op: 'lte', key: 'supportEndsAt', value: '2030-01-01' },
    ]);
    expect(conditionsFor('Threat', { platforms: ['iOS'], minSeverity: 7, includeStale: true, includeRevoked: true })).toEqual([
      { op: 'anyIn', key: 'platforms', values: ['iOS'] },
      { op: 'gte', key: 'severity', value: 7 },
    ]);
  });

  it('ignores fields it does not declare: they cannot reach Cypher', () => {
    expect(conditionsFor('Device', { includeStale: true, 'name}) DETACH DELETE n //': 'x', category: 'PHONE' })).toEqual([]);
  });
});

describe('orderKey', () => {
  it('orders by name by default, by id, or by a declared field of the label', () => {
    expect(orderKey('Device', undefined)).toBe('name');
    expect(orderKey('Device', 'NAME')).toBe('name');
    expect(orderKey('Device', 'ID')).toBe('id');
    expect(orderKey('Certification', 'VALID_UNTIL')).toBe('validUntil');
    for (const label of LABELS) for (const [field, key] of Object.entries(ORDER_KEYS[label])) expect(orderKey(label, field)).toBe(key);
  });

  it('refuses an order field of another label with BAD_USER_INPUT', () => {
    let error: unknown;
    try {
      orderKey('Device', 'CVSS');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT', argumentPath: ['orderBy', 'field'] });
  });
});
