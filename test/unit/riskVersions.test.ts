import { compareVersions, describeRange, parseVersion, versionInRange } from '../../src/domain/versions';

describe('OS versions and scope ranges', () => {
  it('compares numerically segment by segment: 17.4 < 17.10 < 18, 17 = 17.0', () => {
    const v = (s: string) => parseVersion(s) ?? [];
    expect(compareVersions(v('17.4'), v('17.10'))).toBe(-1);
    expect(compareVersions(v('17.10'), v('18'))).toBe(-1);
    expect(compareVersions(v('17'), v('17.0'))).toBe(0);
    expect(compareVersions(v('17.4.1'), v('17.4'))).toBe(1);
  });

  it('parses the first dotted number and rejects strings without one', () => {
    expect(parseVersion('iOS 17.4.1 (21E236)')).toEqual([17, 4, 1]);
    expect(parseVersion('unknown')).toBeUndefined();
    expect(parseVersion(null)).toBeUndefined();
  });

  it('treats the upper bound as a prefix: 17 covers 17.x, 17.4 covers 17.4.x', () => {
    expect(versionInRange('17.7.2', '17.0', '17')).toBe('IN_RANGE');
    expect(versionInRange('18.0', '17.0', '17')).toBe('ABOVE_RANGE');
    expect(versionInRange('17.4.1', null, '17.4')).toBe('IN_RANGE');
    expect(versionInRange('17.5', null, '17.4')).toBe('ABOVE_RANGE');
    expect(versionInRange('17.10', '17.4', '17.10')).toBe('IN_RANGE');
    expect(versionInRange('17.11', '17.4', '17.10')).toBe('ABOVE_RANGE');
  });

  it('checks the lower bound inclusively, just inside and just outside', () => {
    expect(versionInRange('17.4', '17.4', null)).toBe('IN_RANGE');
    expect(versionInRange('17.3.9', '17.4', null)).toBe('BELOW_RANGE');
    expect(versionInRange('17.10', '17.9', null)).toBe('IN_RANGE');
  });

  it('reports an unknown version and treats missing bounds as open', () => {
    expect(versionInRange(null, '17', '18')).toBe('UNKNOWN_VERSION');
    expect(versionInRange('1.0', null, null)).toBe('IN_RANGE');
    expect(describeRange('17.0', '17')).toBe('17.0 to 17.x');
    expect(describeRange(null, null)).toBe('any version');
  });
});
