/**
 * Golden tests of the NIST CMVP and Common Criteria CSV parsers on the real files in data/
 * (exact counts from the data README and the issue), each quirk of the real lists on the row
 * that has it, and the snapshot rules (src/domain/cmvp.ts) on the two shared snapshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '../../src/config';
import { parseCmvpDate, parseCmvpDates, planSnapshot, splitModuleName, vendorKey, type PreviousState } from '../../src/domain/cmvp';
import { decodeHtmlEntities, parseCcCsv } from '../../src/importers/ccCsv';
import { parseCmvp, type CmvpDocument } from '../../src/importers/cmvp';
import { detectFormat } from '../../src/importers/detect';
import { decodeDocument, readDocument } from '../../src/importers/readDocument';
import { ImportError, batchCounts, type BatchNode, type ImportBatch } from '../../src/importers/types';
import { parseAndValidate } from '../../src/services/importService';

const DATA = dataDir();
const doc = (file: string): CmvpDocument => ({ name: file, text: readDocument(path.join(DATA, 'nist-cmvp', file)) });
const ACTIVE_1 = doc('modules-2025-12-14.json.gz');
const HIST_1 = doc('historical-modules-2025-12-14.json.gz');
const ACTIVE_2 = doc('modules-2026-01-18.json.gz');
const HIST_2 = doc('historical-modules-2026-01-18.json.gz');
const DETAILS = doc('certificates.json.gz');

function node(batch: ImportBatch, label: 'Certification' | 'Component' | 'Organization' | 'Standard' | 'Device', id: string): BatchNode {
  const found = (batch.nodes.get(label) ?? []).find((n) => n.id === id);
  if (!found) throw new Error(`no ${label} ${id} in batch`);
  return found;
}

function parseError(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

describe('CMVP dates', () => {
  it('reads M/D/YYYY and MM/DD/YYYY', () => {
    expect(parseCmvpDate('3/9/2011')).toBe('2011-03-09');
    expect(parseCmvpDate('12/23/2024')).toBe('2024-12-23');
    expect(parseCmvpDate('01/16/2026')).toBe('2026-01-16');
  });
  it('splits dates run together', () => {
    expect(parseCmvpDates('02/05/202103/11/2021')).toEqual(['2021-02-05', '2021-03-11']);
    expect(parseCmvpDates('01/21/202506/11/202507/15/2025')).toEqual(['2025-01-21', '2025-06-11', '2025-07-15']);
    // A 2-digit year inside a run (historical list, 2026-01-18).
    expect(parseCmvpDates('10/25/201001/31/1103/14/2011')).toEqual(['2010-10-25', '2011-01-31', '2011-03-14']);
  });
  it('refuses what is not a date', () => {
    expect(parseCmvpDates('13/45/2021')).toBeUndefined();
    expect(parseCmvpDates('2021-02-05')).toBeUndefined();
    expect(parseCmvpDates('02/05/2021x')).toBeUndefined();
    expect(parseCmvpDate('02/30/2021')).toBeUndefined();
  });
});

describe('CMVP module names and vendors', () => {
  it('splits version and platform off the module name', () => {
    expect(splitModuleName('Apple corecrypto Module v12.0 [Apple silicon, Secure Key Store, Hardware, SL2]')).toEqual({
      name: 'Apple corecrypto Module',
      version: '12.0',
      platform: 'Apple silicon, Secure Key Store, Hardware, SL2',
    });
    expect(splitModuleName('Apple Secure Key Store Cryptographic Module, v10.0')).toEqual({
      name: 'Apple Secure Key Store Cryptographic Module',
      version: '10.0',
    });
    expect(splitModuleName('Apple corecrypto Module v11.1 [Apple silicon, Secure Key Store, Hardware] (SL2)')).toEqual({
      name: 'Apple corecrypto Module',
      version: '11.1',
      platform: 'Apple silicon, Secure Key Store, Hardware; SL2',
    });
    expect(splitModuleName('DIGISTOR® C SERIES ADVANCED SSD')).toEqual({ name: 'DIGISTOR® C SERIES ADVANCED SSD' });
  });
  it('treats vendor names differing in punctuation as one', () => {
    expect(vendorKey('Apple Inc.')).toBe(vendorKey('Apple, Inc.'));
    expect(vendorKey('Red Hat®, Inc.')).toBe(vendorKey('Red Hat, Inc'));
    expect(vendorKey('Google, LLC.')).toBe(vendorKey('Google, LLC'));
    expect(vendorKey('Juniper Networks')).toBe(vendorKey('Juniper Networks, Inc'));
    expect(vendorKey('Apple Inc.')).not.toBe(vendorKey('Apple Computer Inc.'));
  });
});

describe('NIST CMVP snapshot 2026-01-18 (real lists and detail records)', () => {
  const batch = parseCmvp([ACTIVE_2, HIST_2, DETAILS]);

  it('is detected and names the snapshot date from the metadata', () => {
    expect(detectFormat(ACTIVE_2.text)).toBe('CMVP');
    expect(detectFormat(HIST_2.text)).toBe('CMVP');
    expect(detectFormat(DETAILS.text)).toBe('CMVP');
    expect(batch.documentVersion).toBe('2026-01-18');
    expect(batch.statusSnapshot?.asOf).toBe('2026-01-18');
  });

  it('maps 1,127 active and 4,003 historical certificates (22 revoked), one Certification each', () => {
    expect(batch.stats).toMatchObject({ active: 1127, historical: 3981, revoked: 22, certificates: 5130, detailRecords: 173 });
    expect(batchCounts(batch).nodes.Certification).toBe(5130);
    expect(batchCounts(batch).relationships).toMatchObject({ ISSUED_BY: 5130, CERTIFIES: 5020 });
    // Historical entries carry no standard: only the active ones and those with a detail record are linked.
    expect(batchCounts(batch).relationships.ASSESSED_AGAINST).toBeGreaterThanOrEqual(1127);
  });

  it('maps certificate 5030: FIPS 140-3, level 2, embodiment, module type, caveat, sunset as validUntil, lab from the validation history', () => {
    const cert = node(batch, 'Certification', 'cmvp:5030');
    expect(cert.props).toMatchObject({
      kind: 'CERTIFICATE',
      status: 'ACTIVE',
      reference: '5030',
      issuedAt: '2025-06-25',
      validUntil: '2030-06-24',
      securityLevel: 2,
      embodiment: 'Single Chip',
      moduleType: 'Hardware',
      snapshotDate: '2026-01-18',
    });
    expect(typeof cert.props.caveat).toBe('string');
    const rel = (type: string, from: string) => batch.relationships.filter((g) => g.type === type).flatMap((g) => g.rows.filter((r) => r.fromId === from));
    expect(rel('ASSESSED_AGAINST', 'cmvp:5030').map((r) => r.toId)).toEqual(['cmvp:standard:fips-140-3']);
    expect(rel('ISSUED_BY', 'cmvp:5030').map((r) => r.toId)).toEqual(['cmvp:org:nist-cmvp']);
    expect(rel('EVALUATED_BY', 'cmvp:5030').map((r) => r.toId)).toEqual(['cmvp:lab:atsec-information-security-corporation']);
    expect(node(batch, 'Organization', 'cmvp:lab:atsec-information-security-corporation').props).toMatchObject({ kind: 'ASSESSOR' });
    const certifies = rel('CERTIFIES', 'cmvp:5030');
    expect(certifies).toEqual([
      expect.objectContaining({
        toId: 'cmvp:module:apple:apple-corecrypto-module:12.0',
        props: { scope: 'Apple silicon, Secure Key Store, Hardware, SL2/PHY3' },
      }),
    ]);
  });

  it('makes one crypto module per name and version (corecrypto v12.0: certificates 4817, 4854, 5025, 5030), supplied by Apple with its country', () => {
    const module = node(batch, 'Component', 'cmvp:module:apple:apple-corecrypto-module:12.0');
    expect(module.props).toEqual({ name: 'Apple corecrypto Module', kind: 'CRYPTO_MODULE', version: '12.0' });
    const certs = batch.relationships
      .filter((g) => g.type === 'CERTIFIES')
      .flatMap((g) => g.rows.filter((r) => r.toId === module.id).map((r) => r.fromId))
      .sort();
    expect(certs).toEqual(['cmvp:4817', 'cmvp:4854', 'cmvp:5025', 'cmvp:5030']);
    const supplied = batch.relationships.filter((g) => g.type === 'SUPPLIED_BY').flatMap((g) => g.rows.filter((r) => r.fromId === module.id));
    expect(supplied.map((r) => r.toId)).toEqual(['cmvp:vendor:apple']);
    expect(node(batch, 'Organization', 'cmvp:vendor:apple').props).toMatchObject({ name: 'Apple Inc.', kind: 'VENDOR', country: 'US' });
  });

  it('makes one vendor of the spellings that differ in punctuation (Apple Inc. / Apple, Inc.; Juniper x3)', () => {
    const orgs = (batch.nodes.get('Organization') ?? []).filter((o) => o.id.startsWith('cmvp:vendor:'));
    expect(orgs.filter((o) => /^apple/i.test(String(o.props.name)))).toHaveLength(1);
    expect(node(batch, 'Organization', 'cmvp:vendor:apple').props.description).toMatch(/Also listed as Apple, Inc\./);
    expect(orgs.filter((o) => /^juniper networks/i.test(String(o.props.name)))).toHaveLength(1);
    expect(batch.stats.vendorsWithSeveralSpellings).toBe(108);
  });

  it('reads the run-together validation dates of certificate 3811 as initial validation and update', () => {
    const cert = node(batch, 'Certification', 'cmvp:3811');
    expect(cert.props).toMatchObject({ issuedAt: '2021-02-05', validationDates: ['2021-02-05', '2021-03-11'], status: 'ACTIVE', validUntil: '2026-02-04' });
    expect(batch.stats.runTogetherValidationDates).toBeGreaterThan(100);
  });

  it('imports historical entries without sunset date or reason (certificate 4644)', () => {
    const historical = node(batch, 'Certification', 'cmvp:4644');
    expect(historical.props).toMatchObject({ status: 'EXPIRED', issuedAt: '2023-10-25', moduleType: 'Hardware' });
    expect(historical.props.validUntil).toBeUndefined();
    expect(batch.stats.historicalWithoutSunset).toBe(4003);
  });

  it('imports the 110 rows without vendor and module name (certificate 4987) without a module, and notes them', () => {
    expect(batch.stats['rows without Vendor Name']).toBe(110);
    expect(node(batch, 'Certification', 'cmvp:4987').props).toMatchObject({ name: 'FIPS 140-3 certificate #4987', status: 'ACTIVE', securityLevel: 2 });
    expect(batch.relationships.filter((g) => g.type === 'CERTIFIES').flatMap((g) => g.rows.filter((r) => r.fromId === 'cmvp:4987'))).toEqual([]);
    expect(batch.problems).toContain('modules-2026-01-18.json.gz: modules[153] (certificate 4987): no Vendor Name; imported without it');
  });

  it('notes the active rows that miss optional fields, and imports them', () => {
    expect(batch.stats['rows without caveat']).toBe(35);
    expect(batch.problems.some((p) => /modules\[\d+\] \(certificate \d+\): no caveat; imported without it/.test(p))).toBe(true);
  });

  it('passes model validation end to end', () => {
    expect(() => parseAndValidate(ACTIVE_2.text, 'CMVP', undefined, { more: [HIST_2, DETAILS], documentName: ACTIVE_2.name })).not.toThrow();
  });
});

describe('NIST CMVP between the shared snapshots (2025-12-14 -> 2026-01-18)', () => {
  const first = parseCmvp([ACTIVE_1, HIST_1]);
  const second = parseCmvp([ACTIVE_2, HIST_2]);
  const previous = new Map<string, PreviousState>(
    (first.statusSnapshot?.entries ?? []).map((e) => [e.certificationId, { status: e.status, snapshotDate: '2025-12-14', validUntil: e.validUntil ?? null }]),
  );
  const plan = planSnapshot('2026-01-18', second.statusSnapshot?.entries ?? [], previous, '2025-12-14');

  it('finds exactly 15 moves from active to historical and 33 new certificates', () => {
    expect(plan.changes.filter((c) => c.moved)).toHaveLength(15);
    expect(plan.newReferences).toHaveLength(33);
    expect(plan.changes.filter((c) => !c.moved && c.status !== 'ACTIVE')).toHaveLength(0);
  });

  it('dates the expiry of certificate 4644 on its sunset date 2025-12-17, between the snapshots', () => {
    expect(plan.changes.find((c) => c.reference === '4644')).toMatchObject({ status: 'EXPIRED', effectiveFrom: '2025-12-17', moved: true });
    // 4573: sunset 2025-12-14, the day of the earlier snapshot (not after it): the later snapshot's date.
    expect(plan.changes.find((c) => c.reference === '4573')).toMatchObject({ status: 'EXPIRED', effectiveFrom: '2026-01-18' });
  });

  it('does not roll back: the older snapshot after the newer one changes nothing', () => {
    const newer = new Map<string, PreviousState>(
      (second.statusSnapshot?.entries ?? []).map((e) => [
        e.certificationId,
        { status: e.status, snapshotDate: '2026-01-18', validUntil: e.validUntil ?? null },
      ]),
    );
    const back = planSnapshot('2025-12-14', first.statusSnapshot?.entries ?? [], newer, null);
    expect(back.changes).toEqual([]);
    expect(back.newerKept).toHaveLength(5097);
  });

  it('records nothing when the same snapshot is planned again', () => {
    expect(planSnapshot('2025-12-14', first.statusSnapshot?.entries ?? [], previous, null).changes).toEqual([]);
  });
});

describe('malformed CMVP lists: nothing is imported, the row and field are named', () => {
  const list = (modules: unknown[]) => JSON.stringify({ metadata: { generated_at: '2026-01-18T03:49:20Z' }, modules });
  const good = {
    'Certificate Number': '1',
    'Vendor Name': 'V',
    'Module Name': 'M',
    'Module Type': 'Software',
    'Validation Date': '1/2/2020',
    Status: 'Historical',
  };

  it('a truncated list', () => {
    expect(parseError(() => parseCmvp([{ name: 'modules.json', text: ACTIVE_2.text.slice(0, 5000) }])).message).toMatch(
      /^modules\.json: not valid JSON \(line 125, column 100\)/,
    );
    expect(parseError(() => parseCmvp([{ name: 'modules.json', text: ACTIVE_2.text.slice(0, 5001).replace(/,\s*$/, '') }])).message).toMatch(
      /^modules\.json: not valid JSON/,
    );
  });
  it('a row without certificate number', () => {
    const { ['Certificate Number']: _omit, ...row } = good;
    void _omit;
    expect(parseError(() => parseCmvp([{ name: 'modules.json', text: list([good, row]) }])).message).toBe(
      'modules.json: modules[1].Certificate Number: is missing',
    );
  });
  it('an unparseable date', () => {
    expect(parseError(() => parseCmvp([{ name: 'h.json', text: list([{ ...good, 'Validation Date': '13/45/2021' }]) }])).message).toBe(
      'h.json: modules[0].Validation Date: "13/45/2021" is not a date (M/D/YYYY, or several run together)',
    );
  });
  it('lists of different snapshots in one import', () => {
    expect(parseError(() => parseCmvp([ACTIVE_1, HIST_2])).message).toMatch(/different snapshots/);
  });
  it('the same certificate twice', () => {
    expect(parseError(() => parseCmvp([{ name: 'a.json', text: list([good, good]) }])).message).toMatch(
      /modules\[1\]\.Certificate Number: certificate 1 is listed twice/,
    );
  });
});

describe('Common Criteria portal CSV (real sample: Latin-1, HTML entities)', () => {
  const bytes = fs.readFileSync(path.join(DATA, 'cc-certified-products-sample', 'cc_products_active.csv'));
  const text = decodeDocument(bytes);
  const batch = parseCcCsv(text, { asOf: '2026-01-18' });

  it('decodes Latin-1 bytes and HTML entities', () => {
    expect(text).toContain('NetIQ® Identity Manager 4.7');
    expect(decodeHtmlEntities('FortiGate w&#x2f; FortiOS &amp; more &#47;')).toBe('FortiGate w/ FortiOS & more /');
    expect(detectFormat(text)).toBe('CC_CSV');
  });

  it('maps 4 rows to 3 certifications, the maintenance update to the FortiGate one', () => {
    expect(batch.stats).toMatchObject({ rows: 4, certifications: 3, maintenanceUpdates: 1 });
    const forti = node(batch, 'Certification', 'cc:ca:fortinet-fortigate-w-fortios-v5-6-7:2019-05-22');
    expect(forti.props).toMatchObject({
      name: 'Common Criteria certificate (CA): Fortinet FortiGate w/ FortiOS v5.6.7',
      status: 'EXPIRED',
      issuedAt: '2019-05-22',
      validUntil: '2024-05-24',
      maintenanceUpdates: [expect.stringMatching(/^2019-08-26: Fortinet FortiGate w\/ FortiOS v5\.6\.7 Build 6022/)],
    });
    const netiq = node(batch, 'Certification', 'cc:se:netiq-identity-manager-4-7:2020-06-15');
    expect(netiq.props).toMatchObject({ assuranceLevel: 'EAL3+,ALC_FLR.2', validUntil: '2025-06-15' });
    expect(node(batch, 'Organization', 'cc:scheme:se').props).toMatchObject({ kind: 'CERTIFICATION_BODY', country: 'SE' });
    expect(node(batch, 'Standard', 'cc:pp:cpp-fw-v2-0e').props).toMatchObject({ name: 'CPP_FW_V2.0E' });
    expect(node(batch, 'Component', 'cc:product:fortinet-inc:fortinet-fortigate-w-fortios-v5-6-7').props).toMatchObject({ kind: 'OTHER' });
    expect(batch.statusSnapshot?.datedHistory).toBe(true);
  });

  it('refuses an unparseable date naming line and column, and a truncated file', () => {
    const bad = text.replace('"06/15/2020"', '"2020-06-15"');
    expect(parseError(() => parseCcCsv(bad, { asOf: '2026-01-18' })).message).toBe('line 2.Certification Date: "2020-06-15" is not a date (MM/DD/YYYY)');
    expect(parseError(() => parseCcCsv(text.slice(0, text.length - 40), { asOf: '2026-01-18' })).message).toMatch(/^line 5/);
  });
});
