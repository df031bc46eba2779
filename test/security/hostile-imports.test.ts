/**
 * Hostile-input corpus, import part: broken documents of every format sent to `importDocument`
 * (truncated, a wrong type for each top-level field and each field of the first object, duplicate
 * ids, deep nesting, BOM, Latin-1 bytes, oversize documents and oversize strings in indexed
 * properties), plus the CVE record and Mappings Explorer formats' own faults (truncated record,
 * wrong types, unknown version type, an affected entry without product, no mapping_objects), and
 * the NIST CMVP and Common Criteria CSV formats' faults (truncated list, row without certificate
 * number, unparseable date, missing column, unclosed quote). Each must be refused with BAD_USER_INPUT (or an HTTP 4xx), never
 * INTERNAL_SERVER_ERROR; dangling references must be refused or reported in `problems`. Every case
 * runs as a curator (as a dry run, so a wrongly accepted case would leave nothing behind for the next
 * one; the loader still runs in Neo4j and is rolled back), and the content hash of the database must not change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { call, contentHash, violation, type Answer } from './hostile';

const prefix = uniquePrefix('hostileimp');
const IMPORT_MAX_BYTES = 262_144;
const fixture = (p: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', p), 'utf8')) as Record<string, unknown>;

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const BASES: Record<string, { doc: Json; list: string; idKey: string; nameKey: string }> = {
  CYCLONEDX: { doc: fixture('cyclonedx/test-phone-vex-1.6.cdx.json'), list: 'components', idKey: 'bom-ref', nameKey: 'name' },
  STIX: { doc: fixture('stix/mini-attack.json'), list: 'objects', idKey: 'id', nameKey: 'name' },
  OSCAL_COMPONENT_DEFINITION: { doc: fixture('oscal/component-definition-test-mdm.json'), list: 'component-definition', idKey: 'uuid', nameKey: 'title' },
  OSCAL_CATALOG: {
    doc: {
      catalog: {
        uuid: '0b1c2d3e-4f50-4617-8899-aabbccddeeff',
        metadata: { title: `Hostile test catalog ${prefix}`, version: '1.0', 'last-modified': '2026-01-01T00:00:00Z', 'oscal-version': '1.1.2' },
        groups: [
          {
            id: 'ac',
            title: 'Access Control',
            controls: [
              { id: 'ac-1', title: 'Policy and Procedures' },
              { id: 'ac-2', title: 'Account Management' },
            ],
          },
        ],
      },
    },
    list: 'catalog',
    idKey: 'id',
    nameKey: 'title',
  },
  KEV: {
    doc: {
      title: `Hostile test KEV ${prefix}`,
      catalogVersion: '2099.01.01',
      dateReleased: '2099-01-01T00:00:00.000Z',
      count: 2,
      vulnerabilities: ['CVE-2099-1001', 'CVE-2099-1002'].map((cveID) => ({
        cveID,
        vendorProject: 'v',
        product: 'p',
        vulnerabilityName: 'n',
        dateAdded: '2099-01-01',
        shortDescription: 's',
        requiredAction: 'r',
        dueDate: '2099-02-01',
      })),
    },
    list: 'vulnerabilities',
    idKey: 'cveID',
    nameKey: 'vulnerabilityName',
  },
  // One CVE JSON 5 record (the shape of the shipped Apple records) naming a product nothing in the graph has.
  CVE: {
    doc: {
      dataType: 'CVE_RECORD',
      dataVersion: '5.1',
      cveMetadata: { state: 'PUBLISHED', cveId: 'CVE-2099-1003', assignerOrgId: '286789f9-fbc2-4510-9f9a-43facdede74c', datePublished: '2099-01-01T00:00:00' },
      containers: {
        cna: {
          providerMetadata: { orgId: '286789f9-fbc2-4510-9f9a-43facdede74c', shortName: 'hostile' },
          title: `Hostile test record ${prefix}`,
          descriptions: [{ lang: 'en', value: 'A test flaw. This issue is fixed in Hostile Widget 2.1.' }],
          affected: [{ vendor: 'Hostile', product: 'Widget', versions: [{ version: '0', status: 'affected', lessThan: '2.1', versionType: 'custom' }] }],
          // Required by the full CVE record schema the importer validates against.
          references: [{ url: 'https://example.com/hostile-widget' }],
        },
      },
    },
    list: 'affected',
    idKey: 'product',
    nameKey: 'product',
  },
  // A Mappings Explorer KEV -> ATT&CK file; its CVE is in no graph, so a dry run reports a missing end.
  MAPPING: {
    doc: {
      metadata: { mapping_framework: 'kev', mapping_framework_version: '01/01/2099', attack_version: '16.1', technology_domain: 'mobile' },
      mapping_objects: [
        { capability_id: 'CVE-2099-1003', attack_object_id: 'T1461', attack_object_name: 'Lockscreen Bypass', mapping_type: 'exploitation_technique' },
      ],
    },
    list: 'mapping_objects',
    idKey: 'capability_id',
    nameKey: 'capability_id',
  },
};

/** The first object of the document's main list (components[0], objects[1], ...), to break its fields. */
function firstObject(format: string, doc: Json): Json {
  if (format === 'OSCAL_COMPONENT_DEFINITION') return ((doc['component-definition'] as Json).components as Json[])[0] as Json;
  if (format === 'OSCAL_CATALOG')
    return (((doc.catalog as Json).groups as Json[])[0] as Json).controls
      ? (((((doc.catalog as Json).groups as Json[])[0] as Json).controls as Json[])[0] as Json)
      : {};
  if (format === 'STIX') return (doc.objects as Json[])[1] as Json;
  if (format === 'CVE') return (((doc.containers as Json).cna as Json).affected as Json[])[0] as Json;
  return (doc[BASES[format]?.list ?? ''] as Json[])[0] as Json;
}

function topLevel(format: string, doc: Json): Json {
  if (format === 'OSCAL_COMPONENT_DEFINITION') return doc['component-definition'] as Json;
  if (format === 'OSCAL_CATALOG') return doc.catalog as Json;
  return doc;
}

interface ImportCase {
  format: string;
  name: string;
  /** The document text, or raw bytes for the whole request body. */
  document: string | Buffer;
  /**
   * True: the document is broken and must be refused. False: a value of another type in a field
   * the importer treats as optional or does not read, or unknown deep structure: it may be
   * accepted (as a dry run), but never answered with INTERNAL_SERVER_ERROR.
   */
  mustFail: boolean;
}

const WRONG = [42, [], null];

function cases(): ImportCase[] {
  const out: ImportCase[] = [];
  for (const [format, base] of Object.entries(BASES)) {
    const text = JSON.stringify(base.doc);
    const add = (name: string, document: string | Buffer, mustFail = true) => out.push({ format, name, document, mustFail });
    add('truncated to 10 characters', text.slice(0, 10));
    add('truncated at half', text.slice(0, Math.floor(text.length / 2)));
    add('truncated by one character', text.slice(0, -1));
    add('empty', '');
    add('JSON null', 'null');
    add('JSON array', '[]');
    add('empty object', '{}');
    add('XML', '<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>');
    add('BOM before the JSON', `\uFEFF${text}`);
    add('Latin-1 byte in the JSON', Buffer.concat([Buffer.from('{'), Buffer.from([0xe9]), Buffer.from(text.slice(1))]));
    add('oversize document (over IMPORT_MAX_BYTES)', JSON.stringify({ ...base.doc, padding: 'p'.repeat(IMPORT_MAX_BYTES) }));
    add('an unknown field nested 5,000 levels', `${text.slice(0, -1)},"extra":${'['.repeat(5000)}${']'.repeat(5000)}}`, false);
    for (const key of Object.keys(topLevel(format, base.doc))) {
      for (const wrong of WRONG) {
        const doc = clone(base.doc);
        topLevel(format, doc)[key] = wrong;
        // A wrong type in a field the importer does not read is not an error; only read fields are cases.
        add(`top-level ${key} = ${JSON.stringify(wrong)}`, JSON.stringify(doc), false);
      }
    }
    for (const key of Object.keys(firstObject(format, base.doc))) {
      for (const wrong of [42, []]) {
        const doc = clone(base.doc);
        firstObject(format, doc)[key] = wrong;
        add(`first object ${key} = ${JSON.stringify(wrong)}`, JSON.stringify(doc), false);
      }
    }
    {
      const doc = clone(base.doc);
      firstObject(format, doc)[base.nameKey] = 'N'.repeat(9000);
      add(`9,000-character ${base.nameKey}`, JSON.stringify(doc));
    }
  }
  // Structures the parsers walk recursively, nested far deeper than any real document.
  const cdx = JSON.stringify(BASES.CYCLONEDX?.doc ?? {});
  // The CVE and mapping formats' own ways to be wrong: each must be refused with the place named.
  const cve = (change: (record: Json, affected: Json) => void): string => {
    const doc = clone(BASES.CVE?.doc ?? {});
    change(doc, firstObject('CVE', doc));
    return JSON.stringify(doc);
  };
  const version = (affected: Json): Json => (affected.versions as Json[])[0] as Json;
  for (const [name, document] of [
    ['record array truncated inside the second record', JSON.stringify([BASES.CVE?.doc, BASES.CVE?.doc]).slice(0, -200)],
    ['unknown versionType "calver"', cve((_r, a) => (version(a).versionType = 'calver'))],
    ['lessThan a number', cve((_r, a) => (version(a).lessThan = 21))],
    ['status not affected/unaffected/unknown', cve((_r, a) => (version(a).status = 'maybe'))],
    ['affected entry without product', cve((_r, a) => delete a.product)],
    ['cveId not a CVE id', cve((r) => ((r.cveMetadata as Json).cveId = 'GHSA-xxxx-yyyy-zzzz'))],
    ['containers.cna.affected an object', cve((r) => (((r.containers as Json).cna as Json).affected = { vendor: 'Hostile' }))],
    ['containers.cna without references (schema: required)', cve((r) => delete ((r.containers as Json).cna as Json).references)],
    ['reference url not a URI', cve((r) => ((((r.containers as Json).cna as Json).references as Json[])[0]!.url = 'javascript alert(1)'))],
    ['an unknown property in cveMetadata', cve((r) => ((r.cveMetadata as Json).owner = 'hostile'))],
  ] as const)
    out.push({ format: 'CVE', name, document, mustFail: true });
  const mapping = (change: (doc: Json) => void): string => {
    const doc = clone(BASES.MAPPING?.doc ?? {});
    change(doc);
    return JSON.stringify(doc);
  };
  for (const [name, document] of [
    ['without mapping_objects', mapping((d) => delete d.mapping_objects)],
    ['mapping_objects an object', mapping((d) => (d.mapping_objects = { capability_id: 'CVE-2099-1003' }))],
    ['without metadata', mapping((d) => delete d.metadata)],
    ['framework "veris"', mapping((d) => ((d.metadata as Json).mapping_framework = 'veris'))],
    ['attack_object_id not a technique id', mapping((d) => (((d.mapping_objects as Json[])[0] as Json).attack_object_id = 'Lockscreen'))],
    ['capability_id not a CVE id', mapping((d) => (((d.mapping_objects as Json[])[0] as Json).capability_id = 'CVE-XX'))],
  ] as const)
    out.push({ format: 'MAPPING', name, document, mustFail: true });
  // NIST CMVP lists and the Common Criteria CSV (issue 14).
  const cmvpRow: Json = {
    'Certificate Number': '990101',
    'Vendor Name': 'Hostile Vendor',
    'Module Name': 'Hostile Module v1.0',
    'Module Type': 'Software',
    'Validation Date': '1/2/2024',
    Status: 'Historical',
  };
  const cmvp = (change: (doc: Json, row: Json) => void): string => {
    const row = clone(cmvpRow);
    const doc: Json = { metadata: { generated_at: '2026-01-18T00:00:00Z' }, modules: [row] };
    change(doc, row);
    return JSON.stringify(doc);
  };
  for (const [name, document] of [
    ['list truncated', cmvp(() => undefined).slice(0, -40)],
    ['modules an object', cmvp((d) => (d.modules = { 'Certificate Number': '1' }))],
    ['row a string', cmvp((d) => (d.modules = ['4644']))],
    ['row without certificate number', cmvp((_d, r) => delete r['Certificate Number'])],
    ['certificate number not a number', cmvp((_d, r) => (r['Certificate Number'] = "4644' OR 1=1"))],
    ['validation date not M/D/YYYY', cmvp((_d, r) => (r['Validation Date'] = '2024-01-02'))],
    ['status neither Active, Historical nor Revoked', cmvp((_d, r) => (r.Status = 'Maybe'))],
    ['security level 9', cmvp((_d, r) => (r.overall_level = 9))],
    ['no snapshot date', cmvp((d) => delete d.metadata)],
  ] as const)
    out.push({ format: 'CMVP', name, document, mustFail: true });
  const ccHeader =
    '"Category","Name","Manufacturer","Scheme","Assurance Level","Protection Profile(s)","Certification Date","Archived Date","Certification Report URL","Security Target URL","Maintenance Date","Maintenance Title","Maintenance Report","Maintenance ST"';
  const ccRow = '"Mobility","Hostile Phone","Hostile Inc.","US","EAL2","","01/02/2024","","","","","","",""';
  for (const [name, document] of [
    ['a column missing', `${ccHeader.replace('"Scheme",', '')}\n${ccRow}\n`],
    ['a row with fewer fields', `${ccHeader}\n"Mobility","Hostile Phone"\n`],
    ['an unclosed quote (truncated)', `${ccHeader}\n${ccRow.slice(0, 40)}`],
    ['certification date not MM/DD/YYYY', `${ccHeader}\n${ccRow.replace('01/02/2024', '2024-01-02')}\n`],
  ] as const)
    out.push({ format: 'CC_CSV', name, document, mustFail: true });
  const deepComponents = `${Array.from({ length: 20000 }, (_, i) => `{"type":"library","bom-ref":"deep-${i}","name":"deep","components":[`).join('')}${']}'.repeat(20000)}`;
  out.push({
    format: 'CYCLONEDX',
    name: 'components nested 20,000 levels',
    document: `${cdx.slice(0, cdx.indexOf('"components":[') + '"components":['.length)}${deepComponents},${cdx.slice(cdx.indexOf('"components":[') + '"components":['.length)}`,
    mustFail: true,
  });
  const deepControls = `${Array.from({ length: 20000 }, (_, i) => `{"id":"d-${i}","title":"deep","controls":[`).join('')}${']}'.repeat(20000)}`;
  out.push({
    format: 'OSCAL_CATALOG',
    name: 'controls nested 20,000 levels',
    document: JSON.stringify(BASES.OSCAL_CATALOG?.doc ?? {}).replace('"controls":[', `"controls":[${deepControls},`),
    mustFail: true,
  });
  return out;
}

describe('hostile inputs: import documents', () => {
  let t: TestApp;
  let url: string;
  let before: string;
  const all = cases();

  beforeAll(async () => {
    t = await startTestApp({ IMPORT_MAX_BYTES: String(IMPORT_MAX_BYTES) });
    url = await t.app.listen(0, '127.0.0.1');
    before = await contentHash(t);
  });
  afterAll(() => t.close());

  // dryRun: a case the importer wrongly accepted would otherwise leave data behind for the next case.
  const importOp =
    'mutation($format: ImportFormat, $document: String!, $name: String, $dry: Boolean = true) { importDocument(format: $format, document: $document, name: $name, dryRun: $dry) { changed problemCount } }';
  const send = (format: string | null, document: string | Buffer): Promise<Answer> => {
    const variables = { format, name: `${prefix}doc` };
    if (typeof document === 'string') return call(url, { body: { query: importOp, variables: { ...variables, document } } }, KEYS.curator);
    // Raw bytes: the request body is built by hand so the byte reaches the server undecoded.
    const head = Buffer.from(JSON.stringify({ query: importOp, variables: { ...variables, document: '\u0001' } }).replace('"\\u0001"', '"'));
    const tail = Buffer.from('"}}');
    const escaped = Buffer.from(JSON.stringify(document.toString('latin1')).slice(1, -1), 'latin1');
    return call(url, { body: Buffer.concat([head.subarray(0, head.length - 3), escaped, tail]) }, KEYS.curator);
  };

  it('each base document is valid (a dry run imports it), so each case breaks one thing', async () => {
    for (const [format, base] of Object.entries(BASES)) {
      const r = await call(
        url,
        { body: { query: importOp, variables: { format, name: `${prefix}doc`, document: JSON.stringify(base.doc), dry: true } } },
        KEYS.curator,
      );
      expect([format, r.json?.errors]).toEqual([format, undefined]);
    }
    expect(all.length).toBeGreaterThanOrEqual(80);
  });

  it.each(all.map((c) => [`${c.format}: ${c.name}${c.mustFail ? ' is refused' : ''}`, c] as [string, ImportCase]))(
    '%s, never with INTERNAL_SERVER_ERROR',
    async (_name, c) => {
      const answer = await send(c.format, c.document);
      expect(violation(answer, c.mustFail)).toBe('');
      if (!c.mustFail) return;
      // Without the format, detection must refuse it as well.
      const detected = await send(null, c.document);
      expect(violation(detected, true)).toBe('');
    },
  );

  it('dangling references are refused or reported, never imported silently', async () => {
    const stix = clone(BASES.STIX?.doc ?? {});
    const rel = (stix.objects as Json[]).find((o) => o.type === 'relationship');
    if (rel) rel.target_ref = 'attack-pattern--00000000-0000-4000-8000-000000000000';
    const cdx = clone(BASES.CYCLONEDX?.doc ?? {});
    (cdx.dependencies as Json[]).push({ ref: 'os', dependsOn: ['no-such-ref'] });
    for (const [format, doc] of [
      ['STIX', stix],
      ['CYCLONEDX', cdx],
      // The mapping's CVE-2099-1003 is in no graph: the EXPLOITS edge is skipped and named in problems.
      ['MAPPING', BASES.MAPPING?.doc ?? {}],
    ] as const) {
      const r = await call(
        url,
        { body: { query: importOp, variables: { format, name: `${prefix}doc`, document: JSON.stringify(doc), dry: true } } },
        KEYS.curator,
      );
      expect(violation(r, false)).toBe('');
      const summary = (r.json?.data as { importDocument?: { problemCount: number } } | null)?.importDocument;
      if (summary) expect([format, summary.problemCount]).toEqual([format, expect.any(Number) as unknown]);
      if (summary) expect(summary.problemCount).toBeGreaterThan(0);
    }
  });

  it('left the database unchanged', async () => {
    expect(await contentHash(t)).toBe(before);
  });
});
