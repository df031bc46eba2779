/**
 * Loading Mappings Explorer documents (format MAPPING) through `importDocument`, on a hand-built
 * graph with its own ids: techniques are joined by ATT&CK id (`externalId`), vulnerabilities by
 * CVE id, controls by the catalog id; ends that are missing or above the caller's clearance are
 * counted per label; the framework, its version and the mapping type are on every edge; a
 * malformed document writes nothing. Then the real KEV <-> ATT&CK Mobile file as a dry run.
 */
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { dataDir } from '../../src/config';
import { readDocument } from '../../src/importers/readDocument';
import { writeGraph, snapshot } from '../helpers/graph';
import { KEYS, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

jest.setTimeout(300000);

interface Count {
  name: string;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  stale: number;
}
interface Named {
  name: string;
  count: number;
}
interface Summary {
  format: string;
  document: string;
  relationships: Count[];
  nodes: Count[];
  skipped: Named[];
  missingEnds: Named[];
  problems: string[];
}

const IMPORT = `mutation($format: ImportFormat, $document: String!, $name: String, $dryRun: Boolean) {
  importDocument(format: $format, document: $document, name: $name, dryRun: $dryRun) {
    format document
    nodes { name created updated unchanged skipped stale }
    relationships { name created updated unchanged skipped stale }
    skipped { name count }
    missingEnds { name count }
    problems
  }
}`;

const counts = (lines: Count[], name: string) => {
  const found = lines.find((l) => l.name === name);
  if (!found) throw new Error(`no line ${name}`);
  const { name: _n, ...rest } = found;
  return rest;
};

const p = uniquePrefix('mapping');
// CVE and ATT&CK ids must look real to be accepted; these are made up and unique to this run.
const n = randomInt(1000000, 9999999);
const CVE1 = `CVE-1999-${n}1`;
const CVE2 = `CVE-1999-${n}2`;
const CVE3 = `CVE-1999-${n}3`;
const t = String(randomInt(100, 999));
const T1 = `T8${t}`;
const T2 = `T8${t}.001`;
const T3 = `T8${t}.002`;
const T_MISSING = `T8${t}.003`;
const FAMILY = `Q${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[randomInt(0, 26)] ?? 'Z'}`;
const CONTROL = `nist-800-53:${FAMILY.toLowerCase()}-${n}`;

function kevDoc(rows: Record<string, unknown>[]): string {
  return JSON.stringify({
    metadata: { mapping_framework: 'kev', mapping_framework_version: '07/28/2025', attack_version: '16.1', technology_domain: 'mobile', mapping_types: {} },
    mapping_objects: rows,
  });
}
const row = (cve: string, technique: string | null, type: string) => ({
  capability_id: cve,
  attack_object_id: technique,
  mapping_type: type,
  status: 'complete',
});

const KEV_ROWS = [
  row(CVE1, T1, 'exploitation_technique'),
  row(CVE1, T2, 'primary_impact'),
  row(CVE1, T3, 'secondary_impact'), // T3 is CONFIDENTIAL: hidden from a RESTRICTED curator
  row(CVE2, T1, 'exploitation_technique'), // CVE2 is CONFIDENTIAL
  row(CVE3, T2, 'secondary_impact'), // CVE3 is not in the graph
  row(CVE1, T_MISSING, 'exploitation_technique'), // no such technique
  row(CVE1, null, 'non_mappable'),
];

describe('Mappings Explorer import', () => {
  let t0: TestApp;

  beforeAll(async () => {
    t0 = await startTestApp();
    await writeGraph(t0.db, [
      { label: 'Threat', id: `${p}lock`, name: 'Lockscreen bypass', kind: 'ATTACK_TECHNIQUE', externalId: T1 },
      { label: 'Threat', id: `${p}impair`, name: 'Impair defenses', kind: 'ATTACK_TECHNIQUE', externalId: T2 },
      { label: 'Threat', id: `${p}secret`, name: 'Hidden technique', kind: 'ATTACK_TECHNIQUE', externalId: T3, classification: 'CONFIDENTIAL' },
      { label: 'Vulnerability', id: CVE1, name: 'test cve 1', knownExploited: true },
      { label: 'Vulnerability', id: CVE2, name: 'test cve 2', knownExploited: true, classification: 'CONFIDENTIAL' },
      { label: 'Control', id: CONTROL, name: 'test control', controlId: `${FAMILY.toLowerCase()}-${n}`, framework: 'NIST SP 800-53 rev5' },
    ]);
  });

  afterAll(async () => {
    await cleanup(t0.db, p);
    await t0.db.write(undefined, 'test cleanup (mapping ids)', 'MATCH (x) WHERE x.id IN $ids DETACH DELETE x', { ids: [CVE1, CVE2, CVE3, CONTROL] });
    await t0.close();
  });

  it('a RESTRICTED curator: joins by ATT&CK id and CVE id, counts missing and hidden ends per label', async () => {
    const res = await t0.run<{ importDocument: Summary }>(IMPORT, { format: 'MAPPING', document: kevDoc(KEV_ROWS), name: `${p}kev` }, KEYS.curatorRestricted);
    expect(res.errors).toBeUndefined();
    const s = res.data?.importDocument;
    if (!s) throw new Error('no summary');
    expect(s.format).toBe('MAPPING');
    expect(s.document).toBe(`mapping:${p}kev@07/28/2025 (ATT&CK 16.1)`);
    expect(s.nodes).toEqual([]);
    expect(counts(s.relationships, 'EXPLOITS')).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 2, stale: 0 });
    expect(counts(s.relationships, 'IMPACT_OF')).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 2, stale: 0 });
    expect(s.missingEnds).toEqual([
      { name: 'Threat', count: 2 },
      { name: 'Vulnerability', count: 2 },
    ]);
    expect(s.skipped).toEqual([{ name: 'non_mappable', count: 1 }]);
    expect(s.problems).toContain(`mapping_objects[5]: no Threat with externalId ${T_MISSING} in the graph; EXPLOITS skipped`);
    expect(s.problems).toContain(`mapping_objects[2]: no Threat with externalId ${T3} in the graph; IMPACT_OF skipped`);
    expect(s.problems.join('\n')).not.toContain('CONFIDENTIAL');

    const edges = await t0.db.read(
      undefined,
      'test read mapping edges',
      `MATCH (th:Threat)-[r:EXPLOITS|IMPACT_OF]->(v:Vulnerability) WHERE th.id STARTS WITH $p
       RETURN th.id AS threat, type(r) AS type, v.id AS cve, r.mappingFramework AS framework, r.mappingFrameworkVersion AS version,
              r.mappingType AS mappingType, r.attackVersion AS attackVersion, r.source AS source, r.sourceRef AS sourceRef ORDER BY type, threat`,
      { p },
    );
    expect(edges).toEqual([
      {
        threat: `${p}lock`,
        type: 'EXPLOITS',
        cve: CVE1,
        framework: 'kev',
        version: '07/28/2025',
        mappingType: 'exploitation_technique',
        attackVersion: '16.1',
        source: 'mappings-explorer',
        sourceRef: `mapping:${p}kev@07/28/2025 (ATT&CK 16.1)`,
      },
      {
        threat: `${p}impair`,
        type: 'IMPACT_OF',
        cve: CVE1,
        framework: 'kev',
        version: '07/28/2025',
        mappingType: 'primary_impact',
        attackVersion: '16.1',
        source: 'mappings-explorer',
        sourceRef: `mapping:${p}kev@07/28/2025 (ATT&CK 16.1)`,
      },
    ]);
  });

  it('the impacts are readable through the API with the mapping type on the edge', async () => {
    const res = await t0.run<{
      node: { impacts: { edges: { node: { id: string }; via: { type: string; mappingType: string; mappingFramework: string } }[] } };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Vulnerability { impacts { edges { node { id } via { type mappingType mappingFramework } } } } } }`,
      { id: CVE1 },
      KEYS.analyst,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.node.impacts.edges).toEqual([
      { node: { id: `${p}impair` }, via: { type: 'IMPACT_OF', mappingType: 'primary_impact', mappingFramework: 'kev' } },
    ]);
  });

  it('a SECRET curator re-importing sees the hidden ends: they are written, the rest is unchanged', async () => {
    const res = await t0.run<{ importDocument: Summary }>(IMPORT, { document: kevDoc(KEV_ROWS), name: `${p}kev` }, KEYS.curator);
    expect(res.errors).toBeUndefined();
    const s = res.data?.importDocument;
    if (!s) throw new Error('no summary');
    expect(s.format).toBe('MAPPING');
    expect(counts(s.relationships, 'EXPLOITS')).toEqual({ created: 1, updated: 0, unchanged: 1, skipped: 1, stale: 0 });
    expect(counts(s.relationships, 'IMPACT_OF')).toEqual({ created: 1, updated: 0, unchanged: 1, skipped: 1, stale: 0 });
    expect(s.missingEnds).toEqual([
      { name: 'Threat', count: 1 },
      { name: 'Vulnerability', count: 1 },
    ]);
  });

  it('a malformed document writes nothing and names the place', async () => {
    const before = await snapshot(t0.db, p);
    const bad = kevDoc([
      row(CVE1, T1, 'exploitation_technique'),
      row(CVE1, T2, 'primary_impact'),
      { capability_id: CVE1, mapping_type: 'exploitation_technique' },
    ]);
    const res = await t0.run(IMPORT, { document: bad, name: `${p}kev-bad` }, KEYS.curator);
    expect(res.errors?.[0]?.message).toBe('mapping_objects[2]: attack_object_id is missing');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await snapshot(t0.db, p)).toBe(before);
  });

  it('a NIST SP 800-53 mapping: AC-02 style ids reach the catalog control, MITIGATES carries the provenance', async () => {
    const doc = JSON.stringify({
      metadata: { mapping_framework: 'nist_800_53', mapping_framework_version: 'rev5', attack_version: '16.1', technology_domain: 'mobile' },
      mapping_objects: [
        { capability_id: `${FAMILY}-0${n}`, attack_object_id: T1, mapping_type: 'mitigates' },
        { capability_id: `${FAMILY}-0${n}(01)`, attack_object_id: T1, mapping_type: 'mitigates' },
        { capability_id: `${FAMILY}-0${n}`, attack_object_id: T_MISSING, mapping_type: 'protects' },
      ],
    });
    const res = await t0.run<{ importDocument: Summary }>(IMPORT, { document: doc, name: `${p}nist` }, KEYS.curator);
    expect(res.errors).toBeUndefined();
    const s = res.data?.importDocument;
    if (!s) throw new Error('no summary');
    expect(counts(s.relationships, 'MITIGATES')).toEqual({ created: 1, updated: 0, unchanged: 0, skipped: 2, stale: 0 });
    expect(s.missingEnds).toEqual([
      { name: 'Control', count: 1 },
      { name: 'Threat', count: 1 },
    ]);
    const rows = await t0.db.read(
      undefined,
      'test read mitigates',
      `MATCH (c:Control {id: $c})-[r:MITIGATES]->(th:Threat) RETURN th.id AS threat, r.mappingFramework AS f, r.mappingFrameworkVersion AS v, r.mappingType AS mt`,
      { c: CONTROL },
    );
    expect(rows).toEqual([{ threat: `${p}lock`, f: 'nist_800_53', v: 'rev5', mt: 'mitigates' }]);
  });

  it('the real KEV <-> ATT&CK Mobile 16.1 file: every one of its 45 rows is accounted for (dry run)', async () => {
    const text = readDocument(path.join(dataDir(), 'ctid-mappings-explorer', 'kev-07.28.2025_attack-16.1-mobile.json.gz'));
    const res = await t0.run<{ importDocument: Summary }>(IMPORT, { document: text, name: `${p}real`, dryRun: true }, KEYS.curator);
    expect(res.errors).toBeUndefined();
    const s = res.data?.importDocument;
    if (!s) throw new Error('no summary');
    const total = (name: string) => {
      const c = counts(s.relationships, name);
      return c.created + c.updated + c.unchanged + c.skipped;
    };
    expect(total('EXPLOITS')).toBe(17);
    expect(total('IMPACT_OF')).toBe(28);
    // at most the file's 14 CVEs and 19 techniques can be missing
    for (const m of s.missingEnds) expect(m.count).toBeLessThanOrEqual(m.name === 'Vulnerability' ? 14 : 19);
  });
});
