/**
 * OS release versions as dotted numbers ("17.4" < "17.10" < "18"), and certified scope ranges.
 * Pure: no I/O.
 */

/** The numeric segments of the first dotted number in a version string, or undefined. */
export function parseVersion(value: string | null | undefined): number[] | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /\d+(?:\.\d+)*/.exec(value);
  if (!match) return undefined;
  return match[0].split('.').map(Number);
}

/** Compares dotted versions segment by segment, missing segments counting as 0 ("17" = "17.0"). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

export type RangePosition = 'IN_RANGE' | 'BELOW_RANGE' | 'ABOVE_RANGE' | 'UNKNOWN_VERSION';

/**
 * Where a version falls against an inclusive range. The upper bound is a prefix: "17" covers
 * every 17.x and "17.4" covers 17.4.x, so the version is cut to the bound's number of segments
 * before comparing. A missing bound is open. An unparseable version is UNKNOWN_VERSION; an
 * unparseable bound is treated as open (it cannot exclude anything).
 */
export function versionInRange(version: string | null | undefined, min: string | null | undefined, max: string | null | undefined): RangePosition {
  const v = parseVersion(version);
  if (!v) return 'UNKNOWN_VERSION';
  const lo = parseVersion(min);
  if (lo && compareVersions(v, lo) < 0) return 'BELOW_RANGE';
  const hi = parseVersion(max);
  if (hi && compareVersions(v.slice(0, hi.length), hi) > 0) return 'ABOVE_RANGE';
  return 'IN_RANGE';
}

/** Human-readable range, e.g. "17.0 to 17.x", "from 16.4", "up to 17". */
export function describeRange(min: string | null | undefined, max: string | null | undefined): string {
  const lo = parseVersion(min);
  const hi = parseVersion(max);
  if (lo && hi) return `${lo.join('.')} to ${hi.join('.')}.x`;
  if (lo) return `${lo.join('.')} or later`;
  if (hi) return `up to ${hi.join('.')}.x`;
  return 'any version';
}
