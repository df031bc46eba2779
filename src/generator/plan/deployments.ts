import type { Prng } from '../prng';
import { count, pad } from '../util';
import { ENVIRONMENTS } from '../vocabulary';
import { GENERATED_ID_PREFIX, type DeploymentEntity, type World } from '../world';

/** Operators' fleets: popular devices more often, on the shipped OS release or a later one. */
export function planDeployments(
  rng: Prng,
  scale: number,
  planned: Pick<World, 'orgs' | 'vendors' | 'operators' | 'families' | 'osFamilyOfVendor' | 'applicationFamilies' | 'devices'>,
): DeploymentEntity[] {
  const { orgs, vendors, operators, families, osFamilyOfVendor, applicationFamilies, devices } = planned;
  return Array.from({ length: count(scale, 8000, 8) }, (_, i) => {
    const operator = operators[i % operators.length] ?? 0;
    const d = rng.skewedIndex(devices.length, 1.4);
    const device = devices[d];
    const vendorPos = vendors.indexOf(device?.vendor ?? -1);
    const osMembers = families[osFamilyOfVendor[vendorPos] ?? 0]?.members ?? [];
    const osPosition = Math.min(osMembers.length - 1, (device?.osPosition ?? 0) + rng.int(0, 6));
    const apps = rng.distinctIndexes(applicationFamilies.length, rng.int(0, 2)).map((f) => {
      const members = families[applicationFamilies[f] ?? 0]?.members ?? [];
      return members[members.length - 1] ?? 0;
    });
    return {
      id: `${GENERATED_ID_PREFIX}deployment:${pad(i)}`,
      name: `${orgs[operator]?.name ?? 'Operator'} fleet ${i + 1}: ${device?.name ?? 'device'}`,
      operator,
      device: d,
      os: osMembers[osPosition] ?? 0,
      apps,
      deviceCount: rng.int(10, 50000),
      environment: rng.pick(ENVIRONMENTS),
    };
  });
}
