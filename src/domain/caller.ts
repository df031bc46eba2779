/**
 * Who is calling, in domain terms: identity, roles and clearance. Produced by src/auth.ts from
 * a credential; read by the services and stores (markings) and by the role table.
 */
import { forbiddenError, unauthenticatedError } from './errors';
import type { Classification } from './model';

/** Roles, lowest first; each implies the ones before it (admin > curator > analyst > viewer). */
export const ROLES = ['viewer', 'analyst', 'curator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: identity, roles and clearance. */
export interface Caller {
  id: string;
  roles: Role[];
  clearance: Classification;
}

export const ANONYMOUS_ID = 'anonymous';

/** Roles imply the ones below them: admin > curator > analyst > viewer. */
export function expandRoles(roles: readonly Role[]): Role[] {
  const rank = Math.max(...roles.map((r) => ROLES.indexOf(r)));
  return ROLES.slice(0, rank + 1);
}

/** Throws FORBIDDEN (nothing is done) unless the caller holds the role; UNAUTHENTICATED for the anonymous caller. */
export function requireRole(caller: Caller, role: Role): void {
  if (caller.roles.includes(role)) return;
  if (caller.id === ANONYMOUS_ID) throw unauthenticatedError(`This operation needs the ${role} role: present a bearer token or an API key`);
  throw forbiddenError(`This operation needs the ${role} role; caller ${caller.id} has ${caller.roles.join(', ')}`);
}
