/**
 * Mappings Explorer JSON (Center for Threat-Informed Defense): `mapping_objects` that join a
 * capability (a KEV CVE, a NIST SP 800-53 control) to an ATT&CK technique. Pure: no I/O.
 *
 * - KEV framework (`kev`): `exploitation_technique` -> (Threat)-[:EXPLOITS]->(Vulnerability);
 *   `primary_impact`, `secondary_impact` -> (Threat)-[:IMPACT_OF {mappingType}]->(Vulnerability).
 * - NIST SP 800-53 (`nist_800_53`, `rev4`/`rev5`): `mitigates`, `protects` ->
 *   (Control)-[:MITIGATES]->(Threat), the control id normalised (`AC-02` -> `ac-2`).
 * Techniques are found by `externalId` (so the ATT&CK import's `attack:T1404` and a seed threat
 * joined to it are the same node), vulnerabilities by CVE id (the KEV importer's ids), controls by
 * the OSCAL importer's ids (`nist-800-53:ac-2`). The document creates no nodes: an end that is not
 * in the graph is counted per kind by the loader.
 */
import { ImportError, count, emptyBatch, isRecord, optionalString, parseJson, relationshipGroup, requireString, type ImportBatch } from './types';

export interface MappingOptions {
  name?: string;
}

/** Mapping types of the KEV framework and what they become. */
const KEV_TYPES: Record<string, 'EXPLOITS' | 'IMPACT_OF'> = {
  exploitation_technique: 'EXPLOITS',
  primary_impact: 'IMPACT_OF',
  secondary_impact: 'IMPACT_OF',
};
/** Mapping types of control frameworks that say the control mitigates the technique. */
const CONTROL_TYPES = new Set(['mitigates', 'protects']);
/** Rows that say no technique applies. */
const NON_MAPPABLE = 'non_mappable';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;
const ATTACK_ID = /^T\d{4}(\.\d{3})?$/;

/**
 * A control id as written in mapping files (`AC-02`, `AC-02(01)`, `ac-2.1`, `SI-7 (1)`) in the
 * OSCAL catalog's form (`ac-2`, `ac-2.1`): lower case, leading zeros dropped, an enhancement in
 * parentheses written after a dot. Undefined when the text is not a control id.
 */
export function normalizeControlId(raw: string): string | undefined {
  const m = /^\s*([A-Za-z]{2,3})-0*(\d+)\s*(?:\(\s*0*(\d+)\s*\)|\.0*(\d+))?\s*$/.exec(raw);
  if (!m) return undefined;
  const family = (m[1] ?? '').toLowerCase();
  const enhancement = m[3] ?? m[4];
  return enhancement === undefined ? `${family}-${m[2]}` : `${family}-${m[2]}.${enhancement}`;
}

/** Control id prefix of the OSCAL importer for a NIST SP 800-53 revision (`rev5`, `r4`, `5`...). */
function nistPrefix(version: string): string | undefined {
  const m = /(\d+)\s*$/.exec(version);
  if (m?.[1] === '5') return 'nist-800-53';
  if (m?.[1] === '4') return 'nist-800-53r4';
  return undefined;
}

type Framework = { kind: 'kev' } | { kind: 'control'; prefix: string };

function frameworkOf(name: string, version: string): Framework {
  if (name === 'kev') return { kind: 'kev' };
  if (name === 'nist_800_53') {
    const prefix = nistPrefix(version);
    if (!prefix)
      throw new ImportError('metadata.mapping_framework_version', `NIST SP 800-53 revision ${JSON.stringify(version)} is not supported (rev4 or rev5)`);
    return { kind: 'control', prefix };
  }
  throw new ImportError('metadata.mapping_framework', `${JSON.stringify(name)} is not supported (kev or nist_800_53)`);
}

export function parseMapping(text: string, options: MappingOptions = {}): ImportBatch {
  const doc = parseJson(text);
  if (!isRecord(doc)) throw new ImportError('document', 'must be a JSON object with metadata and mapping_objects');
  const metadata = doc.metadata;
  if (!isRecord(metadata)) throw new ImportError('metadata', 'is missing');
  if (!Array.isArray(doc.mapping_objects)) throw new ImportError('mapping_objects', doc.mapping_objects === undefined ? 'is missing' : 'must be an array');
  const frameworkName = requireString(metadata, 'mapping_framework', 'metadata');
  const frameworkVersion = requireString(metadata, 'mapping_framework_version', 'metadata');
  const attackVersion = requireString(metadata, 'attack_version', 'metadata');
  const domain = optionalString(metadata, 'technology_domain', 'metadata') ?? 'enterprise';
  const framework = frameworkOf(frameworkName, frameworkVersion);
  const batch = emptyBatch(
    'MAPPING',
    'mappings-explorer',
    `mapping:${options.name ?? `${frameworkName} ${domain}`}`,
    `${frameworkVersion} (ATT&CK ${attackVersion})`,
  );
  // Declared even when empty, so stale marking covers what an earlier version wrote.
  const exploits = framework.kind === 'kev' ? relationshipGroup(batch, 'EXPLOITS', 'Threat', 'Vulnerability') : undefined;
  const impacts = framework.kind === 'kev' ? relationshipGroup(batch, 'IMPACT_OF', 'Threat', 'Vulnerability') : undefined;
  const mitigates = framework.kind === 'control' ? relationshipGroup(batch, 'MITIGATES', 'Control', 'Threat') : undefined;
  for (const g of [exploits, impacts]) if (g) g.fromKey = 'externalId';
  if (mitigates) mitigates.toKey = 'externalId';

  doc.mapping_objects.forEach((raw, i) => {
    const where = `mapping_objects[${i}]`;
    if (!isRecord(raw)) throw new ImportError(where, 'must be an object');
    const mappingType = requireString(raw, 'mapping_type', where);
    const capability = requireString(raw, 'capability_id', where).trim();
    count(batch.stats, 'mappingObjects');
    if (mappingType === NON_MAPPABLE) {
      count(batch.skipped, NON_MAPPABLE);
      return;
    }
    const technique = requireString(raw, 'attack_object_id', where).trim();
    if (!ATTACK_ID.test(technique)) throw new ImportError(`${where}.attack_object_id`, `not an ATT&CK technique id (got ${JSON.stringify(technique)})`);
    const props = { mappingFramework: frameworkName, mappingFrameworkVersion: frameworkVersion, mappingType, attackVersion };
    if (framework.kind === 'kev') {
      if (!CVE_ID.test(capability)) throw new ImportError(`${where}.capability_id`, `not a CVE id (got ${JSON.stringify(capability)})`);
      const type = KEV_TYPES[mappingType];
      if (!type) {
        count(batch.skipped, `mapping_type ${mappingType}`);
        return;
      }
      count(batch.stats, mappingType);
      const group = type === 'EXPLOITS' ? exploits : impacts;
      group?.rows.push({ fromId: technique, toId: capability.toUpperCase(), props, where });
      return;
    }
    const controlId = normalizeControlId(capability);
    if (controlId === undefined) throw new ImportError(`${where}.capability_id`, `not a NIST SP 800-53 control id (got ${JSON.stringify(capability)})`);
    if (!CONTROL_TYPES.has(mappingType)) {
      count(batch.skipped, `mapping_type ${mappingType}`);
      return;
    }
    count(batch.stats, mappingType);
    mitigates?.rows.push({ fromId: `${framework.kind === 'control' ? framework.prefix : ''}:${controlId}`, toId: technique, props, where });
  });
  return batch;
}
