/**
 * Pure parts of the client-error rules: length limits of indexed properties match the range
 * indexes the migrations create, echoed input is capped, and production messages lose their
 * "Did you mean" suggestions without leaving a stray " ?".
 */
import { capEchoes, stripSuggestions } from '../../src/graphql/errors';
import {
  INDEXED_STRING_MAX_CHARS,
  INDEXED_STRING_PROPERTIES,
  TEXT_MAX_CHARS,
  echoInput,
  validateImportId,
  validateNodeInput,
} from '../../src/domain/validation';
import { NODE_PROPERTIES, COMMON_NODE_PROPERTIES } from '../../src/domain/model';
import { migrationStatements } from '../../src/store/migrations';

describe('length limits', () => {
  it('every string property with a range index (migrations) has the indexed limit, and no other', () => {
    const indexed = new Set<string>();
    for (const { cypher } of migrationStatements()) {
      const m = /^CREATE INDEX \S+ IF NOT EXISTS FOR \(n:(\w+)\) ON \(n\.(\w+)\)$/.exec(cypher);
      if (!m) continue;
      const [, label, key] = m;
      const spec = NODE_PROPERTIES[label as keyof typeof NODE_PROPERTIES]?.[key ?? ''] ?? COMMON_NODE_PROPERTIES[key ?? ''];
      if (spec?.type === 'string' && !spec.enum) indexed.add(key ?? '');
    }
    expect([...indexed].sort()).toEqual([...INDEXED_STRING_PROPERTIES].sort());
  });

  it('2048 characters of the widest UTF-8 (3 bytes per code unit) stay under the 8 KB index key limit', () => {
    expect(Buffer.byteLength('\uFFFF'.repeat(INDEXED_STRING_MAX_CHARS), 'utf8')).toBeLessThan(8167);
    expect(Buffer.byteLength('😀'.repeat(INDEXED_STRING_MAX_CHARS / 2), 'utf8')).toBeLessThan(8167);
  });

  it('refuses an indexed string over the limit and free text over its own, naming the field and the limit', () => {
    expect(validateNodeInput('Threat', { externalId: 'x'.repeat(INDEXED_STRING_MAX_CHARS + 1) }, 'SECRET')[0]).toEqual({
      path: ['input', 'externalId'],
      message: expect.stringMatching(/^must be at most 2048 characters \(got 2049\); it is indexed/) as unknown,
    });
    expect(validateNodeInput('Threat', { externalId: 'x'.repeat(INDEXED_STRING_MAX_CHARS) }, 'SECRET')).toEqual([]);
    expect(validateNodeInput('Control', { statement: 's'.repeat(TEXT_MAX_CHARS + 1) }, 'SECRET')[0]?.message).toBe(
      `must be at most ${TEXT_MAX_CHARS} characters (got ${TEXT_MAX_CHARS + 1})`,
    );
    expect(validateNodeInput('Threat', { platforms: ['ok', 'p'.repeat(TEXT_MAX_CHARS + 1)] }, 'SECRET')[0]?.path).toEqual(['input', 'platforms', 1]);
    expect(validateImportId('i'.repeat(INDEXED_STRING_MAX_CHARS + 1), ['id'])).toHaveLength(1);
    expect(validateImportId(' ', ['id'])).toEqual([{ path: ['id'], message: 'must not be empty' }]);
  });
});

describe('echoed input', () => {
  it('quotes short values whole and cuts long ones at 100 characters with their length', () => {
    expect(echoInput('org:x')).toBe('"org:x"');
    const echoed = echoInput('y'.repeat(100_000));
    expect(echoed).toBe(`"${'y'.repeat(100)}…" (100000 characters)`);
  });

  it('capEchoes cuts every quoted value in a GraphQL message', () => {
    const message = `Variable "$first" got invalid value "${'z'.repeat(5000)}"; Int cannot represent non-integer value: "${'z'.repeat(5000)}"`;
    expect(capEchoes(message)).toBe(`Variable "$first" got invalid value "${'z'.repeat(100)}…"; Int cannot represent non-integer value: "${'z'.repeat(100)}…"`);
    expect(capEchoes(echoInput('q'.repeat(500)))).toBe(echoInput('q'.repeat(500)));
  });
});

describe('suggestions in production', () => {
  it.each([
    ['Value "PHON" does not exist in "DeviceCategory" enum. Did you mean the enum value "PHONE"?', 'Value "PHON" does not exist in "DeviceCategory" enum.'],
    ['Cannot query field "devicez" on type "Query". Did you mean "devices" or "device"?', 'Cannot query field "devicez" on type "Query".'],
    ['Cannot query field "devicez" on type "Query". ?', 'Cannot query field "devicez" on type "Query".'],
    [
      'Field "nameContain" is not defined by type "DeviceFilter". Did you mean "nameContains", "nameStartsWith", or "names"?',
      'Field "nameContain" is not defined by type "DeviceFilter".',
    ],
    ['Is this a question? Yes.', 'Is this a question? Yes.'],
  ])('%s', (message, expected) => {
    expect(stripSuggestions(message)).toBe(expected);
  });
});
