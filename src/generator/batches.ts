/**
 * Emission: every node label first, then every relationship type, each chunked to `chunkSize`
 * rows. Every section draws from its own PRNG stream (seed + section name), so the output for a
 * seed is the same whatever the chunk size or the order in which batches are consumed.
 */
import type { Label, RelationshipType } from '../domain/model';
import type { NodeWrite, RelationshipWrite } from '../store/bulkWrites';
import { Prng } from './prng';
import { nodeSections } from './sections/nodes';
import { relationshipSections } from './sections/relationships';
import type { World } from './world';

export interface NodeBatch {
  kind: 'nodes';
  label: Label;
  rows: NodeWrite[];
}

export interface RelationshipBatch {
  kind: 'relationships';
  type: RelationshipType;
  fromLabel: Label;
  toLabel: Label;
  rows: RelationshipWrite[];
}

export type Batch = NodeBatch | RelationshipBatch;

function* chunked<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

interface Section {
  kind: 'nodes' | 'relationships';
  label?: Label;
  type?: RelationshipType;
  fromLabel?: Label;
  toLabel?: Label;
  rows: (rng: Prng) => Iterable<NodeWrite | RelationshipWrite>;
}

function sections(world: World): Section[] {
  return [
    ...nodeSections(world).map((s): Section => ({ kind: 'nodes', label: s.label, rows: s.rows })),
    ...relationshipSections(world).map((s): Section => ({ kind: 'relationships', type: s.type, fromLabel: s.fromLabel, toLabel: s.toLabel, rows: s.rows })),
  ];
}

/** Every node (all labels first), then every relationship, in chunks. Lazy: rows are built as consumed. */
export function* batches(world: World, chunkSize = 10000): Generator<Batch> {
  for (const section of sections(world)) {
    const sectionName =
      section.kind === 'nodes' ? `nodes:${section.label ?? ''}` : `rels:${section.type ?? ''}:${section.fromLabel ?? ''}->${section.toLabel ?? ''}`;
    const rng = new Prng(`${world.seed}:${sectionName}`);
    if (section.kind === 'nodes' && section.label) {
      for (const rows of chunked(section.rows(rng) as Iterable<NodeWrite>, chunkSize)) yield { kind: 'nodes', label: section.label, rows };
    } else if (section.kind === 'relationships' && section.type && section.fromLabel && section.toLabel) {
      for (const rows of chunked(section.rows(rng) as Iterable<RelationshipWrite>, chunkSize))
        yield { kind: 'relationships', type: section.type, fromLabel: section.fromLabel, toLabel: section.toLabel, rows };
    }
  }
}

export interface GeneratedCounts {
  nodes: Partial<Record<Label, number>>;
  /** Keyed `TYPE` (summed over end-label pairs). */
  relationships: Partial<Record<RelationshipType, number>>;
  totalNodes: number;
  totalRelationships: number;
}

/** Counts what `batches` would emit (walks the whole output without keeping it). */
export function countBatches(world: World): GeneratedCounts {
  const counts: GeneratedCounts = { nodes: {}, relationships: {}, totalNodes: 0, totalRelationships: 0 };
  for (const batch of batches(world)) {
    if (batch.kind === 'nodes') {
      counts.nodes[batch.label] = (counts.nodes[batch.label] ?? 0) + batch.rows.length;
      counts.totalNodes += batch.rows.length;
    } else {
      counts.relationships[batch.type] = (counts.relationships[batch.type] ?? 0) + batch.rows.length;
      counts.totalRelationships += batch.rows.length;
    }
  }
  return counts;
}
