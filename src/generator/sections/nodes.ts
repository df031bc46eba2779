import type { Label } from '../../domain/model';
import type { NodeWrite } from '../../store/bulkWrites';
import type { Prng } from '../prng';
import { round1, round2 } from '../util';
import { controlId, threatId, type World } from '../world';
import { nodeMarking } from './markings';

/** One section per node label, in emission order; each draws its markings and scores from the stream it is given. */
const node = (id: string, props: Record<string, unknown>): NodeWrite => ({ id, props });

export function nodeSections(world: World): { label: Label; rows: (rng: Prng) => Iterable<NodeWrite> }[] {
  const { orgs, components, devices, vulnerabilities, certifications, deployments, standards, controls, techniques } = world;
  return [
    {
      label: 'Organization',
      *rows(rng) {
        for (const o of orgs)
          yield node(o.id, {
            name: o.name,
            kind: o.kind,
            country: o.country,
            classification: nodeMarking(rng, [0.04, 0.02, 0.01]),
            description: `Synthetic ${o.kind.toLowerCase().replace('_', ' ')}.`,
          });
      },
    },
    {
      label: 'Standard',
      *rows() {
        for (const s of standards) yield node(s.id, { name: s.name, publisher: s.publisher, version: s.version, classification: 'UNCLASSIFIED' });
      },
    },
    {
      label: 'Control',
      *rows(rng) {
        for (const c of controls) {
          yield node(controlId(c), {
            name: `${c.label} ${c.title}`,
            framework: 'NIST SP 800-53 Rev. 5',
            family: c.family,
            controlId: c.controlId,
            statement: c.statement,
            withdrawn: c.withdrawn,
            effectiveness: round2(0.2 + rng.next() * 0.7),
            classification: 'UNCLASSIFIED',
          });
        }
      },
    },
    {
      label: 'Threat',
      *rows(rng) {
        for (const t of techniques) {
          yield node(threatId(t), {
            name: t.name,
            description: t.description,
            kind: 'ATTACK_TECHNIQUE',
            externalId: t.externalId,
            platforms: t.platforms,
            tactics: t.tactics,
            revoked: t.revoked,
            deprecated: t.deprecated,
            severity: round1(1 + rng.next() * 9),
            likelihood: round2(0.05 + rng.next() * 0.9),
            classification: 'UNCLASSIFIED',
          });
        }
      },
    },
    {
      label: 'Device',
      *rows(rng) {
        for (const d of devices)
          yield node(d.id, {
            name: d.name,
            category: d.category,
            releasedAt: d.releasedAt,
            classification: nodeMarking(rng),
            description: `Synthetic ${d.category.toLowerCase()} model with ${d.components.length} components.`,
          });
      },
    },
    {
      label: 'Component',
      *rows(rng) {
        for (const c of components) {
          yield node(c.id, {
            name: c.name,
            kind: c.kind,
            version: c.version,
            releasedAt: c.releasedAt,
            supportEndsAt: c.supportEndsAt,
            purl: c.purl,
            cpe: c.cpe,
            classification: nodeMarking(rng),
          });
        }
      },
    },
    {
      label: 'Vulnerability',
      *rows(rng) {
        for (const v of vulnerabilities) {
          yield node(v.id, {
            name: v.name,
            description: v.description,
            cvss: v.cvss,
            knownExploited: v.knownExploited,
            publishedAt: v.publishedAt,
            product: world.families[v.family]?.name,
            classification: nodeMarking(rng, [0.06, 0.04, 0.02]),
          });
        }
      },
    },
    {
      label: 'Certification',
      *rows(rng) {
        for (const c of certifications) {
          yield node(c.id, {
            name: c.name,
            kind: c.kind,
            status: c.status,
            issuedAt: c.issuedAt,
            validUntil: c.validUntil,
            scope: c.scope,
            reference: `SYNTHETIC-${c.id.slice(-6)}`,
            classification: c.kind === 'CLEARANCE' ? nodeMarking(rng, [0.3, 0.2, 0.1]) : nodeMarking(rng),
          });
        }
      },
    },
    {
      label: 'Deployment',
      *rows(rng) {
        for (const d of deployments) {
          yield node(d.id, {
            name: d.name,
            deviceCount: d.deviceCount,
            osVersion: world.components[d.os]?.version,
            environment: d.environment,
            classification: nodeMarking(rng, [0.25, 0.15, 0.1]),
          });
        }
      },
    },
  ];
}
