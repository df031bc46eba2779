/**
 * Who is calling. API keys come from configuration (API_KEYS, JSON) and are stored only as
 * SHA-256 hashes; a request presents one as `x-api-key: <key>` or `Authorization: ApiKey <key>`.
 * Without a key: in production the request is refused (UNAUTHENTICATED); in development and
 * test an anonymous caller is a read-only viewer/analyst with UNCLASSIFIED clearance.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CLASSIFICATIONS } from './domain/model';
import type { Caller, GraphQLContext, Role } from './graphql/context';
import { forbidden, unauthenticated } from './graphql/errors';

const ROLES = ['viewer', 'analyst', 'curator', 'admin'] as const;

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

/** Roles imply the ones below them: admin > curator > analyst > viewer. */
function expandRoles(roles: readonly Role[]): Role[] {
  const rank = Math.max(...roles.map((r) => ROLES.indexOf(r)));
  return ROLES.slice(0, rank + 1) as unknown as Role[];
}

export const ANONYMOUS_CALLER: Caller = { id: 'anonymous', roles: ['viewer', 'analyst'], clearance: 'UNCLASSIFIED' };

export type CallerResult = { ok: true; caller: Caller } | { ok: false; message: string };

export function resolveCaller(headers: { apiKey?: string; authorization?: string }, keys: readonly ApiKeyEntry[], production: boolean): CallerResult {
  let presented = headers.apiKey;
  if (!presented && headers.authorization) {
    const m = /^ApiKey\s+(.+)$/i.exec(headers.authorization.trim());
    if (m) presented = m[1];
  }
  if (!presented) {
    return production ? { ok: false, message: 'Authentication required: present an API key (x-api-key header)' } : { ok: true, caller: ANONYMOUS_CALLER };
  }
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  const entry = keys.find((k) => timingSafeEqual(Buffer.from(k.sha256, 'hex'), digest));
  if (!entry) return { ok: false, message: 'Unknown API key' };
  return { ok: true, caller: { id: entry.id, roles: expandRoles(entry.roles), clearance: entry.clearance } };
}

/** Throws FORBIDDEN (nothing is written) unless the caller holds the role. */
export function requireRole(ctx: GraphQLContext, role: Role): void {
  if (!ctx.caller.roles.includes(role)) {
    if (ctx.caller.id === 'anonymous') throw unauthenticated(`This operation needs the ${role} role: present an API key`);
    throw forbidden(`This operation needs the ${role} role; caller ${ctx.caller.id} has ${ctx.caller.roles.join(', ')}`);
  }
}
