import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Repository root (this file lives in src/). */
export const REPO_ROOT = path.resolve(__dirname, '..');

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const intInRange = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `an integer between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `an integer between ${min} and ${max}` })
        .max(max, { message: `an integer between ${min} and ${max}` }),
    );

const memorySize = z.string().regex(/^\d+[kmgKMG]$/, { message: 'a size such as 512m or 1g' });

/**
 * Every environment variable the server reads, with its default. Validated once at start:
 * a bad value stops the process with one line naming the variable and what is allowed.
 */
const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: intInRange(0, 65535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** When set, use this Neo4j instead of starting the project's own. */
    NEO4J_URI: z
      .string()
      .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/.+/, { message: 'a bolt:// or neo4j:// URI' })
      .optional(),
    NEO4J_USER: z.string().default('neo4j'),
    NEO4J_PASSWORD: z.string().default(''),
    NEO4J_DATABASE: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9.-]*$/, { message: 'a database name' })
      .optional(),
    /** Bolt port of the project-managed Neo4j. */
    NEO4J_LOCAL_PORT: intInRange(1, 65535).default(7687),
    /** Where the project-managed Neo4j keeps its store and logs. */
    NEO4J_LOCAL_DATA: z
      .string()
      .min(1)
      .default(path.join(REPO_ROOT, '.data', 'neo4j-dev'))
      .transform((p) => path.resolve(p)),
    /** Where the Neo4j jars are cached (outside git, shared across checkouts). */
    NEO4J_CACHE_DIR: z
      .string()
      .min(1)
      .default(path.join(os.homedir(), '.cache', 'assurance-graph'))
      .transform((p) => path.resolve(p)),
    NEO4J_HEAP: memorySize.default('1g'),
    NEO4J_PAGECACHE: memorySize.default('512m'),
    /** Seconds to wait for the project-managed Neo4j to accept Bolt connections. */
    NEO4J_START_TIMEOUT: intInRange(5, 600).default(120),
    /** Most Bolt connections the API's driver opens; queries beyond it wait, in arrival order, for one (docs/BENCHMARKS.md, "Under load"). */
    NEO4J_MAX_CONNECTION_POOL_SIZE: intInRange(1, 1000).default(100),
    /** How long a query may wait for a pooled connection before it fails, in milliseconds. */
    NEO4J_CONNECTION_ACQUISITION_TIMEOUT_MS: intInRange(100, 600000).default(5000),
    /** Per-transaction timeout for every query the API runs, in milliseconds. */
    QUERY_TIMEOUT_MS: intInRange(100, 600000).default(15000),
    /** Load the seed scenario at start (default: true outside production, false in production). */
    SEED: bool.optional(),
    /** Largest document accepted by the importDocument mutation, in bytes. */
    IMPORT_MAX_BYTES: intInRange(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
    /** Largest HTTP request body accepted, in bytes. */
    MAX_BODY_BYTES: intInRange(1024, 200 * 1024 * 1024).default(8 * 1024 * 1024),
    /** JSON array of {id, sha256, roles, clearance}: API keys, stored as SHA-256 hashes. */
    API_KEYS: z.string().optional(),
    /** Outside production (default true there), let a caller without credentials read as an UNCLASSIFIED viewer/analyst. Cannot be true in production. */
    ALLOW_ANONYMOUS: bool.optional(),
    /** HS256 secret for bearer JWTs (at least 32 characters). */
    JWT_SECRET: z.string().min(32, { message: 'a secret of at least 32 characters' }).optional(),
    /** PEM (SPKI) public key, or a path to a PEM file, for RS256/ES256 bearer JWTs. */
    JWT_PUBLIC_KEY: z.string().min(1).optional(),
    /** JWKS for RS256/ES256 bearer JWTs: an https URL or a path to a JWKS JSON file. */
    JWT_JWKS: z.string().min(1).optional(),
    /** Required `iss` of bearer JWTs. */
    JWT_ISSUER: z.string().min(1).optional(),
    /** Required `aud` of bearer JWTs. */
    JWT_AUDIENCE: z.string().min(1).optional(),
    /** Asymmetric algorithms accepted with JWT_PUBLIC_KEY / JWT_JWKS (comma-separated). */
    JWT_ALGORITHMS: z
      .string()
      .regex(/^(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA)(,(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA))*$/, {
        message: 'a comma-separated list of RS256, ES256, PS256, EdDSA (and the 384/512 variants)',
      })
      .default('RS256,ES256')
      .transform((v) => v.split(',')),
    /** Claim holding the caller's roles (array or space-separated string). */
    JWT_ROLES_CLAIM: z.string().min(1).default('roles'),
    /** Claim holding the caller's clearance (UNCLASSIFIED..SECRET). */
    JWT_CLEARANCE_CLAIM: z.string().min(1).default('clearance'),
    /** Clock skew tolerated when checking exp/nbf, in seconds. */
    JWT_CLOCK_TOLERANCE_S: intInRange(0, 300).default(30),
    /** Query limits: selection depth, aliases, directives (graphql-armor), tokens (parser), cost (src/security/cost.ts). */
    GRAPHQL_MAX_DEPTH: intInRange(2, 100).default(20),
    GRAPHQL_MAX_COST: intInRange(100, 1000000000).default(3000000),
    /** Analytics fields (riskPaths, exposure, ...) one caller may have executing at once. */
    ANALYTICS_MAX_CONCURRENT: intInRange(1, 1000).default(4),
    GRAPHQL_MAX_ALIASES: intInRange(0, 1000).default(30),
    GRAPHQL_MAX_DIRECTIVES: intInRange(0, 1000).default(50),
    GRAPHQL_MAX_TOKENS: intInRange(100, 1000000).default(5000),
    /**
     * Admission control (docs/SECURITY.md, "Overload"): /graphql operations executing at once on this
     * instance (0: no limit), operations waiting for a slot in arrival order, and the longest wait
     * before a request is answered 503 OVERLOADED instead of late.
     */
    MAX_CONCURRENT_OPERATIONS: intInRange(0, 10000).default(16),
    MAX_QUEUED_OPERATIONS: intInRange(0, 100000).default(1000),
    QUEUE_TIMEOUT_MS: intInRange(1, 600000).default(10000),
    /** Overall deadline for one GraphQL request, in milliseconds (each transaction also has QUERY_TIMEOUT_MS). */
    REQUEST_TIMEOUT_MS: intInRange(100, 600000).default(30000),
    /** Change feed (docs/EVENTS.md): how often each instance reads the head of the event log for live subscriptions, in milliseconds. */
    EVENT_POLL_MS: intInRange(50, 60000).default(500),
    /** Live subscriptions one caller may hold on one instance, and all callers together. */
    SUBSCRIPTIONS_PER_CALLER: intInRange(1, 10000).default(10),
    SUBSCRIPTIONS_MAX: intInRange(1, 100000).default(1000),
    /** Webhook watches one caller may own. */
    WATCHES_PER_CALLER: intInRange(1, 10000).default(20),
    /** Run the webhook delivery worker on this instance (default: true, false when NODE_ENV=test). */
    WEBHOOK_DELIVERY: bool.optional(),
    /** After `npm start` is ready, run the query collection's read operations once in the background so Neo4j plans their Cypher before a user asks (default: true, false when NODE_ENV=test). */
    WARM_UP: bool.optional(),
    /** How often the delivery worker looks for watches behind the log, in milliseconds. */
    WEBHOOK_POLL_MS: intInRange(50, 600000).default(1000),
    /** Time one delivery attempt may take before it counts as failed, in milliseconds. */
    WEBHOOK_TIMEOUT_MS: intInRange(100, 120000).default(5000),
    /** Lease on a watch's deliveries, in milliseconds; must exceed WEBHOOK_TIMEOUT_MS. */
    WEBHOOK_LEASE_MS: intInRange(500, 3600000).default(30000),
    /** First retry delay, doubled per attempt up to WEBHOOK_RETRY_MAX_MS. */
    WEBHOOK_RETRY_BASE_MS: intInRange(10, 3600000).default(1000),
    WEBHOOK_RETRY_MAX_MS: intInRange(10, 86400000).default(600000),
    /** After failing this long on one event, the watch is marked FAILING (and a WATCH_FAILING event is written). */
    WEBHOOK_RETRY_HORIZON_MS: intInRange(100, 30 * 86400000).default(86400000),
    /** Largest webhook body, in bytes (an event's id lists are dropped first, then the delivery fails). */
    WEBHOOK_MAX_PAYLOAD_BYTES: intInRange(1024, 10 * 1024 * 1024).default(65536),
    /** Delivery-log records kept per watch (newest by sequence); older ones are pruned after each delivery round. */
    WEBHOOK_DELIVERY_LOG_KEEP: intInRange(1, 1000000).default(1000),
    /** Comma-separated hosts (exact, or *.suffix) webhooks may be sent to; empty list: every host allowed. */
    WEBHOOK_ALLOWED_HOSTS: z.string().default(''),
    /** Allow loopback and private hosts that WEBHOOK_ALLOWED_HOSTS does not list (default: true outside production, false in production). */
    WEBHOOK_ALLOW_PRIVATE: bool.optional(),
    /** Expiry sweep interval in milliseconds; 0 turns the scheduled sweep off (default 1 hour, 0 when NODE_ENV=test). */
    EXPIRY_SWEEP_INTERVAL_MS: intInRange(0, 30 * 86400000).optional(),
  })
  .superRefine((c, ctx) => {
    const jwtKey = c.JWT_SECRET !== undefined || c.JWT_PUBLIC_KEY !== undefined || c.JWT_JWKS !== undefined;
    if (jwtKey && !c.JWT_ISSUER)
      ctx.addIssue({ code: 'custom', path: ['JWT_ISSUER'], message: 'an issuer when JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS is set' });
    if (jwtKey && !c.JWT_AUDIENCE)
      ctx.addIssue({ code: 'custom', path: ['JWT_AUDIENCE'], message: 'an audience when JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS is set' });
    if (c.NODE_ENV === 'production' && c.NEO4J_URI !== undefined && c.NEO4J_PASSWORD === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['NEO4J_PASSWORD'],
        message: 'a password for NEO4J_URI in production (a Neo4j without authentication lets any process read every marking)',
      });
    }
    if (c.WEBHOOK_LEASE_MS <= c.WEBHOOK_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_LEASE_MS'], message: `more than WEBHOOK_TIMEOUT_MS (${c.WEBHOOK_TIMEOUT_MS})` });
    }
    if (c.NODE_ENV === 'production' && c.ALLOW_ANONYMOUS === true) {
      ctx.addIssue({ code: 'custom', path: ['ALLOW_ANONYMOUS'], message: 'false in production (anonymous access is always refused there)' });
    }
  });

export type AppConfig = Omit<z.infer<typeof envSchema>, 'SEED' | 'WEBHOOK_DELIVERY' | 'WARM_UP' | 'WEBHOOK_ALLOW_PRIVATE' | 'EXPIRY_SWEEP_INTERVAL_MS'> & {
  SEED: boolean;
  WEBHOOK_DELIVERY: boolean;
  WARM_UP: boolean;
  WEBHOOK_ALLOW_PRIVATE: boolean;
  EXPIRY_SWEEP_INTERVAL_MS: number;
};

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws ConfigError with a one-line message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue ? String(issue.path[0] ?? '') : '';
    const allowed = issue ? issue.message : 'a valid value';
    throw new ConfigError(`Invalid environment variable ${variable}=${JSON.stringify(relevant[variable] ?? '')}: expected ${allowed}`);
  }
  // The seed never undoes curation, but a production graph is curated, not a demo: opt in there.
  const d = parsed.data;
  return {
    ...d,
    SEED: d.SEED ?? d.NODE_ENV !== 'production',
    WEBHOOK_DELIVERY: d.WEBHOOK_DELIVERY ?? d.NODE_ENV !== 'test',
    WARM_UP: d.WARM_UP ?? d.NODE_ENV !== 'test',
    WEBHOOK_ALLOW_PRIVATE: d.WEBHOOK_ALLOW_PRIVATE ?? d.NODE_ENV !== 'production',
    EXPIRY_SWEEP_INTERVAL_MS: d.EXPIRY_SWEEP_INTERVAL_MS ?? (d.NODE_ENV === 'test' ? 0 : 3600000),
  };
}

/**
 * The reference-data folder (ATT&CK, OSCAL, KEV, CycloneDX examples, CVE records, CMVP lists):
 * DATA_DIR when set, else `data/` in the checkout. Nothing is read from outside the checkout
 * unless DATA_DIR says so.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DATA_DIR;
  return dir && dir !== '' ? path.resolve(dir) : path.join(REPO_ROOT, 'data');
}
