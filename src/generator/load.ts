/**
 * Writes a generated world through the store's one write path (`writeBatch`, UNWIND batches,
 * rows validated against the model). The whole graph does not fit one transaction comfortably at
 * scale 10 (millions of rows), so every chunk of one label or relationship type is its own
 * `writeBatch` call, hence its own write transaction: all nodes first, then relationships. A failure leaves the chunks already
 * committed in place; re-running with the same seed is idempotent (MERGE on ids).
 */
import type { Label, RelationshipType } from '../domain/model';
import { writeBatch, type WritePolicy } from '../store/batchWriter';
import { refreshAllDeployments } from '../store/feedEmitters';
import { today } from '../domain/lineage';
import type { Database } from '../store/database';
import type { ProvenanceStamp, WriteCounts } from '../store/graphStore';
import { batches, type Batch, type World } from './generate';
import { GENERATED_ID_PREFIX } from './world';

export interface LoadReport {
  nodes: Partial<Record<Label, WriteCounts>>;
  relationships: Partial<Record<RelationshipType, WriteCounts>>;
  totalNodes: number;
  totalRelationships: number;
  transactions: number;
  seconds: number;
}

export interface LoadOptions {
  /** Rows per write transaction (default 10 000). */
  chunkSize?: number;
  onBatch?: (batch: Batch, done: { nodes: number; relationships: number }) => void;
  /** BENCHMARK ONLY (bench/feedRefreshCost.ts): see WriteOptions.skipFeedRefreshForBenchmark (src/store/batchWriter.ts). */
  skipFeedRefreshForBenchmark?: boolean;
}

export function generatorStamp(world: World): ProvenanceStamp {
  return {
    source: 'synthetic-generator',
    sourceRef: `seed=${world.seed};scale=${world.scale}`,
    assertedBy: 'generator',
    // Fixed, so two runs with the same seed write identical values.
    assertedAt: new Date('2025-06-01T00:00:00Z'),
    runId: `generate:${world.seed}:${world.scale}`,
  };
}

function add(into: WriteCounts | undefined, counts: WriteCounts): WriteCounts {
  return {
    created: (into?.created ?? 0) + counts.created,
    updated: (into?.updated ?? 0) + counts.updated,
    unchanged: (into?.unchanged ?? 0) + counts.unchanged,
  };
}

export class GeneratedLoadError extends Error {}

export async function loadWorld(db: Database, world: World, opts: LoadOptions = {}): Promise<LoadReport> {
  const started = Date.now();
  const stamp = generatorStamp(world);
  const report: LoadReport = { nodes: {}, relationships: {}, totalNodes: 0, totalRelationships: 0, transactions: 0, seconds: 0 };
  // Trusted and complete: written at SECRET, one relationship per pair and type; the rows carry their own markings.
  const policy: WritePolicy = { clearance: 'SECRET' };
  // The feed's drift/KEV state is refreshed once after the last chunk (not per chunk: a world loaded
  // in many transactions would report every intermediate state), unless the benchmark skips it.
  const writeOptions = { deferFeedRefresh: true };
  for (const batch of batches(world, opts.chunkSize ?? 10000)) {
    if (batch.kind === 'nodes') {
      const result = await writeBatch(db, { nodes: [{ label: batch.label, rows: batch.rows }], relationships: [] }, stamp, policy, writeOptions);
      const counts = result.nodes[batch.label];
      if (counts) report.nodes[batch.label] = add(report.nodes[batch.label], counts);
      report.totalNodes += batch.rows.length;
    } else {
      const group = { type: batch.type, fromLabel: batch.fromLabel, toLabel: batch.toLabel, rows: batch.rows };
      const result = await writeBatch(db, { nodes: [], relationships: [group] }, stamp, policy, writeOptions);
      const missing = result.missing.flatMap((m) => m.rows);
      const first = missing[0];
      if (first) {
        throw new GeneratedLoadError(
          `${missing.length} ${batch.type} relationship(s) ${batch.fromLabel}->${batch.toLabel} have a missing end, e.g. ${first.fromId} -> ${first.toId}; this is a generator bug`,
        );
      }
      const counts = result.relationships[batch.type];
      if (counts) report.relationships[batch.type] = add(report.relationships[batch.type], counts);
      report.totalRelationships += batch.rows.length;
    }
    report.transactions += 1;
    opts.onBatch?.(batch, { nodes: report.totalNodes, relationships: report.totalRelationships });
  }
  if (opts.skipFeedRefreshForBenchmark !== true) await refreshAllDeployments(db, 'generator', today(), GENERATED_ID_PREFIX);
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
