/**
 * Caller resolution without a server (src/auth.ts): API keys, the anonymous caller, role
 * expansion, bearer tokens, and the clearance -> visible markings table.
 */
import { SignJWT } from 'jose';
import { createAuthenticator, hashApiKey, parseApiKeys, resolveCaller, ANONYMOUS_CALLER } from '../../src/auth';
import { loadConfig } from '../../src/config';
import { markingsVisibleTo, type Classification } from '../../src/domain/model';

const KEYS = parseApiKeys(
  JSON.stringify([
    { id: 'cur', sha256: hashApiKey('curator-key'), roles: ['curator'], clearance: 'RESTRICTED' },
    { id: 'view', sha256: hashApiKey('viewer-key'), roles: ['viewer'], clearance: 'SECRET' },
  ]),
);

describe('markings visible to a clearance', () => {
  it('are the markings at or below it, in order (hand-written table)', () => {
    const expected: Record<Classification, Classification[]> = {
      UNCLASSIFIED: ['UNCLASSIFIED'],
      RESTRICTED: ['UNCLASSIFIED', 'RESTRICTED'],
      CONFIDENTIAL: ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL'],
      SECRET: ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'],
    };
    for (const [clearance, markings] of Object.entries(expected)) expect(markingsVisibleTo(clearance as Classification)).toEqual(markings);
  });
});

describe('parseApiKeys', () => {
  it('accepts the documented shape and nothing else, naming the place', () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(KEYS.map((k) => k.id)).toEqual(['cur', 'view']);
    expect(() => parseApiKeys('not json')).toThrow(/^Invalid environment variable API_KEYS: expected a JSON array/);
    expect(() => parseApiKeys(JSON.stringify([{ id: 'x', sha256: 'abc', roles: ['viewer'], clearance: 'SECRET' }]))).toThrow(/API_KEYS at 0\.sha256/);
    expect(() => parseApiKeys(JSON.stringify([{ id: 'x', sha256: hashApiKey('k'), roles: ['root'], clearance: 'SECRET' }]))).toThrow(/API_KEYS at 0\.roles\.0/);
    expect(() => parseApiKeys(JSON.stringify([{ id: 'x', sha256: hashApiKey('k'), roles: ['viewer'], clearance: 'TOP SECRET' }]))).toThrow(
      /API_KEYS at 0\.clearance/,
    );
  });

  it('hashes keys as lowercase hex SHA-256', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('resolveCaller', () => {
  it('resolves an API key from x-api-key or "Authorization: ApiKey", with the roles below its own', () => {
    expect(resolveCaller({ apiKey: 'curator-key' }, KEYS, false)).toEqual({
      ok: true,
      caller: { id: 'cur', roles: ['viewer', 'analyst', 'curator'], clearance: 'RESTRICTED' },
    });
    expect(resolveCaller({ authorization: '  apikey viewer-key ' }, KEYS, true)).toEqual({
      ok: true,
      caller: { id: 'view', roles: ['viewer'], clearance: 'SECRET' },
    });
  });

  it('refuses an unknown key, and anonymous callers in production or when not allowed', () => {
    expect(resolveCaller({ apiKey: 'nope' }, KEYS, false)).toEqual({ ok: false, message: 'Unknown API key' });
    expect(resolveCaller({}, KEYS, false)).toEqual({ ok: true, caller: ANONYMOUS_CALLER });
    expect(ANONYMOUS_CALLER).toEqual({ id: 'anonymous', roles: ['viewer', 'analyst'], clearance: 'UNCLASSIFIED' });
    expect(resolveCaller({}, KEYS, true)).toMatchObject({ ok: false, message: expect.stringMatching(/^Authentication required/) });
    expect(resolveCaller({}, KEYS, false, false)).toMatchObject({ ok: false });
  });
});

describe('createAuthenticator (bearer tokens)', () => {
  const secret = 'a-test-secret-of-at-least-32-characters!';
  const base = { NODE_ENV: 'test', API_KEYS: JSON.stringify([{ id: 'cur', sha256: hashApiKey('curator-key'), roles: ['curator'], clearance: 'RESTRICTED' }]) };
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer('https://issuer.test')
      .setAudience('assurance-graph')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));

  it('refuses a bearer token when no JWT key is configured, and two credentials at once', async () => {
    const auth = createAuthenticator(loadConfig(base));
    expect(auth.acceptsJwt).toBe(false);
    expect(await auth.authenticate({ authorization: 'Bearer abc.def.ghi' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Bearer tokens are not accepted/),
    });
    const withJwt = createAuthenticator(loadConfig({ ...base, JWT_SECRET: secret, JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'assurance-graph' }));
    expect(await withJwt.authenticate({ authorization: 'Bearer abc.def.ghi', apiKey: 'curator-key' })).toEqual({
      ok: false,
      message: 'Present one credential: either a bearer token or an API key, not both',
    });
  });

  it('accepts an HS256 token with issuer and audience, expanding its roles; refuses a wrong audience', async () => {
    const auth = createAuthenticator(loadConfig({ ...base, JWT_SECRET: secret, JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'assurance-graph' }));
    expect(auth.acceptsJwt).toBe(true);
    const token = await sign({ roles: ['curator'], clearance: 'CONFIDENTIAL' });
    expect(await auth.authenticate({ authorization: `Bearer ${token}` })).toEqual({
      ok: true,
      caller: { id: 'alice', roles: ['viewer', 'analyst', 'curator'], clearance: 'CONFIDENTIAL' },
    });
    const other = createAuthenticator(loadConfig({ ...base, JWT_SECRET: secret, JWT_ISSUER: 'https://issuer.test', JWT_AUDIENCE: 'someone-else' }));
    expect(await other.authenticate({ authorization: `Bearer ${token}` })).toMatchObject({ ok: false });
  });
});
