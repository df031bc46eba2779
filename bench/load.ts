/**
 * `npm run bench -- --load [--connections 200] [--duration 60] [--warmup 5]` (issue 16, "under
 * load"): the API server in this process on the seed scenario, autocannon in a child process
 * (bench/loadWorker.ts: keep-alive connections, one request in flight per connection) asking the
 * nested seed query for the duration. Reports the client's p50/p90/p99/max, the server's own
 * per-request time (the `ms` of its request log line, through `onRequestTimed`), the event-loop
 * delay, and RSS / V8 heap at the start, middle and end of the run.
 *
 * The server logs at LOG_LEVEL (default info, one line per request, as `npm start` does) into a
 * file in the system's temporary folder, not onto the terminal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import type { AppConfig } from '../src/config';
import { createApp } from '../src/server';
import type { Database } from '../src/store/database';
import { autocannonOnce, percentile, round } from './measure';

/** The nested seed query of issue 16: ten devices, ten components each, five certifications each with their issuer. */
export const LOAD_QUERY = `query LoadNested {
  devices(first: 10) {
    totalCount
    edges { node {
      id name category maker { name }
      components(first: 10) { edges { node { id name kind version } } }
      certifications(first: 5) { edges { node { id name status validUntil issuer { name } } } }
    } }
  }
}`;

export interface MemorySample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
}

export interface LoadReport {
  date: string;
  machine: { cpu: string; cores: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  settings: { connections: number; durationSeconds: number; warmupSeconds: number; clientTimeoutSeconds: number; logLevel: string };
  /** Server settings that bound concurrency. */
  server: {
    neo4jMaxConnectionPoolSize: number;
    neo4jConnectionAcquisitionTimeoutMs: number;
    queryTimeoutMs: number;
    requestTimeoutMs: number;
    /** Admission control (MAX_CONCURRENT_OPERATIONS, 0: off) and how many requests it refused with 503 OVERLOADED during the run. */
    maxConcurrentOperations?: number;
    overloaded?: number;
  };
  client: {
    requests: number;
    requestsPerSecond: number;
    p50Ms: number;
    p90Ms: number;
    p99Ms: number;
    maxMs: number;
    timeouts: number;
    non2xx: number;
    errors: number;
  };
  /** The server's own time per /graphql request (request line `ms`), measured phase only. */
  serverSide: {
    requests: number;
    errorsLogged: number;
    errorMessages: Record<string, number>;
    p50Ms: number;
    p90Ms: number;
    p99Ms: number;
    maxMs: number;
    over2s: number;
    non200: number;
    /** Requests whose client closed the connection before the answer (status 499; left out of the percentiles), and the longest such wait. */
    closedByClient: number;
    closedMaxMs: number;
    p99OverP50: number;
  };
  /** Event-loop delay over the measured phase (perf_hooks.monitorEventLoopDelay, 10 ms resolution). */
  eventLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  memory: { start: MemorySample; middle: MemorySample; end: MemorySample; peakRssMb: number };
  /** Whether the targets hold: no request over 2 s, server p99 <= 3x p50. Memory is judged by hand from the samples. */
  targets: { noRequestOver2s: boolean; serverP99WithinThreeTimesP50: boolean };
}

const mb = (bytes: number): number => round(bytes / 1e6, 1);

export async function runLoad(
  config: AppConfig,
  db: Database,
  opts: { connections: number; seconds: number; warmupSeconds: number; log: (m: string) => void },
): Promise<LoadReport> {
  const { log } = opts;
  const clientTimeoutSeconds = 30;
  const logFile = path.join(os.tmpdir(), `assurance-graph-load-${process.pid}.log`);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'assurance-graph' } }, pino.destination({ dest: logFile, sync: false }));
  let timings: number[] | undefined;
  let non200 = 0;
  let closedByClient = 0;
  let closedMaxMs = 0;
  const app = await createApp({
    config,
    db,
    logger,
    migrationsApplied: true,
    onRequestTimed: ({ path: p, status, ms }) => {
      if (!timings || p !== '/graphql') return;
      if (status === 499) {
        // not an answer: the client closed first (at the end of the run, every request still in flight)
        closedByClient += 1;
        closedMaxMs = Math.max(closedMaxMs, ms);
        return;
      }
      timings.push(ms);
      if (status !== 200) non200 += 1;
    },
  });
  const url = `${await app.listen(0, '127.0.0.1')}/graphql`;
  const body = JSON.stringify({ query: LOAD_QUERY });
  try {
    // one request first: it must answer with the seed's devices and no error (a cold JVM plans the query first: a few tries)
    for (let attempt = 1; ; attempt += 1) {
      const first = (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as {
        data?: { devices?: { edges?: unknown[] } };
        errors?: { message: string }[];
      };
      const problem = first.errors?.length
        ? first.errors.map((e) => e.message).join('; ')
        : (first.data?.devices?.edges?.length ?? 0) === 0
          ? 'no devices: is the seed loaded?'
          : undefined;
      if (!problem) break;
      if (attempt >= 5) throw new Error(`the load query failed: ${problem}`);
      log(`first load query failed (${problem}); trying again`);
    }
    if (opts.warmupSeconds > 0) {
      log(`warm-up: ${opts.connections} connections for ${opts.warmupSeconds} s`);
      await autocannonOnce(url, [body], opts.connections, opts.warmupSeconds, { timeoutSeconds: clientTimeoutSeconds });
    }
    const loadAverageAtStart = os.loadavg().map((l) => round(l, 1));
    const sample = (t0: number): MemorySample => {
      const m = process.memoryUsage();
      return { atSeconds: round((performance.now() - t0) / 1000, 1), rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) };
    };
    const t0 = performance.now();
    const start = sample(t0);
    let middle = start;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
    const half = setTimeout(() => (middle = sample(t0)), (opts.seconds * 1000) / 2);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    timings = [];
    const refusedBefore = app.admission().refusedFull + app.admission().refusedTimeout;
    log(`measuring: ${opts.connections} connections for ${opts.seconds} s`);
    const client = await autocannonOnce(url, [body], opts.connections, opts.seconds, { timeoutSeconds: clientTimeoutSeconds });
    const measured = timings;
    timings = undefined;
    loop.disable();
    clearInterval(sampler);
    clearTimeout(half);
    const end = sample(t0);
    // answers with a GraphQL error still have status 200: count the errors the server logged (level 50) during the run
    logger.flush();
    const errorLines = fs.existsSync(logFile)
      ? fs
          .readFileSync(logFile, 'utf8')
          .split('\n')
          .filter((line) => line.includes('"level":50'))
      : [];
    const errorsLogged = errorLines.length;
    const errorMessages: Record<string, number> = {};
    for (const line of errorLines) {
      const parsed = JSON.parse(line) as { err?: { message?: string }; msg?: string };
      const key = (parsed.err?.message ?? parsed.msg ?? 'unknown').slice(0, 160);
      errorMessages[key] = (errorMessages[key] ?? 0) + 1;
    }
    const sorted = [...measured].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const maxMs = sorted[sorted.length - 1] ?? Number.NaN;
    const report: LoadReport = {
      date: new Date().toISOString(),
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        node: process.version,
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((l) => round(l, 1)),
      },
      settings: {
        connections: opts.connections,
        durationSeconds: opts.seconds,
        warmupSeconds: opts.warmupSeconds,
        clientTimeoutSeconds,
        logLevel: config.LOG_LEVEL,
      },
      server: {
        neo4jMaxConnectionPoolSize: db.poolSize,
        neo4jConnectionAcquisitionTimeoutMs: db.acquisitionTimeoutMs,
        queryTimeoutMs: config.QUERY_TIMEOUT_MS,
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        maxConcurrentOperations: config.MAX_CONCURRENT_OPERATIONS,
        overloaded: app.admission().refusedFull + app.admission().refusedTimeout - refusedBefore,
      },
      client: {
        requests: client.total,
        requestsPerSecond: round(client.total / client.duration, 1),
        p50Ms: client.p50,
        p90Ms: client.p90 ?? Number.NaN,
        p99Ms: client.p99,
        maxMs: client.max ?? Number.NaN,
        timeouts: client.timeouts ?? 0,
        non2xx: client.non2xx ?? 0,
        errors: client.errors,
      },
      serverSide: {
        requests: sorted.length,
        errorsLogged,
        errorMessages,
        p50Ms: round(p50),
        p90Ms: round(percentile(sorted, 90)),
        p99Ms: round(p99),
        maxMs: round(maxMs),
        over2s: sorted.filter((ms) => ms > 2000).length,
        non200,
        closedByClient,
        closedMaxMs: round(closedMaxMs, 1),
        p99OverP50: round(p99 / p50),
      },
      eventLoopDelay: { p50Ms: round(loop.percentile(50) / 1e6), p99Ms: round(loop.percentile(99) / 1e6), maxMs: round(loop.max / 1e6) },
      memory: { start, middle, end, peakRssMb: mb(peakRss) },
      targets: {
        noRequestOver2s: (client.max ?? Infinity) <= 2000 && (client.timeouts ?? 0) === 0 && maxMs <= 2000,
        serverP99WithinThreeTimesP50: p99 <= 3 * p50,
      },
    };
    return report;
  } finally {
    await app.stop();
    logger.flush();
    fs.rmSync(logFile, { force: true });
  }
}

export function loadSummary(r: LoadReport): string {
  const c = r.client;
  const s = r.serverSide;
  const m = r.memory;
  return [
    `Load ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.machine.cores} cores, Node ${r.machine.node}, load average ${r.machine.loadAverageAtStart.join(', ')} at start, ${r.machine.loadAverageAtEnd.join(', ')} at end.`,
    `${r.settings.connections} keep-alive connections for ${r.settings.durationSeconds} s (after ${r.settings.warmupSeconds} s warm-up), the nested seed query; Neo4j pool ${r.server.neo4jMaxConnectionPoolSize}, acquisition timeout ${r.server.neo4jConnectionAcquisitionTimeoutMs} ms; server log level ${r.settings.logLevel}.`,
    '',
    '| | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | over 2 s | timeouts / non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| client (autocannon) | ${c.requests} | ${c.requestsPerSecond} | ${c.p50Ms} | ${c.p90Ms} | ${c.p99Ms} | ${c.maxMs} | | ${c.timeouts} / ${c.non2xx} |`,
    `| server (request line ms) | ${s.requests} | | ${s.p50Ms} | ${s.p90Ms} | ${s.p99Ms} | ${s.maxMs} | ${s.over2s} | – / ${s.non200} |`,
    '',
    `Server p99/p50 = ${s.p99OverP50}; requests whose client closed the connection before the answer (left out above; at the end of a run every request still in flight): ${s.closedByClient ?? 0}, the longest open ${s.closedMaxMs ?? 0} ms; admission control: MAX_CONCURRENT_OPERATIONS ${r.server.maxConcurrentOperations ?? 'unset'}, refused ${r.server.overloaded ?? 0} (503 OVERLOADED); errors logged by the server (answers with GraphQL errors included, warm-up included): ${s.errorsLogged} ${JSON.stringify(s.errorMessages)}. Event-loop delay p50 ${r.eventLoopDelay.p50Ms} ms, p99 ${r.eventLoopDelay.p99Ms} ms, max ${r.eventLoopDelay.maxMs} ms.`,
    `Memory (RSS / heap used, MB): start ${m.start.rssMb} / ${m.start.heapUsedMb}, middle (${m.middle.atSeconds} s) ${m.middle.rssMb} / ${m.middle.heapUsedMb}, end (${m.end.atSeconds} s) ${m.end.rssMb} / ${m.end.heapUsedMb}; peak RSS ${m.peakRssMb}.`,
    `Targets: no request over 2 s: ${r.targets.noRequestOver2s ? 'met' : 'MISSED'}; server p99 <= 3x p50: ${r.targets.serverP99WithinThreeTimesP50 ? 'met' : 'MISSED'}.`,
  ].join('\n');
}
