/**
 * Authentication over HTTP: bearer JWTs (HS256 secret, ES256 against a PEM public key and a
 * JWKS file, RS256 against a JWKS URL), API keys, anonymous access by mode, and production
 * hardening (no introspection, no stack traces, no field suggestions).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { ConfigError, loadConfig } from '../../src/config';
import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

const ISSUER = 'https://idp.test/assurance';
const AUDIENCE = 'assurance-graph';
const SECRET = 'test-secret-for-hs256-tokens-0123456789abcdef';
const prefix = uniquePrefix('secjwt');

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

interface MintOptions {
  key: KeyLike | Uint8Array;
  alg: string;
  kid?: string;
  claims?: JWTPayload;
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
}

async function mint(o: MintOptions): Promise<string> {
  const claims: JWTPayload = { roles: ['curator'], clearance: 'RESTRICTED', ...o.claims };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: o.alg, ...(o.kid ? { kid: o.kid } : {}) })
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'alice@example.test')
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience(o.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? '5m')
    .sign(o.key);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const secretKey = new TextEncoder().encode(SECRET);
const DEVICES = 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }';

describe('authentication', () => {
  let es: { publicKey: KeyLike; privateKey: KeyLike };
  let esOther: { publicKey: KeyLike; privateKey: KeyLike };
  let rs: { publicKey: KeyLike; privateKey: KeyLike };
  let tmp: string;
  let jwksServer: http.Server;
  let jwksUrl: string;
  let apps: TestApp[] = [];
  let pemApp: string;
  let jwksFileApp: string;
  let jwksUrlApp: string;
  let t: TestApp;
  const restrictedId = `${prefix}restricted`;
  const secretId = `${prefix}secret`;

  async function start(overrides: Record<string, string>): Promise<{ app: TestApp; url: string }> {
    const app = await startTestApp(overrides);
    apps.push(app);
    return { app, url: await app.app.listen(0, '127.0.0.1') };
  }

  beforeAll(async () => {
    es = await generateKeyPair('ES256');
    esOther = await generateKeyPair('ES256');
    rs = await generateKeyPair('RS256');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-jwt-'));
    const jwksFile = path.join(tmp, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' }] }));
    const rsJwks = JSON.stringify({ keys: [{ ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' }] });
    jwksServer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(rsJwks);
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;

    const common = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
    const a = await start({ ...common, JWT_SECRET: SECRET, JWT_PUBLIC_KEY: await exportSPKI(es.publicKey) });
    t = a.app;
    pemApp = a.url;
    jwksFileApp = (await start({ ...common, JWT_JWKS: jwksFile })).url;
    jwksUrlApp = (await start({ ...common, JWT_JWKS: jwksUrl })).url;
    await t.db.write(
      undefined,
      'jwt test nodes',
      `CREATE (:Device {id: $r, name: 'Restricted', classification: 'RESTRICTED', source: 'test'})
       CREATE (:Device {id: $s, name: 'Secret', classification: 'SECRET', source: 'test'})`,
      { r: restrictedId, s: secretId },
    );
  });

  afterAll(async () => {
    await cleanup(t.db, prefix);
    for (const app of apps) await app.close();
    apps = [];
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('accepts a valid HS256 token: its subject writes, its clearance bounds what it sees', async () => {
    const token = await mint({ key: secretKey, alg: 'HS256', claims: { sub: 'hs-curator', roles: ['curator'], clearance: 'RESTRICTED' } });
    const seen = await post(pemApp, DEVICES, { ids: [restrictedId, secretId] }, bearer(token));
    expect(seen.status).toBe(200);
    expect(seen.body.data).toEqual({ nodes: [{ id: restrictedId }, null] });
    const written = await post(
      pemApp,
      'mutation($input: DeviceInput!) { upsertDevice(input: $input) { id provenance { assertedBy } } }',
      { input: { id: `${prefix}by-jwt`, name: 'Written with a JWT', category: 'PHONE' } },
      bearer(token),
    );
    expect(written.body.errors).toBeUndefined();
    expect(written.body.data).toEqual({ upsertDevice: { id: `${prefix}by-jwt`, provenance: { assertedBy: 'hs-curator' } } });
  });

  it('gives FORBIDDEN to a token whose roles do not allow the mutation', async () => {
    const token = await mint({ key: secretKey, alg: 'HS256', claims: { roles: 'viewer', clearance: 'SECRET' } });
    const r = await post(
      pemApp,
      'mutation($input: DeviceInput!) { upsertDevice(input: $input) { id } }',
      { input: { id: `${prefix}forbidden`, name: 'No', category: 'PHONE' } },
      bearer(token),
    );
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const check = await post(pemApp, DEVICES, { ids: [`${prefix}forbidden`] }, bearer(token));
    expect(check.body.data).toEqual({ nodes: [null] });
  });

  it.each([
    ['expired', { expiresIn: Math.floor(Date.now() / 1000) - 3600 }, /expired/],
    ['wrong issuer', { issuer: 'https://evil.test' }, /issuer \(iss\)/],
    ['wrong audience', { audience: 'another-api' }, /audience \(aud\)/],
    ['bad signature', { key: new TextEncoder().encode('another-secret-of-sufficient-length-000000') }, /signature verification failed/],
    ['no clearance claim', { claims: { clearance: undefined } }, /clearance must be one of/],
    ['no known role', { claims: { roles: ['superuser'] } }, /names no role/],
  ])('refuses an HS256 token with %s (401 UNAUTHENTICATED)', async (_name: string, change: Partial<MintOptions>, message: RegExp) => {
    const token = await mint({ key: secretKey, alg: 'HS256', ...change });
    const r = await post(pemApp, DEVICES, { ids: [restrictedId] }, bearer(token));
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.body.errors?.[0]?.message).toMatch(message);
    expect(r.body.data).toBeUndefined();
  });

  it('accepts an ES256 token against the configured PEM public key, and refuses one signed by another key', async () => {
    const good = await mint({ key: es.privateKey, alg: 'ES256', claims: { clearance: 'SECRET', roles: ['viewer'] } });
    const r = await post(pemApp, DEVICES, { ids: [restrictedId, secretId] }, bearer(good));
    expect(r.body.data).toEqual({ nodes: [{ id: restrictedId }, { id: secretId }] });
    const bad = await mint({ key: esOther.privateKey, alg: 'ES256' });
    const refused = await post(pemApp, DEVICES, { ids: [restrictedId] }, bearer(bad));
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toMatch(/signature verification failed/);
  });

  it('accepts an ES256 token against a JWKS file, and refuses an HS256 token there (no algorithm confusion)', async () => {
    const good = await mint({ key: es.privateKey, alg: 'ES256', kid: 'es-1' });
    const r = await post(jwksFileApp, DEVICES, { ids: [restrictedId, secretId] }, bearer(good));
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ nodes: [{ id: restrictedId }, null] });
    const hs = await mint({ key: secretKey, alg: 'HS256' });
    const refused = await post(jwksFileApp, DEVICES, { ids: [restrictedId] }, bearer(hs));
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toMatch(/algorithm is not accepted/);
  });

  it('accepts an RS256 token against a JWKS URL, and refuses an unknown key id', async () => {
    const good = await mint({ key: rs.privateKey, alg: 'RS256', kid: 'rs-1' });
    const r = await post(jwksUrlApp, DEVICES, { ids: [restrictedId] }, bearer(good));
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ nodes: [{ id: restrictedId }] });
    const unknown = await mint({ key: rs.privateKey, alg: 'RS256', kid: 'rs-unknown' });
    const refused = await post(jwksUrlApp, DEVICES, { ids: [restrictedId] }, bearer(unknown));
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.message).toMatch(/kid/);
  });

  it('refuses a malformed bearer token, and a request carrying both a token and an API key', async () => {
    const malformed = await post(pemApp, DEVICES, { ids: [] }, bearer('not.a.jwt'));
    expect(malformed.status).toBe(401);
    const token = await mint({ key: secretKey, alg: 'HS256' });
    const both = await post(pemApp, DEVICES, { ids: [] }, { ...bearer(token), 'x-api-key': KEYS.viewer });
    expect(both.status).toBe(401);
    expect(both.body.errors?.[0]?.message).toMatch(/one credential/);
  });

  it('in development mode lets an anonymous caller read UNCLASSIFIED only, and answers its writes with UNAUTHENTICATED', async () => {
    const read = await post(pemApp, DEVICES, { ids: [restrictedId] });
    expect(read.body.data).toEqual({ nodes: [null] });
    const write = await post(pemApp, 'mutation($input: DeviceInput!) { upsertDevice(input: $input) { id } }', {
      input: { id: `${prefix}anon`, name: 'No', category: 'PHONE' },
    });
    expect(write.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('in production refuses anonymous callers, hides introspection, stack traces and field suggestions', async () => {
    const { url } = await start({ NODE_ENV: 'production' });
    const anon = await post(url, DEVICES, { ids: [] });
    expect(anon.status).toBe(401);
    expect(anon.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const key = { 'x-api-key': KEYS.viewer };
    const ok = await post(url, DEVICES, { ids: [restrictedId] }, key);
    expect(ok.body.data).toEqual({ nodes: [{ id: restrictedId }] });
    const introspection = await post(url, '{ __schema { types { name } } }', {}, key);
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await post(url, '{ devicez { totalCount } }', {}, key);
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(typo.body)).not.toMatch(/stacktrace/);
    const unknownKey = await post(url, DEVICES, { ids: [] }, { 'x-api-key': 'not-a-key' });
    expect(unknownKey.status).toBe(401);
  });

  it('validates the JWT and anonymous settings at start', () => {
    expect(() => loadConfig({ JWT_SECRET: SECRET })).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER })).toThrow(/JWT_AUDIENCE/);
    expect(() => loadConfig({ JWT_SECRET: 'short', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', ALLOW_ANONYMOUS: 'true' })).toThrow(/ALLOW_ANONYMOUS/);
    expect(loadConfig({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }).JWT_ALGORITHMS).toEqual(['RS256', 'ES256']);
  });
});
