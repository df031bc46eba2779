/**
 * The expiry sweep (docs/EVENTS.md): turns passed validity ends (validUntil; for CMVP modules the
 * sunset date) into EXPIRED status-history entries through the one write path
 * (recordStatusChanges), which writes their CERTIFICATION_EXPIRED and LINEAGE_BROKEN events in the
 * same transaction. Idempotent: an expired certification has a final entry and is not a candidate
 * again. Scheduled per instance every EXPIRY_SWEEP_INTERVAL_MS, and run once per interval across
 * all instances (a job lease in Neo4j); also `npm run sweep -- --as-of YYYY-MM-DD`.
 */
import { randomUUID } from 'node:crypto';
import { expiryChanges } from '../domain/events';
import { today } from '../domain/lineage';
import type { Database } from '../store/database';
import { refreshAllDeployments, refreshFeedState } from '../store/feedEmitters';
import { recordStatusChanges } from '../store/statusHistoryStore';
import { claimJob, expiryCandidates, finishJob } from '../store/sweepStore';

export const SWEEP_JOB = 'expiry-sweep';
/** Certifications examined per transaction. */
export const SWEEP_BATCH = 500;

export interface SweepResult {
  asOf: string;
  examined: number;
  recorded: number;
}

/**
 * One sweep on `asOf`: each batch of candidates is one transaction. The status entries are those
 * due by `asOf`; the feed's scope-drift and known-exploited state is always judged as of today
 * (the state a watcher sees now), so a past- or future-dated sweep does not store a drift state the
 * next ordinary write would report back as a change.
 */
export async function runExpirySweep(db: Database, asOf: string = today()): Promise<SweepResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new RangeError(`as-of: expected YYYY-MM-DD, got ${asOf}`);
  const result: SweepResult = { asOf, examined: 0, recorded: 0 };
  const feedDate = today();
  let afterId = '';
  for (;;) {
    const batch = await db.writeTransaction(undefined, async (tx) => {
      const candidates = await expiryCandidates(tx, asOf, afterId, SWEEP_BATCH);
      const changes = expiryChanges(candidates, asOf).map((c) => ({
        ...c,
        status: 'EXPIRED' as const,
        reason: 'validity end (validUntil) passed',
        source: 'sweep',
        sourceRef: `sweep as of ${asOf}`,
      }));
      const recorded = await recordStatusChanges(tx, changes);
      await refreshFeedState(
        tx,
        recorded.map((e) => e.certificationId),
        'sweep',
        feedDate,
      );
      return { candidates, recorded: recorded.length };
    });
    result.examined += batch.candidates.length;
    result.recorded += batch.recorded;
    const last = batch.candidates[batch.candidates.length - 1];
    if (!last || batch.candidates.length < SWEEP_BATCH) break;
    afterId = last.id;
  }
  // Drift that changes by date alone (support end, KEV due date, a validity end): every deployment, in batches.
  await refreshAllDeployments(db, 'sweep', feedDate);
  return result;
}

/** Runs the sweep on schedule; across instances once per interval (job lease in Neo4j). */
export class ExpiryScheduler {
  readonly instance = `instance:${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  runs = 0;

  constructor(
    private readonly db: Database,
    private readonly intervalMs: number,
    private readonly log: (message: string, detail: Record<string, unknown>) => void = () => undefined,
  ) {}

  start(): void {
    // look more often than the interval so a run is not delayed by a whole interval after another instance's
    const every = Math.max(1000, Math.min(this.intervalMs, 60000));
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().then(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  /** Claims the job and runs it when due; returns the result when this instance ran it. */
  async tick(asOf?: string): Promise<SweepResult | undefined> {
    try {
      const leaseMs = 10 * 60 * 1000;
      if (!(await claimJob(this.db, SWEEP_JOB, this.instance, this.intervalMs, leaseMs))) return undefined;
      const result = await runExpirySweep(this.db, asOf);
      this.runs += 1;
      await finishJob(this.db, SWEEP_JOB, this.instance, JSON.stringify(result));
      this.log('expiry sweep ran', { ...result });
      return result;
    } catch (error) {
      this.log('expiry sweep failed', { err: String(error) });
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
