import { addDays, type Prng } from '../prng';
import { count, pad, slug } from '../util';
import { DEVICE_PARTS, DEVICE_VARIANTS, FIRMWARE_PARTS, HARDWARE_PARTS, SERIES } from '../vocabulary';
import { GENERATED_ID_PREFIX, type DeviceEntity, type World } from '../world';
import type { ComponentCatalog, PlannedFamilies } from './components';

export type PlannedDevices = Pick<World, 'devices' | 'devicesOfVendor'>;

/**
 * Device models: each ships a release of its vendor's OS, its own firmware and parts (added to
 * the catalog), shared hardware, crypto modules, then libraries and applications up to 20 to 60
 * direct components.
 */
export function planDevices(
  rng: Prng,
  scale: number,
  planned: Pick<World, 'orgs' | 'vendors' | 'suppliers'> & PlannedFamilies,
  sharedHardware: number[],
  catalog: ComponentCatalog,
): PlannedDevices {
  const { orgs, vendors, suppliers, osFamilyOfVendor, libraryFamilies, applicationFamilies, cryptoFamilies } = planned;
  const { components, families } = catalog;
  const devices: DeviceEntity[] = [];
  const devicesOfVendor: number[][] = vendors.map(() => []);
  const deviceCount = count(scale, 1000, 4);
  const seriesCounter = new Map<string, number>();
  const latestMemberAt = (familyIndex: number, date: string): number => {
    const members = families[familyIndex]?.members ?? [];
    let chosen = 0;
    members.forEach((m, position) => {
      if ((components[m]?.releasedAt ?? '') <= date) chosen = position;
    });
    // Some devices ship a release or two behind the newest one.
    return Math.max(0, chosen - (rng.chance(0.3) ? rng.int(1, 2) : 0));
  };
  for (let d = 0; d < deviceCount; d++) {
    const vendorPos = d < vendors.length ? d : rng.skewedIndex(vendors.length, 1.6);
    const vendor = vendors[vendorPos] ?? 0;
    const [series, category] = rng.pick(SERIES);
    const vendorStem = (orgs[vendor]?.name ?? 'Generic').split(' ')[0] ?? '';
    const key = `${vendor}:${series}`;
    const generation = (seriesCounter.get(key) ?? 0) + 1;
    seriesCounter.set(key, generation);
    const releasedAt = rng.date(2016, 2025);
    const osFamily = osFamilyOfVendor[vendorPos] ?? 0;
    const osPosition = latestMemberAt(osFamily, releasedAt);
    const parts: { component: number; role: string }[] = [];
    const seen = new Set<number>();
    const add = (component: number, role: string): void => {
      if (seen.has(component)) return;
      seen.add(component);
      parts.push({ component, role });
    };
    const target = rng.int(20, 60);
    add(families[osFamily]?.members[osPosition] ?? 0, 'os');
    const firmwareCount = rng.int(2, 4);
    for (let k = 0; k < firmwareCount; k++) {
      const part = FIRMWARE_PARTS[k % FIRMWARE_PARTS.length] ?? 'firmware';
      const fwReleased = addDays(releasedAt, -rng.int(30, 200));
      components.push({
        id: catalog.nextId('firmware'),
        name: `${vendorStem} ${series} ${generation} ${part}`,
        kind: 'FIRMWARE',
        version: `${rng.int(1, 9)}.${rng.int(0, 30)}.${rng.int(0, 999)}`,
        releasedAt: fwReleased,
        supportEndsAt: addDays(fwReleased, rng.int(900, 2200)),
        supplier: rng.chance(0.6) ? vendor : rng.pick(suppliers),
        family: -1,
      });
      add(components.length - 1, part.replace(/ /g, '-'));
    }
    const ownHardware = rng.int(4, 12);
    for (let k = 0; k < ownHardware; k++) {
      const part = DEVICE_PARTS[k % DEVICE_PARTS.length] ?? 'part';
      components.push({
        id: catalog.nextId('part'),
        name: `${vendorStem} ${series} ${generation} ${part}`,
        kind: 'HARDWARE',
        version: `rev ${String.fromCharCode(65 + rng.int(0, 3))}`,
        releasedAt: addDays(releasedAt, -rng.int(60, 300)),
        supportEndsAt: addDays(releasedAt, rng.int(1100, 2500)),
        supplier: rng.pick(suppliers),
        family: -1,
      });
      add(components.length - 1, slug(part));
    }
    const sharedHw = rng.int(6, 14);
    for (let k = 0; k < sharedHw; k++) {
      const c = sharedHardware[rng.skewedIndex(sharedHardware.length, 1.8)] ?? 0;
      add(c, slug(HARDWARE_PARTS.find(([, kind]) => kind === components[c]?.kind)?.[0] ?? 'hardware'));
    }
    const cryptoCount = rng.int(1, 3);
    for (let k = 0; k < cryptoCount; k++) {
      const fam = families[cryptoFamilies[rng.skewedIndex(cryptoFamilies.length, 1.5)] ?? 0];
      const members = fam?.members ?? [];
      add(members[rng.int(0, members.length - 1)] ?? 0, 'crypto-module');
    }
    let guard = 0;
    while (parts.length < target && guard++ < 500) {
      const useApp = rng.chance(0.2);
      const pool = useApp ? applicationFamilies : libraryFamilies;
      const fam = families[pool[rng.skewedIndex(pool.length, 1.7)] ?? 0];
      const members = fam?.members ?? [];
      // Newer devices carry newer versions.
      const position = Math.min(
        members.length - 1,
        Math.max(
          0,
          Math.floor(((Date.parse(releasedAt) - Date.UTC(2016, 0, 1)) / (Date.UTC(2025, 0, 1) - Date.UTC(2016, 0, 1))) * members.length) + rng.int(-1, 1),
        ),
      );
      add(members[position] ?? 0, useApp ? 'application' : 'library');
    }
    const variant = rng.pick(DEVICE_VARIANTS);
    devices.push({
      id: `${GENERATED_ID_PREFIX}device:${pad(d)}`,
      name: `${vendorStem} ${series} ${generation}${variant}`,
      category,
      releasedAt,
      vendor,
      osPosition,
      components: parts,
    });
    devicesOfVendor[vendorPos]?.push(d);
  }
  return { devices, devicesOfVendor };
}
