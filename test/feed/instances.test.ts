/**
 * Two API processes on one Neo4j (as behind a load balancer): a subscription on instance B sees
 * the events of writes made through instance A (the log in Neo4j is the only source of truth;
 * the delay is measured), and with both instances running the webhook worker every event is
 * delivered once (the lease on the watch), in sequence order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { REPO_ROOT } from '../../src/config';
import { cleanup, KEYS, testConfig, testDatabase, testNeo4jCredentials, testNeo4jUri, uniquePrefix } from '../helpers/app';
import { collect, removeEvents, startReceiver, waitFor, wsClient } from '../helpers/feed';
import { writeGraph } from '../helpers/graph';
import type { Database } from '../../src/store/database';

const RECORD = `mutation Record($input: RecordCertificationStatusInput!) { recordCertificationStatus(input: $input) { entry { id } } }`;
const CREATE = `mutation Create($filter: CertificationEventFilter, $url: String!, $secret: String!) { createWatch(filter: $filter, url: $url, secret: $secret) { id } }`;
const SECRET = 'two-instances-webhook-secret';

async function startInstance(name: string): Promise<{ url: string; child: ChildProcess }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PORT: '0',
    SEED: 'false',
    NEO4J_URI: testNeo4jUri(),
    ...testNeo4jCredentials(),
    API_KEYS: testConfig().API_KEYS,
    QUERY_TIMEOUT_MS: '60000',
    REQUEST_TIMEOUT_MS: '90000',
    EVENT_POLL_MS: '250',
    WEBHOOK_DELIVERY: 'true',
    WEBHOOK_POLL_MS: '100',
    WEBHOOK_LEASE_MS: '10000',
  };
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'src', 'main.ts')], {
    env,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start`)), 120000);
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'Assurance Graph API ready' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url.replace(/\/graphql$/, ''));
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`instance ${name} exited with ${code}: ${stderr.slice(0, 2000)}`)));
  });
  return { url, child };
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown>, key: string): Promise<{ data?: T; errors?: { message: string }[] }> {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  return (await r.json()) as { data?: T; errors?: { message: string }[] };
}

describe('two API instances on one Neo4j', () => {
  const prefix = uniquePrefix('instances');
  const cert = `${prefix}cert`;
  let db: Database;
  const children: ChildProcess[] = [];
  let watchId = '';

  beforeAll(async () => {
    db = testDatabase();
    await writeGraph(db, [
      { label: 'Certification', id: cert, name: cert, kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2030-12-31' },
    ]);
  });
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
    await db.write(undefined, 'test remove watch', 'MATCH (w:Watch {id: $id}) OPTIONAL MATCH (d:WebhookDelivery {watchId: $id}) DETACH DELETE w, d', {
      id: watchId,
    });
    await db.write(undefined, 'test remove status changes', 'MATCH (s:StatusChange) WHERE s.certificationId STARTS WITH $prefix DETACH DELETE s', { prefix });
    await removeEvents(db, prefix);
    await cleanup(db, prefix);
    await db.close();
  });

  it('a subscription on B receives what a write on A caused; each event is delivered once by one of the two workers', async () => {
    const [a, b] = await Promise.all([startInstance('A'), startInstance('B')]);
    children.push(a.child, b.child);
    const receiver = await startReceiver(SECRET);
    const created = await gql<{ createWatch: { id: string } }>(
      a.url,
      CREATE,
      { url: receiver.url, secret: SECRET, filter: { certificationIds: [cert] } },
      KEYS.curator,
    );
    watchId = created.data?.createWatch.id ?? '';
    expect(watchId).not.toBe('');

    const client = wsClient(b.url, { 'x-api-key': KEYS.analyst });
    const sub = collect(client, { filter: { certificationIds: [cert] } });
    await new Promise((r) => setTimeout(r, 1000));

    const statuses = ['SUSPENDED', 'ACTIVE', 'SUSPENDED', 'ACTIVE', 'SUSPENDED', 'ACTIVE'];
    const written: number[] = [];
    for (const [i, status] of statuses.entries()) {
      const r = await gql(a.url, RECORD, { input: { certificationId: cert, status, effectiveFrom: `2026-0${i + 1}-01`, reason: `step ${i}` } }, KEYS.curator);
      expect(r.errors).toBeUndefined();
      written.push(Date.now());
    }
    await sub.until(statuses.length, 30000);
    expect(sub.events.map((e) => e.newStatus)).toEqual(statuses);
    const delays = sub.events.map((e, i) => e.receivedAt - (written[i] ?? 0));
    process.stdout.write(`instance B saw A's events after ${delays.join(', ')} ms (EVENT_POLL_MS=250)\n`);
    expect(Math.max(...delays)).toBeLessThan(5000);

    const sequences = sub.events.map((e) => e.sequence);
    await waitFor(() => receiver.delivered().length >= sequences.length, 30000);
    await new Promise((r) => setTimeout(r, 1000));
    // exactly once: no event was sent twice, none failed
    expect(receiver.received.map((r) => r.sequence)).toEqual(sequences);
    expect(receiver.received.every((r) => r.validSignature && r.answered === 200)).toBe(true);
    sub.dispose();
    await client.dispose();
    await receiver.close();
  });
});
