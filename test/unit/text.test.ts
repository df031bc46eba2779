import { scalarText } from '../../src/domain/text';

describe('scalarText', () => {
  it('prints scalars, drops null and undefined, and writes objects as JSON', () => {
    expect(scalarText('17.1')).toBe('17.1');
    expect(scalarText(17.1)).toBe('17.1');
    expect(scalarText(false)).toBe('false');
    expect(scalarText(12n)).toBe('12');
    expect(scalarText(null)).toBe('');
    expect(scalarText(undefined)).toBe('');
    expect(scalarText({ a: 1 })).toBe('{"a":1}');
    expect(scalarText(['x'])).toBe('["x"]');
  });
});
