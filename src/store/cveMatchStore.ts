/**
 * Maintained matching of CVE ranges to components: the parsed ranges live on the Vulnerability
 * (`cveRanges`, JSON; `cveProducts`, the text-indexed `|key|` list), so matching runs both when
 * CVE records are imported (their vulnerabilities against the components they name) and when
 * components are imported or seeded (the stored ranges naming their CPE or purl). Lookups are
 * indexed: components by `cpe`/`purl` prefix (range indexes), vulnerabilities by
 * `cveProducts CONTAINS '|key|'` (text index). Versions are compared in JavaScript
 * (src/domain/cveRanges.ts). Runs inside the caller's transaction, seeing only what the caller's
 * markings allow; AFFECTS edges are merged with the importers' visible-merge rule and an edge an
 * earlier matching wrote that no longer matches is marked stale (kept).
 */
import {
  componentKeys,
  componentVersion,
  compareCveVersions,
  cpePrefixes,
  describeEntry,
  effectiveLessThan,
  statusOf,
  type StoredRange,
} from '../domain/cveRanges';
import type { Classification } from '../domain/model';
import type { Tx } from './database';
import type { ProvenanceStamp, WriteCounts } from './bulkWrites';
import { mergeVisibleRelationships } from './batchWriter';

export interface MatchResult extends WriteCounts {
  /** Earlier matches that no longer hold, marked stale. */
  stale: number;
  /** Vulnerabilities of the requested ids whose ranges matched no component. */
  noComponentMatched: string[];
  /** Vulnerabilities evaluated. */
  evaluated: number;
}

/** Provenance of matched AFFECTS edges: per row `cve-match:<CVE id>`. */
export const MATCH_SOURCE = 'cve';

interface Vuln {
  id: string;
  ranges: StoredRange[];
}

interface Comp {
  id: string;
  cpe: string | null;
  purl: string | null;
  version: string | null;
  keys: string[];
}

function parseRanges(id: string, json: unknown): StoredRange[] {
  if (typeof json !== 'string') return [];
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? (value as StoredRange[]) : [];
  } catch {
    throw new Error(`Vulnerability ${id}: cveRanges is not valid JSON`);
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Re-evaluates the matches of the given vulnerabilities and of the vulnerabilities whose ranges
 * name the given components' products, and writes the difference.
 */
export async function matchCveRanges(
  tx: Tx,
  scope: { vulnerabilityIds?: string[]; componentIds?: string[] },
  stamp: ProvenanceStamp,
  markings: readonly Classification[],
): Promise<MatchResult> {
  const result: MatchResult = { created: 0, updated: 0, unchanged: 0, stale: 0, noComponentMatched: [], evaluated: 0 };
  const params = { markings: [...markings] };
  const vulns = new Map<string, Vuln>();
  if (scope.vulnerabilityIds && scope.vulnerabilityIds.length > 0) {
    const rows = await tx.run(
      'cveMatchVulnerabilities',
      `UNWIND $ids AS id MATCH (v:Vulnerability {id: id})
       WHERE v.classification IN $markings AND coalesce(v.stale, false) = false AND v.cveRanges IS NOT NULL
       RETURN v.id AS id, v.cveRanges AS ranges`,
      { ids: scope.vulnerabilityIds, ...params },
    );
    for (const r of rows) vulns.set(String(r.id), { id: String(r.id), ranges: parseRanges(String(r.id), r.ranges) });
  }
  if (scope.componentIds && scope.componentIds.length > 0) {
    const rows = await tx.run(
      'cveMatchComponentKeys',
      `UNWIND $ids AS id MATCH (c:Component {id: id}) WHERE c.classification IN $markings AND (c.cpe IS NOT NULL OR c.purl IS NOT NULL)
       RETURN c.cpe AS cpe, c.purl AS purl`,
      { ids: scope.componentIds, ...params },
    );
    const keys = new Set<string>();
    for (const r of rows) for (const k of componentKeys(text(r.cpe), text(r.purl))) keys.add(`|${k}|`);
    if (keys.size > 0) {
      const found = await tx.run(
        'cveMatchVulnerabilitiesByProduct',
        `UNWIND $keys AS key MATCH (v:Vulnerability) WHERE v.cveProducts CONTAINS key
         AND v.classification IN $markings AND coalesce(v.stale, false) = false
         RETURN DISTINCT v.id AS id, v.cveRanges AS ranges`,
        { keys: [...keys], ...params },
      );
      for (const r of found) vulns.set(String(r.id), { id: String(r.id), ranges: parseRanges(String(r.id), r.ranges) });
    }
  }
  result.evaluated = vulns.size;
  if (vulns.size === 0) return result;

  // Every component any of these ranges names (indexed prefix lookups).
  const allKeys = new Set([...vulns.values()].flatMap((v) => v.ranges.flatMap((r) => r.keys)));
  const cpePrefixList = [...allKeys].flatMap(cpePrefixes);
  const purlList = [...allKeys].filter((k) => k.startsWith('purl:')).map((k) => k.slice('purl:'.length));
  const components = new Map<string, Comp>();
  const addComponent = (r: Record<string, unknown>) => {
    const c: Comp = { id: String(r.id), cpe: text(r.cpe), purl: text(r.purl), version: text(r.version), keys: [] };
    c.keys = componentKeys(c.cpe, c.purl);
    components.set(c.id, c);
  };
  if (cpePrefixList.length > 0) {
    for (const r of await tx.run(
      'cveMatchComponentsByCpe',
      `UNWIND $prefixes AS prefix MATCH (c:Component) WHERE c.cpe STARTS WITH prefix
       AND c.classification IN $markings AND coalesce(c.stale, false) = false
       RETURN c.id AS id, c.cpe AS cpe, c.purl AS purl, c.version AS version`,
      { prefixes: cpePrefixList, ...params },
    ))
      addComponent(r);
  }
  if (purlList.length > 0) {
    for (const r of await tx.run(
      'cveMatchComponentsByPurl',
      `UNWIND $purls AS purl MATCH (c:Component) WHERE c.purl STARTS WITH purl
       AND c.classification IN $markings AND coalesce(c.stale, false) = false
       RETURN c.id AS id, c.cpe AS cpe, c.purl AS purl, c.version AS version`,
      { purls: purlList, ...params },
    ))
      addComponent(r);
  }
  const byKey = new Map<string, Comp[]>();
  for (const c of components.values()) for (const k of c.keys) byKey.set(k, [...(byKey.get(k) ?? []), c]);

  const desired = new Map<string, { fromId: string; toId: string; sourceRef: string; props: Record<string, unknown>; where: string }>();
  const requested = new Set(scope.vulnerabilityIds ?? []);
  for (const v of vulns.values()) {
    let matched = 0;
    for (const range of v.ranges) {
      for (const key of range.keys) {
        for (const c of byKey.get(key) ?? []) {
          const pairKey = `${v.id}\u0000${c.id}`;
          if (desired.has(pairKey)) continue;
          const version = componentVersion(c);
          if (!version) continue;
          const outcome = statusOf(version, range);
          if (!outcome || outcome.status !== 'affected') continue;
          matched += 1;
          const entry = outcome.entry;
          const shown = entry ? describeEntry(entry) : `default status affected`;
          desired.set(pairKey, {
            fromId: v.id,
            toId: c.id,
            sourceRef: `cve-match:${v.id}`,
            where: `${v.id} ${range.where}`,
            props: {
              versionRange: shown,
              vexState: 'AFFECTED',
              matchedRange: `${range.container} ${range.where}: ${range.versionType} ${shown}`,
              matchMethod: range.method,
              fixedIn: entry ? fixedIn(entry, range, version, byKey.get(key) ?? []) : null,
              imprecise: range.imprecise ?? null,
            },
          });
        }
      }
    }
    if (matched === 0 && requested.has(v.id)) result.noComponentMatched.push(v.id);
  }

  const rows = [...desired.values()];
  const written = await mergeVisibleRelationships(
    tx,
    'AFFECTS',
    'Vulnerability',
    'Component',
    rows,
    { ...stamp, source: MATCH_SOURCE, sourceRef: null },
    markings,
  );
  result.created += written.created;
  result.updated += written.updated;
  result.unchanged += written.unchanged;

  // Earlier matches of these vulnerabilities that no longer hold: stale (only what the caller sees).
  const keep = rows.map((r) => [r.fromId, r.toId]);
  const stale = await tx.run(
    'cveMatchStale',
    `UNWIND $ids AS id MATCH (v:Vulnerability {id: id})-[r:AFFECTS]->(c:Component)
     WHERE r.source = $source AND r.matchMethod IS NOT NULL AND coalesce(r.stale, false) = false
       AND c.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings
       AND NOT [v.id, c.id] IN $keep
     SET r.stale = true
     RETURN count(r) AS stale`,
    { ids: [...vulns.keys()], source: MATCH_SOURCE, keep, ...params },
  );
  result.stale = Number(stale[0]?.stale ?? 0);
  return result;
}

/**
 * The first release of the same line (same major number as the upper bound) at or above the
 * entry's exclusive upper bound (above its inclusive one) among the components of that product.
 */
function fixedIn(entry: NonNullable<ReturnType<typeof statusOf>>['entry'] & object, range: StoredRange, _version: string, candidates: Comp[]): string | null {
  const upper = effectiveLessThan(entry) ?? entry.lessThanOrEqual;
  if (upper === null) return null;
  const inclusive = effectiveLessThan(entry) === null;
  const major = upper.split('.')[0];
  let best: { id: string; version: string } | undefined;
  for (const c of candidates) {
    const v = componentVersion(c);
    if (!v || v.split('.')[0] !== major) continue;
    const cmp = compareCveVersions(v, upper, range.versionType);
    if (cmp === undefined || cmp < 0 || (inclusive && cmp === 0)) continue;
    if (!best || (compareCveVersions(v, best.version, range.versionType) ?? 0) < 0) best = { id: c.id, version: v };
  }
  return best?.id ?? null;
}
