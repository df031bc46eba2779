/**
 * Row types the store returns and resolvers receive as parents (codegen `mappers`). Values
 * are plain JS (numbers, strings, ISO dates): no Neo4j types cross this boundary.
 */
import type { Label, NodePropertiesOf, PropertySpec, PropertyValue, RelationshipType } from '../domain/model';

/**
 * Properties the store always sets on a row it returns (src/store/projection.ts `toNodeRow`
 * fills a default when the node lacks them), so they are never missing where a label declares them.
 */
export const NORMALISED_PROPERTIES = [
  'name',
  'classification',
  'stale',
  'withdrawn',
  'revoked',
  'deprecated',
  'knownExploited',
  'platforms',
  'tactics',
] as const;
export type NormalisedProperty = (typeof NORMALISED_PROPERTIES)[number];

type ValueAt<P, K extends keyof P> = P[K] extends PropertySpec ? PropertyValue<P[K]> : never;

/**
 * The stored properties of a label's row, derived from its declaration in src/domain/model.ts
 * (common properties and the label's own): the normalised ones always present, every other one
 * optional (a look-ahead projection may read only some) and null when the node lacks it.
 */
export type RowPropertiesOf<L extends Label> = {
  -readonly [K in keyof NodePropertiesOf<L> as K extends NormalisedProperty ? K : never]: ValueAt<NodePropertiesOf<L>, K>;
} & {
  -readonly [K in keyof NodePropertiesOf<L> as K extends NormalisedProperty ? never : K]?: ValueAt<NodePropertiesOf<L>, K> | null;
};

/** A node of label `L` as the store returns it: its label, id and the stored properties its label declares. */
export type NodeRowOf<L extends Label> = {
  __label: L;
  id: string;
  /** Nested pages answered with this row (look-ahead), keyed by field and window (see src/graphql/prefetch.ts). */
  __nested?: Record<string, Page<NeighborItem>>;
  /** A certification's visible status history when its statement read it (see src/store/statusHistoryStore.ts HISTORY_OF). */
  __history?: unknown;
} & RowPropertiesOf<L>;

/** A row of one of the labels `L`, discriminated by `__label` (`RowOf<'Device' | 'Component'>` is a device or a component row). */
export type RowOf<L extends Label> = L extends Label ? NodeRowOf<L> : never;

/** A node of any label: the union of the per-label rows, discriminated by `__label`. */
export type NodeRow = RowOf<Label>;

/** Whether a row is of one of the labels (narrows the union). */
export function isRowOf<L extends Label>(row: NodeRow, labels: readonly L[]): row is RowOf<L> {
  return (labels as readonly Label[]).includes(row.__label);
}

// One name per label for the codegen mappers (codegen.ts): aliases of NodeRowOf, nothing restated.
export type OrganizationRow = NodeRowOf<'Organization'>;
export type DeviceRow = NodeRowOf<'Device'>;
export type ComponentRow = NodeRowOf<'Component'>;
export type ControlRow = NodeRowOf<'Control'>;
export type CertificationRow = NodeRowOf<'Certification'>;
export type StandardRow = NodeRowOf<'Standard'>;
export type ThreatRow = NodeRowOf<'Threat'>;
export type VulnerabilityRow = NodeRowOf<'Vulnerability'>;
export type DeploymentRow = NodeRowOf<'Deployment'>;
/** A device or a component (the `Asset` interface). */
export type AssetRow = RowOf<'Device' | 'Component'>;

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

export interface NeighborItem<N extends NodeRow = NodeRow> {
  node: N;
  via: RelationshipRow;
}
