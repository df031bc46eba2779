import type { Label, RelationshipType } from '../../domain/model';
import type { RelationshipWrite } from '../../store/bulkWrites';
import type { Prng } from '../prng';
import { round2 } from '../util';
import { controlId, GENERATED_ID_PREFIX, threatId, type World } from '../world';
import { relMarking } from './markings';

const rel = (rng: Prng, fromId: string, toId: string, props: Record<string, unknown> = {}): RelationshipWrite => ({
  fromId,
  toId,
  props: { ...props, classification: relMarking(rng) },
});

/** One section per relationship type and pair of end labels, in emission order. */
export function relationshipSections(
  world: World,
): { type: RelationshipType; fromLabel: Label; toLabel: Label; rows: (rng: Prng) => Iterable<RelationshipWrite> }[] {
  const { orgs, components, families, devices, vulnerabilities, certifications, deployments, standards, controls, techniques, scale } = world;
  const orgId = (i: number): string => orgs[i]?.id ?? '';
  const compId = (i: number): string => components[i]?.id ?? '';
  const liveControls = controls.filter((c) => !c.withdrawn);
  const liveTechniques = techniques.filter((t) => !t.revoked && !t.deprecated);
  const scLike = liveControls.filter((c) => /^(sc|ia)-/.test(c.controlId));
  const libraryMembers = world.libraryFamilies.flatMap((f) => families[f]?.members ?? []);
  const osMembers = world.osFamilyOfVendor.flatMap((f) => families[f]?.members ?? []);

  return [
    {
      type: 'MAKES',
      fromLabel: 'Organization',
      toLabel: 'Device',
      *rows(rng) {
        for (const d of devices) yield rel(rng, orgId(d.vendor), d.id);
      },
    },
    {
      type: 'HAS_COMPONENT',
      fromLabel: 'Device',
      toLabel: 'Component',
      *rows(rng) {
        for (const d of devices) for (const p of d.components) yield rel(rng, d.id, compId(p.component), { role: p.role });
      },
    },
    {
      // OS releases bundle libraries; firmware embeds a crypto library.
      type: 'HAS_COMPONENT',
      fromLabel: 'Component',
      toLabel: 'Component',
      *rows(rng) {
        for (const c of components) {
          if (c.kind === 'OS_RELEASE') {
            for (const i of rng.distinctIndexes(libraryMembers.length, rng.int(8, 22)))
              yield rel(rng, c.id, compId(libraryMembers[i] ?? 0), { role: 'bundled-library' });
          } else if (c.kind === 'FIRMWARE' && rng.chance(0.7)) {
            yield rel(rng, c.id, compId(libraryMembers[rng.skewedIndex(libraryMembers.length, 2)] ?? 0), { role: 'embedded-library' });
          }
        }
      },
    },
    {
      // Libraries and applications depend on versions of earlier library families (a DAG).
      type: 'DEPENDS_ON',
      fromLabel: 'Component',
      toLabel: 'Component',
      *rows(rng) {
        const libFamilies = world.libraryFamilies;
        for (const f of [...libFamilies, ...world.applicationFamilies]) {
          const family = families[f];
          if (!family) continue;
          const position = libFamilies.indexOf(f);
          const candidates = position < 0 ? libFamilies.length : position;
          if (candidates === 0) continue;
          for (const member of family.members) {
            for (const j of rng.distinctIndexes(candidates, rng.int(0, 4))) {
              const dep = families[libFamilies[j] ?? 0]?.members ?? [];
              yield rel(rng, compId(member), compId(dep[rng.int(0, dep.length - 1)] ?? 0));
            }
          }
        }
      },
    },
    {
      type: 'SUPPLIED_BY',
      fromLabel: 'Component',
      toLabel: 'Organization',
      *rows(rng) {
        for (const c of components) yield rel(rng, c.id, orgId(c.supplier));
      },
    },
    {
      type: 'SUPERSEDES',
      fromLabel: 'Component',
      toLabel: 'Component',
      *rows(rng) {
        for (const f of families) for (let k = 1; k < f.members.length; k++) yield rel(rng, compId(f.members[k] ?? 0), compId(f.members[k - 1] ?? 0));
      },
    },
    {
      type: 'IMPLEMENTS',
      fromLabel: 'Device',
      toLabel: 'Control',
      *rows(rng) {
        for (const d of devices) {
          for (const i of rng.distinctIndexes(liveControls.length, rng.int(15, 40))) {
            const c = liveControls[i];
            if (c) yield rel(rng, d.id, controlId(c), { evidence: `synthetic test report ${d.id.slice(-6)}-${i}` });
          }
        }
      },
    },
    {
      type: 'IMPLEMENTS',
      fromLabel: 'Component',
      toLabel: 'Control',
      *rows(rng) {
        for (const c of components) {
          const pool = c.kind === 'CRYPTO_MODULE' ? scLike : c.kind === 'OS_RELEASE' ? liveControls : [];
          if (pool.length === 0) continue;
          for (const i of rng.distinctIndexes(pool.length, c.kind === 'OS_RELEASE' ? rng.int(10, 20) : rng.int(3, 8))) {
            const control = pool[i];
            if (control) yield rel(rng, c.id, controlId(control), { evidence: `synthetic vendor attestation for ${c.name}` });
          }
        }
      },
    },
    {
      type: 'MAPS_TO',
      fromLabel: 'Control',
      toLabel: 'Control',
      *rows(rng) {
        for (const c of controls) if (c.parent) yield rel(rng, controlId(c), `${GENERATED_ID_PREFIX}control:${c.parent}`);
      },
    },
    {
      type: 'MITIGATES',
      fromLabel: 'Control',
      toLabel: 'Threat',
      *rows(rng) {
        for (const t of liveTechniques) {
          for (const i of rng.distinctIndexes(liveControls.length, rng.int(5, 15))) {
            const c = liveControls[i];
            if (c) yield rel(rng, controlId(c), threatId(t), { effectiveness: round2(0.1 + rng.next() * 0.8) });
          }
        }
      },
    },
    {
      type: 'TARGETS',
      fromLabel: 'Threat',
      toLabel: 'Component',
      *rows(rng) {
        for (const t of liveTechniques) {
          const n = Math.max(1, Math.round(rng.int(20, 80) * scale));
          const pool = rng.chance(0.5) ? osMembers : libraryMembers;
          for (const i of rng.distinctIndexes(pool.length, n)) yield rel(rng, threatId(t), compId(pool[i] ?? 0));
        }
      },
    },
    {
      type: 'TARGETS',
      fromLabel: 'Threat',
      toLabel: 'Device',
      *rows(rng) {
        for (const t of liveTechniques) {
          const n = Math.round(rng.int(0, 8) * scale);
          for (const i of rng.distinctIndexes(devices.length, n)) yield rel(rng, threatId(t), devices[i]?.id ?? '');
        }
      },
    },
    {
      type: 'EXPLOITS',
      fromLabel: 'Threat',
      toLabel: 'Vulnerability',
      *rows(rng) {
        if (liveTechniques.length === 0) return;
        for (const v of vulnerabilities) {
          if (!rng.chance(0.25)) continue;
          for (const i of rng.distinctIndexes(liveTechniques.length, rng.int(1, 3))) {
            const t = liveTechniques[i];
            if (t) yield rel(rng, threatId(t), v.id);
          }
        }
      },
    },
    {
      type: 'AFFECTS',
      fromLabel: 'Vulnerability',
      toLabel: 'Component',
      *rows(rng) {
        for (const v of vulnerabilities) {
          for (const c of v.affected) {
            const r = rng.next();
            const vexState = r < 0.85 ? 'AFFECTED' : r < 0.92 ? 'UNDER_INVESTIGATION' : r < 0.97 ? 'FIXED' : 'NOT_AFFECTED';
            yield rel(rng, v.id, compId(c), {
              versionRange: v.versionRange,
              vexState,
              vexJustification: vexState === 'NOT_AFFECTED' ? 'vulnerable_code_not_in_execute_path' : undefined,
            });
          }
        }
      },
    },
    {
      type: 'CERTIFIES',
      fromLabel: 'Certification',
      toLabel: 'Device',
      *rows(rng) {
        for (const c of certifications)
          for (const d of c.devices) yield rel(rng, c.id, devices[d]?.id ?? '', { scope: c.scope, minOsVersion: c.minOsVersion, maxOsVersion: c.maxOsVersion });
      },
    },
    {
      type: 'CERTIFIES',
      fromLabel: 'Certification',
      toLabel: 'Component',
      *rows(rng) {
        for (const c of certifications) for (const comp of c.components) yield rel(rng, c.id, compId(comp), { scope: c.scope });
      },
    },
    {
      type: 'ISSUED_BY',
      fromLabel: 'Certification',
      toLabel: 'Organization',
      *rows(rng) {
        for (const c of certifications) yield rel(rng, c.id, orgId(c.issuer));
      },
    },
    {
      type: 'EVALUATED_BY',
      fromLabel: 'Certification',
      toLabel: 'Organization',
      *rows(rng) {
        for (const c of certifications) if (c.assessor !== undefined) yield rel(rng, c.id, orgId(c.assessor));
      },
    },
    {
      type: 'ASSESSED_AGAINST',
      fromLabel: 'Certification',
      toLabel: 'Standard',
      *rows(rng) {
        for (const c of certifications) for (const s of c.standards) yield rel(rng, c.id, standards[s]?.id ?? '');
      },
    },
    {
      type: 'BASED_ON',
      fromLabel: 'Certification',
      toLabel: 'Certification',
      *rows(rng) {
        for (const c of certifications) if (c.basedOn !== undefined) yield rel(rng, c.id, certifications[c.basedOn]?.id ?? '');
      },
    },
    {
      type: 'SUPERSEDES',
      fromLabel: 'Certification',
      toLabel: 'Certification',
      *rows(rng) {
        for (const c of certifications) if (c.supersedes !== undefined) yield rel(rng, c.id, certifications[c.supersedes]?.id ?? '');
      },
    },
    {
      type: 'REQUIRES',
      fromLabel: 'Certification',
      toLabel: 'Control',
      *rows(rng) {
        for (const c of certifications) {
          for (const i of rng.distinctIndexes(liveControls.length, rng.int(5, 20))) {
            const control = liveControls[i];
            if (control) yield rel(rng, c.id, controlId(control));
          }
        }
      },
    },
    {
      type: 'OPERATES',
      fromLabel: 'Organization',
      toLabel: 'Deployment',
      *rows(rng) {
        for (const d of deployments) yield rel(rng, orgId(d.operator), d.id);
      },
    },
    {
      type: 'OF',
      fromLabel: 'Deployment',
      toLabel: 'Device',
      *rows(rng) {
        for (const d of deployments) yield rel(rng, d.id, devices[d.device]?.id ?? '');
      },
    },
    {
      type: 'RUNS',
      fromLabel: 'Deployment',
      toLabel: 'Component',
      *rows(rng) {
        for (const d of deployments) for (const c of [d.os, ...d.apps]) yield rel(rng, d.id, compId(c));
      },
    },
  ];
}
