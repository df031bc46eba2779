/**
 * The Mappings Explorer parser, golden-tested on the real KEV <-> ATT&CK Mobile 16.1 mapping in
 * data/ (counts read off the file by hand: 45 mapping objects, 17 exploitation_technique,
 * 15 primary_impact, 13 secondary_impact, 14 CVEs, 19 techniques), and the control id
 * normalisation.
 */
import path from 'node:path';
import { dataDir } from '../../src/config';
import { detectFormat } from '../../src/importers/detect';
import { normalizeControlId, parseMapping } from '../../src/importers/mapping';
import { readDocument } from '../../src/importers/readDocument';
import { ImportError, type RelationshipGroup } from '../../src/importers/types';
import { parseAndValidate } from '../../src/services/importService';

const KEV_MAPPING = readDocument(path.join(dataDir(), 'ctid-mappings-explorer', 'kev-07.28.2025_attack-16.1-mobile.json.gz'));

function group(groups: RelationshipGroup[], type: string): RelationshipGroup {
  const found = groups.find((g) => g.type === type);
  if (!found) throw new Error(`no ${type} group`);
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

const doc = (metadata: Record<string, unknown>, rows: unknown[]): string =>
  JSON.stringify({
    metadata: { mapping_framework: 'kev', mapping_framework_version: '07/28/2025', attack_version: '16.1', technology_domain: 'mobile', ...metadata },
    mapping_objects: rows,
  });

describe('normalizeControlId', () => {
  it.each([
    ['AC-02', 'ac-2'],
    ['AC-2', 'ac-2'],
    ['ac-2', 'ac-2'],
    ['PM-10', 'pm-10'],
    ['SC-07', 'sc-7'],
    ['AC-02(01)', 'ac-2.1'],
    ['SI-7 (1)', 'si-7.1'],
    ['SC-007(10)', 'sc-7.10'],
    ['ac-2.1', 'ac-2.1'],
    [' CM-08 ', 'cm-8'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeControlId(raw)).toBe(expected);
  });
  it.each([['T1404'], ['AC'], ['AC-'], ['CVE-2025-24200'], ['AC-2(x)'], ['']])('%s is not a control id', (raw) => {
    expect(normalizeControlId(raw)).toBeUndefined();
  });
});

describe('Mappings Explorer: KEV 07/28/2025 <-> ATT&CK Mobile 16.1 (real file)', () => {
  const batch = parseMapping(KEV_MAPPING);
  const exploits = group(batch.relationships, 'EXPLOITS');
  const impacts = group(batch.relationships, 'IMPACT_OF');

  it('is detected as a mapping file and validates against the model', () => {
    expect(detectFormat(KEV_MAPPING)).toBe('MAPPING');
    expect(() => parseAndValidate(KEV_MAPPING)).not.toThrow();
  });

  it('names the document and creates no nodes', () => {
    expect(batch.format).toBe('MAPPING');
    expect(batch.source).toBe('mappings-explorer');
    expect(batch.documentKey).toBe('mapping:kev mobile');
    expect(batch.documentVersion).toBe('07/28/2025 (ATT&CK 16.1)');
    expect(batch.nodes.size).toBe(0);
    expect(batch.relationships.map((g) => g.type)).toEqual(['EXPLOITS', 'IMPACT_OF']);
  });

  it('turns 17 exploitation_technique rows into EXPLOITS and 15 + 13 impact rows into IMPACT_OF', () => {
    expect(batch.stats).toEqual({ mappingObjects: 45, exploitation_technique: 17, primary_impact: 15, secondary_impact: 13 });
    expect(exploits.rows).toHaveLength(17);
    expect(impacts.rows).toHaveLength(28);
    expect(impacts.rows.filter((r) => r.props.mappingType === 'primary_impact')).toHaveLength(15);
    expect(batch.skipped).toEqual({});
  });

  it('joins techniques by ATT&CK id (externalId) and vulnerabilities by CVE id', () => {
    expect(exploits.fromKey).toBe('externalId');
    expect(exploits.toKey).toBeUndefined();
    const cves = new Set([...exploits.rows, ...impacts.rows].map((r) => r.toId));
    const techniques = new Set([...exploits.rows, ...impacts.rows].map((r) => r.fromId));
    expect(cves.size).toBe(14);
    expect(techniques.size).toBe(19);
    expect(exploits.rows[0]).toEqual({
      fromId: 'T1660',
      toId: 'CVE-2021-38000',
      where: 'mapping_objects[0]',
      props: { mappingFramework: 'kev', mappingFrameworkVersion: '07/28/2025', mappingType: 'exploitation_technique', attackVersion: '16.1' },
    });
  });

  it('keeps primary and secondary impact apart on IMPACT_OF (CVE-2025-24200)', () => {
    const of = (rows: RelationshipGroup['rows']) => rows.filter((r) => r.toId === 'CVE-2025-24200').map((r) => `${r.fromId} ${String(r.props.mappingType)}`);
    expect(of(exploits.rows)).toEqual(['T1461 exploitation_technique']);
    expect(of(impacts.rows).sort()).toEqual(['T1458 secondary_impact', 'T1629 primary_impact']);
  });

  it('has no technique/CVE pair twice within a relationship type (nothing is lost to de-duplication)', () => {
    for (const g of [exploits, impacts]) expect(new Set(g.rows.map((r) => `${r.fromId}>${r.toId}`)).size).toBe(g.rows.length);
  });
});

describe('Mappings Explorer: control frameworks and bad input', () => {
  it('maps NIST SP 800-53 rev5 mitigates/protects rows to MITIGATES from the catalog control ids', () => {
    const batch = parseMapping(
      doc({ mapping_framework: 'nist_800_53', mapping_framework_version: 'rev5', technology_domain: 'enterprise', attack_version: '16.1' }, [
        { capability_id: 'AC-02', attack_object_id: 'T1078', mapping_type: 'mitigates' },
        { capability_id: 'SI-07(01)', attack_object_id: 'T1542.001', mapping_type: 'protects' },
        { capability_id: 'CM-08', attack_object_id: null, mapping_type: 'non_mappable' },
        { capability_id: 'CM-08', attack_object_id: 'T1078', mapping_type: 'detects' },
      ]),
    );
    const mitigates = group(batch.relationships, 'MITIGATES');
    expect(mitigates.toKey).toBe('externalId');
    expect(mitigates.rows.map((r) => [r.fromId, r.toId, r.props.mappingType, r.props.mappingFrameworkVersion])).toEqual([
      ['nist-800-53:ac-2', 'T1078', 'mitigates', 'rev5'],
      ['nist-800-53:si-7.1', 'T1542.001', 'protects', 'rev5'],
    ]);
    expect(batch.skipped).toEqual({ non_mappable: 1, 'mapping_type detects': 1 });
    expect(batch.documentKey).toBe('mapping:nist_800_53 enterprise');
  });

  it('uses the rev4 catalog ids for rev4 mappings', () => {
    const batch = parseMapping(
      doc({ mapping_framework: 'nist_800_53', mapping_framework_version: 'rev4' }, [
        { capability_id: 'AC-02', attack_object_id: 'T1078', mapping_type: 'mitigates' },
      ]),
    );
    expect(group(batch.relationships, 'MITIGATES').rows[0]?.fromId).toBe('nist-800-53r4:ac-2');
  });

  it('counts non_mappable KEV rows and unknown mapping types without writing them', () => {
    const batch = parseMapping(
      doc({}, [
        { capability_id: 'CVE-2025-24200', attack_object_id: null, mapping_type: 'non_mappable' },
        { capability_id: 'CVE-2025-24200', attack_object_id: 'T1461', mapping_type: 'uncategorized' },
        { capability_id: 'cve-2025-24200', attack_object_id: 'T1461', mapping_type: 'exploitation_technique' },
      ]),
    );
    expect(batch.skipped).toEqual({ non_mappable: 1, 'mapping_type uncategorized': 1 });
    expect(group(batch.relationships, 'EXPLOITS').rows.map((r) => r.toId)).toEqual(['CVE-2025-24200']);
  });

  it('refuses malformed documents, naming the place', () => {
    expect(
      parseError(() =>
        parseMapping(
          doc({}, [
            { capability_id: 'CVE-2025-24200', attack_object_id: 'T1461', mapping_type: 'exploitation_technique' },
            { attack_object_id: 'T1461', mapping_type: 'exploitation_technique' },
          ]),
        ),
      ).message,
    ).toBe('mapping_objects[1]: capability_id is missing');
    expect(
      parseError(() => parseMapping(doc({}, [{ capability_id: 'CVE-2025-24200', attack_object_id: 'Lockscreen', mapping_type: 'exploitation_technique' }])))
        .message,
    ).toBe('mapping_objects[0].attack_object_id: not an ATT&CK technique id (got "Lockscreen")');
    expect(
      parseError(() => parseMapping(doc({}, [{ capability_id: 'AC-02', attack_object_id: 'T1461', mapping_type: 'exploitation_technique' }]))).message,
    ).toBe('mapping_objects[0].capability_id: not a CVE id (got "AC-02")');
    expect(
      parseError(() =>
        parseMapping(
          doc({ mapping_framework: 'nist_800_53', mapping_framework_version: 'rev5' }, [
            { capability_id: 'Account Management', attack_object_id: 'T1078', mapping_type: 'mitigates' },
          ]),
        ),
      ).message,
    ).toBe('mapping_objects[0].capability_id: not a NIST SP 800-53 control id (got "Account Management")');
    expect(parseError(() => parseMapping(doc({ mapping_framework: 'veris' }, []))).message).toBe(
      'metadata.mapping_framework: "veris" is not supported (kev or nist_800_53)',
    );
    expect(parseError(() => parseMapping('{"metadata": {}}')).message).toBe('mapping_objects: is missing');
    expect(parseError(() => parseMapping('{"metadata": {"mapping_framework": "kev"}, "mapping_objects": []')).message).toMatch(/^document: not valid JSON/);
  });
});
