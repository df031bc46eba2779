/**
 * CVE records against the real test Neo4j: the seed, then the 79 shipped records, AFFECTS edges
 * on the seed's OS release components (expected values by hand from the records), re-import
 * (nothing changes), a new OS release matched against the stored ranges, and a malformed record
 * writing nothing. Everything it adds is removed afterwards and the seed restored.
 */
import path from 'node:path';
import { readDocument } from '../../src/importers/readDocument';
import { ImportError } from '../../src/importers/types';
import type { Database } from '../../src/store/database';
import { importDocument, type CountLine } from '../../src/services/importService';
import { batchLoader } from '../../src/store/importStore';
import { startTestApp, type TestApp } from '../helpers/app';
import { freshSeed, removeCveImports } from '../helpers/seed';

const RECORDS = path.join(__dirname, '../../data/cve-records/cve-records.json.gz');

function line(lines: CountLine[], name: string): CountLine {
  return lines.find((l) => l.name === name) ?? { name, created: 0, updated: 0, unchanged: 0, skipped: 0, stale: 0 };
}

async function matched(db: Database, cve: string): Promise<Record<string, Record<string, unknown>>> {
  const rows = await db.read(
    undefined,
    'test cve matches',
    `MATCH (v:Vulnerability {id: $cve})-[r:AFFECTS]->(c:Component) WHERE r.matchMethod IS NOT NULL AND coalesce(r.stale, false) = false
     RETURN c.id AS id, properties(r) AS p ORDER BY id`,
    { cve },
  );
  return Object.fromEntries(rows.map((r) => [String(r.id), r.p as Record<string, unknown>]));
}

const SBOM_NAME = 'test-ios-updates';
function iosUpdatesSbom(): string {
  const os = (version: string) => ({
    type: 'operating-system',
    'bom-ref': `ios-${version}`,
    name: 'iOS',
    version,
    cpe: `cpe:2.3:o:apple:iphone_os:${version}:*:*:*:*:*:*:*`,
  });
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'device', 'bom-ref': 'phone', name: SBOM_NAME } },
    components: [os('16.7.5'), os('16.7.6')],
  });
}

describe('CVE records: import and maintained matching', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '300000' });
    await freshSeed(t.db);
  });
  afterAll(async () => {
    // Leave the shared test database as the seed made it.
    await removeCveImports(t.db, [`cyclonedx:${SBOM_NAME}@`]);
    await freshSeed(t.db);
    await t.close();
  });

  it('imports the 79 records and matches the seed OS releases (ADP CPE ranges, aliases, imprecision)', async () => {
    const text = readDocument(RECORDS);
    const first = await importDocument(batchLoader(t.db), { text, format: 'CVE', caller: 'test', clearance: 'SECRET' });
    process.stderr.write(
      `[cve import] first: parse ${first.parseMs} ms, write ${first.writeMs} ms; ${JSON.stringify(first.relationships)} ${JSON.stringify(first.stats)}\n`,
    );
    expect(first.document).toBe('cve:CVE records@CVE JSON 5');
    // 3 seed vulnerabilities are enriched, 76 created.
    expect(line(first.nodes, 'Vulnerability')).toMatchObject({ created: 76, updated: 3 });
    const stats = Object.fromEntries(first.stats.map((s) => [s.name, s.count]));
    expect(stats['no component matched']).toBeGreaterThan(0);
    expect((stats['no component matched'] ?? 0) + (stats.matchedVulnerabilities ?? 0)).toBe(79);

    // CVE-2024-23225 (CISA ADP: iphone_os 17.0 <= v < 17.4 and 0 <= v < 16.7.6): iOS 16.6 and 17.0; not 17.4, 17.6, 18.0.
    const m23225 = await matched(t.db, 'CVE-2024-23225');
    expect(Object.keys(m23225)).toEqual(['component:ios-16.6', 'component:ios-17.0']);
    expect(m23225['component:ios-17.0']).toMatchObject({
      matchMethod: 'cpe',
      vexState: 'AFFECTED',
      versionRange: '>= 17.0, < 17.4',
      fixedIn: 'component:ios-17.4',
      source: 'cve',
      sourceRef: 'cve-match:CVE-2024-23225',
    });
    expect(m23225['component:ios-17.0']?.matchedRange).toBe('cisa-adp containers.adp[0].affected[3]: custom >= 17.0, < 17.4');
    expect(m23225['component:ios-16.6']).toMatchObject({ versionRange: '< 16.7.6' });
    expect(m23225['component:ios-16.6']?.fixedIn).toBeUndefined();

    // CVE-2025-24200 (CNA: iPadOS < 17.7 -> 17.7.5, "iOS and iPadOS" < 18.3 -> 18.3.1): every seed Apple OS release.
    // iPadOS 17.7.5 is the fix the description names for the iPadOS 17 line, but the record's separate
    // "iOS and iPadOS" entry (< 18.3, no lower bound) covers it too: read as the record says (the
    // safer reading), it is matched, through that entry.
    const m24200 = await matched(t.db, 'CVE-2025-24200');
    expect(Object.keys(m24200)).toEqual([
      'component:ios-16.6',
      'component:ios-17.0',
      'component:ios-17.4',
      'component:ios-17.6',
      'component:ios-18.0',
      'component:ipados-17.5',
      'component:ipados-17.6',
      'component:ipados-17.7.5',
      'component:ipados-18.0',
    ]);
    expect(m24200['component:ipados-17.7.5']?.versionRange).toMatch(/^< 18\.3/);
    expect(m24200['component:ipados-17.5']).toMatchObject({ matchMethod: 'alias', versionRange: '< 17.7.5 (record: < 17.7)' });
    expect(String(m24200['component:ipados-17.5']?.imprecise)).toMatch(/fixed in iPadOS 17\.7\.5/);

    // CVE-2023-41064: "< 16.6" read literally leaves iOS 16.6 out; the description's fix 16.6.1 puts it in, flagged.
    const m41064 = await matched(t.db, 'CVE-2023-41064');
    expect(Object.keys(m41064)).toEqual(['component:ios-16.6']);
    expect(m41064['component:ios-16.6']).toMatchObject({ versionRange: '< 16.6.1 (record: < 16.6)', matchMethod: 'alias' });
    expect(String(m41064['component:ios-16.6']?.imprecise)).toBe(
      'containers.cna.affected[2].versions[0].lessThan "16.6" but the description says fixed in iOS 16.6.1: matched as < 16.6.1',
    );
    expect(first.problems).toContain(
      'CVE-2023-41064 (records[57]) imprecise: containers.cna.affected[2].versions[0].lessThan "16.6" but the description says fixed in iOS 16.6.1: matched as < 16.6.1',
    );

    // The seed's own FIXED statement on iOS 17.4 is left alone.
    const seedFixed = await t.db.read(
      undefined,
      'test seed fixed',
      "MATCH (:Vulnerability {id: 'CVE-2024-23225'})-[r:AFFECTS]->(:Component {id: 'component:ios-17.4'}) RETURN r.vexState AS s, r.matchMethod AS m",
    );
    expect(seedFixed).toEqual([{ s: 'FIXED', m: null }]);

    // Again: nothing changes, in seconds.
    const again = await importDocument(batchLoader(t.db), { text, format: 'CVE', caller: 'test', clearance: 'SECRET' });
    process.stderr.write(`[cve import] again: parse ${again.parseMs} ms, write ${again.writeMs} ms\n`);
    expect(again.changed).toBe(false);
    for (const l of [...again.nodes, ...again.relationships]) expect(l).toMatchObject({ created: 0, updated: 0, stale: 0 });
    expect(again.writeMs).toBeLessThan(30_000);
  });

  it('matches a new OS release imported later against the stored ranges, and moves fixedIn', async () => {
    const summary = await importDocument(batchLoader(t.db), { text: iosUpdatesSbom(), format: 'CYCLONEDX', caller: 'test', clearance: 'SECRET' });
    expect(summary.changed).toBe(true);
    const v1675 = `cdx:${SBOM_NAME}:ios-16.7.5`;
    const v1676 = `cdx:${SBOM_NAME}:ios-16.7.6`;
    const m23225 = await matched(t.db, 'CVE-2024-23225');
    // 0 <= v < 16.7.6: 16.7.5 affected, 16.7.6 not; 16.7.6 is now the known fix of the 16 line.
    expect(Object.keys(m23225)).toEqual(['cdx:test-ios-updates:ios-16.7.5', 'component:ios-16.6', 'component:ios-17.0']);
    expect(m23225[v1675]).toMatchObject({ fixedIn: v1676, versionRange: '< 16.7.6' });
    expect(m23225['component:ios-16.6']).toMatchObject({ fixedIn: v1676 });
    // CVE-2023-41064 (< 16.6.1): neither. CVE-2025-24200 ("iOS and iPadOS" < 18.3.1): both.
    expect(Object.keys(await matched(t.db, 'CVE-2023-41064'))).toEqual(['component:ios-16.6']);
    const m24200 = await matched(t.db, 'CVE-2025-24200');
    expect(m24200[v1675]).toBeDefined();
    expect(m24200[v1676]).toBeDefined();
  });

  it('a malformed record writes nothing from the document', async () => {
    const records = JSON.parse(readDocument(RECORDS)) as Record<string, unknown>[];
    const bad = JSON.parse(JSON.stringify(records[0])) as { cveMetadata: { cveId: string }; containers: { cna: { affected: Record<string, unknown>[] } } };
    bad.cveMetadata.cveId = 'CVE-2099-0001';
    delete bad.containers.cna.affected[0]?.product;
    const good = JSON.parse(JSON.stringify(records[0])) as { cveMetadata: { cveId: string } };
    good.cveMetadata.cveId = 'CVE-2099-0002';
    await expect(importDocument(batchLoader(t.db), { text: JSON.stringify([good, bad]), caller: 'test', clearance: 'SECRET' })).rejects.toThrow(
      new ImportError('CVE-2099-0001 (records[1]) containers.cna.affected[0]', 'product is missing'),
    );
    const rows = await t.db.read(undefined, 'test none', "MATCH (v:Vulnerability) WHERE v.id IN ['CVE-2099-0001', 'CVE-2099-0002'] RETURN count(v) AS n");
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
