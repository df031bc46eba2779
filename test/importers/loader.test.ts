/**
 * The loader against the real test Neo4j: import, import again (nothing changes), a newer
 * version (stale marking), invalid documents (nothing written, the place named), the GraphQL
 * mutation and the command line, and the cross-source question after importing ATT&CK Mobile,
 * the SP 800-53 catalog, KEV and the seed.
 */
import { dataDir } from '../../src/config';
import { readDocument } from '../../src/importers/readDocument';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parseStix } from '../../src/importers/stix';
import { ImportError } from '../../src/importers/types';
import { loadSeed } from '../../src/seed/loadSeed';
import type { Database } from '../../src/store/database';
import { mergeRelationships } from '../../src/store/graphStore';
import { batchLoader, techniquesMitigatedOnClearedDevices } from '../../src/store/importStore';
import { importDocument, type CountLine, type ImportSummary } from '../../src/services/importService';
import { FIXTURE_TIMEOUT_MS, KEYS, startTestApp, testNeo4jCredentials, testNeo4jUri, uniquePrefix, type TestApp } from '../helpers/app';

const DATA = dataDir();
const FIXTURES = path.join(__dirname, '..', 'fixtures');
/** A reference document from data/ (plain or .json.gz). */
const refData = (p: string): string => readDocument(path.join(DATA, p));
const fixture = (p: string): string => fs.readFileSync(path.join(FIXTURES, p), 'utf8');
const run = promisify(execFile);

// Real catalogs on a shared 2-core machine: allow minutes, not the default minute.
jest.setTimeout(600000);

function line(lines: CountLine[], name: string): CountLine {
  return lines.find((l) => l.name === name) ?? { name, created: 0, updated: 0, unchanged: 0, skipped: 0, stale: 0 };
}

/** Removes everything a document (all its versions) wrote: nodes and relationships. */
async function removeDocument(db: Database, documentKey: string): Promise<void> {
  const prefix = `${documentKey}@`;
  await db.write(undefined, 'test remove document relationships', 'MATCH ()-[r]->() WHERE r.sourceRef STARTS WITH $prefix DELETE r', { prefix });
  await db.write(undefined, 'test remove document nodes', 'MATCH (n) WHERE n.sourceRef STARTS WITH $prefix DETACH DELETE n', { prefix });
}

async function countDocument(db: Database, documentKey: string): Promise<number> {
  const rows = await db.read(undefined, 'test count document', 'MATCH (n) WHERE n.sourceRef STARTS WITH $prefix RETURN count(n) AS n', {
    prefix: `${documentKey}@`,
  });
  return Number(rows[0]?.n ?? 0);
}

async function nodeProps(db: Database, id: string): Promise<Record<string, unknown> | undefined> {
  const rows = await db.read(undefined, 'test node', 'MATCH (n {id: $id}) RETURN properties(n) AS p', { id });
  return rows[0]?.p as Record<string, unknown> | undefined;
}

function report(what: string, s: ImportSummary): void {
  const nodes = s.nodes.reduce((n, l) => n + l.created + l.updated + l.unchanged, 0);
  const rels = s.relationships.reduce((n, l) => n + l.created + l.updated + l.unchanged, 0);
  process.stderr.write(
    `[import speed] ${what}: ${nodes} nodes + ${rels} relationships, parse ${s.parseMs} ms, write ${s.writeMs} ms, ${s.nodesPerSecond} nodes/s, ${s.relationshipsPerSecond} relationships/s\n`,
  );
}

describe('importers: loading into Neo4j', () => {
  let t: TestApp;
  const prefix = uniquePrefix('importers');
  beforeAll(async () => {
    // Whole catalogs in one transaction: more than the API's default 15 s on a loaded CI machine.
    t = await startTestApp({ QUERY_TIMEOUT_MS: '300000' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('import, import again, newer version', () => {
    const name = `${prefix}mini-attack`;
    const key = `stix:${name}`;
    afterAll(() => removeDocument(t.db, key));

    it('creates, then changes nothing on the same document, then marks what a newer version dropped as stale', async () => {
      const text = fixture('stix/mini-attack.json');
      const first = await importDocument(batchLoader(t.db), { text, name, caller: 'test', clearance: 'SECRET' });
      expect(first.document).toBe(`${key}@1.0`);
      expect(line(first.nodes, 'Threat')).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
      expect(line(first.nodes, 'Control')).toMatchObject({ created: 1 });
      expect(line(first.relationships, 'MITIGATES')).toMatchObject({ created: 2 });
      expect(first.unknownObjectTypes).toEqual([{ name: 'x-acme-widget', count: 1 }]);
      expect(first.changed).toBe(true);
      const stored = await nodeProps(t.db, 'attack:T9901.001');
      expect(stored).toMatchObject({
        source: 'mitre-attack',
        sourceRef: `${key}@1.0`,
        assertedBy: `test (${first.runId})`,
        lastSeenRun: first.runId,
        deprecated: true,
        parentTechnique: 'T9901',
        stale: false,
      });

      const again = await importDocument(batchLoader(t.db), { text, name, caller: 'test', clearance: 'SECRET' });
      expect(again.changed).toBe(false);
      for (const l of [...again.nodes, ...again.relationships]) expect(l).toMatchObject({ created: 0, updated: 0, stale: 0 });
      expect(line(again.nodes, 'Threat').unchanged).toBe(3);
      expect(line(again.relationships, 'MITIGATES').unchanged).toBe(2);
      expect((await nodeProps(t.db, 'attack:T9901'))?.assertedBy).toBe(`test (${first.runId})`);

      // Version 2.0: T9901 reworded, T9902 (and its mitigation) gone, T9903 new.
      const doc = JSON.parse(text) as { objects: Record<string, unknown>[] };
      const v2 = doc.objects
        .filter((o) => o.id !== 'attack-pattern--a0000000-0000-4000-8000-000000000002' && o.id !== 'relationship--f0000000-0000-4000-8000-000000000004')
        .map((o) =>
          o.type === 'x-mitre-collection'
            ? { ...o, x_mitre_version: '2.0' }
            : o.id === 'attack-pattern--a0000000-0000-4000-8000-000000000001'
              ? { ...o, description: 'Reworded in 2.0.' }
              : o,
        );
      v2.push(
        {
          type: 'attack-pattern',
          spec_version: '2.1',
          id: 'attack-pattern--a0000000-0000-4000-8000-000000000004',
          name: 'Test New Technique',
          external_references: [{ source_name: 'mitre-mobile-attack', external_id: 'T9903' }],
          x_mitre_platforms: ['iOS'],
        },
        {
          type: 'relationship',
          spec_version: '2.1',
          id: 'relationship--f0000000-0000-4000-8000-000000000005',
          relationship_type: 'mitigates',
          source_ref: 'course-of-action--c0000000-0000-4000-8000-000000000001',
          target_ref: 'attack-pattern--a0000000-0000-4000-8000-000000000004',
        },
      );
      const newer = await importDocument(batchLoader(t.db), { text: JSON.stringify({ ...doc, objects: v2 }), name, caller: 'test', clearance: 'SECRET' });
      expect(newer.document).toBe(`${key}@2.0`);
      expect(line(newer.nodes, 'Threat')).toMatchObject({ created: 1, updated: 1, unchanged: 1, stale: 1 });
      expect(line(newer.relationships, 'MITIGATES')).toMatchObject({ created: 1, unchanged: 1, stale: 1 });
      expect(await nodeProps(t.db, 'attack:T9902')).toMatchObject({ stale: true, lastSeenRun: again.runId, sourceRef: `${key}@1.0` });
      expect(await nodeProps(t.db, 'attack:T9901')).toMatchObject({
        stale: false,
        description: 'Reworded in 2.0.',
        sourceRef: `${key}@2.0`,
        lastSeenRun: newer.runId,
      });
      const staleRel = await t.db.read(
        undefined,
        'test stale rel',
        "MATCH (:Control {id: 'attack:M9901'})-[r:MITIGATES]->(:Threat {id: 'attack:T9902'}) RETURN r.stale AS stale, r.lastSeenRun AS run",
      );
      expect(staleRel).toEqual([{ stale: true, run: again.runId }]);

      // The API hides stale nodes unless asked.
      const api = await t.run<{ threats: { edges: { node: { id: string; stale: boolean } }[] } }>(
        'query($ids: [ID!], $stale: Boolean) { threats(filter: {ids: $ids, includeStale: $stale, includeRevoked: true}) { edges { node { id stale } } } }',
        { ids: ['attack:T9901', 'attack:T9902'], stale: false },
        KEYS.viewer,
      );
      expect(api.errors).toBeUndefined();
      expect(api.data?.threats.edges.map((e) => e.node.id)).toEqual(['attack:T9901']);
    });
  });

  describe('invalid documents write nothing', () => {
    it('refuses a bundle with a relationship missing relationship_type, naming the object', async () => {
      const name = `${prefix}broken`;
      const doc = JSON.parse(fixture('stix/mini-attack.json')) as { objects: Record<string, unknown>[] };
      delete doc.objects[8]?.relationship_type;
      await expect(importDocument(batchLoader(t.db), { text: JSON.stringify(doc), name, caller: 'test', clearance: 'SECRET' })).rejects.toThrow(
        new ImportError('objects[8]', 'relationship_type is missing'),
      );
      await expect(
        importDocument(batchLoader(t.db), { text: fixture('stix/mini-attack.json').slice(0, 900), name, caller: 'test', clearance: 'SECRET' }),
      ).rejects.toThrow(/^document: not valid JSON/);
      expect(await countDocument(t.db, `stix:${name}`)).toBe(0);
    });

    it('a dry run reports what would be created and keeps nothing', async () => {
      const name = `${prefix}dry`;
      const summary = await importDocument(batchLoader(t.db), {
        text: fixture('cyclonedx/test-phone-vex-1.6.cdx.json'),
        name,
        dryRun: true,
        caller: 'test',
        clearance: 'SECRET',
      });
      expect(summary.dryRun).toBe(true);
      expect(line(summary.nodes, 'Component').created).toBe(6);
      expect(await countDocument(t.db, `cyclonedx:${name}`)).toBe(0);
    });
  });

  describe('CISA KEV: newer catalog version', () => {
    const name = `${prefix}kev`;
    afterAll(() => removeDocument(t.db, `kev:${name}`));

    it('imports 1404 entries, then a version without 4 of them marks those stale', async () => {
      const text = refData('cisa-kev/known_exploited_vulnerabilities.json.gz');
      const first = await importDocument(batchLoader(t.db), { text, name, caller: 'test', clearance: 'SECRET' });
      report('KEV 2025.08.25 (1404 entries)', first);
      const v = line(first.nodes, 'Vulnerability');
      expect(v.created + v.updated + v.unchanged).toBe(1404);
      const doc = JSON.parse(text) as { catalogVersion: string; count: number; vulnerabilities: Record<string, unknown>[] };
      const dropped = doc.vulnerabilities.slice(0, 4).map((e) => String(e.cveID));
      const changed = doc.vulnerabilities[10];
      if (changed) changed.knownRansomwareCampaignUse = changed.knownRansomwareCampaignUse === 'Known' ? 'Unknown' : 'Known';
      const next = { ...doc, catalogVersion: '2099.01.01', count: doc.count - 4, vulnerabilities: doc.vulnerabilities.slice(4) };
      const newer = await importDocument(batchLoader(t.db), { text: JSON.stringify(next), name, caller: 'test', clearance: 'SECRET' });
      const n = line(newer.nodes, 'Vulnerability');
      expect(n.stale).toBe(4);
      expect(n.created).toBe(0);
      expect(n.updated).toBeGreaterThanOrEqual(1);
      const staleRows = await t.db.read(
        undefined,
        'test stale kev',
        'MATCH (v:Vulnerability) WHERE v.id IN $ids RETURN v.id AS id, v.stale AS stale ORDER BY id',
        { ids: dropped },
      );
      expect(staleRows.map((r) => r.stale)).toEqual([true, true, true, true]);
    });
  });

  describe('GraphQL importDocument', () => {
    const name = `${prefix}gql-phone`;
    afterAll(() => removeDocument(t.db, `cyclonedx:${name}`));
    const mutation = `mutation($format: ImportFormat, $document: String!, $name: String, $dryRun: Boolean) {
      importDocument(format: $format, document: $document, name: $name, dryRun: $dryRun) {
        runId format document dryRun changed
        nodes { name created updated unchanged skipped stale }
        relationships { name created updated unchanged skipped stale }
        unknownObjectTypes { name count } problems problemCount nodesPerSecond relationshipsPerSecond
      }
    }`;
    type Result = { importDocument: { format: string; document: string; changed: boolean; nodes: CountLine[]; relationships: CountLine[] } };

    it('imports a CycloneDX 1.6 VEX document for a curator, detecting the format, and keeps VEX states', async () => {
      const document = fixture('cyclonedx/test-phone-vex-1.6.cdx.json');
      const res = await t.run<Result>(mutation, { document, name }, KEYS.curator);
      expect(res.errors).toBeUndefined();
      expect(res.data?.importDocument).toMatchObject({ format: 'CYCLONEDX', document: `cyclonedx:${name}@2026 (BOM v1, CycloneDX 1.6)`, changed: true });
      expect(line(res.data?.importDocument.relationships ?? [], 'AFFECTS').created).toBe(2);
      const vex = await t.db.read(
        undefined,
        'test vex',
        'MATCH (v:Vulnerability)-[r:AFFECTS]->(c:Component) WHERE c.id IN $ids RETURN v.id AS v, r.vexState AS state, r.vexJustification AS why ORDER BY v',
        { ids: ['pkg:generic/testphone/imageio@17.0', 'pkg:generic/testphone/webkit@617.1'] },
      );
      expect(vex).toEqual([
        { v: 'CVE-2023-41064', state: 'AFFECTED', why: null },
        { v: 'CVE-2024-23222', state: 'NOT_AFFECTED', why: 'code_not_reachable' },
      ]);
      const again = await t.run<Result>(mutation, { document, name, format: 'CYCLONEDX' }, KEYS.curator);
      expect(again.data?.importDocument.changed).toBe(false);
    });

    it("never joins to or writes nodes above the caller's clearance, and keeps a curator's marking on re-import", async () => {
      const restrictedName = `${prefix}gql-restricted`;
      const hiddenId = `${prefix}hidden-threat`;
      const importMini = `mutation($document: String!, $name: String) { importDocument(document: $document, name: $name) { joined { existingId } nodes { name created updated unchanged skipped stale } } }`;
      type MiniResult = { importDocument: { joined: { existingId: string }[]; nodes: CountLine[] } };
      await t.db.write(
        undefined,
        'test hidden threat',
        "CREATE (:Threat {id: $id, name: 'Hidden', kind: 'OTHER', externalId: 'T9901', classification: 'CONFIDENTIAL', source: 'test'})",
        { id: hiddenId },
      );
      try {
        const res = await t.run<MiniResult>(importMini, { document: fixture('stix/mini-attack.json'), name: restrictedName }, KEYS.curatorRestricted);
        expect(res.errors).toBeUndefined();
        expect(res.data?.importDocument.joined).toEqual([]);
        expect(line(res.data?.importDocument.nodes ?? [], 'Threat').created).toBe(3);
        expect(await nodeProps(t.db, hiddenId)).toMatchObject({ name: 'Hidden', source: 'test', classification: 'CONFIDENTIAL' });
        // A curator raises the marking of an imported node: importing again leaves it alone.
        await t.db.write(undefined, 'test raise marking', "MATCH (n:Threat {id: 'attack:T9901'}) SET n.classification = 'RESTRICTED'");
        const again = await t.run<MiniResult>(importMini, { document: fixture('stix/mini-attack.json'), name: restrictedName }, KEYS.curator);
        expect(line(again.data?.importDocument.nodes ?? [], 'Threat')).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
        expect((await nodeProps(t.db, 'attack:T9901'))?.classification).toBe('RESTRICTED');
      } finally {
        await t.db.write(undefined, 'test remove hidden threat', 'MATCH (n {id: $id}) DETACH DELETE n', { id: hiddenId });
        await removeDocument(t.db, `stix:${restrictedName}`);
      }
    });

    it('refuses viewers, invalid documents and documents over IMPORT_MAX_BYTES with clear errors', async () => {
      const document = fixture('cyclonedx/test-phone-vex-1.6.cdx.json');
      const viewer = await t.run(mutation, { document, name }, KEYS.viewer);
      expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const bad = JSON.parse(document) as { components: Record<string, unknown>[] };
      const c = bad.components[3];
      if (c) c.purl = 'webkit 617.1';
      const invalid = await t.run(mutation, { document: JSON.stringify(bad), name: `${prefix}gql-bad` }, KEYS.curator);
      expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(invalid.errors?.[0]?.message).toMatch(/^components\[3\]\.purl: not a valid package URL/);
      expect(await countDocument(t.db, `cyclonedx:${prefix}gql-bad`)).toBe(0);

      const small = await startTestApp({ IMPORT_MAX_BYTES: '1024', QUERY_TIMEOUT_MS: '300000' });
      try {
        const big = await small.run(mutation, { document }, KEYS.curator);
        expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(big.errors?.[0]?.message).toMatch(/^document: \d+ bytes is over the limit of 1024 bytes \(IMPORT_MAX_BYTES\)/);
      } finally {
        await small.close();
      }
    });
  });

  describe('command line', () => {
    const env = { ...process.env, NEO4J_URI: testNeo4jUri(), ...testNeo4jCredentials(), LOG_LEVEL: 'silent' };
    const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'import.ts');
    const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');

    it('prints a per-label summary for a dry run of a gzip document (format detected, no progress bar without a terminal)', async () => {
      const gz = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ag-import-')), 'test-phone-vex-1.6.cdx.json.gz');
      fs.writeFileSync(gz, gzipSync(fs.readFileSync(path.join(FIXTURES, 'cyclonedx/test-phone-vex-1.6.cdx.json'))));
      const { stdout } = await run(tsx, [cli, gz, '--dry-run', '--name', `${prefix}cli`], { env });
      expect(stdout).toMatch(/^Dry run \(rolled back, nothing kept\) test-phone-vex-1\.6\.cdx\.json\.gz as CYCLONEDX/);
      expect(stdout).toMatch(/Component\s+6\s+0\s+0\s+0\s+0/);
      expect(stdout).toMatch(/nodes\/s/);
      expect(stdout).not.toMatch(/importing \[/);
      expect(await countDocument(t.db, `cyclonedx:${prefix}cli`)).toBe(0);
    });

    it('exits 2 naming the place for an invalid document', async () => {
      const file = path.join(FIXTURES, 'stix/mini-attack.json');
      const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ag-import-')), 'broken.json');
      const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { objects: Record<string, unknown>[] };
      delete doc.objects[8]?.relationship_type;
      fs.writeFileSync(broken, JSON.stringify(doc));
      const failure = await run(tsx, [cli, 'stix', broken], { env }).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toContain('objects[8]: relationship_type is missing');
    });
  });

  describe('cross-source: ATT&CK Mobile + SP 800-53 + KEV + seed', () => {
    const curated = `test:${prefix}curated`;
    const documents: string[] = [];
    let seededHere = false;
    afterAll(async () => {
      for (const key of documents) await removeDocument(t.db, key);
      await removeDocument(t.db, curated);
      if (seededHere) await t.db.write(undefined, 'test remove seed', "MATCH (n) WHERE n.assertedBy = 'seed' DETACH DELETE n");
    });

    it('answers: which iOS techniques are mitigated by controls a cleared device implements', async () => {
      const before = await nodeProps(t.db, 'device:iphone-15');
      if (!before) {
        await loadSeed(t.db);
        seededHere = true;
      }
      const attackText = refData('mitre-attack-mobile/mobile-attack-17.1.json.gz');
      const attack = await importDocument(batchLoader(t.db), { text: attackText, caller: 'test', clearance: 'SECRET' });
      documents.push('stix:Mobile ATT&CK');
      report('ATT&CK Mobile 17.1', attack);
      expect(attack.writeMs).toBeLessThan(30000);
      // Seed threats carrying an ATT&CK id are the imported techniques: joined, not duplicated.
      expect(attack.joined).toEqual(expect.arrayContaining([{ importedId: 'attack:T1404', existingId: 'threat:kernel-privilege-escalation' }]));
      expect(await nodeProps(t.db, 'attack:T1404')).toBeUndefined();
      const seedThreat = await nodeProps(t.db, 'threat:kernel-privilege-escalation');
      expect(seedThreat).toMatchObject({ name: 'Kernel privilege escalation', externalId: 'T1404', source: 'illustrative' });
      const t1404Threats = await t.db.read(undefined, 'test t1404', "MATCH (t:Threat {externalId: 'T1404'}) RETURN count(t) AS n");
      expect(t1404Threats[0]?.n).toBe(1);
      const threatLine = line(attack.nodes, 'Threat');
      expect(threatLine.created + threatLine.updated + threatLine.unchanged).toBe(188);
      expect(line(attack.relationships, 'MITIGATES').created).toBe(163);

      // The same bundle again: nothing changes (warm numbers for the speed report).
      const attackAgain = await importDocument(batchLoader(t.db), { text: attackText, caller: 'test', clearance: 'SECRET' });
      report('ATT&CK Mobile 17.1 again (unchanged)', attackAgain);
      expect(attackAgain.changed).toBe(false);
      expect(line(attackAgain.nodes, 'Threat')).toMatchObject({ created: 0, updated: 0, unchanged: 188, stale: 0 });
      expect(line(attackAgain.relationships, 'MITIGATES')).toMatchObject({ created: 0, updated: 0, unchanged: 163, stale: 0 });

      const catalog = await importDocument(batchLoader(t.db), {
        text: refData('nist-sp800-53-rev5/NIST_SP-800-53_rev5_catalog.json.gz'),
        caller: 'test',
        clearance: 'SECRET',
      });
      documents.push(
        'oscal-catalog:NIST Special Publication 800-53 Revision 5: Security and Privacy Controls for Federal Information Systems and Organizations',
      );
      report('NIST SP 800-53 rev5 catalog (1189 controls)', catalog);
      expect(line(catalog.nodes, 'Control').created).toBe(1189);

      const kev = await importDocument(batchLoader(t.db), {
        text: refData('cisa-kev/known_exploited_vulnerabilities.json.gz'),
        caller: 'test',
        clearance: 'SECRET',
      });
      documents.push('kev:CISA Catalog of Known Exploited Vulnerabilities');
      const phone = await importDocument(batchLoader(t.db), {
        text: fixture('cyclonedx/test-phone-vex-1.6.cdx.json'),
        name: `${prefix}xs-phone`,
        caller: 'test',
        clearance: 'SECRET',
      });
      documents.push(`cyclonedx:${prefix}xs-phone`);
      expect(kev.changed && phone.changed).toBe(true);
      // KEV and CycloneDX name the same CVE: one Vulnerability, known-exploited, affecting the SBOM component.
      const cve = await t.db.read(
        undefined,
        'test cve',
        "MATCH (v:Vulnerability {id: 'CVE-2023-41064'}) RETURN v.knownExploited AS kev, COUNT { (v)-[:AFFECTS]->(:Component {id: 'pkg:generic/testphone/imageio@17.0'}) } AS affects",
      );
      expect(cve).toEqual([{ kev: true, affects: 1 }]);

      const components = await importDocument(batchLoader(t.db), {
        text: fixture('oscal/component-definition-test-mdm.json'),
        name: `${prefix}mdm`,
        caller: 'test',
        clearance: 'SECRET',
      });
      documents.push(`oscal-component-definition:${prefix}mdm`);
      expect(line(components.relationships, 'IMPLEMENTS')).toMatchObject({ created: 2, skipped: 1 });
      expect(components.problems).toEqual([expect.stringMatching(/implemented-requirements\[2\]: IMPLEMENTS .* nist-800-53:zz-99 skipped/)]);

      // A curator maps SP 800-53 SI-2 (flaw remediation) to ATT&CK M1001 (Security Updates) and
      // records that the cleared iPhone 15 implements SI-2.
      const stamp = { source: 'test', sourceRef: `${curated}@1`, assertedBy: 'test', assertedAt: new Date() };
      await t.db.writeTransaction(
        undefined,
        async (tx) => {
          await mergeRelationships(tx, 'MAPS_TO', 'Control', 'Control', [{ fromId: 'nist-800-53:si-2', toId: 'attack:M1001', props: {} }], stamp);
          await mergeRelationships(
            tx,
            'IMPLEMENTS',
            'Device',
            'Control',
            [{ fromId: 'device:iphone-15', toId: 'nist-800-53:si-2', props: { evidence: 'test' } }],
            stamp,
          );
        },
        { timeoutMs: FIXTURE_TIMEOUT_MS },
      );

      const answer = await techniquesMitigatedOnClearedDevices(t.db, 'iOS', 'SECRET');
      process.stderr.write(
        `[cross-source] ${answer.length} iOS techniques: ${answer.map((a) => `${a.externalId ?? a.threatId} via ${a.controls.join('+')}`).join('; ')}\n`,
      );
      const ids = answer.map((a) => a.externalId);
      // Through the seed: the cleared iPhone 15 implements timely patching, which mitigates T1404.
      expect(answer.find((a) => a.externalId === 'T1404')).toMatchObject({
        threatId: 'threat:kernel-privilege-escalation',
        controls: expect.arrayContaining(['control:timely-patching']) as unknown,
      });
      // Through SP 800-53 SI-2 -> ATT&CK M1001: every live iOS technique M1001 mitigates in the bundle.
      const bundle = parseStix(attackText);
      const m1001 = (bundle.relationships.find((g) => g.type === 'MITIGATES')?.rows ?? []).filter((r) => r.fromId === 'attack:M1001').map((r) => r.toId);
      const expected = (bundle.nodes.get('Threat') ?? [])
        .filter((n) => m1001.includes(n.id) && (n.props.platforms as string[]).includes('iOS') && n.props.revoked !== true && n.props.deprecated !== true)
        .map((n) => String(n.props.externalId));
      expect(expected.length).toBeGreaterThan(0);
      expect(ids).toEqual(expect.arrayContaining(expected));
      for (const e of expected) expect(answer.find((a) => a.externalId === e)?.controls).toContain('nist-800-53:si-2');
      // Nothing revoked or deprecated is shown as live.
      const revoked = new Set(
        (bundle.nodes.get('Threat') ?? []).filter((n) => n.props.revoked === true || n.props.deprecated === true).map((n) => n.props.externalId),
      );
      expect(ids.filter((id) => revoked.has(id))).toEqual([]);
    });
  });
});
