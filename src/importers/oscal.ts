/**
 * OSCAL JSON: a catalog (NIST SP 800-53 rev5) -> Controls (controls and enhancements, with
 * family, statement text and the withdrawn mark); a component-definition -> Components that
 * IMPLEMENT controls already in the graph (the ones not found are reported by the loader).
 */
import type { Label } from '../domain/model';
import { type COMPONENT_KINDS } from '../domain/model';
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
  type ImportBatch,
} from './types';

export interface OscalOptions {
  name?: string;
}

interface Catalog800 {
  prefix: string;
  framework: string;
}

/** Control ids and framework name of a catalog: `nist-800-53:ac-2.1` for SP 800-53 rev5. */
export function catalogNaming(title: string): Catalog800 {
  if (/800-53/.test(title) && /(revision 5|rev\.?\s*5)/i.test(title)) return { prefix: 'nist-800-53', framework: 'NIST SP 800-53 rev5' };
  if (/800-53/.test(title) && /(revision 4|rev\.?\s*4)/i.test(title)) return { prefix: 'nist-800-53r4', framework: 'NIST SP 800-53 rev4' };
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return { prefix: `oscal:${slug}`, framework: title };
}

function metadataOf(root: Record<string, unknown>, where: string): { title: string; version: string } {
  const metadata = root.metadata;
  if (!isRecord(metadata)) throw new ImportError(where, 'metadata is missing');
  return { title: requireString(metadata, 'title', `${where}.metadata`), version: requireString(metadata, 'version', `${where}.metadata`) };
}

function propValue(obj: Record<string, unknown>, name: string, where: string): string | undefined {
  for (const [i, p] of optionalArray(obj, 'props', where).entries()) {
    if (!isRecord(p)) throw new ImportError(`${where}.props[${i}]`, 'must be an object');
    if (p.name === name) return optionalString(p, 'value', `${where}.props[${i}]`);
  }
  return undefined;
}

interface Param {
  label?: string;
  choices?: string[];
  howMany?: string;
}

function collectParams(control: Record<string, unknown>, where: string, into: Map<string, Param>): void {
  for (const [i, p] of optionalArray(control, 'params', where).entries()) {
    if (!isRecord(p)) throw new ImportError(`${where}.params[${i}]`, 'must be an object');
    const id = requireString(p, 'id', `${where}.params[${i}]`);
    const select = isRecord(p.select) ? p.select : undefined;
    const choices = select
      ? optionalArray(select, 'choice', `${where}.params[${i}].select`).map((c) => (typeof c === 'string' ? c : JSON.stringify(c)))
      : undefined;
    into.set(id, {
      label: optionalString(p, 'label', `${where}.params[${i}]`),
      choices,
      howMany: select ? optionalString(select, 'how-many', `${where}.params[${i}].select`) : undefined,
    });
  }
}

function renderProse(prose: string, params: Map<string, Param>): string {
  return prose.replace(/\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}/g, (_m, id: string) => {
    const p = params.get(id);
    if (!p) return `[${id}]`;
    if (p.choices && p.choices.length > 0) {
      const choices = p.choices.map((c) => renderProse(c, params)).join('; ');
      return p.howMany === 'one-or-more' ? `[Selection (one or more): ${choices}]` : `[Selection: ${choices}]`;
    }
    return `[Assignment: ${p.label ?? id}]`;
  });
}

/** The text of a part and its sub-parts: `label prose` lines, nested in document order. */
function partText(part: Record<string, unknown>, where: string, params: Map<string, Param>): string[] {
  const lines: string[] = [];
  const label = propValue(part, 'label', where);
  const prose = optionalString(part, 'prose', where);
  if (prose || label) lines.push([label, prose ? renderProse(prose, params) : undefined].filter(Boolean).join(' '));
  for (const [i, sub] of optionalArray(part, 'parts', where).entries()) {
    if (!isRecord(sub)) throw new ImportError(`${where}.parts[${i}]`, 'must be an object');
    lines.push(...partText(sub, `${where}.parts[${i}]`, params));
  }
  return lines;
}

function namedPartText(control: Record<string, unknown>, name: string, where: string, params: Map<string, Param>): string | null {
  const texts: string[] = [];
  for (const [i, part] of optionalArray(control, 'parts', where).entries()) {
    if (!isRecord(part)) throw new ImportError(`${where}.parts[${i}]`, 'must be an object');
    if (part.name === name) texts.push(...partText(part, `${where}.parts[${i}]`, params));
  }
  const text = texts.join('\n').trim();
  return text === '' ? null : text;
}

export function parseOscalCatalog(text: string, options: OscalOptions = {}): ImportBatch {
  const doc = parseJson(text);
  if (!isRecord(doc) || !isRecord(doc.catalog)) throw new ImportError('catalog', 'is missing: not an OSCAL catalog');
  const catalog = doc.catalog;
  requireString(catalog, 'uuid', 'catalog');
  const meta = metadataOf(catalog, 'catalog');
  const naming = catalogNaming(meta.title);
  const batch = emptyBatch('OSCAL_CATALOG', 'oscal', `oscal-catalog:${options.name ?? meta.title}`, meta.version);
  const params = new Map<string, Param>();
  const seen = new Map<string, string>();

  const visitControl = (control: unknown, where: string, family: string | null, parentTitle: string | null): void => {
    if (!isRecord(control)) throw new ImportError(where, 'must be an object');
    const controlId = requireString(control, 'id', where);
    const title = requireString(control, 'title', where);
    if (seen.has(controlId)) throw new ImportError(`${where}.id`, `duplicate control id ${controlId} (also at ${seen.get(controlId) ?? '?'})`);
    seen.set(controlId, where);
    collectParams(control, where, params);
    const withdrawn = propValue(control, 'status', where) === 'withdrawn';
    count(batch.stats, parentTitle === null ? 'controls' : 'enhancements');
    if (withdrawn) count(batch.stats, 'withdrawn');
    addNode(batch, 'Control', {
      id: `${naming.prefix}:${controlId}`,
      where,
      props: {
        name: parentTitle === null ? title : `${parentTitle} | ${title}`,
        framework: naming.framework,
        family,
        controlId,
        // Statements are rendered after all params are known (see below).
        statement: null,
        description: null,
        withdrawn,
      },
    });
    for (const [i, child] of optionalArray(control, 'controls', where).entries()) visitControl(child, `${where}.controls[${i}]`, family, title);
  };
  const visitGroup = (group: unknown, where: string, family: string | null): void => {
    if (!isRecord(group)) throw new ImportError(where, 'must be an object');
    const title = requireString(group, 'title', where);
    const groupFamily = family ?? title;
    for (const [i, c] of optionalArray(group, 'controls', where).entries()) visitControl(c, `${where}.controls[${i}]`, groupFamily, null);
    for (const [i, g] of optionalArray(group, 'groups', where).entries()) visitGroup(g, `${where}.groups[${i}]`, groupFamily);
  };
  optionalArray(catalog, 'groups', 'catalog').forEach((g, i) => visitGroup(g, `catalog.groups[${i}]`, null));
  optionalArray(catalog, 'controls', 'catalog').forEach((c, i) => visitControl(c, `catalog.controls[${i}]`, null, null));

  // Second walk for statement and guidance text, now that every parameter is known.
  const controlsById = new Map((batch.nodes.get('Control') ?? []).map((n) => [n.where, n]));
  const fillText = (control: Record<string, unknown>, where: string): void => {
    const node = controlsById.get(where);
    if (node) {
      node.props.statement = namedPartText(control, 'statement', where, params);
      node.props.description = namedPartText(control, 'guidance', where, params);
    }
    optionalArray(control, 'controls', where).forEach((c, i) => isRecord(c) && fillText(c, `${where}.controls[${i}]`));
  };
  const fillGroup = (group: Record<string, unknown>, where: string): void => {
    optionalArray(group, 'controls', where).forEach((c, i) => isRecord(c) && fillText(c, `${where}.controls[${i}]`));
    optionalArray(group, 'groups', where).forEach((g, i) => isRecord(g) && fillGroup(g, `${where}.groups[${i}]`));
  };
  optionalArray(catalog, 'groups', 'catalog').forEach((g, i) => isRecord(g) && fillGroup(g, `catalog.groups[${i}]`));
  optionalArray(catalog, 'controls', 'catalog').forEach((c, i) => isRecord(c) && fillText(c, `catalog.controls[${i}]`));
  return batch;
}

const COMPONENT_TYPE_KINDS: Record<string, (typeof COMPONENT_KINDS)[number]> = {
  software: 'APPLICATION',
  hardware: 'HARDWARE',
  service: 'SERVICE',
  'operating-system': 'OS_RELEASE',
  firmware: 'FIRMWARE',
  library: 'LIBRARY',
};

export function parseOscalComponentDefinition(text: string, options: OscalOptions = {}): ImportBatch {
  const doc = parseJson(text);
  if (!isRecord(doc) || !isRecord(doc['component-definition'])) throw new ImportError('component-definition', 'is missing: not an OSCAL component definition');
  const root = doc['component-definition'];
  const rootWhere = 'component-definition';
  requireString(root, 'uuid', rootWhere);
  const meta = metadataOf(root, rootWhere);
  const batch = emptyBatch('OSCAL_COMPONENT_DEFINITION', 'oscal', `oscal-component-definition:${options.name ?? meta.title}`, meta.version);
  const label: Label = 'Component';
  // Declared up front so a version without implementations still marks the old ones stale.
  relationshipGroup(batch, 'IMPLEMENTS', 'Component', 'Control');
  for (const [i, component] of optionalArray(root, 'components', rootWhere).entries()) {
    const where = `${rootWhere}.components[${i}]`;
    if (!isRecord(component)) throw new ImportError(where, 'must be an object');
    const uuid = requireString(component, 'uuid', where);
    const type = requireString(component, 'type', where);
    const title = requireString(component, 'title', where);
    const componentId = `oscal-component:${uuid}`;
    count(batch.stats, 'components');
    addNode(batch, label, {
      id: componentId,
      where,
      props: {
        name: title,
        description: optionalString(component, 'description', where) ?? null,
        kind: COMPONENT_TYPE_KINDS[type.toLowerCase()] ?? 'OTHER',
        version: propValue(component, 'version', where) ?? null,
      },
    });
    for (const [j, impl] of optionalArray(component, 'control-implementations', where).entries()) {
      const implWhere = `${where}.control-implementations[${j}]`;
      if (!isRecord(impl)) throw new ImportError(implWhere, 'must be an object');
      const source = requireString(impl, 'source', implWhere);
      const naming = /800-53/.test(source) && /rev5|rev_5|revision.?5/i.test(source) ? catalogNaming('800-53 Revision 5') : undefined;
      const group = naming
        ? relationshipGroup(batch, 'IMPLEMENTS', 'Component', 'Control')
        : relationshipGroup(batch, 'IMPLEMENTS', 'Component', 'Control', 'controlId');
      for (const [k, req] of optionalArray(impl, 'implemented-requirements', implWhere).entries()) {
        const reqWhere = `${implWhere}.implemented-requirements[${k}]`;
        if (!isRecord(req)) throw new ImportError(reqWhere, 'must be an object');
        const controlId = requireString(req, 'control-id', reqWhere);
        count(batch.stats, 'implementedRequirements');
        group.rows.push({
          fromId: componentId,
          toId: naming ? `${naming.prefix}:${controlId}` : controlId,
          props: { evidence: optionalString(req, 'description', reqWhere) ?? null },
          where: reqWhere,
        });
      }
    }
  }
  return batch;
}
