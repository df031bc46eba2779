/**
 * The risk view's model (src/explorer/static/riskModel.js) without a browser: hand-built
 * riskPaths and certificationLineage results in, cytoscape elements, layout and details out.
 * The riskPaths fixture is the browser test's graph (test/browser/risk.test.ts):
 *
 *   threat T --TARGETS--> component C <--HAS_COMPONENT-- device D <--TARGETS-- T
 *   control K (implemented by D) mitigates T
 *
 * Also checks that the page loads the model before risk.js and that the handler serves it.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createExplorerHandler } from '../../src/explorer/handler';

interface Element {
  group: 'nodes' | 'edges';
  data: Record<string, unknown> & { id: string };
  position?: { x: number; y: number };
  classes: string;
}

interface Details {
  title: string;
  badge?: { kind: string; text: string };
  props: [string, unknown][];
  provenance: unknown;
  sections?: { title: string; empty?: string; items: string[] }[];
}

interface RiskModel {
  COLORS: Record<string, string>;
  COLUMN_WIDTH: number;
  pathText(p: unknown, index: number): string;
  riskElements(result: unknown): { elements: Element[]; details: Record<string, Details>; columns: Record<string, string[]> };
  lineageElements(result: unknown): { elements: Element[]; details: Record<string, Details>; rows: Record<string, string[]> };
}

const STATIC_DIR = path.resolve(__dirname, '../../src/explorer/static');
const model = createRequire(__filename)(path.join(STATIC_DIR, 'riskModel.js')) as RiskModel;

const T = 'threat:t';
const C = 'component:c';
const D = 'device:d';
const K = 'control:k';

const provenance = { source: 'test', sourceRef: 'riskModel.test.ts', assertedAt: '2025-01-01T00:00:00Z', assertedBy: 'unit' };
const threat = { __typename: 'Threat', id: T, name: 'Boot attack', severity: 8, likelihood: 0.5, provenance };
const component = { __typename: 'Component', id: C, name: 'Phone OS', componentKind: 'OS_RELEASE', version: '17.1', provenance };
const device = { __typename: 'Device', id: D, name: 'Phone', category: 'PHONE', provenance };
const control = { __typename: 'Control', id: K, name: 'Secure boot', effectiveness: 0.6, provenance };
const relationship = (type: string, extra: Record<string, unknown> = {}) => ({ type, classification: 'UNCLASSIFIED', provenance, ...extra });
const mitigation = { effectiveness: 0.8, effectivenessSource: 'MITIGATES_EDGE', threat: { id: T, name: 'Boot attack' }, control };

const riskResult = {
  source: threat,
  totalCount: 2,
  truncated: false,
  maxHops: 5,
  paths: [
    {
      score: 0.8,
      baseScore: 4,
      residualFactor: 0.2,
      mitigated: true,
      blocked: false,
      target: { id: D },
      path: {
        length: 1,
        nodes: [threat, device],
        edges: [{ type: 'TARGETS', direction: 'FORWARD', from: { id: T }, to: { id: D }, relationship: relationship('TARGETS') }],
      },
      steps: [
        { position: 0, node: { id: T }, controls: [] },
        { position: 1, node: { id: D }, controls: [mitigation] },
      ],
    },
    {
      score: 0.8,
      baseScore: 4,
      residualFactor: 0.2,
      mitigated: true,
      blocked: false,
      target: { id: D },
      path: {
        length: 2,
        nodes: [threat, component, device],
        edges: [
          { type: 'TARGETS', direction: 'FORWARD', from: { id: T }, to: { id: C }, relationship: relationship('TARGETS') },
          { type: 'HAS_COMPONENT', direction: 'BACKWARD', from: { id: D }, to: { id: C }, relationship: relationship('HAS_COMPONENT', { role: 'os' }) },
        ],
      },
      steps: [
        { position: 0, node: { id: T }, controls: [] },
        { position: 1, node: { id: C }, controls: [] },
        { position: 2, node: { id: D }, controls: [mitigation] },
      ],
    },
  ],
};

const byId = (elements: Element[], id: string): Element => {
  const found = elements.find((e) => e.data.id === id);
  if (!found) throw new Error(`no element ${id}; have ${elements.map((e) => e.data.id).join(', ')}`);
  return found;
};

describe('riskModel: risk paths', () => {
  const { elements, details, columns } = model.riskElements(riskResult);

  it('puts every node in the column of its shortest depth, sorted, one column per hop', () => {
    expect(columns).toEqual({ 0: [T], 1: [C, D] });
    expect(byId(elements, T).position).toEqual({ x: 0, y: 0 });
    // Column 1: rows are 158 px apart (110 + 48 per control at the busiest node, D); the second node is nudged right.
    expect(byId(elements, C).position).toEqual({ x: model.COLUMN_WIDTH, y: -79 });
    expect(byId(elements, D).position).toEqual({ x: model.COLUMN_WIDTH + 110, y: 79 });
  });

  it('marks the source and the targets, colors nodes by label', () => {
    expect(byId(elements, T).classes).toBe('path-node label-Threat source');
    expect(byId(elements, C).classes).toBe('path-node label-Component');
    expect(byId(elements, D).classes).toBe('path-node label-Device target');
    expect(byId(elements, T).data).toMatchObject({ label: `Threat\nBoot attack\n${T}`, color: model.COLORS.Threat, kind: 'Threat' });
    expect(new Set([T, C, D].map((id) => byId(elements, id).data.color)).size).toBe(3);
  });

  it('draws edges the way risk flows and marks a step mitigated when a control stands at the node it enters', () => {
    const edges = elements.filter((e) => e.classes.startsWith('path-edge'));
    expect(edges.map((e) => [e.data.id, e.data.source, e.data.target, e.classes, e.data.paths])).toEqual([
      [`e:TARGETS:${T}->${D}`, T, D, 'path-edge mitigated', '0'],
      [`e:TARGETS:${T}->${C}`, T, C, 'path-edge unmitigated', '1'],
      [`e:HAS_COMPONENT:${D}->${C}`, C, D, 'path-edge mitigated', '1'],
    ]);
    expect(byId(elements, `e:HAS_COMPONENT:${D}->${C}`).data.label).toBe('HAS_COMPONENT ⟲');
    expect(details[`e:TARGETS:${T}->${C}`]?.badge).toEqual({ kind: 'bad', text: 'unmitigated step' });
    expect(details[`e:HAS_COMPONENT:${D}->${C}`]?.props).toContainEqual(['role', 'os']);
  });

  it('adds each control once under its step, linked to it, with its effectiveness', () => {
    const controlNode = byId(elements, `ctl:${D}:${K}`);
    expect(controlNode.classes).toBe('control label-Control');
    expect(controlNode.data).toMatchObject({ label: 'Secure boot (0.8)', step: D, controlId: K, color: model.COLORS.Control });
    expect(controlNode.position).toEqual({ x: model.COLUMN_WIDTH + 110 + 70, y: 79 + 62 });
    const controlEdge = byId(elements, `ce:${D}:${K}`);
    expect(controlEdge).toMatchObject({ classes: 'control-edge', data: { source: `ctl:${D}:${K}`, target: D, label: 'mitigates 80%' } });
    expect(elements.filter((e) => e.classes.includes('control'))).toHaveLength(2);
    expect(details[`ce:${D}:${K}`]).toBe(details[`ctl:${D}:${K}`]);
    expect(details[`ctl:${D}:${K}`]?.props).toContainEqual(['effectiveness from', 'MITIGATES_EDGE']);
  });

  it('lists nodes, then controls, then path edges, and gives every element details', () => {
    expect(elements.map((e) => e.group)).toEqual(['nodes', 'nodes', 'nodes', 'nodes', 'edges', 'edges', 'edges', 'edges']);
    expect(Object.keys(details).sort()).toEqual(elements.map((e) => e.data.id).sort());
    expect(details[D]?.sections?.[0]?.items).toEqual([`Secure boot (${K}): effectiveness 0.8 (MITIGATES_EDGE) against ${T}`]);
    expect(details[T]?.sections?.[0]).toMatchObject({ empty: 'The source of the paths.', items: [] });
    expect(details[C]?.props).toContainEqual(['componentKind', 'OS_RELEASE']);
    expect(details[C]?.provenance).toEqual(provenance);
  });

  it('writes one line per path', () => {
    expect(model.pathText(riskResult.paths[1], 1)).toBe(`#2 score 0.8 (base 4 × 0.2), mitigated: ${T} → ${C} → ${D}`);
  });

  it('gives an unknown label a neutral color', () => {
    const odd = { ...threat, __typename: 'Unknown' };
    const result = { ...riskResult, source: odd, paths: [{ ...riskResult.paths[0], path: { ...riskResult.paths[0]?.path, nodes: [odd, device] } }] };
    expect(byId(model.riskElements(result).elements, T).data.color).toBe('#98a2b3');
  });
});

describe('riskModel: certification lineage', () => {
  const cert = (id: string, name: string) => ({
    __typename: 'Certification',
    id,
    name,
    certificationKind: 'CLEARANCE',
    issuer: { id: 'org:i', name: 'Issuer' },
    provenance,
  });
  const lineage = {
    asOf: '2026-06-01',
    holds: true,
    truncated: false,
    root: { id: 'cert:root' },
    entries: [
      { depth: 0, holds: true, findings: [], certification: cert('cert:root', 'Clearance') },
      { depth: 1, holds: true, findings: [], certification: cert('cert:basis', 'Evaluation') },
      { depth: 1, holds: false, findings: [{ reason: 'NOT_YET_VALID', explanation: 'issued after 2026-06-01' }], certification: cert('cert:next', 'Renewal') },
    ],
    links: [
      { type: 'BASED_ON', holds: true, from: { id: 'cert:root' }, to: { id: 'cert:basis' } },
      { type: 'SUPERSEDES', holds: false, from: { id: 'cert:next' }, to: { id: 'cert:root' } },
      { type: 'BASED_ON', holds: true, from: { id: 'cert:root' }, to: { id: 'cert:hidden' } },
    ],
  };
  const { elements, details, rows } = model.lineageElements(lineage);

  it('puts a basis above what rests on it and a replacement below what it supersedes', () => {
    expect(rows).toEqual({ 0: ['cert:basis'], 1: ['cert:root'], 2: ['cert:next'] });
    expect(byId(elements, 'cert:basis').position).toEqual({ x: 0, y: 0 });
    expect(byId(elements, 'cert:root').position).toEqual({ x: 0, y: 140 });
    expect(byId(elements, 'cert:next').position).toEqual({ x: 0, y: 280 });
  });

  it('marks the root and whether each certification holds on the date', () => {
    expect(byId(elements, 'cert:root').classes).toBe('path-node cert cert-ok source');
    expect(byId(elements, 'cert:next').classes).toBe('path-node cert cert-bad');
    expect(byId(elements, 'cert:next').data.label).toBe('Renewal\ncert:next\n✘ not valid on 2026-06-01: NOT_YET_VALID');
    expect(details['cert:next']?.sections?.[0]?.items).toEqual(['NOT_YET_VALID: issued after 2026-06-01']);
    expect(details['cert:root']?.props).toContainEqual(['issuer', 'Issuer (org:i)']);
  });

  it('draws links between visible certifications only, styled by type and validity', () => {
    const edges = elements.filter((e) => e.group === 'edges');
    expect(edges.map((e) => [e.data.id, e.classes])).toEqual([
      ['l:BASED_ON:cert:root->cert:basis', 'path-edge based-on'],
      ['l:SUPERSEDES:cert:next->cert:root', 'path-edge supersedes not-holding'],
    ]);
    expect(details['l:SUPERSEDES:cert:next->cert:root']?.badge).toEqual({ kind: 'bad', text: 'replacement not yet in effect' });
  });

  it('stops on a cycle in bad data', () => {
    const cyclic = {
      ...lineage,
      entries: lineage.entries.slice(0, 2),
      links: [
        { type: 'BASED_ON', holds: true, from: { id: 'cert:root' }, to: { id: 'cert:basis' } },
        { type: 'BASED_ON', holds: true, from: { id: 'cert:basis' }, to: { id: 'cert:root' } },
      ],
    };
    expect(model.lineageElements(cyclic).elements.filter((e) => e.group === 'nodes')).toHaveLength(2);
  });
});

describe('riskModel: served with the risk view', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const handler = createExplorerHandler();
    server = createServer((req, res) => {
      void handler(req, res, new URL(req.url ?? '/', 'http://localhost').pathname).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  it('serves riskModel.js as JavaScript', async () => {
    const res = await fetch(`${base}/explorer/assets/riskModel.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toContain('riskElements');
  });

  it('loads it after common.js and before risk.js', async () => {
    const html = await (await fetch(`${base}/risk`)).text();
    const scripts = [...html.matchAll(/<script src="\/explorer\/assets\/([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['cytoscape.min.js', 'common.js', 'riskModel.js', 'risk.js']);
  });
});
