/**
 * Change-feed test helpers: writing events straight into the log (as the write path does, in one
 * transaction), a real graphql-ws client over WebSocket, and a local webhook receiver on
 * 127.0.0.1 that checks signatures.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { EventDraft, StoredEvent } from '../../src/domain/events';
import type { Database } from '../../src/store/database';
import { appendEvents } from '../../src/store/eventStore';

export function draft(certificationId: string, extra: Partial<EventDraft> = {}): EventDraft {
  return {
    type: 'STATUS_CHANGED',
    effectiveDate: '2026-12-01',
    certificationIds: [certificationId],
    deviceIds: [],
    organizationIds: [],
    summary: `${certificationId}: ACTIVE → REVOKED from 2026-12-01`,
    source: 'test',
    classification: 'UNCLASSIFIED',
    oldStatus: 'ACTIVE',
    newStatus: 'REVOKED',
    reason: null,
    causeIds: [],
    watchId: null,
    ...extra,
  };
}

export async function writeEvents(db: Database, drafts: EventDraft[]): Promise<StoredEvent[]> {
  return db.writeTransaction(undefined, (tx) => appendEvents(tx, drafts));
}

export async function removeEvents(db: Database, prefix: string): Promise<void> {
  await db.write(
    undefined,
    'test remove events',
    'MATCH (e:CertificationEvent) WHERE any(x IN coalesce(e.certificationIds, [e.certificationId]) WHERE x STARTS WITH $prefix) OR any(x IN coalesce(e.deploymentIds, []) WHERE x STARTS WITH $prefix) OR e.watchId STARTS WITH $prefix DETACH DELETE e',
    { prefix },
  );
}

/** A graphql-ws client authenticated with an API key (or the given connection parameters). */
export function wsClient(httpUrl: string, params: Record<string, unknown>): Client {
  return createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: params,
    retryAttempts: 0,
    lazy: true,
  });
}

export const SUBSCRIPTION = `subscription Feed($filter: CertificationEventFilter, $after: String) {
  certificationEvents(filter: $filter, after: $after) { sequence type summary classification certificationIds causeCertificationIds oldStatus newStatus effectiveDate source }
}`;

export interface FeedEvent {
  sequence: number;
  type: string;
  summary: string;
  classification: string;
  certificationIds: string[];
  causeCertificationIds: string[];
  oldStatus: string | null;
  newStatus: string | null;
  effectiveDate: string | null;
  source: string;
}

/** Collects a subscription's events; `until` resolves once `n` have arrived. */
export function collect(client: Client, variables: Record<string, unknown>) {
  const events: (FeedEvent & { receivedAt: number })[] = [];
  const errors: unknown[] = [];
  let waiting: { n: number; resolve: () => void } | undefined;
  const dispose = client.subscribe<{ certificationEvents: FeedEvent }>(
    { query: SUBSCRIPTION, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push({ ...result.data.certificationEvents, receivedAt: Date.now() });
        if (waiting && events.length >= waiting.n) waiting.resolve();
      },
      error: (error) => {
        errors.push(error);
        waiting?.resolve();
      },
      complete: () => waiting?.resolve(),
    },
  );
  return {
    events,
    errors,
    dispose,
    until(n: number, timeoutMs = 20000): Promise<void> {
      if (events.length >= n || errors.length > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${events.length} of ${n} events after ${timeoutMs} ms`)), timeoutMs);
        waiting = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
  };
}

export interface ReceivedDelivery {
  sequence: number;
  attempt: number;
  watchId: string;
  body: { watchId: string; event: StoredEvent };
  validSignature: boolean;
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1: verifies the signature (HMAC-SHA256 over "<t>.<body>"), and
 * answers 500 to the first `failFirst` requests, 200 afterwards.
 */
export async function startReceiver(secret: string, failFirst = 0) {
  const received: ReceivedDelivery[] = [];
  let failuresLeft = failFirst;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = String(req.headers['x-assurance-signature'] ?? '');
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      const expected = m ? createHmac('sha256', secret).update(`${m[1]}.${raw}`, 'utf8').digest('hex') : '';
      const validSignature = m !== null && expected === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
      const answered = failuresLeft > 0 ? 500 : validSignature ? 200 : 401;
      if (failuresLeft > 0) failuresLeft -= 1;
      const body = JSON.parse(raw) as ReceivedDelivery['body'];
      received.push({
        sequence: body.event.sequence,
        attempt: Number(req.headers['x-assurance-attempt']),
        watchId: String(req.headers['x-assurance-watch']),
        body,
        validSignature,
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    /** Sequence numbers answered 2xx, de-duplicated, in order of arrival. */
    delivered(): number[] {
      const seen = new Set<number>();
      return received.filter((r) => r.answered === 200 && !seen.has(r.sequence) && seen.add(r.sequence)).map((r) => r.sequence);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30000, stepMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
