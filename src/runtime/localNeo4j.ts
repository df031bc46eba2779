/**
 * The project-managed Neo4j: fetches Neo4j Community 5.26 LTS jars from Maven Central with
 * `mvn` (once, into a cache folder outside git), writes a minimal neo4j.conf, starts the JVM
 * under neo4j-runtime/supervise.sh (so it never outlives this process), waits for Bolt, and
 * stops it cleanly. See docs/NEO4J-RUNTIME.md for what was verified on these machines.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { REPO_ROOT } from '../config';

export const NEO4J_VERSION = '5.26.30';

export interface LocalNeo4jOptions {
  cacheDir: string;
  dataDir: string;
  port: number;
  heap: string;
  pageCache: string;
  startTimeoutSeconds: number;
  /** Delete the store before starting (tests use a fresh database every run). */
  fresh?: boolean;
  log?: (message: string) => void;
}

export interface LocalNeo4j {
  uri: string;
  logFile: string;
  stop(): Promise<void>;
}

export class LocalNeo4jError extends Error {}

function javaMajorVersion(): number | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

function hasMaven(): boolean {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  return !result.error && result.status === 0;
}

const USE_EXISTING_HINT = 'or set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) to use an existing Neo4j 5';

/** Checks Java 17+ is present; throws a one-line message saying what to install otherwise. */
export function checkJava(): void {
  const major = javaMajorVersion();
  if (major === undefined) throw new LocalNeo4jError(`Java not found: install OpenJDK 17 or newer (e.g. apt-get install openjdk-17-jre-headless), ${USE_EXISTING_HINT}`);
  if (major < 17) throw new LocalNeo4jError(`Java ${major} found but Neo4j ${NEO4J_VERSION} needs Java 17 or newer: install OpenJDK 17, ${USE_EXISTING_HINT}`);
}

/** The folder holding the Neo4j jars; fetched with Maven on first use. */
export function ensureNeo4jJars(cacheDir: string, log: (m: string) => void = () => undefined): string {
  const home = path.join(cacheDir, `neo4j-${NEO4J_VERSION}`);
  const lib = path.join(home, 'lib');
  const marker = path.join(home, '.complete');
  if (fs.existsSync(marker)) return lib;
  checkJava();
  if (!hasMaven()) throw new LocalNeo4jError(`Maven (mvn) not found: install it (e.g. apt-get install maven) so the Neo4j ${NEO4J_VERSION} jars can be fetched from Maven Central, ${USE_EXISTING_HINT}`);
  log(`Fetching Neo4j Community ${NEO4J_VERSION} jars from Maven Central into ${lib} (once)...`);
  const staging = `${lib}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', path.join(REPO_ROOT, 'neo4j-runtime', 'pom.xml'), `-Dneo4j.version=${NEO4J_VERSION}`, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    const detail = (result.stdout + result.stderr).split('\n').filter((l) => l.includes('ERROR')).slice(0, 3).join(' ');
    throw new LocalNeo4jError(`mvn could not fetch the Neo4j ${NEO4J_VERSION} jars (${detail || `exit ${result.status}`}); check access to Maven Central, ${USE_EXISTING_HINT}`);
  }
  fs.rmSync(lib, { recursive: true, force: true });
  fs.renameSync(staging, lib);
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  return lib;
}

/** The neo4j.conf the project writes. Neo4j validates keys strictly: keep this list minimal. */
export function neo4jConf(opts: { dataDir: string; logDir: string; port: number; pageCache: string }): string {
  return [
    'server.default_listen_address=127.0.0.1',
    'server.bolt.enabled=true',
    `server.bolt.listen_address=127.0.0.1:${opts.port}`,
    'server.bolt.tls_level=DISABLED',
    'server.http.enabled=false',
    'server.https.enabled=false',
    'dbms.security.auth_enabled=false',
    `server.directories.data=${opts.dataDir}`,
    `server.directories.logs=${opts.logDir}`,
    `server.memory.pagecache.size=${opts.pageCache}`,
    'dbms.usage_report.enabled=false',
    // A runaway query is stopped by the server even if a client forgets its own timeout.
    'db.transaction.timeout=120s',
    '',
  ].join('\n');
}

async function waitForBolt(uri: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) throw new LocalNeo4jError(`Neo4j exited during start-up; see ${logFile}`);
    const driver = neo4j.driver(uri, undefined, { connectionTimeout: 2000, logging: { level: 'error', logger: () => undefined } });
    try {
      await driver.verifyConnectivity();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await driver.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new LocalNeo4jError(`Neo4j did not accept Bolt connections on ${uri} within ${Math.round(timeoutMs / 1000)} s (${lastError}); see ${logFile}`);
}

/** Starts the project-managed Neo4j and resolves once the driver can connect. */
export async function startLocalNeo4j(opts: LocalNeo4jOptions): Promise<LocalNeo4j> {
  const log = opts.log ?? (() => undefined);
  const lib = ensureNeo4jJars(opts.cacheDir, log);
  checkJava();
  const home = opts.dataDir;
  if (opts.fresh) fs.rmSync(home, { recursive: true, force: true });
  const confDir = path.join(home, 'conf');
  const dataDir = path.join(home, 'data');
  const logDir = path.join(home, 'logs');
  for (const dir of [confDir, dataDir, logDir]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(confDir, 'neo4j.conf'), neo4jConf({ dataDir, logDir, port: opts.port, pageCache: opts.pageCache }));
  const logFile = path.join(logDir, 'console.log');
  const out = fs.openSync(logFile, 'a');

  const javaArgs = [
    `-Xms${opts.heap}`,
    `-Xmx${opts.heap}`,
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-cp',
    `${lib}/*`,
    'org.neo4j.server.CommunityEntryPoint',
    `--home-dir=${home}`,
    `--config-dir=${confDir}`,
    '--console-mode',
  ];
  log(`Starting Neo4j ${NEO4J_VERSION} on bolt://127.0.0.1:${opts.port} (store ${home}, log ${logFile})`);
  // Detached: a Ctrl-C in the terminal reaches this process only; we stop Neo4j ourselves, in order.
  const child = spawn(path.join(REPO_ROOT, 'neo4j-runtime', 'supervise.sh'), [String(process.pid), '--', 'java', ...javaArgs], {
    cwd: home,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const uri = `bolt://127.0.0.1:${opts.port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    })();
    return stopping;
  };
  try {
    await waitForBolt(uri, child, opts.startTimeoutSeconds * 1000, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri, logFile, stop };
}
