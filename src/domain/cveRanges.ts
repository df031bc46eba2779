/**
 * CVE JSON 5 version ranges: parsing the `affected[].versions[]` semantics, comparing versions
 * (`custom` dotted releases, `semver`), deciding a component version's status, the product keys
 * a range is matched on (CPE vendor:product, purl, alias table), and the "fixed in" releases a
 * description names (the imprecision rule, docs/IMPORTERS.md). Pure: no I/O.
 */

export const CVE_STATUSES = ['affected', 'unaffected', 'unknown'] as const;
export type CveStatus = (typeof CVE_STATUSES)[number];

/** Version types whose order this project implements. */
export const COMPARABLE_VERSION_TYPES = ['custom', 'semver'] as const;
export type ComparableVersionType = (typeof COMPARABLE_VERSION_TYPES)[number];
/** Version types the CVE schema names as examples but whose order is not implemented (git hashes, rpm, ...): reported, not matched. */
export const KNOWN_UNSUPPORTED_VERSION_TYPES = ['git', 'maven', 'python', 'rpm'] as const;

/** One `versions[]` entry, normalised: bounds are parsed version strings, `null` = open. */
export interface RangeEntry {
  status: CveStatus;
  /** Lower bound (inclusive); null when `0`, `unspecified`, `*`, `n/a` or empty. For a single version (no upper bound): the version. */
  version: string | null;
  /** Exclusive upper bound as the record states it; null = none. */
  lessThan: string | null;
  /** Inclusive upper bound; null = none. */
  lessThanOrEqual: string | null;
  /** Upper bound (exclusive) actually used: the description's "fixed in" release when it contradicts a narrower `lessThan`. */
  widenedLessThan?: string;
  /** The description fragment that widened it, e.g. `iOS 16.6.1`. */
  widenedBy?: string;
  /** True for an open range (`lessThan: "*"`). */
  openEnded?: boolean;
  changes: { at: string; status: CveStatus }[];
}

/** The ranges of one `affected[]` entry, as stored on the Vulnerability (JSON in `cveRanges`). */
export interface StoredRange {
  /** Canonical product keys it applies to: `cpe:o:apple:iphone_os`, `purl:pkg:npm/lodash`. */
  keys: string[];
  /** How the keys were found: `cpe` (the entry's own CPEs), `purl` (packageURL), `alias` (vendor/product through the alias table), `name` (vendor/product as a CPE vendor:product). */
  method: 'cpe' | 'purl' | 'alias' | 'name';
  /** `cna` or `cisa-adp`. */
  container: string;
  /** Place in the record, e.g. `containers.adp[0].affected[3]`. */
  where: string;
  versionType: ComparableVersionType;
  defaultStatus: CveStatus;
  entries: RangeEntry[];
  /** Why this range is imprecise (the record is listed as imprecise), when it is. */
  imprecise?: string;
}

// ---------------------------------------------------------------- versions

const OPEN_LOWER = new Set(['0', 'unspecified', '*', 'n/a', '-', '']);

/** Parses a custom dotted version: `16.7.6`, also `iOS 12.4.7` (one dotted number in words). Undefined when it is not one. */
export function parseCustom(value: string): number[] | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)*$/.test(trimmed)) return trimmed.split('.').map(Number);
  // "iOS 12.4.7", "iTunes 12.9.4 for Windows", "iOS 13.5 and iPadOS 13.5": words around one distinct number.
  const numbers = new Set(trimmed.match(/\d+(?:\.\d+)*/g) ?? []);
  if (numbers.size === 1 && /^[A-Za-z]/.test(trimmed) && !/[^A-Za-z0-9. ]/.test(trimmed)) return ([...numbers][0] as string).split('.').map(Number);
  return undefined;
}

interface Semver {
  core: number[];
  pre: string[];
}

export function parseSemver(value: string): Semver | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(value.trim());
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre: m[4] ? m[4].split('.') : [] };
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

function compareSemver(a: Semver, b: Semver): number {
  const core = compareNumbers(a.core, b.core);
  if (core !== 0) return core;
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i += 1) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Whether a version string can be ordered under the version type. */
export function isComparable(value: string, type: ComparableVersionType): boolean {
  return type === 'semver' ? parseSemver(value) !== undefined : parseCustom(value) !== undefined;
}

/** Orders two versions under the version type; undefined when either cannot be parsed. */
export function compareCveVersions(a: string, b: string, type: ComparableVersionType): number | undefined {
  if (type === 'semver') {
    const x = parseSemver(a);
    const y = parseSemver(b);
    return x && y ? compareSemver(x, y) : undefined;
  }
  const x = parseCustom(a);
  const y = parseCustom(b);
  return x && y ? compareNumbers(x, y) : undefined;
}

/** `1.*` -> `2`, `17.4.*` -> `17.5`: the least version above a wildcard branch. */
export function wildcardUpper(value: string): string | undefined {
  const m = /^(\d+(?:\.\d+)*)\.\*$/.exec(value.trim());
  if (!m) return undefined;
  const parts = (m[1] as string).split('.').map(Number);
  parts[parts.length - 1] = (parts[parts.length - 1] as number) + 1;
  return parts.join('.');
}

/** The normalised lower bound: null when open (`0`, `unspecified`, ...). */
export function lowerBound(version: string): string | null {
  return OPEN_LOWER.has(version.trim().toLowerCase()) ? null : version.trim();
}

// ---------------------------------------------------------------- status of a version

/** Exclusive upper bound used for matching (the widened one when present). */
export function effectiveLessThan(entry: RangeEntry): string | null {
  return entry.widenedLessThan ?? entry.lessThan;
}

function isRange(entry: RangeEntry): boolean {
  return entry.lessThan !== null || entry.lessThanOrEqual !== null || entry.openEnded === true;
}

/**
 * The status of `version` under one product's ranges, by the CVE schema's algorithm (first
 * matching entry wins; `changes` refine a range; otherwise `defaultStatus`), with the widened
 * upper bounds. Undefined when the version cannot be ordered under the range's type.
 */
export function statusOf(
  version: string,
  range: Pick<StoredRange, 'versionType' | 'defaultStatus' | 'entries'>,
): { status: CveStatus; entry?: RangeEntry } | undefined {
  const type = range.versionType;
  if (!isComparable(version, type)) return undefined;
  const cmp = (a: string, b: string) => compareCveVersions(a, b, type) ?? Number.NaN;
  for (const entry of range.entries) {
    if (!isRange(entry)) {
      if (entry.version !== null && cmp(version, entry.version) === 0) return { status: entry.status, entry };
      continue;
    }
    if (entry.version !== null && !(cmp(entry.version, version) <= 0)) continue;
    const upper = effectiveLessThan(entry);
    if (upper !== null && !(cmp(version, upper) < 0)) continue;
    if (upper === null && entry.lessThanOrEqual !== null && !(cmp(version, entry.lessThanOrEqual) <= 0)) continue;
    let status = entry.status;
    const changes = [...entry.changes].sort((x, y) => cmp(x.at, y.at));
    for (const change of changes) if (cmp(change.at, version) <= 0) status = change.status;
    return { status, entry };
  }
  return { status: range.defaultStatus };
}

/** Short text of an entry, e.g. `>= 17.0, < 17.4`; a widened one shows both: `< 16.6.1 (record: < 16.6)`. */
export function describeEntry(entry: RangeEntry): string {
  const parts: string[] = [];
  if (!isRange(entry)) return entry.version === null ? 'any version' : `= ${entry.version}`;
  if (entry.version !== null) parts.push(`>= ${entry.version}`);
  if (entry.widenedLessThan) parts.push(`< ${entry.widenedLessThan} (record: < ${entry.lessThan ?? '?'})`);
  else if (entry.lessThan !== null) parts.push(`< ${entry.lessThan}`);
  else if (entry.lessThanOrEqual !== null) parts.push(`<= ${entry.lessThanOrEqual}`);
  return parts.length > 0 ? parts.join(', ') : 'any version';
}

// ---------------------------------------------------------------- product keys

/**
 * CPE vendor:product spellings that name the same product in different sources: the CISA ADP
 * writes `apple:ipad_os`, NVD and this project's components `apple:ipados`.
 */
export const CPE_PRODUCT_ALIASES: Record<string, string> = {
  'apple:ipad_os': 'apple:ipados',
};

/**
 * CNA vendor/product names (lower case, whitespace collapsed) -> CPE `part:vendor:product` keys.
 * Apple's CNA names "iOS and iPadOS" as one product; the CPE dictionary has two.
 */
export const PRODUCT_ALIASES: Record<string, string[]> = {
  'apple|ios and ipados': ['o:apple:iphone_os', 'o:apple:ipados'],
  'apple|ios': ['o:apple:iphone_os'],
  'apple|ios-1': ['o:apple:iphone_os'],
  'apple|ipados': ['o:apple:ipados'],
  'apple|macos': ['o:apple:macos'],
  'apple|tvos': ['o:apple:tvos'],
  'apple|watchos': ['o:apple:watchos'],
  'apple|watchos-1': ['o:apple:watchos'],
  'apple|visionos': ['o:apple:visionos'],
  'apple|safari': ['a:apple:safari'],
  'apple|itunes for windows': ['a:apple:itunes'],
  'apple|icloud for windows': ['a:apple:icloud'],
};

/** Vendor/product values that name nothing (`n/a`). */
export function isPlaceholderName(value: string): boolean {
  return ['n/a', 'na', '-', 'unknown', 'unspecified'].includes(value.trim().toLowerCase());
}

/** `cpe:2.3:o:apple:ipad_os:17.0:*...` -> `cpe:o:apple:ipados` (canonical), or undefined for a malformed CPE. */
export function cpeKey(cpe: string): string | undefined {
  const parts = cpe.split(':');
  if (parts[0] !== 'cpe' || parts[1] !== '2.3' || parts.length < 6) return undefined;
  const [part, vendor, product] = [parts[2], parts[3], parts[4]] as [string, string, string];
  if (!/^[aho]$/.test(part) || vendor === '*' || product === '*' || vendor === '' || product === '') return undefined;
  const vp = `${vendor.toLowerCase()}:${product.toLowerCase()}`;
  return `cpe:${part}:${CPE_PRODUCT_ALIASES[vp] ?? vp}`;
}

/** The version field of a CPE 2.3 name, unless `*` or `-`. */
export function cpeVersion(cpe: string): string | undefined {
  const v = cpe.split(':')[5];
  return v && v !== '*' && v !== '-' ? v : undefined;
}

/** Every `cpe:2.3:<part>:<vendor>:<product>:` prefix a canonical key stands for (the key itself and its aliases). */
export function cpePrefixes(key: string): string[] {
  const m = /^cpe:([aho]):([^:]+:[^:]+)$/.exec(key);
  if (!m) return [];
  const [, part, vp] = m as unknown as [string, string, string];
  const spellings = [
    vp,
    ...Object.entries(CPE_PRODUCT_ALIASES)
      .filter(([, to]) => to === vp)
      .map(([from]) => from),
  ];
  return spellings.map((s) => `cpe:2.3:${part}:${s}:`);
}

/** `pkg:npm/%40scope/name@1.2.3?x=y#z` -> `purl:pkg:npm/%40scope/name` (no version, qualifiers or subpath; case kept). */
export function purlKey(purl: string): string | undefined {
  if (!purl.startsWith('pkg:')) return undefined;
  const base = purl.split('#')[0]?.split('?')[0] ?? '';
  const at = base.lastIndexOf('@');
  const name = at > base.indexOf('/') ? base.slice(0, at) : base;
  return `purl:${name}`;
}

export function purlVersion(purl: string): string | undefined {
  const base = purl.split('#')[0]?.split('?')[0] ?? '';
  const at = base.lastIndexOf('@');
  return at > base.indexOf('/') ? decodeURIComponent(base.slice(at + 1)) : undefined;
}

/** Keys of an affected entry's vendor/product names: the alias table, else `vendor:product` as a CPE name (any part). */
export function nameKeys(vendor: string, product: string): { keys: string[]; method: 'alias' | 'name' } | undefined {
  if (isPlaceholderName(vendor) || isPlaceholderName(product)) return undefined;
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  const alias = PRODUCT_ALIASES[`${norm(vendor)}|${norm(product)}`];
  if (alias) return { keys: alias.map((k) => canonical(`cpe:${k}`)), method: 'alias' };
  const cpeName = (s: string) => norm(s).replace(/ /g, '_');
  const vp = `${cpeName(vendor)}:${cpeName(product)}`;
  if (!/^[a-z0-9._\-~%]+:[a-z0-9._\-~%]+$/.test(vp)) return undefined;
  return { keys: ['a', 'o', 'h'].map((part) => canonical(`cpe:${part}:${vp}`)), method: 'name' };
}

function canonical(key: string): string {
  const m = /^cpe:([aho]):([^:]+:[^:]+)$/.exec(key);
  if (!m) return key;
  return `cpe:${m[1] as string}:${CPE_PRODUCT_ALIASES[m[2] as string] ?? m[2]}`;
}

/** Canonical keys of a component, from its CPE and purl. */
export function componentKeys(cpe: string | null | undefined, purl: string | null | undefined): string[] {
  const keys: string[] = [];
  const ck = cpe ? cpeKey(cpe) : undefined;
  if (ck) keys.push(ck);
  const pk = purl ? purlKey(purl) : undefined;
  if (pk) keys.push(pk);
  return keys;
}

/** The version a component is compared with: its `version`, else the CPE's, else the purl's. */
export function componentVersion(c: { version?: string | null; cpe?: string | null; purl?: string | null }): string | undefined {
  return c.version ?? (c.cpe ? cpeVersion(c.cpe) : undefined) ?? (c.purl ? purlVersion(c.purl) : undefined);
}

/** `|key1|key2|`: the Vulnerability property the store finds ranges by (a text index serves `CONTAINS '|key|'`). */
export function keysProperty(keys: Iterable<string>): string {
  const list = [...new Set(keys)].sort();
  return list.length === 0 ? '' : `|${list.join('|')}|`;
}

// ---------------------------------------------------------------- "fixed in" from descriptions

/** One "fixed in" release named by a description: product words and version. */
export interface FixedIn {
  product: string;
  version: string;
  text: string;
}

/** `This issue is fixed in iOS 16.6.1 and iPadOS 16.6.1, macOS Monterey 12.6.9.` -> the releases. */
export function fixedInReleases(description: string): FixedIn[] {
  const out: FixedIn[] = [];
  const re = /fixed in ([^.]*(?:\.\d[^.]*)*)\./gi;
  for (const m of description.matchAll(re)) {
    const list = (m[1] as string).split(/,\s*|\s+and\s+/);
    for (const item of list) {
      const r = /^(.*?)\s+v?(\d+(?:\.\d+)+|\d+)\b/.exec(item.trim());
      if (r && r[1]) out.push({ product: r[1].trim(), version: r[2] as string, text: `${r[1].trim()} ${r[2] as string}` });
    }
  }
  return out;
}

/** Product words an affected entry stands for, for matching descriptions: "iOS and iPadOS" -> ["ios", "ipados"]. */
export function productWords(product: string): string[] {
  return product
    .split(/\s+and\s+|,\s*|-\d+$/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/**
 * The imprecision rule: a `lessThan` L contradicted by a "fixed in" release F of the same
 * product that lies above it on the same line (L's segments are a prefix of F's, e.g. 16.6 and
 * 16.6.1, or 17.7 and 17.7.5). Returns the release to widen to, when there is one.
 */
export function contradictingFix(lessThan: string, productNames: string[], fixes: FixedIn[]): FixedIn | undefined {
  const l = parseCustom(lessThan);
  if (!l) return undefined;
  let best: FixedIn | undefined;
  for (const fix of fixes) {
    const words = fix.product.toLowerCase();
    if (!productNames.some((p) => words === p || words.startsWith(`${p} `))) continue;
    const f = parseCustom(fix.version);
    if (!f || f.length <= l.length) continue;
    if (!l.every((n, i) => f[i] === n)) continue;
    if (compareNumbers(f, l) <= 0) continue;
    if (!best || compareNumbers(f, parseCustom(best.version) ?? []) > 0) best = fix;
  }
  return best;
}
