/**
 * STIX 2.1 bundles (MITRE ATT&CK): attack-pattern -> Threat, course-of-action -> Control,
 * relationship `mitigates` -> MITIGATES, `subtechnique-of` -> Threat.parentTechnique.
 * Revoked and deprecated objects are imported and marked (`revoked`/`deprecated` on Threats,
 * `withdrawn` on Controls) so the API never shows them as live but their history stays.
 * See docs/IMPORTERS.md for the field-by-field mapping.
 */
import {
  ImportError,
  addNode,
  count,
  emptyBatch,
  isRecord,
  optionalArray,
  optionalString,
  parseJson,
  relationshipGroup,
  requireString,
  stringArray,
  type ImportBatch,
} from './types';
import { scalarText } from '../domain/text';

/** STIX 2.1 and ATT&CK object types this parser recognises; anything else is counted as unknown. */
const KNOWN_TYPES = new Set([
  'attack-pattern',
  'campaign',
  'course-of-action',
  'grouping',
  'identity',
  'incident',
  'indicator',
  'infrastructure',
  'intrusion-set',
  'location',
  'malware',
  'malware-analysis',
  'note',
  'observed-data',
  'opinion',
  'report',
  'threat-actor',
  'tool',
  'vulnerability',
  'relationship',
  'sighting',
  'marking-definition',
  'language-content',
  'extension-definition',
  'x-mitre-collection',
  'x-mitre-matrix',
  'x-mitre-tactic',
  'x-mitre-data-source',
  'x-mitre-data-component',
  'x-mitre-asset',
  'x-mitre-analytic',
  'x-mitre-detection-strategy',
]);

const ATTACK_DOMAINS: Record<string, string> = {
  'mobile-attack': 'MITRE ATT&CK Mobile',
  'enterprise-attack': 'MITRE ATT&CK Enterprise',
  'ics-attack': 'MITRE ATT&CK ICS',
};

const STIX_ID = /^[a-z0-9-]+--[0-9a-fA-F-]{36}$/;

interface StixObject {
  index: number;
  where: string;
  type: string;
  id: string;
  raw: Record<string, unknown>;
}

/** The ATT&CK id (`T1456`, `M1001`) from external_references, if any. */
function attackExternalId(obj: Record<string, unknown>, where: string): string | undefined {
  for (const [i, ref] of optionalArray(obj, 'external_references', where).entries()) {
    if (!isRecord(ref)) throw new ImportError(`${where}.external_references[${i}]`, 'must be an object');
    const source = optionalString(ref, 'source_name', `${where}.external_references[${i}]`);
    const externalId = optionalString(ref, 'external_id', `${where}.external_references[${i}]`);
    if (source && source.startsWith('mitre-') && externalId) return externalId;
  }
  return undefined;
}

function bool(obj: Record<string, unknown>, key: string, where: string): boolean {
  const value = obj[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ImportError(`${where}.${key}`, 'must be true or false');
  return value;
}

export interface StixOptions {
  /** Overrides the document name used for provenance and stale marking. */
  name?: string;
}

export function parseStix(text: string, options: StixOptions = {}): ImportBatch {
  const doc = parseJson(text);
  if (!isRecord(doc)) throw new ImportError('document', 'must be a JSON object (a STIX bundle)');
  if (doc.type !== 'bundle') throw new ImportError('type', `must be "bundle" (got ${JSON.stringify(doc.type)})`);
  const bundleId = requireString(doc, 'id', '(bundle)');
  if (!Array.isArray(doc.objects)) throw new ImportError('objects', 'is missing or not an array');

  // Pass 1: structure of every object, before anything is mapped.
  const objects: StixObject[] = [];
  const byId = new Map<string, StixObject>();
  doc.objects.forEach((raw: unknown, index: number) => {
    const where = `objects[${index}]`;
    if (!isRecord(raw)) throw new ImportError(where, 'must be an object');
    const type = requireString(raw, 'type', where);
    const id = requireString(raw, 'id', where);
    if (!STIX_ID.test(id) || !id.startsWith(`${type}--`)) throw new ImportError(`${where}.id`, `must be "${type}--<uuid>" (got ${JSON.stringify(id)})`);
    if (byId.has(id)) throw new ImportError(`${where}.id`, `duplicate id ${id} (also at ${byId.get(id)?.where ?? '?'})`);
    if (type === 'relationship') {
      requireString(raw, 'relationship_type', where);
      requireString(raw, 'source_ref', where);
      requireString(raw, 'target_ref', where);
    }
    if (type === 'attack-pattern' || type === 'course-of-action') requireString(raw, 'name', where);
    const obj = { index, where, type, id, raw };
    objects.push(obj);
    byId.set(id, obj);
  });

  const collection = objects.find((o) => o.type === 'x-mitre-collection');
  const isAttack = objects.some((o) => Object.keys(o.raw).some((k) => k.startsWith('x_mitre_')));
  const documentName = options.name ?? (collection ? scalarText(collection.raw.name ?? collection.id) : bundleId);
  const version = collection ? scalarText(collection.raw.x_mitre_version ?? collection.raw.modified ?? '') : scalarText(doc.spec_version ?? '2.1');
  const batch = emptyBatch('STIX', isAttack ? 'mitre-attack' : 'stix', `stix:${documentName}`, version || 'unversioned');
  batch.joinKeys.Threat = 'externalId';
  batch.stats.objects = objects.length;

  // Pass 2: nodes. Node ids: `attack:<ATT&CK id>` when the object has one, else the STIX id.
  const nodeIdOf = new Map<string, string>();
  const externalIdOf = new Map<string, string>();
  const threats = new Map<string, { props: Record<string, unknown> }>();
  for (const o of objects) {
    if (!KNOWN_TYPES.has(o.type)) {
      count(batch.unknown, o.type);
      continue;
    }
    if (o.type !== 'attack-pattern' && o.type !== 'course-of-action') {
      if (o.type !== 'relationship') count(batch.skipped, o.type);
      continue;
    }
    const externalId = attackExternalId(o.raw, o.where);
    const nodeId = externalId ? `attack:${externalId}` : o.id;
    if (externalId) externalIdOf.set(o.id, externalId);
    nodeIdOf.set(o.id, nodeId);
    const revoked = bool(o.raw, 'revoked', o.where);
    const deprecated = bool(o.raw, 'x_mitre_deprecated', o.where);
    const name = requireString(o.raw, 'name', o.where).trim();
    const description = optionalString(o.raw, 'description', o.where);
    if (o.type === 'attack-pattern') {
      count(batch.stats, 'attackPatterns');
      if (revoked) count(batch.stats, 'attackPatternsRevoked');
      if (deprecated) count(batch.stats, 'attackPatternsDeprecated');
      if (!revoked && !deprecated) count(batch.stats, 'attackPatternsLive');
      const tactics: string[] = [];
      for (const [i, phase] of optionalArray(o.raw, 'kill_chain_phases', o.where).entries()) {
        if (!isRecord(phase)) throw new ImportError(`${o.where}.kill_chain_phases[${i}]`, 'must be an object');
        tactics.push(requireString(phase, 'phase_name', `${o.where}.kill_chain_phases[${i}]`));
      }
      const props: Record<string, unknown> = {
        name,
        description: description ?? null,
        kind: 'ATTACK_TECHNIQUE',
        externalId: externalId ?? null,
        platforms: stringArray(o.raw, 'x_mitre_platforms', o.where),
        tactics: [...new Set(tactics)],
        revoked,
        deprecated,
        parentTechnique: null,
      };
      threats.set(o.id, { props });
      addNode(batch, 'Threat', { id: nodeId, props, where: o.where });
    } else {
      count(batch.stats, 'coursesOfAction');
      const domains = stringArray(o.raw, 'x_mitre_domains', o.where);
      const framework = domains.map((d) => ATTACK_DOMAINS[d]).find((f) => f !== undefined) ?? (isAttack ? 'MITRE ATT&CK' : 'STIX course of action');
      addNode(batch, 'Control', {
        id: nodeId,
        where: o.where,
        props: {
          name,
          description: description ?? null,
          framework,
          controlId: externalId ?? o.id,
          withdrawn: revoked || deprecated,
        },
      });
    }
  }

  // Pass 3: relationships.
  const mitigates = relationshipGroup(batch, 'MITIGATES', 'Control', 'Threat');
  for (const o of objects) {
    if (o.type !== 'relationship') continue;
    const relType = String(o.raw.relationship_type);
    const sourceRef = String(o.raw.source_ref);
    const targetRef = String(o.raw.target_ref);
    if (relType !== 'mitigates' && relType !== 'subtechnique-of') {
      count(batch.skipped, `relationship ${relType}`);
      continue;
    }
    if (bool(o.raw, 'revoked', o.where) || bool(o.raw, 'x_mitre_deprecated', o.where)) {
      count(batch.skipped, `relationship ${relType} (revoked or deprecated)`);
      continue;
    }
    const from = byId.get(sourceRef);
    const to = byId.get(targetRef);
    if (!from || !to) {
      const missing = from ? `target_ref ${targetRef}` : `source_ref ${sourceRef}`;
      batch.problems.push(`${o.where}: ${missing} is not in the bundle; relationship skipped`);
      count(batch.skipped, `relationship ${relType} (end not in bundle)`);
      continue;
    }
    if (relType === 'mitigates') {
      const fromId = nodeIdOf.get(sourceRef);
      const toId = nodeIdOf.get(targetRef);
      if (from.type !== 'course-of-action' || to.type !== 'attack-pattern' || !fromId || !toId) {
        count(batch.skipped, `relationship mitigates (${from.type} -> ${to.type})`);
        continue;
      }
      count(batch.stats, 'mitigates');
      mitigates.rows.push({ fromId, toId, props: {}, where: o.where });
    } else {
      const child = threats.get(sourceRef);
      const parentExternalId = externalIdOf.get(targetRef) ?? nodeIdOf.get(targetRef);
      if (!child || to.type !== 'attack-pattern' || !parentExternalId) {
        count(batch.skipped, `relationship subtechnique-of (${from.type} -> ${to.type})`);
        continue;
      }
      count(batch.stats, 'subtechniqueOf');
      child.props.parentTechnique = parentExternalId;
    }
  }
  return batch;
}
