/**
 * The seed scenario: loading is idempotent, malformed files are refused before anything is
 * written, and every fact carries provenance (seed-article or illustrative).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SeedError, loadSeed, readSeed, seedFingerprint } from '../../src/seed/loadSeed';
import type { Database } from '../../src/store/database';
import { startTestApp, testDatabase, testNeo4jUri, type TestApp } from '../helpers/app';

const SEED_SOURCES = ['seed-article', 'illustrative'];

// Loading the seed is one bulk transaction: on a cold, busy database it can outlast the API's
// per-query timeout, so it gets its own driver with a longer one (as `npm run seed` does).
const SEED_TIMEOUT_MS = 300_000;
jest.setTimeout(SEED_TIMEOUT_MS);

describe('seed scenario', () => {
  let t: TestApp;
  let loader: Database;
  beforeAll(async () => {
    t = await startTestApp();
    loader = testDatabase(testNeo4jUri(), SEED_TIMEOUT_MS);
  });
  afterAll(async () => {
    await loader.close();
    await t.close();
  });

  /** What the seed wrote (stamped assertedBy 'seed'), not the whole database: other test files write too. */
  async function graphCounts(): Promise<{ nodes: number; relationships: number }> {
    const rows = await t.db.read(
      undefined,
      'test seed counts',
      "RETURN COUNT { MATCH (n) WHERE n.assertedBy = 'seed' } AS nodes, COUNT { MATCH ()-[r]->() WHERE r.assertedBy = 'seed' } AS relationships",
    );
    return { nodes: Number(rows[0]?.nodes), relationships: Number(rows[0]?.relationships) };
  }

  it('loads idempotently: a second load creates and updates nothing and leaves the same counts', async () => {
    const seed = readSeed();
    const first = await loadSeed(loader);
    expect(first.nodes.created + first.nodes.updated + first.nodes.unchanged).toBe(seed.nodes.length);
    expect(first.relationships.created + first.relationships.updated + first.relationships.unchanged).toBe(seed.relationships.length);
    const before = await graphCounts();

    const second = await loadSeed(loader);
    expect(second).toEqual({
      nodes: { created: 0, updated: 0, unchanged: seed.nodes.length, kept: 0 },
      relationships: { created: 0, updated: 0, unchanged: seed.relationships.length, kept: 0 },
      statusChanges: { created: 0, unchanged: seed.statusChanges.length },
      status: 'loaded',
      fingerprint: seedFingerprint(),
    });
    expect(await graphCounts()).toEqual(before);
    // What a restart does (npm start): the fingerprint recorded by the last load matches, nothing is even compared.
    expect((await loadSeed(loader, undefined, { skipUnchanged: true })).status).toBe('unchanged');
    expect(await graphCounts()).toEqual(before);

    // Every seed node and relationship is in the database exactly once.
    const rows = await t.db.read(
      undefined,
      'test seed presence',
      `UNWIND $ids AS id OPTIONAL MATCH (n {id: id}) WITH id, count(n) AS copies WHERE copies <> 1 RETURN collect(id) AS missing`,
      { ids: seed.nodes.map((n) => n.id) },
    );
    expect(rows[0]?.missing).toEqual([]);
    const rels = await t.db.read(
      undefined,
      'test seed relationships presence',
      `UNWIND $rels AS rel
       OPTIONAL MATCH (a {id: rel.from})-[r]->(b {id: rel.to}) WHERE type(r) = rel.type
       WITH rel, count(r) AS copies WHERE copies <> 1 RETURN collect(rel.type + ' ' + rel.from + ' -> ' + rel.to) AS wrong`,
      { rels: seed.relationships.map((r) => ({ type: r.type, from: r.from, to: r.to })) },
    );
    expect(rels[0]?.wrong).toEqual([]);
  });

  it('dates the 2023 approval: ACTIVE from its issue, EXPIRED from the day after its last day of validity', async () => {
    await loadSeed(loader);
    const rows = await t.db.read(
      undefined,
      'test seed status history',
      `MATCH (:Certification {id: 'cert:national-approval-2023'})-[:HAS_STATUS_CHANGE]->(s:StatusChange)
       RETURN s.status AS status, toString(s.effectiveFrom) AS effectiveFrom, s.source AS source, s.classification AS classification ORDER BY s.effectiveFrom`,
    );
    expect(rows).toEqual([
      { status: 'ACTIVE', effectiveFrom: '2023-02-01', source: 'seed', classification: 'UNCLASSIFIED' },
      { status: 'EXPIRED', effectiveFrom: '2024-02-01', source: 'seed', classification: 'UNCLASSIFIED' },
    ]);
    // no seed certification is SUSPENDED or REVOKED without an effective date
    const undated = readSeed().nodes.filter((n) => n.label === 'Certification' && ['SUSPENDED', 'REVOKED', 'WITHDRAWN'].includes(String(n.status)));
    expect(undated.filter((n) => !readSeed().statusChanges.some((e) => e.certificationId === n.id)).map((n) => n.id)).toEqual([]);
  });

  it('gives every node and relationship in the seed files the provenance seed-article or illustrative', () => {
    const seed = readSeed();
    expect(seed.nodes.length).toBeGreaterThan(50);
    expect(seed.relationships.length).toBeGreaterThan(150);
    const badNodes = seed.nodes.filter((n) => !SEED_SOURCES.includes(n.source)).map((n) => n.where);
    const badRels = seed.relationships.filter((r) => !SEED_SOURCES.includes(r.source)).map((r) => r.where);
    expect(badNodes).toEqual([]);
    expect(badRels).toEqual([]);
    // Both kinds are used: the article's statements and what the scenario adds.
    expect(new Set(seed.nodes.map((n) => n.source))).toEqual(new Set(SEED_SOURCES));
    // No invented certificate number is presented as real.
    for (const node of seed.nodes.filter((n) => n.label === 'Certification')) {
      const reference = node.reference;
      expect(reference === undefined || (typeof reference === 'string' && /illustrative/i.test(reference))).toBe(true);
    }
  });

  it('stores that provenance in the database', async () => {
    const seed = readSeed();
    await loadSeed(loader);
    // Vulnerability nodes are keyed by their CVE id, which the KEV importer may also assert
    // (with its own provenance); every other seed node and every seed relationship must carry
    // the seed's.
    const nodeIds = seed.nodes.filter((n) => n.label !== 'Vulnerability').map((n) => n.id);
    const rows = await t.db.read(
      undefined,
      'test seed provenance',
      `MATCH (n) WHERE n.id IN $ids AND NOT (n.source IN $sources AND n.sourceRef IS NOT NULL AND n.assertedAt IS NOT NULL) RETURN collect(n.id) AS bad`,
      { ids: nodeIds, sources: SEED_SOURCES },
    );
    expect(rows[0]?.bad).toEqual([]);
    const rels = await t.db.read(
      undefined,
      'test seed relationship provenance',
      `UNWIND $rels AS rel
       MATCH (a {id: rel.from})-[r]->(b {id: rel.to}) WHERE type(r) = rel.type AND NOT r.source IN $sources
       RETURN collect(rel.type + ' ' + rel.from + ' -> ' + rel.to) AS bad`,
      { rels: seed.relationships.map((r) => ({ type: r.type, from: r.from, to: r.to })), sources: SEED_SOURCES },
    );
    expect(rels[0]?.bad).toEqual([]);
    const vulns = await t.db.read(
      undefined,
      'test seed vulnerabilities',
      `MATCH (v:Vulnerability) WHERE v.id IN $ids AND v.source IS NOT NULL RETURN count(v) AS n`,
      {
        ids: seed.nodes.filter((n) => n.label === 'Vulnerability').map((n) => n.id),
      },
    );
    expect(Number(vulns[0]?.n)).toBe(seed.nodes.filter((n) => n.label === 'Vulnerability').length);
  });

  describe('a malformed seed', () => {
    let dir: string;
    const goodNode = { label: 'Organization', id: 'seedtest:org-should-not-be-written', name: 'Should not be written', source: 'illustrative', kind: 'OTHER' };
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-malformed-'));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const write = (file: string, content: unknown) => fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));

    async function expectRefusedWithNothingWritten(pattern: RegExp): Promise<void> {
      expect(() => readSeed(dir)).toThrow(SeedError);
      expect(() => readSeed(dir)).toThrow(pattern);
      const before = await graphCounts();
      await expect(loadSeed(loader, dir)).rejects.toThrow(pattern);
      expect(await graphCounts()).toEqual(before);
      const rows = await t.db.read(undefined, 'test malformed not written', 'MATCH (n {id: $id}) RETURN count(n) AS n', { id: goodNode.id });
      expect(Number(rows[0]?.n)).toBe(0);
    }

    it('is refused naming the file, node index and field of an out-of-range value', async () => {
      write('01-good.json', { nodes: [goodNode] });
      write('02-bad.json', {
        nodes: [
          { label: 'Threat', id: 'seedtest:threat-ok', name: 'Fine', source: 'illustrative', kind: 'OTHER', severity: 5 },
          { label: 'Threat', id: 'seedtest:threat-bad', name: 'Too severe', source: 'illustrative', kind: 'OTHER', severity: 42 },
        ],
      });
      await expectRefusedWithNothingWritten(/seed\/02-bad\.json nodes\[1\]\.severity: must be at most 10/);
    });

    it('is refused naming the file, relationship index and end that does not exist', async () => {
      write('01-good.json', {
        nodes: [goodNode],
        relationships: [{ type: 'MAKES', from: goodNode.id, to: 'seedtest:no-such-device', source: 'illustrative' }],
      });
      await expectRefusedWithNothingWritten(/seed\/01-good\.json relationships\[0\]\.to: no seed node with id seedtest:no-such-device/);
    });

    it('is refused when a required field is missing or the JSON is broken', async () => {
      write('01-good.json', { nodes: [goodNode] });
      write('02-no-source.json', { nodes: [{ label: 'Device', id: 'seedtest:dev', name: 'No source', category: 'PHONE' }] });
      await expectRefusedWithNothingWritten(/seed\/02-no-source\.json nodes\.0\.source/);
      fs.rmSync(path.join(dir, '02-no-source.json'));
      write('03-broken.json', '{ "nodes": [ ');
      await expectRefusedWithNothingWritten(/seed\/03-broken\.json: not valid JSON/);
    });

    it('is refused naming the certification and entry of a status history that contradicts itself', async () => {
      const cert = {
        label: 'Certification',
        id: 'seedtest:cert',
        name: 'C',
        source: 'illustrative',
        kind: 'CERTIFICATE',
        status: 'ACTIVE',
        issuedAt: '2024-01-01',
      };
      write('01-good.json', {
        nodes: [
          goodNode,
          {
            ...cert,
            statusHistory: [
              { status: 'REVOKED', effectiveFrom: '2024-05-01' },
              { status: 'ACTIVE', effectiveFrom: '2024-06-01' },
            ],
          },
        ],
      });
      await expectRefusedWithNothingWritten(
        /seed\/01-good\.json nodes\[1\]\.statusHistory\.1\.status: ACTIVE from 2024-06-01 cannot follow REVOKED from 2024-05-01/,
      );
      write('01-good.json', { nodes: [goodNode, { ...cert, statusHistory: [{ status: 'SUSPENDED', effectiveFrom: '2023-12-31' }] }] });
      await expectRefusedWithNothingWritten(/nodes\[1\]\.statusHistory\.0\.effectiveFrom: 2023-12-31 is before seedtest:cert was issued/);
      write('01-good.json', { nodes: [goodNode, { ...cert, statusHistory: [{ status: 'SUSPENDED', effectiveFrom: 'soon' }] }] });
      await expectRefusedWithNothingWritten(/nodes\[1\]\.statusHistory\.0\.effectiveFrom: a date YYYY-MM-DD/);
    });
  });
});
