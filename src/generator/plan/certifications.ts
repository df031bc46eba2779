import { addDays, type Prng } from '../prng';
import { count, pad } from '../util';
import { CERT_KIND_ORDER } from '../vocabulary';
import { GENERATED_ID_PREFIX, WORLD_TODAY, type CertificationEntity, type World } from '../world';

/**
 * Certification lineages of depth 2 to 4 (CERTIFICATE, EVALUATION, APPROVAL, CLEARANCE, each
 * BASED_ON the one below) over a slice of one vendor's devices, some renewed (SUPERSEDES).
 */
export function planCertifications(
  rng: Prng,
  scale: number,
  planned: Pick<World, 'orgs' | 'vendors' | 'bodies' | 'labs' | 'standards' | 'components' | 'families' | 'osFamilyOfVendor' | 'devices' | 'devicesOfVendor'>,
): CertificationEntity[] {
  const { orgs, vendors, bodies, labs, standards, components, families, osFamilyOfVendor, devices, devicesOfVendor } = planned;
  const certifications: CertificationEntity[] = [];
  const lineageCount = count(scale, 750, 4);
  const certStatus = (validUntil: string, issuedAt: string): CertificationEntity['status'] => {
    if (issuedAt > WORLD_TODAY) return 'PENDING';
    if (validUntil < WORLD_TODAY) return rng.chance(0.85) ? 'EXPIRED' : 'ACTIVE';
    const r = rng.next();
    return r < 0.03 ? 'REVOKED' : r < 0.05 ? 'SUSPENDED' : r < 0.08 ? 'PENDING' : 'ACTIVE';
  };
  for (let l = 0; l < lineageCount; l++) {
    const vendorPos = rng.int(0, vendors.length - 1);
    const vendorDevices = devicesOfVendor[vendorPos] ?? [];
    if (vendorDevices.length === 0) continue;
    const depth = rng.int(2, 4);
    const kinds = CERT_KIND_ORDER.slice(CERT_KIND_ORDER.length - depth);
    // Devices in scope: a slice of the vendor's range, with the OS range spanning their releases.
    const inScope = rng.distinctIndexes(vendorDevices.length, rng.int(1, 12)).map((i) => vendorDevices[i] ?? 0);
    const osMembers = families[osFamilyOfVendor[vendorPos] ?? 0]?.members ?? [];
    const positions = inScope.map((d) => devices[d]?.osPosition ?? 0);
    const minPos = Math.min(...positions);
    const maxPos = Math.min(osMembers.length - 1, Math.max(...positions) + rng.int(0, 4));
    const minOs = components[osMembers[minPos] ?? 0]?.version;
    const maxOsFull = components[osMembers[maxPos] ?? 0]?.version ?? '';
    const maxOs = rng.chance(0.3) ? maxOsFull.split('.')[0] : maxOsFull;
    const cryptoInScope = [
      ...new Set(inScope.flatMap((d) => (devices[d]?.components ?? []).filter((p) => p.role === 'crypto-module').map((p) => p.component))),
    ].slice(0, 3);
    let issuedAt = rng.date(2016, 2024);
    let previous: number | undefined;
    for (const kind of kinds) {
      issuedAt = addDays(issuedAt, rng.int(20, 240));
      const validUntil = addDays(issuedAt, rng.int(730, 1825));
      const serial = certifications.length;
      const vendorStem = (orgs[vendors[vendorPos] ?? 0]?.name ?? 'Vendor').split(' ')[0] ?? '';
      const entity: CertificationEntity = {
        id: `${GENERATED_ID_PREFIX}certification:${pad(serial)}`,
        name: `${vendorStem} ${kind.toLowerCase()} ${l + 1}`,
        kind,
        status: certStatus(validUntil, issuedAt),
        issuedAt,
        validUntil,
        issuer: rng.pick(bodies),
        assessor: kind === 'EVALUATION' || kind === 'CERTIFICATE' ? rng.pick(labs) : undefined,
        standards: rng.distinctIndexes(standards.length, rng.int(1, 2)),
        basedOn: previous,
        devices: kind === 'CERTIFICATE' && cryptoInScope.length > 0 ? [] : inScope,
        components: kind === 'CERTIFICATE' ? cryptoInScope : [],
        minOsVersion: kind === 'CERTIFICATE' ? undefined : minOs,
        maxOsVersion: kind === 'CERTIFICATE' ? undefined : maxOs,
        scope:
          kind === 'CERTIFICATE'
            ? 'cryptographic module boundary'
            : `${inScope.length} device model(s), ${families[osFamilyOfVendor[vendorPos] ?? 0]?.name ?? 'OS'} ${minOs ?? '?'} to ${maxOs ?? '?'}`,
      };
      certifications.push(entity);
      const current = certifications.length - 1;
      // A renewal: a later certificate of the same kind that supersedes this one.
      if (rng.chance(0.35)) {
        const renewedAt = addDays(validUntil, -rng.int(30, 400));
        const renewedUntil = addDays(renewedAt, rng.int(730, 1825));
        certifications.push({
          ...entity,
          id: `${GENERATED_ID_PREFIX}certification:${pad(certifications.length)}`,
          name: `${entity.name} (renewal)`,
          issuedAt: renewedAt,
          validUntil: renewedUntil,
          status: certStatus(renewedUntil, renewedAt),
          supersedes: current,
        });
      }
      previous = current;
    }
  }
  return certifications;
}
