/**
 * The analytics files of the query collection (docs/queries/analytics-*.graphql) whose answers
 * test/analytics/seed-analytics.test.ts checks in detail. That test runs each of them through
 * `readAnalyticsQuery` and fails when a file here is not run or a file in docs/queries is not here;
 * test/seed/query-collection.test.ts accepts exactly these files without its own expectation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config';

export const ANALYTICS_QUERY_NAMES = ['risk-paths', 'exposure', 'blast-radius', 'certification-lineage', 'scope-drift', 'remediation'] as const;
export type AnalyticsQueryName = (typeof ANALYTICS_QUERY_NAMES)[number];

export const analyticsQueryFile = (name: AnalyticsQueryName): string => `analytics-${name}.graphql`;
export const ANALYTICS_QUERY_FILES: readonly string[] = ANALYTICS_QUERY_NAMES.map(analyticsQueryFile);

export function readAnalyticsQuery(name: AnalyticsQueryName): string {
  return fs.readFileSync(path.join(REPO_ROOT, 'docs', 'queries', analyticsQueryFile(name)), 'utf8');
}

/** The analytics-*.graphql files present in docs/queries. */
export function analyticsFilesInCollection(): string[] {
  return fs
    .readdirSync(path.join(REPO_ROOT, 'docs', 'queries'))
    .filter((f) => /^analytics-[a-z0-9-]+\.graphql$/.test(f))
    .sort();
}
