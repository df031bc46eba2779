/**
 * Runs autocannon in a child process, so the load generator does not share the API server's
 * event loop (in the bench process): the server's latency is measured, not the client's queueing.
 * (Not a worker thread: autocannon reports differently when it is not on a main thread.)
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  bodies: readonly string[];
  connections: number;
  seconds: number;
  /** Seconds after which autocannon counts a request as timed out (default 10). */
  timeoutSeconds?: number;
  /** Extra request headers (e.g. the API key the peer comparison asks with). */
  headers?: Record<string, string>;
}

export interface LoadResult {
  p50: number;
  p99: number;
  p90?: number;
  max?: number;
  timeouts?: number;
  non2xx?: number;
  average: number;
  total: number;
  duration: number;
  errors: number;
}

async function run(job: LoadJob): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    ...(job.timeoutSeconds ? { timeout: job.timeoutSeconds } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...job.headers },
    requests: [
      {
        setupRequest: (request) => {
          const body = job.bodies[next % job.bodies.length] ?? '';
          next += 1;
          return { ...request, body };
        },
      },
    ],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    p90: result.latency.p90,
    max: result.latency.max,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    average: result.latency.average,
    total: result.requests.total,
    duration: result.duration,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

process.once('message', (job: LoadJob) => {
  const send = (message: unknown) => process.send?.(message, () => process.exit(0));
  run(job).then(
    (result) => send({ ok: true, result }),
    (error: unknown) => send({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
