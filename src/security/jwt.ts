/**
 * Bearer JWT verification with jose. A token is accepted when its signature verifies against
 * the configured key (HS256 with JWT_SECRET; RS256/ES256 against JWT_PUBLIC_KEY or JWT_JWKS),
 * its `iss` and `aud` match JWT_ISSUER and JWT_AUDIENCE, it carries `exp` and has not expired,
 * and it names the caller (`sub`), its roles and its clearance. Anything else is refused.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CLASSIFICATIONS, type Classification } from '../domain/model';
import { ROLES, type Role } from '../domain/caller';

export interface JwtSettings {
  secret?: string;
  /** PEM text of an SPKI public key, or a path to a PEM file. */
  publicKey?: string;
  /** An http(s) URL or a path to a JWKS JSON file. */
  jwks?: string;
  issuer?: string;
  audience?: string;
  /** Asymmetric algorithms accepted with publicKey/jwks. */
  algorithms: string[];
  rolesClaim: string;
  clearanceClaim: string;
  clockToleranceSeconds: number;
}

export interface VerifiedToken {
  subject: string;
  roles: Role[];
  clearance: Classification;
}

export type JwtResult = { ok: true; token: VerifiedToken } | { ok: false; message: string };

export interface JwtVerifier {
  verify(token: string): Promise<JwtResult>;
}

function loadPublicKey(value: string): KeyObject {
  const pem = value.trimStart().startsWith('-----BEGIN') ? value : fs.readFileSync(value, 'utf8');
  return createPublicKey(pem);
}

function loadJwks(value: string): JWTVerifyGetKey {
  if (/^https?:\/\//i.test(value)) return createRemoteJWKSet(new URL(value), { timeoutDuration: 5000, cooldownDuration: 30000, cacheMaxAge: 600000 });
  const set = JSON.parse(fs.readFileSync(value, 'utf8')) as JSONWebKeySet;
  return createLocalJWKSet(set);
}

/** Roles named by the claim: an array, or a space/comma separated string. Unknown names are ignored. */
function rolesFrom(value: unknown): Role[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return ROLES.filter((r) => names.includes(r));
}

function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

/** What went wrong, in words a client can act on, without echoing the token. */
function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'Bearer token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'Bearer token issuer (iss) is not accepted';
    if (error.claim === 'aud') return 'Bearer token audience (aud) is not accepted';
    if (error.claim === 'nbf') return 'Bearer token is not valid yet (nbf)';
    return `Bearer token claim ${error.claim} is missing or invalid`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'Bearer token signature verification failed';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Bearer token algorithm is not accepted';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'Bearer token key id (kid) matches no key of the configured JWKS';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid)
    return 'Bearer token could not be verified: the key set is unavailable';
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return 'Bearer token is malformed';
  return 'Bearer token could not be verified';
}

export function createJwtVerifier(settings: JwtSettings): JwtVerifier | undefined {
  const secret = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const publicKey = settings.publicKey ? loadPublicKey(settings.publicKey) : undefined;
  const jwks = settings.jwks ? loadJwks(settings.jwks) : undefined;
  if (!secret && !publicKey && !jwks) return undefined;
  const { issuer, audience } = settings;
  if (!issuer || !audience) throw new Error('JWT_ISSUER and JWT_AUDIENCE are required when a JWT key is configured');
  const algorithms = [...(secret ? ['HS256'] : []), ...(publicKey || jwks ? settings.algorithms : [])];

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256') {
      if (secret) return secret;
    } else if (jwks) {
      return jwks(header, token);
    } else if (publicKey) {
      return publicKey;
    }
    throw new joseErrors.JOSEAlgNotAllowed(`alg ${String(header.alg)} not accepted`);
  };

  return {
    async verify(token: string): Promise<JwtResult> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer,
          audience,
          algorithms,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: settings.clockToleranceSeconds,
        }));
      } catch (error) {
        return { ok: false, message: describe(error) };
      }
      const subject = payload.sub;
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200)
        return { ok: false, message: 'Bearer token subject (sub) is missing or invalid' };
      const roles = rolesFrom(payload[settings.rolesClaim]);
      if (roles.length === 0)
        return { ok: false, message: `Bearer token names no role in claim ${settings.rolesClaim} (expected some of ${ROLES.join(', ')})` };
      const clearance = payload[settings.clearanceClaim];
      if (!isClassification(clearance))
        return { ok: false, message: `Bearer token claim ${settings.clearanceClaim} must be one of ${CLASSIFICATIONS.join(', ')}` };
      return { ok: true, token: { subject, roles, clearance } };
    },
  };
}
