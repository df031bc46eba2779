import path from 'node:path';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig, REPO_ROOT } from '../../src/config';
import { createApp } from '../../src/server';
import { applyMigrations, listConstraints, migrationSchemaName, migrationStatements } from '../../src/store/migrations';
import { LABELS } from '../../src/domain/model';
import { cleanup, KEYS, startTestApp, testConfig, testDatabase, testNeo4jUri, uniquePrefix, type TestApp } from '../helpers/app';
import { scalarText } from '../../src/domain/text';

describe('foundation', () => {
  let t: TestApp;
  const prefix = uniquePrefix('foundation');
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });

  it('answers a GraphQL query from data written to Neo4j', async () => {
    const id = `${prefix}dev`;
    await t.db.write(
      undefined,
      'test write',
      "CREATE (:Device {id: $id, name: 'Written Directly', category: 'PHONE', classification: 'UNCLASSIFIED', source: 'test'})",
      { id },
    );
    const result = await t.run<{ device: { id: string; name: string; category: string } | null }>(
      'query($id: ID!) { device(id: $id) { id name category } }',
      { id },
      KEYS.viewer,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.device).toEqual({ id, name: 'Written Directly', category: 'PHONE' });
  });

  it('applies migrations idempotently: a uniqueness constraint per label, the same set after a second run', async () => {
    await applyMigrations(t.db);
    const first = await listConstraints(t.db);
    // the names present are read once: on a migrated store no schema transaction runs (a faster start)
    expect(await applyMigrations(t.db)).toEqual({ applied: 0 });
    const second = await listConstraints(t.db);
    expect(second).toEqual(first);
    // every migration names what it creates, so none is re-run for want of a name
    for (const { cypher } of migrationStatements()) expect(migrationSchemaName(cypher)).toMatch(/^\w+$/);
    for (const label of LABELS) expect(first).toContain(`${label.toLowerCase()}_id_unique`);
  });

  it('serves /healthz and /readyz over HTTP', async () => {
    const url = await t.app.listen(0, '127.0.0.1');
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { neo4j: 'reachable', migrations: 'applied' } });
    const gql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ devices(first: 1) { totalCount } }' }),
    });
    expect(gql.status).toBe(200);
    expect(gql.headers.get('x-request-id')).toMatch(/.+/);
  });
});

/**
 * A TCP proxy in front of the real test Neo4j: closing it makes Neo4j unreachable for the app
 * without stopping the shared database; reopening it on the same port brings it back.
 */
class Proxy {
  private server: net.Server | undefined;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly targetPort: number) {}
  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client);
      this.sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
      client.on('close', drop);
      upstream.on('close', drop);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('when Neo4j is unreachable', () => {
  it('reports not ready and answers GraphQL with a clear error, then recovers without a restart', async () => {
    const target = new URL(testNeo4jUri().replace(/^(bolt|neo4j)/, 'http'));
    const proxy = new Proxy(Number(target.port));
    await proxy.open();
    const config = testConfig({ NEO4J_URI: `bolt://127.0.0.1:${proxy.port}` });
    const db = testDatabase(config.NEO4J_URI ?? '', 5000);
    const app = await createApp({ config, db, logger: pino({ level: 'silent' }), migrationsApplied: true });
    const url = await app.listen(0, '127.0.0.1');
    const query = () =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEYS.viewer },
        body: JSON.stringify({ query: '{ devices(first: 1) { totalCount } }' }),
      });
    try {
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await query()).status).toBe(200);

      await proxy.close();
      const notReady = await fetch(`${url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'not ready', checks: { neo4j: 'unreachable' } });
      const failed = (await (await query()).json()) as { errors?: { message: string; extensions: { code: string } }[] };
      expect(failed.errors?.[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(failed.errors?.[0]?.message).toMatch(/unreachable/);

      await proxy.open();
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const ok = (await (await query()).json()) as { data?: { devices: { totalCount: number } }; errors?: unknown };
      expect(ok.errors).toBeUndefined();
      expect(typeof ok.data?.devices.totalCount).toBe('number');
    } finally {
      await app.stop();
      await db.close();
      await proxy.close();
    }
  }, 60000);
});

describe('test database', () => {
  // Asked of the running server itself, not of a URI string: where it keeps its store and which
  // port it listens on. With NEO4J_URI set the tests use that server and there is no local store.
  const external = process.env.NEO4J_URI !== undefined && process.env.NEO4J_URI !== '';
  (external ? it.skip : it)('is not the development database: its store is in the test data folder and it listens on the test port', async () => {
    const db = testDatabase();
    try {
      const rows = await db.read(undefined, 'test server settings', 'SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value', {
        names: ['server.directories.data', 'server.bolt.listen_address'],
      });
      const setting = (name: string): string => scalarText(rows.find((r) => r.name === name)?.value);
      const dev = loadConfig({});
      const testData = path.resolve(process.env.TEST_NEO4J_DATA ?? path.join(REPO_ROOT, '.data', 'neo4j-test'));
      const dataDir = path.resolve(setting('server.directories.data'));
      expect(dataDir.startsWith(`${testData}${path.sep}`) || dataDir === testData).toBe(true);
      expect(dataDir.startsWith(`${dev.NEO4J_LOCAL_DATA}${path.sep}`) || dataDir === dev.NEO4J_LOCAL_DATA).toBe(false);
      const port = Number(setting('server.bolt.listen_address').split(':').pop());
      expect(port).toBe(Number(new URL(testNeo4jUri()).port));
      expect(port).not.toBe(dev.NEO4J_LOCAL_PORT);
    } finally {
      await db.close();
    }
  });
});
