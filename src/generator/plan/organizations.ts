import type { Prng } from '../prng';
import { count, pad } from '../util';
import { COUNTRIES, NAME_STEMS, OPERATOR_NAMES, REGIONS, SUPPLIER_SUFFIXES, VENDOR_SUFFIXES } from '../vocabulary';
import { GENERATED_ID_PREFIX, type OrgEntity, type World } from '../world';

export type PlannedOrganizations = Pick<World, 'orgs' | 'vendors' | 'suppliers' | 'operators' | 'bodies' | 'labs'>;

/** Vendors, suppliers and operators grow with the scale; certification bodies and labs do not. */
export function planOrganizations(rng: Prng, scale: number): PlannedOrganizations {
  const orgs: OrgEntity[] = [];
  const addOrgs = (n: number, kind: OrgEntity['kind'], name: (i: number) => string): number[] =>
    Array.from({ length: n }, (_, i) => {
      orgs.push({ id: `${GENERATED_ID_PREFIX}org:${kind.toLowerCase()}:${pad(i, 4)}`, name: name(i), kind, country: rng.pick(COUNTRIES) });
      return orgs.length - 1;
    });
  const stemAt = (i: number, suffixes: readonly string[]): string => {
    const stem = NAME_STEMS[i % NAME_STEMS.length] ?? 'Generic';
    const suffix = suffixes[Math.floor(i / NAME_STEMS.length) % suffixes.length] ?? '';
    const round = Math.floor(i / (NAME_STEMS.length * suffixes.length));
    return `${stem} ${suffix}${round > 0 ? ` ${round + 1}` : ''}`;
  };
  const vendors = addOrgs(count(scale, 40, 2), 'VENDOR', (i) => stemAt(i, VENDOR_SUFFIXES));
  const suppliers = addOrgs(count(scale, 150, 4), 'SUPPLIER', (i) => stemAt(i + 7, SUPPLIER_SUFFIXES));
  const operators = addOrgs(count(scale, 60, 2), 'OPERATOR', (i) => {
    const base = OPERATOR_NAMES[i % OPERATOR_NAMES.length] ?? 'Agency';
    const region = REGIONS[Math.floor(i / OPERATOR_NAMES.length) % REGIONS.length] ?? '';
    const round = Math.floor(i / (OPERATOR_NAMES.length * REGIONS.length));
    return `${region} ${base}${round > 0 ? ` ${round + 1}` : ''}`;
  });
  const bodies = addOrgs(12, 'CERTIFICATION_BODY', (i) => `Synthetic Certification Body ${NAME_STEMS[i] ?? i}`);
  const labs = addOrgs(10, 'ASSESSOR', (i) => `${NAME_STEMS[(i + 13) % NAME_STEMS.length] ?? 'Generic'} Evaluation Laboratory`);
  return { orgs, vendors, suppliers, operators, bodies, labs };
}
