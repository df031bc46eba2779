import { addDays, type Prng } from '../prng';
import { count, pad, round1 } from '../util';
import { WEAKNESSES } from '../vocabulary';
import { GENERATED_ID_PREFIX, type VulnerabilityEntity, type World } from '../world';

/** Vulnerabilities affecting a run of versions of one family (libraries weighted three times). */
export function planVulnerabilities(
  rng: Prng,
  scale: number,
  planned: Pick<World, 'components' | 'families' | 'osFamilyOfVendor' | 'libraryFamilies' | 'applicationFamilies' | 'cryptoFamilies'>,
): VulnerabilityEntity[] {
  const { components, families, osFamilyOfVendor, libraryFamilies, applicationFamilies, cryptoFamilies } = planned;
  const vulnerable = [...libraryFamilies, ...libraryFamilies, ...libraryFamilies, ...osFamilyOfVendor, ...cryptoFamilies, ...applicationFamilies];
  return Array.from({ length: count(scale, 10000, 20) }, (_, i) => {
    const familyIndex = vulnerable[rng.skewedIndex(vulnerable.length, 1.3)] ?? 0;
    const family = families[familyIndex];
    const members = family?.members ?? [];
    const first = rng.int(0, members.length - 1);
    const span = Math.min(members.length - first, rng.int(1, 8));
    const affected = members.slice(first, first + span);
    const lastAffected = components[affected[affected.length - 1] ?? 0];
    const fixed = components[members[first + span] ?? -1];
    const firstVersion = components[affected[0] ?? 0]?.version ?? '0';
    const weakness = rng.pick(WEAKNESSES);
    const year = Number((lastAffected?.releasedAt ?? '2020').slice(0, 4));
    return {
      id: `${GENERATED_ID_PREFIX}vulnerability:${pad(i)}`,
      name: `SYNVULN-${year}-${pad(i, 5)}`,
      family: familyIndex,
      affected,
      versionRange: fixed ? `>= ${firstVersion}, < ${fixed.version}` : `>= ${firstVersion}`,
      cvss: round1(2 + rng.next() * 8),
      knownExploited: rng.chance(0.05),
      publishedAt: addDays(lastAffected?.releasedAt ?? '2020-01-01', rng.int(10, 300)),
      description: `Synthetic ${weakness} in ${family?.name ?? 'component'} ${fixed ? `before ${fixed.version}` : 'with no fixed version'}.`,
    };
  });
}
