/**
 * The project-managed Neo4j: fetches Neo4j Community 5.26 LTS jars from Maven Central with
 * `mvn` (once, into a cache folder outside git), writes a minimal neo4j.conf, starts the JVM
 * under neo4j-runtime/supervise.sh (so it never outlives this process), waits for Bolt, and
 * stops it cleanly. See docs/NEO4J-RUNTIME.md for what was verified on these machines.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { REPO_ROOT } from '../config';
import { changeOwnPassword } from '../store/credentials';
import { scalarText } from '../domain/text';

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
  log?: NeoLog;
  /** Delays between restart attempts after the JVM died: doubling from initialMs up to maxMs. */
  restartBackoff?: { initialMs: number; maxMs: number };
}

export type NeoLog = (message: string, level?: 'info' | 'warn' | 'error') => void;

export interface Neo4jCredentials {
  user: string;
  password: string;
}

/** `running`: Bolt answers; `restarting`: the JVM died and is being restarted; `stopped`: stop() was called. */
export type LocalNeo4jState = 'running' | 'restarting' | 'stopped';

export interface LocalNeo4j {
  uri: string;
  logFile: string;
  credentials: Neo4jCredentials;
  state(): LocalNeo4jState;
  /** The pid of the current JVM (undefined between a death and the next launch). */
  jvmPid(): number | undefined;
  /** How many times the JVM was restarted after dying. */
  restarts(): number;
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
  if (major === undefined)
    throw new LocalNeo4jError(`Java not found: install OpenJDK 17 or newer (e.g. apt-get install openjdk-17-jre-headless), ${USE_EXISTING_HINT}`);
  if (major < 17) throw new LocalNeo4jError(`Java ${major} found but Neo4j ${NEO4J_VERSION} needs Java 17 or newer: install OpenJDK 17, ${USE_EXISTING_HINT}`);
}

/** The folder holding the Neo4j jars; fetched with Maven on first use. */
export function ensureNeo4jJars(cacheDir: string, log: (m: string) => void = () => undefined): string {
  const home = path.join(cacheDir, `neo4j-${NEO4J_VERSION}`);
  const lib = path.join(home, 'lib');
  const marker = path.join(home, '.complete');
  if (fs.existsSync(marker)) return lib;
  checkJava();
  if (!hasMaven())
    throw new LocalNeo4jError(
      `Maven (mvn) not found: install it (e.g. apt-get install maven) so the Neo4j ${NEO4J_VERSION} jars can be fetched from Maven Central, ${USE_EXISTING_HINT}`,
    );
  log(`Fetching Neo4j Community ${NEO4J_VERSION} jars from Maven Central into ${lib} (once)...`);
  const staging = `${lib}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(REPO_ROOT, 'neo4j-runtime', 'pom.xml'),
      `-Dneo4j.version=${NEO4J_VERSION}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    const detail = (result.stdout + result.stderr)
      .split('\n')
      .filter((l) => l.includes('ERROR'))
      .slice(0, 3)
      .join(' ');
    throw new LocalNeo4jError(
      `mvn could not fetch the Neo4j ${NEO4J_VERSION} jars (${detail || `exit ${result.status}`}); check access to Maven Central, ${USE_EXISTING_HINT}`,
    );
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
    // Authentication on: the password is generated per store (<instance>/auth/password, mode 0600).
    'dbms.security.auth_enabled=true',
    `server.directories.data=${opts.dataDir}`,
    `server.directories.logs=${opts.logDir}`,
    `server.memory.pagecache.size=${opts.pageCache}`,
    'dbms.usage_report.enabled=false',
    // A runaway query is stopped by the server even if a client forgets its own timeout.
    'db.transaction.timeout=120s',
    '',
  ].join('\n');
}

const USER = 'neo4j';

/** Where the generated password of a store is kept (mode 0600, in a 0700 folder). */
export function passwordFile(home: string): string {
  return path.join(home, 'auth', 'password');
}

/** Where the process that runs the store's JVM records itself (see findRunningLocalNeo4j). */
export function ownerFile(home: string): string {
  return path.join(home, 'run', 'owner.json');
}

function jvmPidFile(home: string): string {
  return path.join(home, 'run', 'jvm.pid');
}

/**
 * Reads the store's generated password. Refuses a file other users could read (someone may
 * already have it): the message says how to fix it.
 */
export function readPassword(home: string): string | undefined {
  const file = passwordFile(home);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new LocalNeo4jError(
      `${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}): run chmod 600 ${file}, and consider deleting it together with the store`,
    );
  }
  const password = fs.readFileSync(file, 'utf8').trim();
  if (password.length < 8) throw new LocalNeo4jError(`${file} holds no usable password (fewer than 8 characters): delete it together with the store`);
  return password;
}

/**
 * A new store password: 192 random bits as hex. Hex, not base64url: neo4j-admin (picocli) reads
 * an argument that starts with '-' as an option, and about one base64url password in 64 does.
 */
export function generatePassword(): string {
  return randomBytes(24).toString('hex');
}

function createPassword(home: string): string {
  const dir = path.dirname(passwordFile(home));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const password = generatePassword();
  fs.writeFileSync(passwordFile(home), `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/** Whether Neo4j has already initialised this store (its system database exists). */
function storeInitialized(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'databases', 'system'));
}

/**
 * `neo4j-admin dbms set-initial-password`, run from the jars (org.neo4j.cli.AdminTool). The
 * password travels in a Java @argfile (mode 0600, deleted afterwards), never on a command line
 * other processes could read. Takes effect only before the store's first start.
 */
function setInitialPassword(lib: string, home: string, confDir: string, password: string): void {
  const argFile = path.join(path.dirname(passwordFile(home)), `admin-args-${process.pid}`);
  fs.writeFileSync(argFile, `dbms\nset-initial-password\n${password}\n`, { mode: 0o600 });
  try {
    const result = spawnSync('java', ['-cp', `${lib}/*`, 'org.neo4j.cli.AdminTool', `@${argFile}`], {
      cwd: home,
      encoding: 'utf8',
      env: { ...process.env, NEO4J_HOME: home, NEO4J_CONF: confDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (result.status !== 0) {
      throw new LocalNeo4jError(
        `neo4j-admin dbms set-initial-password failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' ')}`,
      );
    }
  } finally {
    fs.rmSync(argFile, { force: true });
  }
}

async function waitForBolt(uri: string, auth: Neo4jCredentials, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = child.exitCode !== null || child.signalCode !== null;
  child.once('exit', () => {
    exited = true;
  });
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) throw new LocalNeo4jError(`Neo4j exited during start-up; see ${logFile}`);
    if (await boltAnswers(uri, auth, (m) => (lastError = m))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new LocalNeo4jError(`Neo4j did not accept Bolt connections on ${uri} within ${Math.round(timeoutMs / 1000)} s (${lastError}); see ${logFile}`);
}

/** Whether a Neo4j at uri accepts these credentials. An authentication failure is thrown, not retried. */
async function boltAnswers(uri: string, auth: Neo4jCredentials, onError: (message: string) => void = () => undefined): Promise<boolean> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(auth.user, auth.password), {
    connectionTimeout: 2000,
    logging: { level: 'error', logger: () => undefined },
  });
  try {
    await driver.verifyConnectivity();
    return true;
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (code.startsWith('Neo.ClientError.Security.')) throw new LocalNeo4jError(`Neo4j at ${uri} refused the credentials (${code})`);
    onError(error instanceof Error ? error.message : String(error));
    return false;
  } finally {
    await driver.close();
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

interface OwnerRecord {
  ownerPid: number;
  uri: string;
  jvmPid?: number;
  startedAt: string;
}

function readOwner(home: string): OwnerRecord | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(ownerFile(home), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const r = parsed as Record<string, unknown>;
    if (typeof r.ownerPid !== 'number' || typeof r.uri !== 'string') return undefined;
    return { ownerPid: r.ownerPid, uri: r.uri, jvmPid: typeof r.jvmPid === 'number' ? r.jvmPid : undefined, startedAt: scalarText(r.startedAt) };
  } catch {
    return undefined;
  }
}

function writeOwner(home: string, record: OwnerRecord): void {
  fs.mkdirSync(path.dirname(ownerFile(home)), { recursive: true });
  const tmp = `${ownerFile(home)}.${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(record)}\n`);
  fs.renameSync(tmp, ownerFile(home));
}

export interface RunningLocalNeo4j {
  uri: string;
  ownerPid: number;
  credentials: Neo4jCredentials;
}

/**
 * A project-managed Neo4j already running on this store (started by `npm start`, the tests or
 * another CLI): its owner process is alive and its Bolt port answers with the store's password.
 * While the owner is alive but Bolt does not answer yet (starting, or restarting after a crash),
 * waits up to timeoutMs, then refuses: a second JVM must never be started on a store in use.
 */
export async function findRunningLocalNeo4j(home: string, timeoutMs: number): Promise<RunningLocalNeo4j | undefined> {
  const owner = readOwner(home);
  if (!owner || !alive(owner.ownerPid)) return undefined;
  const password = readPassword(home);
  if (!password) throw new LocalNeo4jError(`the Neo4j store ${home} is in use by process ${owner.ownerPid} but ${passwordFile(home)} is missing`);
  const credentials = { user: USER, password };
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (await boltAnswers(owner.uri, credentials, (m) => (lastError = m))) return { uri: owner.uri, ownerPid: owner.ownerPid, credentials };
    if (!alive(owner.ownerPid)) return undefined;
    if (Date.now() > deadline) {
      throw new LocalNeo4jError(
        `the Neo4j store ${home} is in use by process ${owner.ownerPid} but ${owner.uri} does not answer (${lastError}); not starting a second Neo4j on it: try again when it is up, or stop that process`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Starts the project-managed Neo4j and resolves once the driver can connect with the store's
 * generated password. If the JVM later dies by itself, it is logged and restarted with backoff
 * until stop() is called.
 */
export async function startLocalNeo4j(opts: LocalNeo4jOptions): Promise<LocalNeo4j> {
  const log: NeoLog = opts.log ?? (() => undefined);
  const backoff = opts.restartBackoff ?? { initialMs: 1000, maxMs: 30000 };
  const lib = ensureNeo4jJars(opts.cacheDir, log);
  checkJava();
  const home = opts.dataDir;
  const existingOwner = readOwner(home);
  if (existingOwner && alive(existingOwner.ownerPid)) {
    throw new LocalNeo4jError(
      `the Neo4j store ${home} is in use by process ${existingOwner.ownerPid} (Neo4j at ${existingOwner.uri}); not starting a second Neo4j on it`,
    );
  }
  if (opts.fresh) fs.rmSync(home, { recursive: true, force: true });
  const confDir = path.join(home, 'conf');
  const dataDir = path.join(home, 'data');
  const logDir = path.join(home, 'logs');
  for (const dir of [confDir, dataDir, logDir, path.join(home, 'run')]) fs.mkdirSync(dir, { recursive: true });
  writeOwner(home, { ownerPid: process.pid, uri: `bolt://127.0.0.1:${opts.port}`, startedAt: new Date().toISOString() });
  fs.writeFileSync(path.join(confDir, 'neo4j.conf'), neo4jConf({ dataDir, logDir, port: opts.port, pageCache: opts.pageCache }));
  const logFile = path.join(logDir, 'console.log');
  const uri = `bolt://127.0.0.1:${opts.port}`;

  // The password: generated once per store, set before the store's first start. A store created
  // before authentication was switched on still has the default neo4j/neo4j: changed after start.
  let password = readPassword(home);
  let pendingChange: string | undefined;
  if (!password) {
    password = createPassword(home);
    if (storeInitialized(dataDir)) pendingChange = password;
    else log(`Generated a password for the local Neo4j in ${passwordFile(home)} (mode 0600)`);
  }
  if (!storeInitialized(dataDir)) setInitialPassword(lib, home, confDir, password);
  const credentials: Neo4jCredentials = { user: USER, password };

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

  let state: LocalNeo4jState = 'restarting';
  let current: ChildProcess | undefined;
  let currentJvmPid: number | undefined;
  let restartCount = 0;
  let stopRequested = false;
  let wake: (() => void) | undefined;
  let restartLoop: Promise<void> | undefined;

  const exitOf = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
  const killAndWait = async (child: ChildProcess | undefined): Promise<void> => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exitOf(child);
  };

  const launch = (): ChildProcess => {
    fs.rmSync(jvmPidFile(home), { force: true });
    const out = fs.openSync(logFile, 'a');
    // Detached: a Ctrl-C in the terminal reaches this process only; we stop Neo4j ourselves, in order.
    const child = spawn(path.join(REPO_ROOT, 'neo4j-runtime', 'supervise.sh'), [String(process.pid), '--', 'java', ...javaArgs], {
      cwd: home,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, SUPERVISE_PID_FILE: jvmPidFile(home) },
    });
    fs.closeSync(out);
    current = child;
    child.once('exit', (code, signal) => {
      if (current !== child || stopRequested || state !== 'running') return;
      const how = signal ? `signal ${signal}` : code === 137 ? 'exit status 137: killed by SIGKILL' : `exit status ${code}`;
      log(`Neo4j on ${uri} (JVM pid ${currentJvmPid ?? '?'}) died (${how}); see ${logFile}. Restarting it.`, 'error');
      state = 'restarting';
      currentJvmPid = undefined;
      restartLoop = restartWithBackoff();
    });
    return child;
  };

  /** Launches the JVM and waits for Bolt; on failure the JVM is stopped and the error thrown. */
  const startOnce = async (): Promise<void> => {
    const child = launch();
    try {
      await waitForBolt(uri, pendingChange ? { user: USER, password: 'neo4j' } : credentials, child, opts.startTimeoutSeconds * 1000, logFile);
      if (pendingChange) {
        await changeOwnPassword(uri, USER, 'neo4j', pendingChange);
        log(`Authentication is now on for the existing store ${home}: its password was generated into ${passwordFile(home)} (mode 0600)`);
        pendingChange = undefined;
      }
    } catch (error) {
      await killAndWait(child);
      // Not changed: the next start tries the default password again with a new generated one.
      if (pendingChange) fs.rmSync(passwordFile(home), { force: true });
      throw error;
    }
    const pidText = fs.existsSync(jvmPidFile(home)) ? fs.readFileSync(jvmPidFile(home), 'utf8').trim() : '';
    currentJvmPid = /^\d+$/.test(pidText) ? Number(pidText) : undefined;
    writeOwner(home, { ownerPid: process.pid, uri, jvmPid: currentJvmPid, startedAt: new Date().toISOString() });
    state = 'running';
  };

  const restartWithBackoff = async (): Promise<void> => {
    for (let attempt = 0; !stopRequested; attempt += 1) {
      const delay = Math.min(backoff.initialMs * 2 ** attempt, backoff.maxMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (stopRequested) return;
      try {
        log(`Restarting Neo4j on ${uri} (attempt ${attempt + 1})`, 'warn');
        await startOnce();
        restartCount += 1;
        log(`Neo4j on ${uri} is back (JVM pid ${currentJvmPid ?? '?'}) after ${attempt + 1} attempt(s)`, 'warn');
        return;
      } catch (error) {
        if (stopRequested) return;
        log(`Neo4j restart attempt ${attempt + 1} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
      }
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopRequested = true;
      state = 'stopped';
      wake?.();
      await killAndWait(current);
      await restartLoop;
      await killAndWait(current);
      if (readOwner(home)?.ownerPid === process.pid) fs.rmSync(ownerFile(home), { force: true });
    })();
    return stopping;
  };

  log(`Starting Neo4j ${NEO4J_VERSION} on ${uri} (store ${home}, log ${logFile})`);
  try {
    await startOnce();
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri, logFile, credentials, state: () => state, jvmPid: () => currentJvmPid, restarts: () => restartCount, stop };
}
