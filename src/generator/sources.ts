/**
 * The real reference data the synthetic graph is built around: SP 800-53 rev5 controls (OSCAL
 * catalog) and ATT&CK Mobile techniques (STIX bundle). Parsing is pure; only readSources
 * touches the file system.
 */
import path from 'node:path';
import { dataDir } from '../config';
import { readDocument } from '../importers/readDocument';

export const CATALOG_PATH = 'nist-sp800-53-rev5/NIST_SP-800-53_rev5_catalog.json.gz';
export const ATTACK_PATH = 'mitre-attack-mobile/mobile-attack-17.1.json.gz';

export interface CatalogControl {
  /** OSCAL id, e.g. `ac-2` or `ac-2.1`. */
  controlId: string;
  /** Display label, e.g. `AC-2(1)`. */
  label: string;
  title: string;
  family: string;
  statement: string;
  withdrawn: boolean;
  /** Parent control id for an enhancement. */
  parent?: string;
}

export interface AttackTechnique {
  stixId: string;
  externalId: string;
  name: string;
  description: string;
  platforms: string[];
  tactics: string[];
  revoked: boolean;
  deprecated: boolean;
}

export interface Sources {
  controls: CatalogControl[];
  techniques: AttackTechnique[];
}

interface OscalPart {
  name?: string;
  prose?: string;
  parts?: OscalPart[];
}
interface OscalProp {
  name?: string;
  value?: string;
}
interface OscalControl {
  id?: string;
  title?: string;
  props?: OscalProp[];
  parts?: OscalPart[];
  controls?: OscalControl[];
}
interface OscalGroup {
  title?: string;
  controls?: OscalControl[];
}

function prose(part: OscalPart): string {
  const own = part.prose ? [part.prose.trim()] : [];
  return [...own, ...(part.parts ?? []).map(prose)].filter((p) => p !== '').join(' ');
}

const MAX_STATEMENT = 400;

/** Flattens an OSCAL catalog into controls and enhancements, in document order. */
export function parseCatalog(json: unknown): CatalogControl[] {
  const groups = (json as { catalog?: { groups?: OscalGroup[] } }).catalog?.groups ?? [];
  const out: CatalogControl[] = [];
  const visit = (control: OscalControl, family: string, parent?: string): void => {
    if (!control.id) return;
    const props = control.props ?? [];
    const statementPart = (control.parts ?? []).find((p) => p.name === 'statement');
    const statement = statementPart
      ? prose(statementPart)
          .replace(/\{\{[^}]*\}\}/g, '[parameter]')
          .replace(/\s+/g, ' ')
      : '';
    out.push({
      controlId: control.id,
      label: props.find((p) => p.name === 'label')?.value ?? control.id.toUpperCase(),
      title: control.title ?? control.id,
      family,
      statement: statement.length > MAX_STATEMENT ? `${statement.slice(0, MAX_STATEMENT - 1)}…` : statement,
      withdrawn: props.some((p) => p.name === 'status' && p.value === 'withdrawn'),
      parent,
    });
    for (const child of control.controls ?? []) visit(child, family, control.id);
  };
  for (const group of groups) for (const control of group.controls ?? []) visit(control, group.title ?? 'Unknown');
  return out;
}

interface StixObject {
  type?: string;
  id?: string;
  name?: string;
  description?: string;
  revoked?: boolean;
  x_mitre_deprecated?: boolean;
  x_mitre_platforms?: string[];
  kill_chain_phases?: { phase_name?: string }[];
  external_references?: { source_name?: string; external_id?: string }[];
}

const MAX_DESCRIPTION = 300;

/** ATT&CK attack-patterns of a STIX bundle, ordered by external id. */
export function parseAttackBundle(json: unknown): AttackTechnique[] {
  const objects = (json as { objects?: StixObject[] }).objects ?? [];
  const out: AttackTechnique[] = [];
  for (const o of objects) {
    if (o.type !== 'attack-pattern' || !o.id || !o.name) continue;
    // Older (revoked) entries name the source `mitre-mobile-attack`.
    const externalId = o.external_references?.find((r) => r.source_name === 'mitre-attack' || r.source_name === 'mitre-mobile-attack')?.external_id;
    if (!externalId) continue;
    const description = (o.description ?? '').replace(/\s+/g, ' ').trim();
    out.push({
      stixId: o.id,
      externalId,
      name: o.name,
      description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description,
      platforms: o.x_mitre_platforms ?? [],
      tactics: (o.kill_chain_phases ?? []).map((k) => k.phase_name ?? '').filter((t) => t !== ''),
      revoked: o.revoked === true,
      deprecated: o.x_mitre_deprecated === true,
    });
  }
  return out.sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : a.stixId < b.stixId ? -1 : 1));
}

export function readSources(dir: string = dataDir()): Sources {
  const readJson = (rel: string): unknown => {
    const file = path.join(dir, rel);
    try {
      return JSON.parse(readDocument(file));
    } catch (error) {
      throw new Error(
        `cannot read ${file} (the reference data is in data/ of the checkout, or set DATA_DIR): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  };
  return { controls: parseCatalog(readJson(CATALOG_PATH)), techniques: parseAttackBundle(readJson(ATTACK_PATH)) };
}
