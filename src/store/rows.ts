/**
 * Row types the store returns and resolvers receive as parents (codegen `mappers`). Values
 * are plain JS (numbers, strings, ISO dates): no Neo4j types cross this boundary.
 */
import type { Label, RelationshipType } from '../domain/model';

/** A node's stored properties plus its label. */
export interface NodeRow {
  __label: Label;
  id: string;
  name: string;
  classification: string;
  /** Nested pages answered with this row (look-ahead), keyed by field and window (see src/graphql/prefetch.ts). */
  __nested?: Record<string, Page<NeighborItem>>;
  [property: string]: unknown;
}

/** A relationship's stored properties plus its type. */
export interface RelationshipRow {
  type: RelationshipType;
  [property: string]: unknown;
}

export interface ProvenanceRow {
  source: string;
  sourceRef: string | null;
  assertedAt: string | null;
  assertedBy: string | null;
}

export function provenanceOf(row: Record<string, unknown>): ProvenanceRow {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return { source: str(row.source) ?? 'unknown', sourceRef: str(row.sourceRef), assertedAt: str(row.assertedAt), assertedBy: str(row.assertedBy) };
}

/** A page of rows as the store returns it; the GraphQL layer turns it into a connection. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  offset: number;
  /** Number of items asked for. */
  limit: number;
}

export interface NeighborItem {
  node: NodeRow;
  via: RelationshipRow;
}
