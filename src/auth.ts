/**
 * Who is calling. Two kinds of credential:
 * - Bearer JWTs (`Authorization: Bearer <jwt>`), verified with jose (src/security/jwt.ts):
 *   HS256 with JWT_SECRET, or RS256/ES256 against JWT_PUBLIC_KEY or JWT_JWKS; issuer,
 *   audience and expiry checked; `sub` names the caller, the roles and clearance claims its rights.
 * - Static API keys from configuration (API_KEYS, JSON), stored only as SHA-256 hashes; a
 *   request presents one as `x-api-key: <key>` or `Authorization: ApiKey <key>`.
 * Without a credential: in production the request is refused (UNAUTHENTICATED); in development
 * and test (unless ALLOW_ANONYMOUS=false) an anonymous caller may read (viewer, analyst) at
 * UNCLASSIFIED clearance and write nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppConfig } from './config';
import { CLASSIFICATIONS } from './domain/model';
import { ANONYMOUS_ID, expandRoles, ROLES, type Caller } from './domain/caller';
import { createJwtVerifier, type JwtVerifier } from './security/jwt';

const apiKeySchema = z.array(
  z.object({
    id: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    roles: z.array(z.enum(ROLES)).min(1),
    clearance: z.enum(CLASSIFICATIONS),
  }),
);
export type ApiKeyEntry = z.infer<typeof apiKeySchema>[number];

export function parseApiKeys(json: string | undefined): ApiKeyEntry[] {
  if (!json) return [];
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new Error('Invalid environment variable API_KEYS: expected a JSON array of {id, sha256, roles, clearance}');
  }
  const parsed = apiKeySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable API_KEYS at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const ANONYMOUS_CALLER: Caller = { id: ANONYMOUS_ID, roles: ['viewer', 'analyst'], clearance: 'UNCLASSIFIED' };

export type CallerResult = { ok: true; caller: Caller } | { ok: false; message: string };

export interface CredentialHeaders {
  apiKey?: string;
  authorization?: string;
}

/** Resolves a caller from an API key (or none); `allowAnonymous` is false in production. */
export function resolveCaller(headers: CredentialHeaders, keys: readonly ApiKeyEntry[], production: boolean, allowAnonymous = !production): CallerResult {
  let presented = headers.apiKey;
  if (!presented && headers.authorization) {
    const m = /^ApiKey\s+(.+)$/i.exec(headers.authorization.trim());
    if (m) presented = m[1];
  }
  if (!presented) {
    return production || !allowAnonymous
      ? { ok: false, message: 'Authentication required: present a bearer token (Authorization: Bearer <jwt>) or an API key (x-api-key header)' }
      : { ok: true, caller: ANONYMOUS_CALLER };
  }
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  const entry = keys.find((k) => timingSafeEqual(Buffer.from(k.sha256, 'hex'), digest));
  if (!entry) return { ok: false, message: 'Unknown API key' };
  return { ok: true, caller: { id: entry.id, roles: expandRoles(entry.roles), clearance: entry.clearance } };
}

export interface Authenticator {
  /** Whether bearer JWTs are accepted (a JWT key is configured). */
  readonly acceptsJwt: boolean;
  authenticate(headers: CredentialHeaders): Promise<CallerResult>;
}

/**
 * Builds the authenticator from configuration: API keys always, bearer JWTs when JWT_SECRET,
 * JWT_PUBLIC_KEY or JWT_JWKS is set. Presenting two credentials at once is refused.
 */
export function createAuthenticator(config: AppConfig): Authenticator {
  const production = config.NODE_ENV === 'production';
  const allowAnonymous = !production && (config.ALLOW_ANONYMOUS ?? true);
  const keys = parseApiKeys(config.API_KEYS);
  const jwt: JwtVerifier | undefined = createJwtVerifier({
    secret: config.JWT_SECRET,
    publicKey: config.JWT_PUBLIC_KEY,
    jwks: config.JWT_JWKS,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithms: config.JWT_ALGORITHMS,
    rolesClaim: config.JWT_ROLES_CLAIM,
    clearanceClaim: config.JWT_CLEARANCE_CLAIM,
    clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_S,
  });
  return {
    acceptsJwt: jwt !== undefined,
    async authenticate(headers: CredentialHeaders): Promise<CallerResult> {
      const bearer = headers.authorization ? /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization.trim()) : null;
      if (!bearer) return resolveCaller(headers, keys, production, allowAnonymous);
      if (headers.apiKey) return { ok: false, message: 'Present one credential: either a bearer token or an API key, not both' };
      if (!jwt) return { ok: false, message: 'Bearer tokens are not accepted by this server (no JWT key is configured); present an API key' };
      const token = bearer[1] ?? '';
      const verified = await jwt.verify(token);
      if (!verified.ok) return verified;
      return { ok: true, caller: { id: verified.token.subject, roles: expandRoles(verified.token.roles), clearance: verified.token.clearance } };
    },
  };
}
