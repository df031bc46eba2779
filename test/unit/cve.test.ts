/**
 * CVE JSON 5 importer and range semantics, golden-tested on the shipped records
 * (data/cve-records/cve-records.json.gz). Expected values are written by hand from the records.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compareCveVersions, fixedInReleases, statusOf, type StoredRange } from '../../src/domain/cveRanges';
import { parseCve } from '../../src/importers/cve';
import { firstRepeat, validateCveRecord } from '../../src/importers/cveSchema';
import { detectFormat } from '../../src/importers/detect';
import { readDocument } from '../../src/importers/readDocument';
import { ImportError, type BatchNode } from '../../src/importers/types';

const text = readDocument(path.join(__dirname, '../../data/cve-records/cve-records.json.gz'));
const records = JSON.parse(text) as Record<string, unknown>[];
const batch = parseCve(text);
const nodes = new Map((batch.nodes.get('Vulnerability') ?? []).map((n) => [n.id, n]));

function node(id: string): BatchNode {
  const n = nodes.get(id);
  if (!n) throw new Error(`${id} not parsed`);
  return n;
}

function ranges(id: string): StoredRange[] {
  return JSON.parse(String(node(id).props.cveRanges)) as StoredRange[];
}

/** Whether any range of the record naming this product key reads the version as affected. */
function affects(id: string, key: string, version: string): boolean {
  return ranges(id).some((r) => r.keys.includes(key) && statusOf(version, r)?.status === 'affected');
}

const IOS = 'cpe:o:apple:iphone_os';
const IPADOS = 'cpe:o:apple:ipados';

describe('CVE records: parsing the shipped file', () => {
  it('detects the format and reads all 79 records (5.0: 7, 5.1: 71, 5.2: 1)', () => {
    expect(detectFormat(text)).toBe('CVE');
    expect(records).toHaveLength(79);
    expect(nodes.size).toBe(79);
    expect(batch.stats).toMatchObject({ records: 79, 'dataVersion 5.0': 7, 'dataVersion 5.1': 71, 'dataVersion 5.2': 1 });
    // CISA ADP lists affected CPEs in three records (CVE-2023-41061, CVE-2024-23225 and one more); the rest use the CNA ranges.
    expect(batch.stats.rangesFromCisaAdp).toBe(3);
    expect(batch.stats.rangesFromCna).toBe(76);
    expect(batch.staleMarking).toBe(false);
  });

  it('CVE-2024-23225: dates, CWE, CVSS and SSVC from the record', () => {
    expect(node('CVE-2024-23225').props).toMatchObject({
      publishedAt: '2024-03-05',
      cveUpdatedAt: '2025-02-13',
      cweIds: ['CWE-787'],
      cvss: 7.8,
      cvssVersion: '3.1',
      cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
      cvssSource: 'cisa-adp',
      ssvcExploitation: 'active',
      knownExploited: true,
    });
    expect(String(node('CVE-2024-23225').props.description)).toMatch(
      /^A memory corruption issue was addressed with improved validation\. This issue is fixed in iOS 16\.7\.6/,
    );
  });

  it('CVE-2024-23225 uses the CISA ADP CPE ranges: iOS 16.6 and 17.0 affected; 17.4, 17.6 and 18.0 not', () => {
    expect(ranges('CVE-2024-23225').every((r) => r.container === 'cisa-adp' && r.method === 'cpe')).toBe(true);
    expect(affects('CVE-2024-23225', IOS, '16.6')).toBe(true);
    expect(affects('CVE-2024-23225', IOS, '17.0')).toBe(true);
    expect(affects('CVE-2024-23225', IOS, '17.4')).toBe(false);
    expect(affects('CVE-2024-23225', IOS, '17.6')).toBe(false);
    expect(affects('CVE-2024-23225', IOS, '18.0')).toBe(false);
    // 0 <= v < 16.7.6: exact, where the CNA says < 16.7.
    expect(affects('CVE-2024-23225', IOS, '16.7.5')).toBe(true);
    expect(affects('CVE-2024-23225', IOS, '16.7.6')).toBe(false);
    // The ADP's apple:ipad_os is the same product as apple:ipados.
    expect(affects('CVE-2024-23225', IPADOS, '17.0')).toBe(true);
    expect(affects('CVE-2024-23225', IPADOS, '17.5')).toBe(false);
  });

  it('CVE-2025-24200 (CNA ranges): iPadOS 17.5 and 17.6, iOS 17.x and 18.0 affected', () => {
    for (const v of ['17.5', '17.6', '18.0']) expect(affects('CVE-2025-24200', IPADOS, v)).toBe(true);
    for (const v of ['17.0', '17.4', '17.6', '18.0']) expect(affects('CVE-2025-24200', IOS, v)).toBe(true);
    // "iOS and iPadOS" < 18.3, widened to 18.3.1 by "fixed in iOS 18.3.1".
    expect(affects('CVE-2025-24200', IOS, '18.3')).toBe(true);
    expect(affects('CVE-2025-24200', IOS, '18.3.1')).toBe(false);
    expect(ranges('CVE-2025-24200').map((r) => [r.where, r.method, r.keys])).toEqual([
      ['containers.cna.affected[0]', 'alias', [IPADOS]],
      ['containers.cna.affected[1]', 'alias', [IOS, IPADOS]],
    ]);
  });

  it('CVE-2023-41064: the imprecision rule widens "< 16.6" to the described fix 16.6.1, so iOS 16.6 is affected', () => {
    const ios = ranges('CVE-2023-41064').find((r) => r.where === 'containers.cna.affected[2]');
    expect(ios?.keys).toEqual([IOS, IPADOS]);
    expect(ios?.entries[0]).toMatchObject({ lessThan: '16.6', widenedLessThan: '16.6.1', widenedBy: 'iOS 16.6.1' });
    expect(affects('CVE-2023-41064', IOS, '16.6')).toBe(true);
    expect(affects('CVE-2023-41064', IOS, '16.6.1')).toBe(false);
    // Read literally, 16.6 would not be affected.
    const literal: StoredRange = {
      ...(ios as StoredRange),
      entries: [{ status: 'affected', version: null, lessThan: '16.6', lessThanOrEqual: null, changes: [] }],
    };
    expect(statusOf('16.6', literal)?.status).toBe('unknown');
    expect(batch.problems).toContain(
      'CVE-2023-41064 (records[57]) imprecise: containers.cna.affected[2].versions[0].lessThan "16.6" but the description says fixed in iOS 16.6.1: matched as < 16.6.1',
    );
  });

  it('reports ranges it cannot order, per record and field (Samsung security maintenance releases)', () => {
    expect(batch.problems).toContain(
      'CVE-2021-25487 (records[69]) containers.cna.affected[0].versions[0].version: "O(8.1), P(9.0), Q(10.0), R(11.0)" is not a custom version; this product\'s ranges are not matched',
    );
  });
});

describe('CVE version semantics', () => {
  it('orders custom dotted releases and semver', () => {
    expect(compareCveVersions('16.7.6', '17.0', 'custom')).toBe(-1);
    expect(compareCveVersions('17.0', '17.10', 'custom')).toBe(-1);
    expect(compareCveVersions('17', '17.0', 'custom')).toBe(0);
    expect(compareCveVersions('1.0.0-rc.1', '1.0.0', 'semver')).toBe(-1);
    expect(compareCveVersions('1.0.0-alpha', '1.0.0-alpha.1', 'semver')).toBe(-1);
    expect(compareCveVersions('2.0.0', '10.0.0', 'semver')).toBe(-1);
  });

  it('applies lessThanOrEqual, changes and defaultStatus', () => {
    const range: StoredRange = {
      keys: ['purl:pkg:npm/x'],
      method: 'purl',
      container: 'cna',
      where: 'containers.cna.affected[0]',
      versionType: 'semver',
      defaultStatus: 'unaffected',
      entries: [
        {
          status: 'affected',
          version: '1.0.0',
          lessThan: null,
          lessThanOrEqual: '1.9.0',
          changes: [
            { at: '1.5.0', status: 'unaffected' },
            { at: '1.2.0', status: 'affected' },
          ],
        },
      ],
    };
    expect(statusOf('0.9.0', range)?.status).toBe('unaffected');
    expect(statusOf('1.0.0', range)?.status).toBe('affected');
    expect(statusOf('1.4.9', range)?.status).toBe('affected');
    expect(statusOf('1.5.0', range)?.status).toBe('unaffected');
    expect(statusOf('1.9.0', range)?.status).toBe('unaffected');
    expect(statusOf('2.0.0', range)?.status).toBe('unaffected');
  });

  it('reads the "fixed in" releases of a description', () => {
    expect(fixedInReleases('This issue is fixed in iPadOS 17.7.5, iOS 18.3.1 and iPadOS 18.3.1. A physical attack...').map((f) => f.text)).toEqual([
      'iPadOS 17.7.5',
      'iOS 18.3.1',
      'iPadOS 18.3.1',
    ]);
  });
});

describe('malformed CVE records write nothing and name the record and field', () => {
  const base = (): Record<string, unknown> =>
    JSON.parse(JSON.stringify(records.find((r) => (r.cveMetadata as { cveId: string }).cveId === 'CVE-2025-24200'))) as Record<string, unknown>;
  const affected = (r: Record<string, unknown>) => (r.containers as { cna: { affected: Record<string, unknown>[] } }).cna.affected;
  const error = (doc: string): ImportError => {
    try {
      parseCve(doc);
    } catch (e) {
      if (e instanceof ImportError) return e;
      throw e;
    }
    throw new Error('no ImportError');
  };

  it('truncated document', () => {
    expect(error(JSON.stringify(base()).slice(0, 500)).message).toMatch(/^document: not valid JSON/);
  });

  it('wrong type: lessThan a number', () => {
    const r = base();
    (affected(r)[0]?.versions as Record<string, unknown>[])[0]!.lessThan = 17.7;
    expect(error(JSON.stringify([r])).message).toBe('CVE-2025-24200 (records[0]) containers.cna.affected[0].versions[0].lessThan: must be string');
  });

  it('unknown version type', () => {
    const r = base();
    (affected(r)[1]?.versions as Record<string, unknown>[])[0]!.versionType = 'calver';
    expect(error(JSON.stringify(r)).message).toBe(
      'CVE-2025-24200 (record) containers.cna.affected[1].versions[0].versionType: unknown version type "calver" (known: custom, semver, git, maven, python, rpm)',
    );
  });

  it('an affected entry without product', () => {
    const r = base();
    delete affected(r)[1]!.product;
    expect(error(JSON.stringify(r)).message).toBe('CVE-2025-24200 (record) containers.cna.affected[1]: product is missing');
  });

  it('one bad record refuses the whole array', () => {
    const good = base();
    const bad = base();
    (bad.cveMetadata as Record<string, unknown>).cveId = 'CVE-2025-99999';
    delete affected(bad)[0]!.product;
    expect(error(JSON.stringify([good, bad])).message).toBe('CVE-2025-99999 (records[1]) containers.cna.affected[0]: product is missing');
  });
});

describe('the full CVE Record Format schema (schemas/CVE_Record_Format_bundled.json)', () => {
  const schemaFile = path.join(__dirname, '../../src/importers/schemas/CVE_Record_Format_bundled.json');
  const byId = (id: string): Record<string, unknown> =>
    JSON.parse(JSON.stringify(records.find((r) => (r.cveMetadata as { cveId: string }).cveId === id))) as Record<string, unknown>;
  type Product = { versions: Record<string, unknown>[] } & Record<string, unknown>;
  const cna = (r: Record<string, unknown>) => (r.containers as { cna: { affected: Product[] } & Record<string, unknown> }).cna;
  const refusal = (doc: string): string => {
    try {
      parseCve(doc);
    } catch (e) {
      if (e instanceof ImportError) return e.message;
      throw e;
    }
    throw new Error('accepted');
  };

  it('is the upstream file verbatim (CVEProject/cve-schema 30f59c7, 128,556 characters, draft-07)', () => {
    const bytes = readFileSync(schemaFile);
    expect(bytes.length).toBe(128556);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe('aacc07fff0c7c8a5b606a8516dc2f412d5fcf8d23a47afa051dd18fe84c14fd0');
    const schema = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://cveproject.github.io/cve-schema/schema/docs/CVE_Record_Format_bundled.json');
  });

  it('golden: all 79 shipped records conform to the full schema; none deviates', () => {
    const outcome = new Map<string, string>();
    for (const r of records) {
      const result = validateCveRecord(r);
      const id = (r.cveMetadata as { cveId: string }).cveId;
      if (!result.ok) outcome.set(id, `refused: ${result.path}: ${result.message}`);
      else if (result.deviations.length > 0) outcome.set(id, result.deviations.map((d) => `${d.path}: ${d.keyword}`).join('; '));
    }
    expect(Object.fromEntries(outcome)).toEqual({});
    expect(batch.stats.schemaDeviations).toBeUndefined();
    expect(batch.problems.filter((p) => p.includes('schema deviation'))).toEqual([]);
  });

  it('CVE-2022-42856 repeats an affected product ([0] and [4]): the schema allows it (affected has no uniqueItems)', () => {
    const affected = cna(byId('CVE-2022-42856')).affected;
    expect(affected[4]).toEqual(affected[0]);
    expect(validateCveRecord(byId('CVE-2022-42856'))).toEqual({ ok: true, deviations: [] });
  });

  it('a repeated versions entry (uniqueItems) is imported and listed in problems with the record and path', () => {
    const r = byId('CVE-2025-24200');
    const versions = cna(r).affected[0]!.versions;
    versions.push(JSON.parse(JSON.stringify(versions[0])) as Record<string, unknown>);
    const last = versions.length - 1;
    const parsed = parseCve(JSON.stringify([byId('CVE-2024-23225'), r]));
    expect((parsed.nodes.get('Vulnerability') ?? []).map((n) => n.id)).toEqual(['CVE-2024-23225', 'CVE-2025-24200']);
    expect(parsed.stats.schemaDeviations).toBe(1);
    expect(parsed.problems).toContain(
      `CVE-2025-24200 (records[1]) containers.cna.affected[0].versions: schema deviation (uniqueItems): entries [0] and [${last}] are identical; imported (a repeated entry adds nothing)`,
    );
    // The repeat changes no range: the ranges equal those of the unchanged record.
    const clean = parseCve(JSON.stringify(byId('CVE-2025-24200'))).nodes.get('Vulnerability')?.[0]?.props.cveRanges;
    const repeated = JSON.parse(String(parsed.nodes.get('Vulnerability')?.[1]?.props.cveRanges)) as StoredRange[];
    expect(repeated[0]?.entries.slice(0, -1)).toEqual((JSON.parse(String(clean)) as StoredRange[])[0]?.entries);
  });

  it('a container property of later schema releases (cpeApplicability) is imported and listed; any other unknown property refuses', () => {
    const r = byId('CVE-2025-24200');
    cna(r).cpeApplicability = [
      { nodes: [{ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:o:apple:ipados:*:*:*:*:*:*:*:*' }] }] },
    ];
    const parsed = parseCve(JSON.stringify(r));
    expect(parsed.nodes.get('Vulnerability')?.map((n) => n.id)).toEqual(['CVE-2025-24200']);
    expect(parsed.problems).toContain(
      'CVE-2025-24200 (record) containers.cna: schema deviation (additionalProperties): "cpeApplicability" is defined by later releases of the CVE Record Format, not by the shipped schema (5.1.0); imported, the property is not read',
    );
    const other = byId('CVE-2025-24200');
    cna(other).cpeApplicability = [];
    cna(other).vendorNotes = 'x';
    expect(refusal(JSON.stringify(other))).toBe('CVE-2025-24200 (record) containers.cna: unknown property "vendorNotes"');
    const misplaced = byId('CVE-2025-24200');
    (misplaced.cveMetadata as Record<string, unknown>).cpeApplicability = [];
    expect(refusal(JSON.stringify(misplaced))).toBe('CVE-2025-24200 (record) cveMetadata: unknown property "cpeApplicability"');
  });

  it('repeats are found whatever the key order, in linear time (30,000 entries)', () => {
    expect(firstRepeat([{ a: 1, b: [1, { c: 2, d: 3 }] }, { x: 1 }, { b: [1, { d: 3, c: 2 }], a: 1 }])).toEqual([0, 2]);
    expect(firstRepeat([{ a: 1 }, { a: '1' }, [1, 2], [2, 1]])).toBeUndefined();
    const r = byId('CVE-2025-24200');
    cna(r).affected[0]!.versions = Array.from({ length: 30000 }, (_, i) => ({ version: `1.${i}`, status: 'affected' }));
    const started = Date.now();
    expect(validateCveRecord(r)).toEqual({ ok: true, deviations: [] });
    // Pairwise comparison would be 450 million deep comparisons.
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('refuses structural violations the importer does not read itself, naming record and field', () => {
    const noReferences = byId('CVE-2025-24200');
    delete cna(noReferences).references;
    expect(refusal(JSON.stringify(noReferences))).toBe('CVE-2025-24200 (record) containers.cna: references is missing');

    const badUrl = byId('CVE-2025-24200');
    (cna(badUrl).references as Record<string, unknown>[])[0]!.url = 'not a url';
    expect(refusal(JSON.stringify([badUrl]))).toBe('CVE-2025-24200 (records[0]) containers.cna.references[0].url: must match format "uri"');

    const badScore = byId('CVE-2024-23225');
    const metrics = (badScore.containers as { adp: { metrics?: Record<string, Record<string, unknown>>[] }[] }).adp.flatMap((a) => a.metrics ?? []);
    const cvss = metrics.find((m) => m.cvssV3_1)?.cvssV3_1 as Record<string, unknown>;
    cvss.baseScore = 11;
    expect(refusal(JSON.stringify(badScore))).toMatch(
      /^CVE-2024-23225 \(record\) containers\.adp\[\d+\]\.metrics\[\d+\]\.cvssV3_1\.baseScore: must be one of 0, 0\.1, /,
    );

    const extra = byId('CVE-2025-24200');
    (extra.cveMetadata as Record<string, unknown>).owner = 'hostile';
    expect(refusal(JSON.stringify(extra))).toBe('CVE-2025-24200 (record) cveMetadata: unknown property "owner"');

    const status = byId('CVE-2025-24200');
    cna(status).affected[0]!.versions[0]!.status = 'maybe';
    expect(refusal(JSON.stringify(status))).toBe(
      'CVE-2025-24200 (record) containers.cna.affected[0].versions[0].status: must be one of "affected", "unaffected", "unknown"',
    );

    const noType = byId('CVE-2025-24200');
    delete cna(noType).affected[0]!.versions[0]!.versionType;
    expect(refusal(JSON.stringify(noType))).toBe('CVE-2025-24200 (record) containers.cna.affected[0].versions[0]: versionType is missing');
  });

  it('a REJECTED record is checked against the Rejected branch: accepted and skipped, or refused without rejectedReasons', () => {
    const rejected = {
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata: { cveId: 'CVE-2099-0042', assignerOrgId: '286789f9-fbc2-4510-9f9a-43facdede74c', state: 'REJECTED', dateRejected: '2099-01-02T00:00:00' },
      containers: {
        cna: {
          providerMetadata: { orgId: '286789f9-fbc2-4510-9f9a-43facdede74c' },
          rejectedReasons: [{ lang: 'en', value: 'DO NOT USE THIS CANDIDATE NUMBER.' }],
        },
      },
    };
    const parsed = parseCve(JSON.stringify(rejected));
    expect(parsed.skipped['rejected record']).toBe(1);
    expect(parsed.nodes.get('Vulnerability') ?? []).toEqual([]);
    delete (rejected.containers.cna as Partial<typeof rejected.containers.cna>).rejectedReasons;
    expect(refusal(JSON.stringify(rejected))).toBe('CVE-2099-0042 (record) containers.cna: rejectedReasons is missing');
  });
});
