/**
 * CycloneDX JSON 1.2 to 1.6 (SBOM, HBOM and VEX): components -> Component (nested ones via
 * HAS_COMPONENT), supplier -> Organization + SUPPLIED_BY, dependencies -> DEPENDS_ON,
 * vulnerabilities -> Vulnerability + AFFECTS with the VEX analysis state on the relationship.
 */
import { PackageURL } from 'packageurl-js';
import type { COMPONENT_KINDS, VEX_STATES } from '../domain/model';
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

const SPEC_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'];

const TYPE_KINDS: Record<string, (typeof COMPONENT_KINDS)[number]> = {
  application: 'APPLICATION',
  framework: 'LIBRARY',
  library: 'LIBRARY',
  container: 'OTHER',
  platform: 'OTHER',
  'operating-system': 'OS_RELEASE',
  device: 'HARDWARE',
  'device-driver': 'FIRMWARE',
  firmware: 'FIRMWARE',
  file: 'OTHER',
  'machine-learning-model': 'OTHER',
  data: 'OTHER',
  'cryptographic-asset': 'CRYPTO_MODULE',
};

/** CycloneDX `analysis.state` -> the model's VEX state. */
const VEX_STATE: Record<string, (typeof VEX_STATES)[number]> = {
  exploitable: 'AFFECTED',
  in_triage: 'UNDER_INVESTIGATION',
  false_positive: 'NOT_AFFECTED',
  not_affected: 'NOT_AFFECTED',
  resolved: 'FIXED',
  resolved_with_pedigree: 'FIXED',
};

export function organizationId(name: string): string {
  return `org:${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/**
 * A document name or bom-ref as part of a node id: whitespace, control characters and `%` are
 * percent-encoded (UTF-8, as in URLs), so the id passes the id rule of `upsert*` (no spaces or control characters)
 * and two different names never give the same id.
 */
export function idPart(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what gets encoded
  return text.replace(/[\s\u0000-\u001f%]/g, (c) => encodeURIComponent(c));
}

export interface CycloneDxOptions {
  name?: string;
}

function checkPurl(purl: string, where: string): string {
  try {
    PackageURL.fromString(purl);
  } catch (error) {
    throw new ImportError(`${where}.purl`, `not a valid package URL (${error instanceof Error ? error.message : String(error)})`);
  }
  return purl;
}

/** Resolves a bom-ref (or a BOM-link `urn:cdx:…#ref`) to the id of a component of this BOM. */
type RefResolver = (ref: string) => string | undefined;

/** The BOM's header and metadata: format and spec version checked, the document named, the batch started. */
function readBomHeader(
  text: string,
  options: CycloneDxOptions,
): { doc: Record<string, unknown>; batch: ImportBatch; documentName: string; mainComponent: Record<string, unknown> | undefined } {
  const doc = parseJson(text);
  if (!isRecord(doc)) throw new ImportError('document', 'must be a JSON object (a CycloneDX BOM)');
  if (doc.bomFormat !== 'CycloneDX') throw new ImportError('bomFormat', `must be "CycloneDX" (got ${JSON.stringify(doc.bomFormat)})`);
  const specVersion = requireString(doc, 'specVersion', '(bom)');
  if (!SPEC_VERSIONS.includes(specVersion)) throw new ImportError('specVersion', `${specVersion} is not supported (supported: ${SPEC_VERSIONS.join(', ')})`);
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const mainComponent = isRecord(metadata.component) ? metadata.component : undefined;
  const serial = optionalString(doc, 'serialNumber', '(bom)');
  const mainName =
    mainComponent && typeof mainComponent.name === 'string'
      ? `${typeof mainComponent.group === 'string' && mainComponent.group ? `${mainComponent.group}/` : ''}${mainComponent.name}`
      : undefined;
  const documentName = options.name ?? mainName ?? serial ?? 'unnamed BOM';
  const bomVersion = typeof doc.version === 'number' ? doc.version : 1;
  const mainVersion = mainComponent && typeof mainComponent.version === 'string' ? mainComponent.version : undefined;
  const batch = emptyBatch(
    'CYCLONEDX',
    'cyclonedx',
    `cyclonedx:${documentName}`,
    `${mainVersion ? `${mainVersion} ` : ''}(BOM v${bomVersion}, CycloneDX ${specVersion})`,
  );
  batch.joinKeys.Organization = 'name';
  batch.stats.specVersion = Number(specVersion.replace('.', '')) || 0;
  return { doc, batch, documentName, mainComponent };
}

/**
 * The component tree: the root (`metadata.component`) and `components`, recursively (nested ones
 * via HAS_COMPONENT, top-level ones under the root), with their suppliers. Returns the bom-ref resolver.
 */
function readComponents(
  doc: Record<string, unknown>,
  batch: ImportBatch,
  documentName: string,
  mainComponent: Record<string, unknown> | undefined,
): RefResolver {
  const refs = new Map<string, string>();
  const ids = new Map<string, string>();
  const organizations = new Map<string, string>();
  const hasComponent = relationshipGroup(batch, 'HAS_COMPONENT', 'Component', 'Component');
  const suppliedBy = relationshipGroup(batch, 'SUPPLIED_BY', 'Component', 'Organization');

  const supplierOf = (component: Record<string, unknown>, where: string, componentId: string): void => {
    for (const key of ['supplier', 'manufacturer'] as const) {
      const entity = component[key];
      if (entity === undefined || entity === null) continue;
      if (!isRecord(entity)) throw new ImportError(`${where}.${key}`, 'must be an object');
      const name = optionalString(entity, 'name', `${where}.${key}`);
      if (!name || name.trim() === '') continue;
      const orgId = organizationId(name);
      if (!organizations.has(orgId)) {
        organizations.set(orgId, name);
        addNode(batch, 'Organization', { id: orgId, where: `${where}.${key}`, props: { name: name.trim(), kind: 'SUPPLIER' } });
      }
      suppliedBy.rows.push({ fromId: componentId, toId: orgId, props: {}, where: `${where}.${key}` });
      return;
    }
  };

  const visit = (component: unknown, where: string, parentId: string | undefined): void => {
    if (!isRecord(component)) throw new ImportError(where, 'must be an object');
    const type = requireString(component, 'type', where);
    const name = requireString(component, 'name', where);
    const version = optionalString(component, 'version', where);
    const group = optionalString(component, 'group', where);
    const purlText = optionalString(component, 'purl', where);
    const purl = purlText ? checkPurl(purlText, where) : undefined;
    const bomRef = optionalString(component, 'bom-ref', where);
    const id = purl ?? `cdx:${idPart(documentName)}:${idPart(bomRef ?? `${group ? `${group}/` : ''}${name}${version ? `@${version}` : ''}`)}`;
    if (bomRef) {
      if (refs.has(bomRef)) throw new ImportError(`${where}.bom-ref`, `duplicate bom-ref ${bomRef}`);
      refs.set(bomRef, id);
    }
    if (ids.has(id)) {
      batch.problems.push(`${where}: same component as ${ids.get(id) ?? '?'} (${id}); merged`);
      count(batch.skipped, 'duplicate component');
    } else {
      ids.set(id, where);
      if (where !== 'metadata.component') count(batch.stats, 'components');
      if (type === 'device' || type === 'firmware') count(batch.stats, 'hardwareComponents');
      addNode(batch, 'Component', {
        id,
        where,
        props: {
          name: group ? `${group}/${name}` : name,
          description: optionalString(component, 'description', where) ?? null,
          kind: TYPE_KINDS[type] ?? 'OTHER',
          version: version ?? null,
          purl: purl ?? null,
          cpe: optionalString(component, 'cpe', where) ?? null,
        },
      });
      supplierOf(component, where, id);
    }
    if (parentId) hasComponent.rows.push({ fromId: parentId, toId: id, props: {}, where });
    optionalArray(component, 'components', where).forEach((child, i) => visit(child, `${where}.components[${i}]`, id));
  };

  let mainId: string | undefined;
  if (mainComponent) {
    visit(mainComponent, 'metadata.component', undefined);
    mainId = [...ids.entries()].find(([, w]) => w === 'metadata.component')?.[0];
  }
  optionalArray(doc, 'components', '(bom)').forEach((c, i) => visit(c, `components[${i}]`, mainId));

  return (ref: string): string | undefined => refs.get(ref) ?? refs.get(ref.includes('#') ? ref.slice(ref.indexOf('#') + 1) : ref);
}

/** `dependencies` -> DEPENDS_ON between components of this BOM (unknown refs skipped with a problem). */
function readDependencies(doc: Record<string, unknown>, batch: ImportBatch, resolveRef: RefResolver): void {
  const dependsOn = relationshipGroup(batch, 'DEPENDS_ON', 'Component', 'Component');
  for (const [i, dep] of optionalArray(doc, 'dependencies', '(bom)').entries()) {
    const where = `dependencies[${i}]`;
    if (!isRecord(dep)) throw new ImportError(where, 'must be an object');
    const ref = requireString(dep, 'ref', where);
    const fromId = resolveRef(ref);
    const targets = optionalArray(dep, 'dependsOn', where);
    if (!fromId) {
      batch.problems.push(`${where}.ref: no component with bom-ref ${ref} in this BOM; its ${targets.length} dependencies skipped`);
      count(batch.skipped, 'dependency (unknown ref)', Math.max(1, targets.length));
      continue;
    }
    targets.forEach((target, j) => {
      if (typeof target !== 'string') throw new ImportError(`${where}.dependsOn[${j}]`, 'must be a bom-ref string');
      const toId = resolveRef(target);
      if (!toId) {
        batch.problems.push(`${where}.dependsOn[${j}]: no component with bom-ref ${target} in this BOM; skipped`);
        count(batch.skipped, 'dependency (unknown ref)');
        return;
      }
      count(batch.stats, 'dependencies');
      dependsOn.rows.push({ fromId, toId, props: {}, where: `${where}.dependsOn[${j}]` });
    });
  }
}

/** `vulnerabilities` -> Vulnerability + AFFECTS, with the VEX analysis (state, justification) on the relationship. */
function readVulnerabilities(doc: Record<string, unknown>, batch: ImportBatch, resolveRef: RefResolver): void {
  const affects = relationshipGroup(batch, 'AFFECTS', 'Vulnerability', 'Component');
  const vulnIds = new Set<string>();
  for (const [i, vuln] of optionalArray(doc, 'vulnerabilities', '(bom)').entries()) {
    const where = `vulnerabilities[${i}]`;
    if (!isRecord(vuln)) throw new ImportError(where, 'must be an object');
    const rawId = requireString(vuln, 'id', where).trim();
    const vulnId = /^cve-\d{4}-\d{4,}$/i.test(rawId) ? rawId.toUpperCase() : rawId;
    let cvss: number | null = null;
    for (const [j, rating] of optionalArray(vuln, 'ratings', where).entries()) {
      if (!isRecord(rating)) throw new ImportError(`${where}.ratings[${j}]`, 'must be an object');
      const score = rating.score;
      if (score === undefined || score === null) continue;
      if (typeof score !== 'number' || score < 0 || score > 10) throw new ImportError(`${where}.ratings[${j}].score`, 'must be a number 0..10');
      cvss = cvss === null ? score : Math.max(cvss, score);
    }
    const published = optionalString(vuln, 'published', where);
    if (published !== undefined && Number.isNaN(Date.parse(published))) throw new ImportError(`${where}.published`, 'not a date-time');
    if (!vulnIds.has(vulnId)) {
      vulnIds.add(vulnId);
      count(batch.stats, 'vulnerabilities');
      addNode(batch, 'Vulnerability', {
        id: vulnId,
        where,
        props: {
          name: vulnId,
          description: optionalString(vuln, 'description', where) ?? optionalString(vuln, 'detail', where) ?? null,
          cvss,
          publishedAt: published ? new Date(published).toISOString().slice(0, 10) : null,
        },
      });
    }
    const analysis = isRecord(vuln.analysis) ? vuln.analysis : undefined;
    const stateText = analysis ? optionalString(analysis, 'state', `${where}.analysis`) : undefined;
    let vexState: (typeof VEX_STATES)[number] | null = null;
    if (stateText !== undefined) {
      const mapped = VEX_STATE[stateText];
      if (!mapped)
        throw new ImportError(
          `${where}.analysis.state`,
          `unknown VEX state ${JSON.stringify(stateText)} (expected one of ${Object.keys(VEX_STATE).join(', ')})`,
        );
      vexState = mapped;
      count(batch.stats, 'vexStatements');
    }
    const justification = analysis ? optionalString(analysis, 'justification', `${where}.analysis`) : undefined;
    for (const [j, affect] of optionalArray(vuln, 'affects', where).entries()) {
      const affWhere = `${where}.affects[${j}]`;
      if (!isRecord(affect)) throw new ImportError(affWhere, 'must be an object');
      const ref = requireString(affect, 'ref', affWhere);
      const toId = resolveRef(ref);
      if (!toId) {
        batch.problems.push(`${affWhere}.ref: no component with bom-ref ${ref} in this BOM; skipped`);
        count(batch.skipped, 'affects (unknown ref)');
        continue;
      }
      const ranges: string[] = [];
      for (const [k, v] of optionalArray(affect, 'versions', affWhere).entries()) {
        if (!isRecord(v)) throw new ImportError(`${affWhere}.versions[${k}]`, 'must be an object');
        const text = optionalString(v, 'range', `${affWhere}.versions[${k}]`) ?? optionalString(v, 'version', `${affWhere}.versions[${k}]`);
        const status = optionalString(v, 'status', `${affWhere}.versions[${k}]`);
        if (text) ranges.push(status ? `${text} (${status})` : text);
      }
      count(batch.stats, 'affects');
      affects.rows.push({
        fromId: vulnId,
        toId,
        where: affWhere,
        props: { versionRange: ranges.length > 0 ? ranges.join(', ') : null, vexState, vexJustification: justification ?? null },
      });
    }
  }
}

export function parseCycloneDx(text: string, options: CycloneDxOptions = {}): ImportBatch {
  const { doc, batch, documentName, mainComponent } = readBomHeader(text, options);
  const resolveRef = readComponents(doc, batch, documentName, mainComponent);
  readDependencies(doc, batch, resolveRef);
  readVulnerabilities(doc, batch, resolveRef);
  return batch;
}
