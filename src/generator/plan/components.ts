import { addDays, type Prng } from '../prng';
import { count, pad, slug } from '../util';
import { APP_STEMS, HARDWARE_PARTS, LIBRARY_STEMS, LIBRARY_VARIANTS } from '../vocabulary';
import { GENERATED_ID_PREFIX, type ComponentEntity, type ComponentKind, type FamilyEntity, type World } from '../world';

/**
 * Every component planned so far and the version families they belong to. The planners of
 * families, shared hardware and devices all add to it; ids are numbered across kinds in the
 * order components are planned.
 */
export class ComponentCatalog {
  readonly components: ComponentEntity[] = [];
  readonly families: FamilyEntity[] = [];
  private serial = 0;

  nextId(kind: string): string {
    return `${GENERATED_ID_PREFIX}component:${kind}:${pad(this.serial++, 7)}`;
  }
}

export type PlannedFamilies = Pick<World, 'osFamilyOfVendor' | 'libraryFamilies' | 'applicationFamilies' | 'cryptoFamilies'>;

function nextLibraryVersion(rng: Prng, previous: number[]): number[] {
  const [major = 1, minor = 0, patch = 0] = previous;
  const r = rng.next();
  if (r < 0.1) return [major + 1, 0, 0];
  if (r < 0.4) return [major, minor + 1, 0];
  return [major, minor, patch + 1];
}

/** Version chains: one OS per vendor, then libraries, applications and crypto modules. */
export function planFamilies(
  rng: Prng,
  scale: number,
  organizations: Pick<World, 'orgs' | 'vendors' | 'suppliers'>,
  catalog: ComponentCatalog,
): PlannedFamilies {
  const { orgs, vendors, suppliers } = organizations;
  const { components, families } = catalog;
  const addChain = (kind: ComponentKind, name: string, supplier: number, length: number, startYear: number, osStyle: boolean): number => {
    const family: FamilyEntity = { name, kind, members: [] };
    families.push(family);
    const familyIndex = families.length - 1;
    let version = osStyle ? [rng.int(6, 11), 0] : [rng.int(0, 4), rng.int(0, 9), rng.int(0, 20)];
    let releasedAt = rng.date(startYear, startYear + 3);
    for (let k = 0; k < length; k++) {
      if (k > 0) {
        version = osStyle ? (rng.chance(0.3) ? [(version[0] ?? 0) + 1, 0] : [version[0] ?? 0, (version[1] ?? 0) + 1]) : nextLibraryVersion(rng, version);
        releasedAt = addDays(releasedAt, osStyle ? rng.int(60, 200) : rng.int(30, 400));
      }
      const v = version.join('.');
      const s = slug(name);
      components.push({
        id: catalog.nextId(kind.toLowerCase()),
        name: `${name} ${v}`,
        kind,
        version: v,
        releasedAt,
        supportEndsAt: addDays(releasedAt, rng.int(540, 1500)),
        supplier,
        family: familyIndex,
        purl: osStyle ? undefined : `pkg:generic/${s}@${v}`,
        cpe: osStyle ? `cpe:2.3:o:${slug(orgs[supplier]?.name ?? 'vendor')}:${s}:${v}:*:*:*:*:*:*:*` : undefined,
      });
      family.members.push(components.length - 1);
    }
    return familyIndex;
  };

  const osFamilyOfVendor = vendors.map((v) => {
    const stem = (orgs[v]?.name ?? 'Vendor').split(' ')[0] ?? 'Vendor';
    return addChain('OS_RELEASE', `${stem}OS`, v, rng.int(14, 30), 2014, true);
  });
  const libraryFamilies = Array.from({ length: count(scale, 900, 12) }, (_, i) => {
    const stem = LIBRARY_STEMS[i % LIBRARY_STEMS.length] ?? 'lib';
    const round = Math.floor(i / LIBRARY_STEMS.length);
    const name =
      round === 0
        ? stem
        : `${stem}-${LIBRARY_VARIANTS[round % LIBRARY_VARIANTS.length] ?? 'x'}${round >= LIBRARY_VARIANTS.length ? Math.floor(round / LIBRARY_VARIANTS.length) + 1 : ''}`;
    return addChain('LIBRARY', name, rng.pick(suppliers), rng.int(3, 10), 2013, false);
  });
  const applicationFamilies = Array.from({ length: count(scale, 150, 3) }, (_, i) => {
    const supplier = rng.pick(suppliers);
    const name = `${(orgs[supplier]?.name ?? 'Generic').split(' ')[0] ?? ''} ${APP_STEMS[i % APP_STEMS.length] ?? 'App'}${i >= APP_STEMS.length ? ` ${Math.floor(i / APP_STEMS.length) + 1}` : ''}`;
    return addChain('APPLICATION', name, supplier, rng.int(2, 5), 2016, false);
  });
  const cryptoFamilies = Array.from({ length: count(scale, 60, 3) }, (_, i) => {
    const supplier = rng.pick(suppliers);
    const name = `${(orgs[supplier]?.name ?? 'Generic').split(' ')[0] ?? ''} Crypto Module ${i + 1}`;
    return addChain('CRYPTO_MODULE', name, supplier, rng.int(2, 5), 2015, false);
  });
  return { osFamilyOfVendor, libraryFamilies, applicationFamilies, cryptoFamilies };
}

/** Chips and modules from suppliers that many device models share; returns their component indexes. */
export function planSharedHardware(rng: Prng, scale: number, organizations: Pick<World, 'orgs' | 'suppliers'>, catalog: ComponentCatalog): number[] {
  const { orgs, suppliers } = organizations;
  const { components } = catalog;
  return Array.from({ length: count(scale, 8000, 30) }, (_, i) => {
    const [part, kind] = rng.pick(HARDWARE_PARTS);
    const supplier = rng.pick(suppliers);
    const releasedAt = rng.date(2014, 2025);
    const model = `${String.fromCharCode(65 + (i % 26))}${rng.int(100, 9999)}`;
    components.push({
      id: catalog.nextId('hardware'),
      name: `${(orgs[supplier]?.name ?? 'Generic').split(' ')[0] ?? ''} ${part} ${model}`,
      kind,
      version: `rev ${String.fromCharCode(65 + rng.int(0, 5))}`,
      releasedAt,
      supportEndsAt: addDays(releasedAt, rng.int(1000, 3000)),
      supplier,
      family: -1,
    });
    return components.length - 1;
  });
}
