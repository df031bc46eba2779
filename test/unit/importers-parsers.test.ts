/**
 * Golden tests of the pure parsers on the real documents in data/ (exact counts
 * from the data README and the issue) and on the small fixtures in test/fixtures.
 */
import { dataDir } from '../../src/config';
import { readDocument } from '../../src/importers/readDocument';
import fs from 'node:fs';
import path from 'node:path';
import { detectFormat } from '../../src/importers/detect';
import { parseCycloneDx } from '../../src/importers/cyclonedx';
import { parseKev } from '../../src/importers/kev';
import { parseOscalCatalog, parseOscalComponentDefinition } from '../../src/importers/oscal';
import { parseStix } from '../../src/importers/stix';
import { ImportError, batchCounts, type BatchNode, type ImportBatch } from '../../src/importers/types';
import { parseAndValidate } from '../../src/services/importService';

const DATA = dataDir();
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const read = (p: string): string => fs.readFileSync(p, 'utf8');
/** A reference document from data/ (plain or .json.gz). */
const refData = (p: string): string => readDocument(path.join(DATA, p));
const fixture = (p: string): string => read(path.join(FIXTURES, p));

function node(batch: ImportBatch, label: 'Threat' | 'Control' | 'Component' | 'Vulnerability' | 'Organization', id: string): BatchNode {
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

describe('STIX 2.1 / ATT&CK Mobile 17.1 (real bundle)', () => {
  const text = refData('mitre-attack-mobile/mobile-attack-17.1.json.gz');
  const batch = parseStix(text);

  it('counts 188 attack-patterns (121 live), 15 courses of action, 163 mitigates, 46 subtechnique-of', () => {
    expect(batch.stats).toMatchObject({
      objects: 2148,
      attackPatterns: 188,
      attackPatternsLive: 121,
      attackPatternsRevoked: 53,
      attackPatternsDeprecated: 14,
      coursesOfAction: 15,
      mitigates: 163,
      subtechniqueOf: 46,
    });
    expect(batchCounts(batch)).toEqual({ nodes: { Threat: 188, Control: 15 }, relationships: { MITIGATES: 163 } });
    const threats = batch.nodes.get('Threat') ?? [];
    expect(threats.filter((t) => t.props.revoked !== true && t.props.deprecated !== true)).toHaveLength(121);
  });

  it('names the document after the ATT&CK collection and version, with ATT&CK ids as node ids', () => {
    expect(batch).toMatchObject({
      format: 'STIX',
      source: 'mitre-attack',
      documentKey: 'stix:Mobile ATT&CK',
      documentVersion: '17.1',
      joinKeys: { Threat: 'externalId' },
    });
    const t1404 = node(batch, 'Threat', 'attack:T1404');
    expect(t1404.props).toMatchObject({
      name: 'Exploitation for Privilege Escalation',
      kind: 'ATTACK_TECHNIQUE',
      externalId: 'T1404',
      revoked: false,
      deprecated: false,
    });
    expect(t1404.props.platforms).toEqual(expect.arrayContaining(['Android', 'iOS']));
    expect(t1404.props.tactics).toEqual(['privilege-escalation']);
    expect(node(batch, 'Control', 'attack:M1001').props).toMatchObject({
      name: 'Security Updates',
      framework: 'MITRE ATT&CK Mobile',
      controlId: 'M1001',
      withdrawn: false,
    });
    expect(node(batch, 'Threat', 'attack:T1454').props).toMatchObject({ revoked: true });
    const subs = (batch.nodes.get('Threat') ?? []).filter((t) => typeof t.props.parentTechnique === 'string');
    expect(subs).toHaveLength(46);
    expect(node(batch, 'Threat', 'attack:T1474.001').props.parentTechnique).toBe('T1474');
  });

  it('reports unmapped object types and relationship types instead of failing', () => {
    expect(batch.unknown).toEqual({});
    expect(batch.skipped).toMatchObject({
      malware: 117,
      'intrusion-set': 15,
      'relationship uses': 1338,
      'relationship revoked-by': 50,
      'relationship detects': 168,
    });
    expect(batch.problems).toEqual([]);
  });

  it('names the object and field of a structural error: objects[17]: relationship_type is missing', () => {
    const doc = JSON.parse(text) as { objects: Record<string, unknown>[] };
    const index = doc.objects.findIndex((o) => o.type === 'relationship');
    delete doc.objects[index]?.relationship_type;
    expect(parseError(() => parseStix(JSON.stringify(doc))).message).toBe(`objects[${index}]: relationship_type is missing`);
  });

  it('refuses a truncated bundle, saying it ends early', () => {
    const error = parseError(() => parseStix(text.slice(0, 100000)));
    expect(error.path).toBe('document');
    expect(error.message).toMatch(/^document: not valid JSON/);
  });
});

describe('STIX fixture', () => {
  const batch = parseStix(fixture('stix/mini-attack.json'));
  it('counts an unknown object type, skips uses, marks revoked and deprecated techniques', () => {
    expect(batch.unknown).toEqual({ 'x-acme-widget': 1 });
    expect(batch.skipped).toEqual({ malware: 1, 'x-mitre-collection': 1, 'relationship uses': 1 });
    expect(node(batch, 'Threat', 'attack:T9902').props).toMatchObject({ revoked: true, deprecated: false });
    expect(node(batch, 'Threat', 'attack:T9901.001').props).toMatchObject({ revoked: false, deprecated: true, parentTechnique: 'T9901' });
    expect(batch.stats).toMatchObject({ attackPatterns: 3, attackPatternsLive: 1, mitigates: 2 });
  });
});

describe('OSCAL catalog: NIST SP 800-53 rev5 5.0.1 (real)', () => {
  const batch = parseOscalCatalog(refData('nist-sp800-53-rev5/NIST_SP-800-53_rev5_catalog.json.gz'));

  it('counts 322 controls and 867 enhancements, 182 withdrawn', () => {
    expect(batch.stats).toEqual({ controls: 322, enhancements: 867, withdrawn: 182 });
    const controls = batch.nodes.get('Control') ?? [];
    expect(controls).toHaveLength(1189);
    expect(controls.filter((c) => c.props.withdrawn === true)).toHaveLength(182);
  });

  it('maps ids, family, title and statement text with parameters rendered', () => {
    expect(batch.documentVersion).toBe('5.0.1');
    const ac21 = node(batch, 'Control', 'nist-800-53:ac-2.1');
    expect(ac21.props).toMatchObject({
      controlId: 'ac-2.1',
      framework: 'NIST SP 800-53 rev5',
      family: 'Access Control',
      name: 'Account Management | Automated System Account Management',
      withdrawn: false,
    });
    expect(ac21.props.statement).toMatch(/^Support the management of system accounts using \[Assignment: organization-defined automated mechanisms\]\.?$/);
    const ac2 = node(batch, 'Control', 'nist-800-53:ac-2');
    expect(String(ac2.props.statement)).toContain('a. Define and document the types of accounts allowed');
    expect(String(ac2.props.statement)).not.toContain('{{');
    expect(node(batch, 'Control', 'nist-800-53:ac-2.10').props.withdrawn).toBe(true);
  });

  it('reads the MODERATE baseline resolved catalog (5.1.1) into the same control ids', () => {
    const moderate = parseOscalCatalog(refData('nist-sp800-53-rev5/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json.gz'));
    expect(moderate.stats).toEqual({ controls: 177, enhancements: 110 });
    expect(node(moderate, 'Control', 'nist-800-53:ac-2.1').props.controlId).toBe('ac-2.1');
  });

  it('names the control of a structural error', () => {
    const doc = JSON.parse(refData('nist-sp800-53-rev5/NIST_SP-800-53_rev5_catalog.json.gz')) as {
      catalog: { groups: { controls: Record<string, unknown>[] }[] };
    };
    const first = doc.catalog.groups[0]?.controls[2];
    if (first) delete first.title;
    expect(parseError(() => parseOscalCatalog(JSON.stringify(doc))).message).toBe('catalog.groups[0].controls[2]: title is missing');
  });
});

describe('OSCAL component definition (fixture)', () => {
  it('maps components and implemented requirements to IMPLEMENTS on 800-53 control ids', () => {
    const batch = parseOscalComponentDefinition(fixture('oscal/component-definition-test-mdm.json'));
    expect(batchCounts(batch)).toEqual({ nodes: { Component: 1 }, relationships: { IMPLEMENTS: 3 } });
    expect(node(batch, 'Component', 'oscal-component:0d4c2a7e-3c55-4e4b-9d1d-5a8e2f9b7c01').props).toMatchObject({ name: 'Test MDM service', kind: 'SERVICE' });
    expect(batch.relationships[0]?.rows.map((r) => r.toId)).toEqual(['nist-800-53:ac-19', 'nist-800-53:si-2', 'nist-800-53:zz-99']);
  });
});

describe('CISA KEV (real catalog 2025.08.25)', () => {
  const text = refData('cisa-kev/known_exploited_vulnerabilities.json.gz');
  const batch = parseKev(text);

  it('has 1404 entries keyed by CVE id, marked known-exploited', () => {
    expect(batch.stats.entries).toBe(1404);
    expect(batch.nodes.get('Vulnerability')).toHaveLength(1404);
    expect(batch.documentVersion).toBe('2025.08.25');
    expect(node(batch, 'Vulnerability', 'CVE-2023-41064').props).toMatchObject({
      knownExploited: true,
      vendor: 'Apple',
      kevDateAdded: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown,
    });
  });

  it('validates against the published KEV JSON schema and names the entry', () => {
    const doc = JSON.parse(text) as { vulnerabilities: Record<string, unknown>[] };
    const entry = doc.vulnerabilities[3];
    if (entry) delete entry.dueDate;
    expect(parseError(() => parseKev(JSON.stringify(doc))).message).toBe('vulnerabilities[3]: dueDate is missing');
    const bad = JSON.parse(text) as { vulnerabilities: Record<string, unknown>[] };
    const other = bad.vulnerabilities[5];
    if (other) other.cveID = 'CVE-X';
    expect(parseError(() => parseKev(JSON.stringify(bad))).message).toMatch(/^vulnerabilities\[5\]\.cveID: must match pattern/);
  });
});

describe('CycloneDX', () => {
  it('HBOM 1.4 (real): 6 hardware components with suppliers', () => {
    const batch = parseCycloneDx(refData('cyclonedx-examples/HBOM_PCIe-SATA-adapter-board.bom.json'));
    expect(batch.stats).toMatchObject({ components: 6, specVersion: 14 });
    expect(batchCounts(batch)).toEqual({
      nodes: { Component: 7, Organization: 5 },
      relationships: { HAS_COMPONENT: 6, SUPPLIED_BY: 6, DEPENDS_ON: 0, AFFECTS: 0 },
    });
    expect((batch.nodes.get('Component') ?? []).every((c) => c.props.kind === 'HARDWARE')).toBe(true);
  });

  it('SBOM 1.2 (real): 43 components with purls, no dependency graph', () => {
    const batch = parseCycloneDx(refData('cyclonedx-examples/SBOM_cern-lhc-vdm-editor-e564943.bom.json'));
    expect(batch.stats).toMatchObject({ components: 43 });
    expect(batchCounts(batch).relationships.DEPENDS_ON).toBe(0);
    expect(node(batch, 'Component', 'pkg:npm/puppeteer@1.19.0').props).toMatchObject({ name: 'puppeteer', version: '1.19.0', kind: 'LIBRARY' });
  });

  it('SBOM 1.4 (real): 62 components, 63 dependency entries -> 113 DEPENDS_ON', () => {
    const batch = parseCycloneDx(refData('cyclonedx-examples/SBOM_laravel-7.12.0.bom.1.4.json'));
    expect(batch.stats).toMatchObject({ components: 62, dependencies: 113 });
    expect(batch.problems).toEqual([]);
  });

  it('refuses an invalid purl naming the component: components[3].purl', () => {
    const doc = JSON.parse(refData('cyclonedx-examples/SBOM_laravel-7.12.0.bom.1.4.json')) as { components: Record<string, unknown>[] };
    const c = doc.components[3];
    if (c) c.purl = 'laravel/framework@7.12.0';
    expect(parseError(() => parseCycloneDx(JSON.stringify(doc))).message).toMatch(/^components\[3\]\.purl: not a valid package URL/);
  });

  it('1.6 device BOM with VEX (fixture): nested components, suppliers, VEX states on AFFECTS', () => {
    const batch = parseCycloneDx(fixture('cyclonedx/test-phone-vex-1.6.cdx.json'));
    expect(batchCounts(batch)).toEqual({
      nodes: { Component: 6, Organization: 2, Vulnerability: 2 },
      relationships: { HAS_COMPONENT: 5, SUPPLIED_BY: 2, DEPENDS_ON: 2, AFFECTS: 2 },
    });
    const affects = batch.relationships.find((g) => g.type === 'AFFECTS')?.rows ?? [];
    expect(affects).toEqual([
      expect.objectContaining({
        fromId: 'CVE-2023-41064',
        toId: 'pkg:generic/testphone/imageio@17.0',
        props: { versionRange: 'vers:generic/<16.6.1 (affected)', vexState: 'AFFECTED', vexJustification: null },
      }),
      expect.objectContaining({
        fromId: 'CVE-2024-23222',
        toId: 'pkg:generic/testphone/webkit@617.1',
        props: { versionRange: null, vexState: 'NOT_AFFECTED', vexJustification: 'code_not_reachable' },
      }),
    ]);
    expect(node(batch, 'Component', 'cdx:Test%20Phone%20X:baseband-crypto').props.kind).toBe('CRYPTO_MODULE');
    expect(node(batch, 'Vulnerability', 'CVE-2023-41064').props).toMatchObject({ cvss: 7.8, publishedAt: '2023-09-07' });
  });

  it('refuses an unsupported spec version and an unknown VEX state', () => {
    const doc = JSON.parse(fixture('cyclonedx/test-phone-vex-1.6.cdx.json')) as Record<string, unknown> & {
      vulnerabilities: { analysis: Record<string, unknown> }[];
    };
    expect(parseError(() => parseCycloneDx(JSON.stringify({ ...doc, specVersion: '1.1' }))).message).toMatch(/^specVersion: 1\.1 is not supported/);
    const v = doc.vulnerabilities[1];
    if (v) v.analysis.state = 'maybe';
    expect(parseError(() => parseCycloneDx(JSON.stringify(doc))).message).toMatch(/^vulnerabilities\[1\]\.analysis\.state: unknown VEX state "maybe"/);
  });
});

describe('format detection', () => {
  it('recognises every real document and fixture', () => {
    expect(detectFormat(refData('mitre-attack-mobile/mobile-attack-17.1.json.gz'))).toBe('STIX');
    expect(detectFormat(refData('nist-sp800-53-rev5/NIST_SP-800-53_rev5_catalog.json.gz'))).toBe('OSCAL_CATALOG');
    expect(detectFormat(fixture('oscal/component-definition-test-mdm.json'))).toBe('OSCAL_COMPONENT_DEFINITION');
    expect(detectFormat(refData('cisa-kev/known_exploited_vulnerabilities.json.gz'))).toBe('KEV');
    for (const f of ['HBOM_PCIe-SATA-adapter-board.bom.json', 'SBOM_cern-lhc-vdm-editor-e564943.bom.json', 'SBOM_laravel-7.12.0.bom.1.4.json'])
      expect(detectFormat(refData(`cyclonedx-examples/${f}`))).toBe('CYCLONEDX');
    expect(detectFormat('{"vulnerabilities": [], "catalogVersion": "1"}')).toBe('KEV');
    expect(parseError(() => detectFormat('{"hello": 1}')).message).toMatch(/format not recognised/);
  });

  it('validates every real document against the model before any write', () => {
    for (const f of [
      'mitre-attack-mobile/mobile-attack-17.1.json.gz',
      'nist-sp800-53-rev5/NIST_SP-800-53_rev5_catalog.json.gz',
      'cisa-kev/known_exploited_vulnerabilities.json.gz',
      'cyclonedx-examples/SBOM_laravel-7.12.0.bom.1.4.json',
    ]) {
      expect(parseAndValidate(refData(f)).nodes.size).toBeGreaterThan(0);
    }
  });
});
