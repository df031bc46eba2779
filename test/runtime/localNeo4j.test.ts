/**
 * The project-managed Neo4j itself, on its own port and fresh store (not the suite's database):
 * authentication with a generated password, one JVM per store (a second process joins the
 * running one), and supervision (a JVM killed with SIGKILL is logged, the API reports it,
 * Neo4j is restarted and the API serves again without a manual restart).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import neo4j, { type AuthToken } from 'neo4j-driver';
import pino from 'pino';
import { loadConfig, REPO_ROOT, type AppConfig } from '../../src/config';
import { connectDatabase, type ConnectedDatabase } from '../../src/runtime/database';
import { passwordFile } from '../../src/runtime/localNeo4j';
import { createApp, type App } from '../../src/server';
import { KEYS, testConfig } from '../helpers/app';

// Not the suite's 7688 nor the development 7687.
const PORT = process.env.TEST_NEO4J_SPARE_PORT ?? '7699';
const HOME = path.join(REPO_ROOT, '.data', `neo4j-runtime-test-${PORT}`);

jest.setTimeout(300_000);

async function connectivity(auth: AuthToken | undefined, uri: string): Promise<string> {
  const driver = neo4j.driver(uri, auth, { connectionTimeout: 3000, logging: { level: 'error', logger: () => undefined } });
  try {
    await driver.verifyConnectivity();
    return 'connected';
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
  } finally {
    await driver.close();
  }
}

/** The JVMs whose command line names this store (there must never be two). */
function jvmsOnStore(): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter((line) => line.includes('CommunityEntryPoint') && line.includes(`--home-dir=${HOME} `) && !line.includes('supervise.sh'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('project-managed Neo4j', () => {
  let config: AppConfig;
  let connected: ConnectedDatabase;
  const messages: { level: string; message: string }[] = [];

  beforeAll(async () => {
    config = loadConfig({
      NEO4J_LOCAL_PORT: PORT,
      NEO4J_LOCAL_DATA: HOME,
      NEO4J_HEAP: '512m',
      NEO4J_PAGECACHE: '64m',
      NEO4J_CACHE_DIR: process.env.NEO4J_CACHE_DIR,
      QUERY_TIMEOUT_MS: '60000',
    });
    connected = await connectDatabase(config, {
      fresh: true,
      log: (message, level = 'info') => messages.push({ level, message }),
      restartBackoff: { initialMs: 500, maxMs: 4000 },
    });
  });
  afterAll(async () => {
    await connected?.close();
    expect(jvmsOnStore()).toEqual([]);
  });

  it('runs with authentication on: a generated password kept with mode 0600; a wrong or a missing password is refused over Bolt', async () => {
    const file = passwordFile(HOME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const password = fs.readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(connected.credentials).toEqual({ user: 'neo4j', password });
    // The password never appears on a command line.
    expect(spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout).not.toContain(password);

    expect(await connectivity(undefined, connected.uri)).toBe('Neo.ClientError.Security.Unauthorized');
    expect(await connectivity(neo4j.auth.basic('neo4j', 'neo4j'), connected.uri)).toBe('Neo.ClientError.Security.Unauthorized');
    expect(await connectivity(neo4j.auth.basic('neo4j', `${password}x`), connected.uri)).toBe('Neo.ClientError.Security.Unauthorized');
    expect(await connectivity(neo4j.auth.basic('neo4j', password), connected.uri)).toBe('connected');
    const rows = await connected.db.read(undefined, 'test auth', 'RETURN 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('a CLI run while it is up uses the running Neo4j and never starts a second JVM on the store', async () => {
    const jvm = connected.local?.jvmPid();
    expect(jvm).toBeDefined();
    expect(jvmsOnStore()).toEqual([jvm]);

    // In process: a second connect on the same store joins the running Neo4j.
    const joinedLog: string[] = [];
    const joined = await connectDatabase(config, { log: (m) => joinedLog.push(m) });
    try {
      expect(joined.local).toBeUndefined();
      expect(joinedLog.join('\n')).toContain(`using the running Neo4j at ${connected.uri}`);
      expect(await joined.db.read(undefined, 'test joined', 'RETURN 2 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await joined.close();
    }
    // Closing the joined connection leaves the owner's Neo4j running.
    expect(await connectivity(neo4j.auth.basic('neo4j', connected.credentials?.password ?? ''), connected.uri)).toBe('connected');

    // The import CLI as a user runs it, with a different NEO4J_LOCAL_PORT: the store decides.
    const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'stix', 'mini-attack.json');
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/import.ts', 'stix', fixture, '--dry-run'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEO4J_URI: '', NEO4J_LOCAL_DATA: HOME, NEO4J_LOCAL_PORT: '7698', NEO4J_CACHE_DIR: config.NEO4J_CACHE_DIR },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let maxJvms = 0;
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const watcher = setInterval(() => (maxJvms = Math.max(maxJvms, jvmsOnStore().length)), 200);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearInterval(watcher);
    expect(output).toContain(`using the running Neo4j at ${connected.uri}`);
    expect(output).not.toContain('Starting Neo4j');
    expect(output).toContain('Dry run');
    expect(code).toBe(0);
    expect(maxJvms).toBe(1);
    expect(jvmsOnStore()).toEqual([jvm]);
  });

  it('when its JVM is killed with SIGKILL: logs the death, /readyz answers 503 and queries SERVICE_UNAVAILABLE, then it is restarted and the API serves again', async () => {
    const local = connected.local;
    if (!local) throw new Error('expected a project-managed Neo4j');
    const app: App = await createApp({
      config: testConfig({ NEO4J_URI: connected.uri, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: connected.credentials?.password ?? '' }),
      db: connected.db,
      logger: pino({ level: 'silent' }),
      migrationsApplied: false,
      neo4jState: () => local.state(),
    });
    const url = await app.listen(0, '127.0.0.1');
    const ready = async () => (await fetch(`${url}/readyz`)).status;
    const query = async () =>
      (await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEYS.viewer },
          body: JSON.stringify({ query: '{ devices(first: 1) { totalCount } }' }),
        })
      ).json()) as { data?: { devices: { totalCount: number } } | null; errors?: { extensions: { code: string } }[] };
    try {
      expect(await ready()).toBe(200);
      expect((await query()).data?.devices.totalCount).toBe(0);

      const jvm = local.jvmPid();
      if (!jvm) throw new Error('no JVM pid');
      process.kill(jvm, 'SIGKILL');
      const killedAt = Date.now();

      const death = await until('the death to be logged', 10_000, async () => messages.find((m) => m.level === 'error' && m.message.includes('died')));
      expect(death.message).toContain(`JVM pid ${jvm}`);
      expect(death.message).toContain('SIGKILL');
      const notReady = await fetch(`${url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'not ready', checks: { neo4j: 'restarting' } });
      const failed = await query();
      expect(failed.errors?.[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');

      // Back without a manual restart. Until then every query fails with a named, retryable code.
      const codes = new Set<string>();
      await until('/readyz 200 again', 180_000, async () => {
        const r = await query();
        for (const e of r.errors ?? []) codes.add(e.extensions.code);
        return (await ready()) === 200 ? true : undefined;
      });
      process.stderr.write(`[runtime test] kill -9 to /readyz 200: ${((Date.now() - killedAt) / 1000).toFixed(1)} s\n`);
      // Every failure meanwhile was the named, retryable code (on a quick restart there may be none left after the one above).
      expect([...codes].filter((code) => code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
      const served = await until('a query answered again', 60_000, async () => {
        const r = await query();
        return r.data ? r : undefined;
      });
      expect(served.data?.devices.totalCount).toBe(0);
      expect(served.errors).toBeUndefined();
      expect(local.state()).toBe('running');
      expect(local.restarts()).toBe(1);
      expect(local.jvmPid()).not.toBe(jvm);
      expect(jvmsOnStore()).toEqual([local.jvmPid()]);
      expect(messages.some((m) => m.message.includes('is back'))).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
