import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Repository root (this file lives in src/). */
export const REPO_ROOT = path.resolve(__dirname, '..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const intInRange = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `an integer between ${min} and ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `an integer between ${min} and ${max}` }).max(max, { message: `an integer between ${min} and ${max}` }));

const memorySize = z.string().regex(/^\d+[kmgKMG]$/, { message: 'a size such as 512m or 1g' });

/**
 * Every environment variable the server reads, with its default. Validated once at start:
 * a bad value stops the process with one line naming the variable and what is allowed.
 */
const envSchema = z.object({
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
  NEO4J_DATABASE: z.string().regex(/^[A-Za-z][A-Za-z0-9.-]*$/, { message: 'a database name' }).optional(),
  /** Bolt port of the project-managed Neo4j. */
  NEO4J_LOCAL_PORT: intInRange(1, 65535).default(7687),
  /** Where the project-managed Neo4j keeps its store and logs. */
  NEO4J_LOCAL_DATA: z.string().min(1).default(path.join(REPO_ROOT, '.data', 'neo4j-dev')),
  /** Where the Neo4j jars are cached (outside git, shared across checkouts). */
  NEO4J_CACHE_DIR: z.string().min(1).default(path.join(os.homedir(), '.cache', 'assurance-graph')),
  NEO4J_HEAP: memorySize.default('1g'),
  NEO4J_PAGECACHE: memorySize.default('512m'),
  /** Seconds to wait for the project-managed Neo4j to accept Bolt connections. */
  NEO4J_START_TIMEOUT: intInRange(5, 600).default(120),
  /** Per-transaction timeout for every query the API runs, in milliseconds. */
  QUERY_TIMEOUT_MS: intInRange(100, 600000).default(15000),
  /** Load the seed scenario at start. */
  SEED: bool.default(true),
  /** Largest document accepted by the importDocument mutation, in bytes. */
  IMPORT_MAX_BYTES: intInRange(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Largest HTTP request body accepted, in bytes. */
  MAX_BODY_BYTES: intInRange(1024, 200 * 1024 * 1024).default(8 * 1024 * 1024),
  /** JSON array of {id, sha256, roles, clearance}: API keys, stored as SHA-256 hashes. */
  API_KEYS: z.string().optional(),
});

export type AppConfig = z.infer<typeof envSchema>;

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
  return parsed.data;
}
