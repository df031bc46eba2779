/**
 * This API against the peer (`@neo4j/graphql`) on the same question, the same Neo4j and data:
 * first every target's answer from both, normalised (./questions.ts) and compared (nothing is
 * timed when one differs), then rounds of A/B alternated load over HTTP (this API, the peer, this
 * API, the peer, ...), each a warm-up and a measured run at the same concurrency.
 */
import { measureHttp, round, type LoadFigures, type LoadSettings } from '../measure';
import { firstDifference } from './questions';
import type { PeerServer } from './server';

export interface PeerCase {
  question: 'a' | 'b';
  title: string;
  ourQuery: string;
  peerQuery: string;
  /** Variables per target, rotated; the same for both sides. */
  ourVariables: Record<string, unknown>[];
  peerVariables: Record<string, unknown>[];
  normalise: (data: unknown, side: 'ours' | 'peer') => unknown;
  /** How the answers were compared (ordering), for the report. */
  compared: string;
}

export interface PeerResult {
  question: 'a' | 'b';
  title: string;
  status: 'measured' | 'not available' | 'answers differ';
  note?: string;
  targets: number;
  /** Items (rows of every nested list, and the roots) compared across all targets. */
  comparedItems?: number;
  compared?: string;
  rounds?: number;
  connections?: number;
  /** Over the rounds: requests/s = all requests / all measured seconds; p50 and p99 = median of the rounds'. */
  ours?: LoadFigures;
  peer?: LoadFigures;
  perRound?: { ours: LoadFigures; peer: LoadFigures }[];
  /** ours / peer requests per second (target ≥ 1.5). */
  throughputRatio?: number;
  /** ours / peer p50 (target < 1). */
  p50Ratio?: number;
}

function countItems(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v: unknown) => n + countItems(v), 0);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const own = 'id' in o ? 1 : 0;
    return own + Object.values(o).reduce((n: number, v: unknown) => n + (v && typeof v === 'object' ? countItems(v) : 0), 0);
  }
  return 0;
}

/** Both answers for every target, normalised; the first difference, or the number of items compared. */
export async function compareAnswers(
  c: PeerCase,
  ours: (query: string, variables: Record<string, unknown>) => Promise<unknown>,
  peer: PeerServer,
): Promise<{ equal: true; items: number } | { equal: false; difference: string }> {
  let items = 0;
  for (let i = 0; i < c.ourVariables.length; i++) {
    const ourVars = c.ourVariables[i] ?? {};
    const a = c.normalise(await ours(c.ourQuery, ourVars), 'ours');
    const b = c.normalise(await peer.execute(c.peerQuery, c.peerVariables[i] ?? {}), 'peer');
    const difference = firstDifference(a, b);
    if (difference) return { equal: false, difference: `target ${JSON.stringify(ourVars)}: ${difference} (ours vs peer)` };
    items += countItems(a);
  }
  return { equal: true, items };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? (s[(s.length - 1) / 2] ?? Number.NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

export function aggregate(runs: LoadFigures[]): LoadFigures {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.durationSeconds, 0);
  return {
    p50Ms: round(median(runs.map((r) => r.p50Ms))),
    p99Ms: round(median(runs.map((r) => r.p99Ms))),
    meanMs: round(runs.reduce((n, r) => n + r.meanMs * r.requests, 0) / Math.max(1, requests)),
    requestsPerSecond: round(requests / Math.max(1e-9, seconds), 1),
    requests,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    durationSeconds: round(seconds, 1),
  };
}

/** Checks the answers, then `rounds` of A/B alternated load; refuses to time when an answer differs. */
export async function measurePeerCase(
  c: PeerCase,
  sides: {
    ours: (query: string, variables: Record<string, unknown>) => Promise<unknown>;
    ourUrl: string;
    ourHeaders: Record<string, string>;
    peer: PeerServer;
  },
  settings: LoadSettings,
  rounds: number,
  log: (m: string) => void,
): Promise<PeerResult> {
  const base = { question: c.question, title: c.title, targets: c.ourVariables.length, compared: c.compared };
  if (c.ourVariables.length === 0) return { ...base, status: 'not available', note: 'no targets in the graph' };
  const check = await compareAnswers(c, sides.ours, sides.peer);
  if (!check.equal) {
    log(`(${c.question} vs peer) answers differ, not timed: ${check.difference}`);
    return { ...base, status: 'answers differ', note: `not timed: ${check.difference.slice(0, 400)}` };
  }
  log(`(${c.question} vs peer) answers equal on ${c.ourVariables.length} targets (${check.items} items); ${rounds} A/B rounds`);
  const ourBodies = c.ourVariables.map((variables) => JSON.stringify({ query: c.ourQuery, variables }));
  const peerBodies = c.peerVariables.map((variables) => JSON.stringify({ query: c.peerQuery, variables }));
  const perRound: { ours: LoadFigures; peer: LoadFigures }[] = [];
  for (let r = 0; r < rounds; r++) {
    const ours = await measureHttp(sides.ourUrl, ourBodies, settings, sides.ourHeaders);
    const peer = await measureHttp(sides.peer.url, peerBodies, settings);
    perRound.push({ ours, peer });
    log(
      `(${c.question} vs peer) round ${r + 1}: ours ${ours.requestsPerSecond} req/s p50 ${ours.p50Ms} ms, peer ${peer.requestsPerSecond} req/s p50 ${peer.p50Ms} ms`,
    );
  }
  const ours = aggregate(perRound.map((p) => p.ours));
  const peer = aggregate(perRound.map((p) => p.peer));
  return {
    ...base,
    status: 'measured',
    comparedItems: check.items,
    rounds,
    connections: settings.connections,
    ours,
    peer,
    perRound,
    throughputRatio: round(ours.requestsPerSecond / peer.requestsPerSecond),
    p50Ratio: round(ours.p50Ms / peer.p50Ms),
  };
}
