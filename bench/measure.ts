/**
 * Measurement helpers: the GraphQL side over HTTP with autocannon (in a child process), the Cypher floor in-process
 * with the same number of concurrent loops for the same duration, and percentiles.
 */
import path from 'node:path';
import { fork } from 'node:child_process';
import type { LoadJob, LoadResult } from './loadWorker';

export interface LoadFigures {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requestsPerSecond: number;
  requests: number;
  errors: number;
  durationSeconds: number;
}

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** One autocannon run in a child process (bench/loadWorker.ts), so it does not share the server's event loop. */
export function autocannonOnce(
  url: string,
  bodies: readonly string[],
  connections: number,
  seconds: number,
  options: { timeoutSeconds?: number; headers?: Record<string, string> } = {},
): Promise<LoadResult> {
  const job: LoadJob = { url, bodies, connections, seconds, ...options };
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'loadWorker.ts'), [], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      if (message.ok) resolve(message.result);
      else reject(new Error(`load generator: ${message.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with code ${code}`));
    });
    child.send(job);
  });
}

/** GraphQL over HTTP: warm-up, then one fixed-duration run at fixed concurrency, rotating request bodies. */
export async function measureHttp(url: string, bodies: readonly string[], settings: LoadSettings, headers?: Record<string, string>): Promise<LoadFigures> {
  if (settings.warmupSeconds > 0) await autocannonOnce(url, bodies, settings.connections, settings.warmupSeconds, { headers });
  const result = await autocannonOnce(url, bodies, settings.connections, settings.durationSeconds, { headers });
  return {
    p50Ms: round(result.p50),
    p99Ms: round(result.p99),
    meanMs: round(result.average),
    requestsPerSecond: round(result.total / result.duration, 1),
    requests: result.total,
    errors: result.errors,
    durationSeconds: round(result.duration, 1),
  };
}

/** The floor: `connections` async loops calling `work(i)` back to back for the duration, after a warm-up. */
export async function measureLoops(work: (i: number) => Promise<unknown>, settings: LoadSettings): Promise<LoadFigures> {
  const run = async (seconds: number): Promise<{ latencies: number[]; errors: number; elapsed: number }> => {
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const loop = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const i = next;
        next += 1;
        const t0 = performance.now();
        try {
          await work(i);
          latencies.push(performance.now() - t0);
        } catch {
          errors += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: settings.connections }, loop));
    return { latencies, errors, elapsed: (performance.now() - started) / 1000 };
  };
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  const { latencies, errors, elapsed } = await run(settings.durationSeconds);
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return {
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(mean),
    requestsPerSecond: round(sorted.length / elapsed, 1),
    requests: sorted.length,
    errors,
    durationSeconds: round(elapsed, 1),
  };
}

export { round };
