/**
 * The CMVP and Common Criteria importers against the real test Neo4j, on the real lists: a whole
 * snapshot, the same snapshot again (nothing changes), the next snapshot (15 moves, 33 new, the
 * status changes recorded with their effective dates), the older snapshot after the newer one (no
 * roll-back); malformed lists (nothing written, row and field named); the GraphQL mutation with
 * several documents and `asOf`; the command line; the Common Criteria CSV with its status history.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, dataDir } from '../../src/config';
import { parseCmvp } from '../../src/importers/cmvp';
import { readDocument } from '../../src/importers/readDocument';
import type { Database } from '../../src/store/database';
import { batchLoader } from '../../src/store/importStore';
import { importDocument, type CountLine, type ImportSummary } from '../../src/services/importService';
import { linkSeedToCmvp } from '../../src/seed/linkCmvp';
import { freshSeed, removeDocument, removeSeed } from '../helpers/seed';
import { KEYS, startTestApp, testNeo4jCredentials, testNeo4jUri, uniquePrefix, type TestApp } from '../helpers/app';

const DATA = dataDir();
const CMVP = path.join(DATA, 'nist-cmvp');
const file = (name: string) => ({ name, text: readDocument(path.join(CMVP, name)) });
const run = promisify(execFile);

jest.setTimeout(600000);

function line(lines: CountLine[], name: string): CountLine {
  return lines.find((l) => l.name === name) ?? { name, created: 0, updated: 0, unchanged: 0, skipped: 0, stale: 0 };
}

async function history(db: Database, certificationId: string): Promise<{ status: string; effectiveFrom: string; reason: string; source: string }[]> {
  const rows = await db.read(
    undefined,
    'test history',
    `MATCH (:Certification {id: $id})-[:HAS_STATUS_CHANGE]->(s)
     RETURN s.status AS status, s.effectiveFrom AS effectiveFrom, s.reason AS reason, s.source AS source ORDER BY s.effectiveFrom, s.status`,
    { id: certificationId },
  );
  return rows.map((r) => ({ status: String(r.status), effectiveFrom: String(r.effectiveFrom), reason: String(r.reason), source: String(r.source) }));
}

async function nodeProps(db: Database, id: string): Promise<Record<string, unknown> | undefined> {
  const rows = await db.read(undefined, 'test node', 'MATCH (n {id: $id}) RETURN properties(n) AS p', { id });
  return rows[0]?.p as Record<string, unknown> | undefined;
}

function report(what: string, s: ImportSummary, ms: number): void {
  process.stderr.write(`[cmvp import] ${what}: ${Math.round(ms)} ms (parse ${s.parseMs} ms, write ${s.writeMs} ms), changed ${String(s.changed)}\n`);
}

/** The last event sequence number written so far (0 when none). */
async function eventHead(db: Database): Promise<number> {
  const rows = await db.read(undefined, 'test event head', 'MATCH (e:CertificationEvent) RETURN coalesce(max(e.sequence), 0) AS head');
  return Number(rows[0]?.head ?? 0);
}

interface FeedEvent {
  sequence: number;
  type: string;
  certificationIds: string[];
  organizationIds: string[];
  oldStatus: string | null;
  newStatus: string | null;
}

/** Every event after `after` matching the filter, through the API (pages of 100). */
async function feed(t: TestApp, after: number, filter: Record<string, unknown>): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  let cursor: string | null = String(after);
  for (let page = 0; cursor !== null && page < 100; page++) {
    const res: Awaited<ReturnType<TestApp['run']>> = await t.run(
      `query($after: String, $filter: CertificationEventFilter) { certificationEvents(after: $after, first: 100, filter: $filter) {
        edges { node { sequence type certificationIds organizationIds oldStatus newStatus } } pageInfo { hasNextPage endCursor } } }`,
      { after: cursor, filter },
      KEYS.analyst,
    );
    expect(res.errors).toBeUndefined();
    const conn = (res.data as { certificationEvents: { edges: { node: FeedEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } })
      .certificationEvents;
    out.push(...conn.edges.map((e) => e.node));
    cursor = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
  }
  return out;
}

describe('CMVP importer: real snapshots into Neo4j', () => {
  let movedByNextSnapshot: { headBefore: number; moved: string[]; added: string[] } = { headBefore: 0, moved: [], added: [] };
  let t: TestApp;
  const prefix = uniquePrefix('cmvp');
  const name = `${prefix}lists`;
  const key = `cmvp:${name}`;
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '300000' });
    // Whether an earlier file left the seed in place decides whether the issuer and the vendors
    // join the seed's organizations by name (org:nist-cmvp) or are created (cmvp:org:nist-cmvp):
    // start without it, as the expectations below do; the seed-link test loads it afresh.
    await removeSeed(t.db);
  });
  afterAll(async () => {
    await removeDocument(t.db, key);
    await t.close();
  });

  const snapshot = async (date: string, extra: { dryRun?: boolean } = {}) => {
    const active = file(`modules-${date}.json.gz`);
    const started = performance.now();
    const summary = await importDocument(batchLoader(t.db), {
      text: active.text,
      documentName: active.name,
      more: [file(`historical-modules-${date}.json.gz`), file('certificates.json.gz')],
      format: 'CMVP',
      name,
      caller: 'test',
      clearance: 'SECRET',
      ...extra,
    });
    return { summary, ms: performance.now() - started };
  };

  it('imports the whole 2025-12-14 snapshot (active + historical + details) in one transaction', async () => {
    const { summary, ms } = await snapshot('2025-12-14');
    // Timed, not asserted: on the shared 2-core machine it varies several-fold with load (docs/BENCHMARKS.md (g)).
    report('2025-12-14 whole snapshot', summary, ms);
    expect(summary.document).toBe(`${key}@2025-12-14`);
    expect(line(summary.nodes, 'Certification')).toMatchObject({ created: 5097, updated: 0 });
    expect(summary.snapshot).toMatchObject({ asOf: '2025-12-14', previousAsOf: null, newCertifications: [], moved: [], keptNewer: 0 });
    expect(summary.snapshot?.statusChangesRecorded).toBeGreaterThan(5000);
    expect(await history(t.db, 'cmvp:4644')).toEqual([
      expect.objectContaining({ status: 'ACTIVE', effectiveFrom: '2023-10-25', source: `import:cmvp:${key}@2025-12-14` }),
    ]);
    // A row without vendor and module name is imported with what it has, and noted.
    expect(await nodeProps(t.db, 'cmvp:4987')).toMatchObject({ name: 'FIPS 140-3 certificate #4987', securityLevel: 2 });
    expect(summary.problems.some((p) => /certificate 4987\): no Vendor Name/.test(p))).toBe(true);
  });

  it('changes nothing when the same snapshot is imported again, and says so', async () => {
    const { summary, ms } = await snapshot('2025-12-14');
    report('2025-12-14 re-import', summary, ms);
    expect(summary.changed).toBe(false);
    for (const l of [...summary.nodes, ...summary.relationships]) expect(l).toMatchObject({ created: 0, updated: 0, stale: 0 });
    expect(summary.snapshot?.statusChangesRecorded).toBe(0);
  });

  it('records the 15 moves and lists the 33 new certificates of 2026-01-18; 4644 expires on its sunset date 2025-12-17', async () => {
    const headBefore = await eventHead(t.db);
    const { summary, ms } = await snapshot('2026-01-18');
    movedByNextSnapshot = {
      headBefore,
      moved: (summary.snapshot?.moved ?? []).map((m) => m.certificationId),
      added: (summary.snapshot?.newCertifications ?? []).map((n) => `cmvp:${n}`),
    };
    report('2026-01-18 next snapshot', summary, ms);
    expect(summary.snapshot?.previousAsOf).toBe('2025-12-14');
    expect(summary.snapshot?.moved).toHaveLength(15);
    expect(summary.snapshot?.newCertifications).toHaveLength(33);
    expect(summary.snapshot?.newCertifications).toContain('5140');
    expect(summary.snapshot?.moved.find((m) => m.reference === '4644')).toMatchObject({
      certificationId: 'cmvp:4644',
      status: 'EXPIRED',
      effectiveFrom: '2025-12-17',
    });
    expect(line(summary.nodes, 'Certification').created).toBe(33);
    expect(await history(t.db, 'cmvp:4644')).toEqual([
      expect.objectContaining({ status: 'ACTIVE', effectiveFrom: '2023-10-25' }),
      expect.objectContaining({ status: 'EXPIRED', effectiveFrom: '2025-12-17', reason: expect.stringMatching(/^sunset date 2025-12-17/) as unknown }),
    ]);
    // Sunset on the day of the earlier snapshot: not between the two, so the later snapshot's date.
    expect((await history(t.db, 'cmvp:4573')).at(-1)).toMatchObject({ status: 'EXPIRED', effectiveFrom: '2026-01-18' });
    expect(await nodeProps(t.db, 'cmvp:4644')).toMatchObject({ status: 'EXPIRED', snapshotDate: '2026-01-18', validUntil: '2025-12-17' });
  });

  it("the change feed (issue 15): one status event per moved module (expired) and per new validation; a vendor filter only that vendor's", async () => {
    const { headBefore, moved, added } = movedByNextSnapshot;
    expect(moved).toHaveLength(15);
    expect(added).toHaveLength(33);
    const types = ['STATUS_CHANGED', 'CERTIFICATION_EXPIRED'];
    const all = await feed(t, headBefore, { types });
    const ofMoved = all.filter((e) => moved.includes(e.certificationIds[0] ?? ''));
    expect(ofMoved.map((e) => e.certificationIds[0]).sort()).toEqual([...moved].sort());
    expect(ofMoved.every((e) => e.oldStatus === 'ACTIVE' && ['EXPIRED', 'REVOKED'].includes(e.newStatus ?? ''))).toBe(true);
    expect(ofMoved.filter((e) => e.newStatus === 'EXPIRED').every((e) => e.type === 'CERTIFICATION_EXPIRED')).toBe(true);
    // the rest: the first (ACTIVE) entry of each new certificate, nothing else
    const rest = all.filter((e) => !moved.includes(e.certificationIds[0] ?? ''));
    expect(rest.map((e) => e.certificationIds[0]).sort()).toEqual([...added].sort());
    expect(rest.every((e) => e.type === 'STATUS_CHANGED' && e.newStatus === 'ACTIVE')).toBe(true);
    // in sequence order, one import: strictly increasing
    expect(all.map((e) => e.sequence)).toEqual([...all.map((e) => e.sequence)].sort((x, y) => x - y));
    // a watch on one vendor: the supplier of the first moved module, and the moved modules it supplies
    const rows = await t.db.read(
      undefined,
      'test suppliers of moved modules',
      `UNWIND $ids AS id MATCH (:Certification {id: id})-[:CERTIFIES]->(:Component)-[:SUPPLIED_BY]->(o:Organization) RETURN id, o.id AS vendor`,
      { ids: [...moved, ...added] },
    );
    const vendorOf = new Map(rows.map((r) => [String(r.id), String(r.vendor)]));
    const vendor = vendorOf.get(moved[0] ?? '') ?? '';
    expect(vendor).not.toBe('');
    const ofVendor = [...moved, ...added].filter((id) => vendorOf.get(id) === vendor).sort();
    expect(ofVendor.length).toBeLessThan(moved.length + added.length);
    const filtered = await feed(t, headBefore, { types, organizationIds: [vendor] });
    expect(filtered.map((e) => e.certificationIds[0]).sort()).toEqual(ofVendor);
  });

  it('does not roll back when the older snapshot is imported after the newer one', async () => {
    const { summary } = await snapshot('2025-12-14');
    expect(summary.snapshot).toMatchObject({ statusChangesRecorded: 0, moved: [], keptNewer: 5097 });
    expect(await nodeProps(t.db, 'cmvp:4644')).toMatchObject({ status: 'EXPIRED', snapshotDate: '2026-01-18' });
    expect((await history(t.db, 'cmvp:4644')).map((h) => h.status)).toEqual(['ACTIVE', 'EXPIRED']);
  });

  it('answers the query collection on the real data: what changed between the snapshots, validations ending within N days', async () => {
    const doc = (f: string) => fs.readFileSync(path.join(REPO_ROOT, 'docs', 'queries', f), 'utf8');
    const changed = await t.run<{
      statusChanges: { totalCount: number; items: { certification: { id: string; reference: string }; change: { status: string; effectiveFrom: string } }[] };
    }>(doc('certification-changes-between-dates.graphql'), { from: '2025-12-15', to: '2026-01-18', issuedBy: 'cmvp:org:nist-cmvp' }, KEYS.analyst);
    expect(changed.errors).toBeUndefined();
    const expired = changed.data?.statusChanges.items.filter((i) => i.change.status === 'EXPIRED') ?? [];
    expect(expired).toHaveLength(15);
    expect(expired[0]).toMatchObject({
      certification: { id: 'cmvp:4615' },
      change: { status: 'EXPIRED', effectiveFrom: '2025-12-15', reason: expect.stringMatching(/^sunset date 2025-12-15; listed historical/) as unknown },
    });
    expect(expired.find((i) => i.certification.id === 'cmvp:4644')?.change.effectiveFrom).toBe('2025-12-17');
    // ACTIVE entries in the window: the certificates validated in it (among them the 33 new ones of 2026-01-18).
    const validated = changed.data?.statusChanges.items.filter((i) => i.change.status === 'ACTIVE').map((i) => i.certification.reference) ?? [];
    expect(validated).toContain('5140');

    // Validations ending within 365 days of today: the certificates of the latest snapshot whose sunset date falls in the window.
    const latest = parseCmvp([file('modules-2026-01-18.json.gz'), file('historical-modules-2026-01-18.json.gz'), file('certificates.json.gz')]);
    const today = new Date().toISOString().slice(0, 10);
    const until = new Date(Date.now() + 365 * 86400000).toISOString().slice(0, 10);
    const expected = (latest.nodes.get('Certification') ?? []).filter((c) => {
      const v = c.props.validUntil;
      return typeof v === 'string' && v >= today && v <= until;
    });
    const soon = await t.run<{ certifications: { totalCount: number; edges: { node: { id: string; validUntil: string } }[] } }>(
      doc('crypto-module-validations-ending-soon.graphql'),
      { days: 365 },
      KEYS.analyst,
    );
    expect(soon.errors).toBeUndefined();
    const cmvp = soon.data?.certifications.edges.filter((e) => e.node.id.startsWith('cmvp:')) ?? [];
    expect(soon.data?.certifications.totalCount).toBeGreaterThanOrEqual(expected.length);
    expect(cmvp.length).toBe(Math.min(50, expected.length));
    for (const e of cmvp) expect(e.node.validUntil >= today && e.node.validUntil <= until).toBe(true);
  });

  it('links the real corecrypto certificate: FIPS 140-3, level 2, the atsec lab, the crypto module and Apple', async () => {
    const rows = await t.db.read(
      undefined,
      'test corecrypto',
      `MATCH (c:Certification {id: 'cmvp:5030'})-[:ASSESSED_AGAINST]->(s:Standard), (c)-[:EVALUATED_BY]->(lab:Organization),
             (c)-[:ISSUED_BY]->(issuer:Organization), (c)-[:CERTIFIES]->(m:Component)-[:SUPPLIED_BY]->(v:Organization)
       RETURN s.name AS standard, lab.name AS lab, issuer.name AS issuer, m.name AS module, m.version AS version, m.kind AS kind, v.name AS vendor, v.country AS country`,
    );
    expect(rows).toEqual([
      {
        standard: 'FIPS 140-3 Security Requirements for Cryptographic Modules',
        lab: 'atsec information security corporation',
        issuer: 'NIST Cryptographic Module Validation Program',
        module: 'Apple corecrypto Module',
        version: '12.0',
        kind: 'CRYPTO_MODULE',
        vendor: 'Apple Inc.',
        country: 'US',
      },
    ]);
  });

  it('the seed meets the real certificate: the NATO clearance lineage ends in CMVP #4391 with its lab, dates and level', async () => {
    await freshSeed(t.db);
    const linked = await linkSeedToCmvp(t.db);
    expect(linked).toEqual({ linked: true, created: 2, unchanged: 0, missing: [] });
    expect(await linkSeedToCmvp(t.db)).toEqual({ linked: true, created: 0, unchanged: 2, missing: [] });
    const res = await t.run<{
      certificationLineage: {
        holds: boolean;
        entries: { depth: number; holds: boolean; certification: Record<string, unknown> }[];
        links: { type: string; from: { id: string }; to: { id: string }; holds: boolean }[];
      };
    }>(
      `query($asOf: Date) { certificationLineage(certificationId: "cert:nato-clearance-2024", asOf: $asOf) {
        holds
        entries { depth holds certification { id reference kind status issuedAt validUntil securityLevel embodiment
          provenance { source sourceRef } assessor { name } issuer { name } standards { edges { node { name } } } } }
        links { type from { id } to { id } holds }
      } }`,
      { asOf: '2025-06-01' },
      KEYS.analyst,
    );
    expect(res.errors).toBeUndefined();
    const lineage = res.data?.certificationLineage;
    expect(lineage?.holds).toBe(true);
    const deepest = [...(lineage?.entries ?? [])].sort((a, b) => b.depth - a.depth)[0];
    expect(deepest).toMatchObject({
      holds: true,
      certification: {
        id: 'cmvp:4391',
        reference: '4391',
        kind: 'CERTIFICATE',
        issuedAt: '2022-12-07',
        validUntil: '2027-12-06',
        securityLevel: 1,
        embodiment: 'Multi-Chip Stand Alone',
        assessor: { name: 'atsec information security corporation' },
        issuer: { name: 'NIST Cryptographic Module Validation Program' },
        standards: { edges: [{ node: { name: 'FIPS 140-3 Security Requirements for Cryptographic Modules' } }] },
        // The certificate's facts come from the CMVP list ...
        provenance: { source: 'nist-cmvp', sourceRef: `${key}@2026-01-18` },
      },
    });
    // ... the link to it is the scenario's assumption.
    expect(lineage?.links).toContainEqual({ type: 'BASED_ON', from: { id: 'cert:corecrypto-validation' }, to: { id: 'cmvp:4391' }, holds: true });
    const link = await t.db.read(
      undefined,
      'test link provenance',
      `MATCH (:Certification {id: 'cert:corecrypto-validation'})-[r:BASED_ON]->(:Certification {id: 'cmvp:4391'}) RETURN r.source AS source, r.sourceRef AS sourceRef`,
    );
    expect(link).toEqual([{ source: 'scenario-link', sourceRef: expect.stringMatching(/^scenario assumption: /) as unknown }]);
  });

  it('the seed stays loadable without the import: the link step writes nothing and names what is missing', async () => {
    await t.db.write(undefined, 'test remove 4391', "MATCH (c:Certification {id: 'cmvp:4391'}) DETACH DELETE c");
    expect(await linkSeedToCmvp(t.db)).toEqual({ linked: false, created: 0, unchanged: 0, missing: ['cmvp:4391'] });
    expect((await freshSeed(t.db)).nodes.created).toBeGreaterThan(0);
  });
});

describe('CMVP importer: bad input, the mutation and the command line', () => {
  let t: TestApp;
  const prefix = uniquePrefix('cmvp-api');
  const name = `${prefix}small`;
  const key = `cmvp:${name}`;
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '300000' });
    // Whether an earlier file left the seed in place decides whether the issuer and the vendors
    // join the seed's organizations by name (org:nist-cmvp) or are created (cmvp:org:nist-cmvp):
    // start without it, as the expectations below do; the seed-link test loads it afresh.
    await removeSeed(t.db);
  });
  afterAll(async () => {
    await removeDocument(t.db, key);
    await t.close();
  });
  const mutation = `mutation($document: String!, $documents: [String!], $name: String, $asOf: Date, $format: ImportFormat) {
    importDocument(document: $document, documents: $documents, name: $name, asOf: $asOf, format: $format) {
      document changed nodes { name created updated unchanged }
      snapshot { asOf previousAsOf newCertifications moved { reference status effectiveFrom reason } statusChangesRecorded keptNewer }
    }
  }`;
  const row = (n: string, extra: Record<string, unknown> = {}) => ({
    'Certificate Number': n,
    'Vendor Name': 'Example Crypto, Inc.',
    'Module Name': `Example Module v1.${n.slice(-1)} [Software]`,
    'Module Type': 'Software',
    'Validation Date': '3/4/2024',
    ...extra,
  });
  const active = (date: string, rows: Record<string, unknown>[]) =>
    JSON.stringify({
      metadata: { generated_at: `${date}T03:00:00Z` },
      modules: rows.map((r) => ({ ...r, standard: 'FIPS 140-3', status: 'Active', overall_level: 1, sunset_date: '3/3/2029', caveat: 'None' })),
    });
  const historical = (date: string, rows: Record<string, unknown>[]) =>
    JSON.stringify({ metadata: { generated_at: `${date}T03:00:00Z` }, modules: rows.map((r) => ({ ...r, Status: 'Revoked' })) });

  it('imports active and historical lists given as documents, with asOf overriding the metadata; REVOKED when the list says so', async () => {
    const first = await t.run(mutation, { document: active('2025-01-01', [row('990001'), row('990002')]), name, asOf: '2025-01-05' }, KEYS.curator);
    expect(first.errors).toBeUndefined();
    expect(first.data).toMatchObject({ importDocument: { document: `${key}@2025-01-05`, snapshot: { asOf: '2025-01-05', previousAsOf: null } } });
    const second = await t.run(
      mutation,
      { document: active('2025-02-01', [row('990001'), row('990003')]), documents: [historical('2025-02-01', [row('990002')])], name },
      KEYS.curator,
    );
    expect(second.errors).toBeUndefined();
    expect(second.data).toMatchObject({
      importDocument: {
        snapshot: {
          asOf: '2025-02-01',
          previousAsOf: '2025-01-05',
          newCertifications: ['990003'],
          moved: [{ reference: '990002', status: 'REVOKED', effectiveFrom: '2025-02-01' }],
        },
      },
    });
  });

  it('refuses a malformed list: nothing written, row and field named', async () => {
    const before = await t.db.read(undefined, 'test count', 'MATCH (c:Certification) WHERE c.id STARTS WITH "cmvp:99" RETURN count(c) AS n');
    const { ['Certificate Number']: _n, ...noNumber } = row('990009');
    void _n;
    const missing = await t.run(mutation, { document: active('2025-03-01', [row('990008'), noNumber]), name }, KEYS.curator);
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.message).toBe('document: modules[1].Certificate Number: is missing');
    const badDate = await t.run(
      mutation,
      { document: active('2025-03-01', [row('990008')]), documents: [historical('2025-03-01', [row('990007', { 'Validation Date': '31/12/2024' })])], name },
      KEYS.curator,
    );
    expect(badDate.errors?.[0]?.message).toBe('documents[0]: modules[0].Validation Date: "31/12/2024" is not a date (M/D/YYYY, or several run together)');
    const truncated = await t.run(mutation, { document: active('2025-03-01', [row('990008')]).slice(0, 150), name }, KEYS.curator);
    expect(truncated.errors?.[0]?.message).toMatch(/^document: not valid JSON/);
    const after = await t.db.read(undefined, 'test count', 'MATCH (c:Certification) WHERE c.id STARTS WITH "cmvp:99" RETURN count(c) AS n');
    expect(after[0]?.n).toBe(before[0]?.n);
    expect(await nodeProps(t.db, 'cmvp:990008')).toBeUndefined();
  });

  it('refuses documents for formats that read one', async () => {
    const res = await t.run(mutation, { document: '{"catalogVersion":"1","vulnerabilities":[]}', documents: ['{}'], format: 'KEV' }, KEYS.curator);
    expect(res.errors?.[0]?.message).toMatch(/KEV reads one document/);
  });

  it('the command line imports several files of one snapshot with --as-of and prints the moves (dry run)', async () => {
    const env = { ...process.env, NEO4J_URI: testNeo4jUri(), ...testNeo4jCredentials(), LOG_LEVEL: 'silent' };
    const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'import.ts');
    const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(
      tsx,
      [
        cli,
        'cmvp',
        path.join(CMVP, 'modules-2026-01-18.json.gz'),
        path.join(CMVP, 'historical-modules-2026-01-18.json.gz'),
        '--as-of',
        '2026-01-19',
        '--dry-run',
        '--name',
        `${prefix}cli`,
      ],
      { env },
    );
    expect(stdout).toMatch(/^Dry run \(rolled back, nothing kept\) modules-2026-01-18\.json\.gz as CMVP: cmvp:.*cli@2026-01-19/);
    expect(stdout).toMatch(/Certification\s+5130\s+0\s+0/);
    expect(stdout).toMatch(/snapshot 2026-01-19 \(first snapshot in the graph\)/);
    const failure = await run(tsx, [cli, 'cmvp', path.join(CMVP, 'modules-2025-12-14.json.gz'), path.join(CMVP, 'historical-modules-2026-01-18.json.gz')], {
      env,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/the lists are of different snapshots/);
  });
});

describe('Common Criteria CSV importer into Neo4j', () => {
  let t: TestApp;
  const prefix = uniquePrefix('cc');
  const name = `${prefix}cc`;
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '300000' });
    // Whether an earlier file left the seed in place decides whether the issuer and the vendors
    // join the seed's organizations by name (org:nist-cmvp) or are created (cmvp:org:nist-cmvp):
    // start without it, as the expectations below do; the seed-link test loads it afresh.
    await removeSeed(t.db);
  });
  afterAll(async () => {
    await removeDocument(t.db, `cc-csv:${name}`);
    await t.close();
  });

  it('imports the Latin-1 sample with its status history (archived date -> EXPIRED), and again without change', async () => {
    const text = readDocument(path.join(DATA, 'cc-certified-products-sample', 'cc_products_active.csv'));
    const first = await importDocument(batchLoader(t.db), { text, name, asOf: '2026-01-18', caller: 'test', clearance: 'SECRET' });
    expect(first.format).toBe('CC_CSV');
    expect(line(first.nodes, 'Certification').created).toBe(3);
    expect(first.snapshot?.statusChangesRecorded).toBe(6);
    expect(await history(t.db, 'cc:ca:fortinet-fortigate-w-fortios-v5-6-7:2019-05-22')).toEqual([
      expect.objectContaining({ status: 'ACTIVE', effectiveFrom: '2019-05-22' }),
      expect.objectContaining({ status: 'EXPIRED', effectiveFrom: '2024-05-24', reason: 'archived date 2024-05-24' }),
    ]);
    expect(await nodeProps(t.db, 'cc:se:netiq-identity-manager-4-7:2020-06-15')).toMatchObject({
      name: 'Common Criteria certificate (SE): NetIQ Identity Manager 4.7',
      assuranceLevel: 'EAL3+,ALC_FLR.2',
      // The Latin-1 byte 0xAE of the report's file name, decoded.
      url: 'http://www.commoncriteriaportal.org:443/files/epfiles/Certification Report - NetIQ® Identity Manager 4.7.pdf',
    });
    const again = await importDocument(batchLoader(t.db), { text, name, asOf: '2026-01-18', caller: 'test', clearance: 'SECRET' });
    expect(again.changed).toBe(false);
    expect(again.snapshot?.statusChangesRecorded).toBe(0);
  });
});
