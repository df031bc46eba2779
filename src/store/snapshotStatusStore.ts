/**
 * The status changes a dated list (CMVP snapshot, Common Criteria list) implies, written through
 * the one write path of the status history (`recordStatusChanges`, src/store/statusHistoryStore.ts)
 * in the import's transaction.
 */
import type { PlannedChange } from '../domain/cmvp';
import type { Tx } from './database';
import { recordStatusChanges } from './statusHistoryStore';

export interface SnapshotProvenance {
  /** `import:<format>:<document>@<version>`. */
  source: string;
  /** E.g. `NIST CMVP snapshot 2026-01-18`. */
  sourceRef: string;
  recordedAt: Date;
  /** BENCHMARK ONLY: see RecordStatusOptions.skipEventsForBenchmark (src/store/statusHistoryStore.ts). */
  skipEventsForBenchmark?: boolean;
}

/** Records the planned changes; returns how many entries were new (0 when the same snapshot is imported again). */
export async function recordSnapshotChanges(tx: Tx, changes: readonly PlannedChange[], provenance: SnapshotProvenance): Promise<number> {
  if (changes.length === 0) return 0;
  const written = await recordStatusChanges(
    tx,
    changes.map((c) => ({
      certificationId: c.certificationId,
      status: c.status,
      effectiveFrom: c.effectiveFrom,
      reason: c.reason,
      source: provenance.source,
      sourceRef: `${provenance.sourceRef}; certificate ${c.reference}`,
      recordedAt: provenance.recordedAt,
    })),
    { skipEventsForBenchmark: provenance.skipEventsForBenchmark === true },
  );
  return written.length;
}
