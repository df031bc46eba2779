/**
 * The risk view in real headless Chromium, over a path seeded here with the store's
 * upsertNodes/mergeRelationships (ids unique to this run, removed afterwards):
 *
 *   threat T --TARGETS--> component C <--HAS_COMPONENT-- device D <--TARGETS-- T
 *   D --IMPLEMENTS--> control K --MITIGATES--> T
 *
 * riskPaths(T → D) gives T→D and T→C→D: 3 nodes, 3 edges, and the two edges entering D are
 * mitigated steps (K stands at D); the edge T→C is not.
 */
import { parse, validate } from 'graphql';
import type { Page } from 'playwright-core';
import type { Label, RelationshipType } from '../../src/domain/model';
import { buildSchema } from '../../src/graphql/schema';
import { mergeRelationships, upsertNodes } from '../../src/store/graphStore';
import { FIXTURE_TIMEOUT_MS, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { externalRequests, openBrowser, SLOW_MACHINE, type TestBrowser } from './browser';

interface DrawnEdge {
  id: string;
  source: string;
  target: string;
  classes: string[];
  lineStyle: string;
  lineColor: string;
}

interface Drawn {
  nodes: { id: string; classes: string[]; color: string }[];
  edges: DrawnEdge[];
}

/** Waits until the page finished its last request; returns the message shown (hidden → null). */
async function settled(page: Page): Promise<{ kind: string | null; text: string } | null> {
  await page.locator('body[data-state="done"]').waitFor({ state: 'attached', timeout: 90000 });
  const message = page.locator('#message');
  if (await message.isHidden()) return null;
  return { kind: await message.getAttribute('data-kind'), text: await message.innerText() };
}

describe('risk view (headless Chromium)', () => {
  let t: TestApp;
  let url: string;
  let opened: TestBrowser | undefined;
  const current = (): TestBrowser => {
    if (!opened) throw new Error('the browser did not start');
    return opened;
  };
  const prefix = uniquePrefix('riskview');
  const T = `${prefix}threat`;
  const C = `${prefix}os`;
  const D = `${prefix}phone`;
  const U = `${prefix}unrelated`;
  const K = `${prefix}control`;
  const CERT_BASIS = `${prefix}cert-basis`;
  const CERT_ROOT = `${prefix}cert-root`;
  const CERT_NEXT = `${prefix}cert-next`;

  beforeAll(async () => {
    t = await startTestApp(SLOW_MACHINE);
    url = await t.app.listen(0, '127.0.0.1');
    // One write transaction through the store's own upsert/merge functions: few round trips, so
    // a slow, freshly started database does not time the setup out.
    const stamp = { source: 'test', sourceRef: 'risk.test.ts', assertedBy: 'risk-test', assertedAt: new Date() };
    await t.db.writeTransaction(
      undefined,
      async (tx) => {
        await upsertNodes(tx, 'Threat', [{ id: T, props: { name: 'Seeded boot attack', kind: 'ATTACK_TECHNIQUE', severity: 8, likelihood: 0.5 } }], stamp);
        await upsertNodes(tx, 'Component', [{ id: C, props: { name: 'Seeded OS', kind: 'OS_RELEASE', version: '17.1' } }], stamp);
        await upsertNodes(
          tx,
          'Device',
          [
            { id: D, props: { name: 'Seeded Phone', category: 'PHONE' } },
            { id: U, props: { name: 'Unrelated Tablet', category: 'TABLET' } },
          ],
          stamp,
        );
        await upsertNodes(tx, 'Control', [{ id: K, props: { name: 'Seeded secure boot', framework: 'test', effectiveness: 0.6 } }], stamp);
        await upsertNodes(
          tx,
          'Certification',
          [
            {
              id: CERT_BASIS,
              props: { name: 'Seeded basis evaluation', kind: 'EVALUATION', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2030-12-31' },
            },
            { id: CERT_ROOT, props: { name: 'Seeded clearance', kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2025-01-01', validUntil: '2030-12-31' } },
            { id: CERT_NEXT, props: { name: 'Seeded renewal', kind: 'CLEARANCE', status: 'ACTIVE', issuedAt: '2027-01-01', validUntil: '2032-12-31' } },
          ],
          stamp,
        );
        const rels: [RelationshipType, Label, Label, string, string, Record<string, unknown>][] = [
          ['TARGETS', 'Threat', 'Component', T, C, {}],
          ['TARGETS', 'Threat', 'Device', T, D, {}],
          ['HAS_COMPONENT', 'Device', 'Component', D, C, { role: 'os' }],
          ['IMPLEMENTS', 'Device', 'Control', D, K, { evidence: 'seeded' }],
          ['MITIGATES', 'Control', 'Threat', K, T, { effectiveness: 0.8 }],
          ['BASED_ON', 'Certification', 'Certification', CERT_ROOT, CERT_BASIS, {}],
          ['SUPERSEDES', 'Certification', 'Certification', CERT_NEXT, CERT_ROOT, {}],
        ];
        for (const [type, fromLabel, toLabel, fromId, toId, props] of rels) {
          const r = await mergeRelationships(tx, type, fromLabel, toLabel, [{ fromId, toId, props }], stamp);
          if (r.missing.length > 0) throw new Error(`seeding ${type} ${fromId} -> ${toId}: an end is missing`);
        }
      },
      { timeoutMs: FIXTURE_TIMEOUT_MS },
    );
  }, 180000);
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });
  beforeEach(async () => {
    opened = await openBrowser();
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('sends operations that are valid against the schema', async () => {
    const b = current();
    await b.page.goto(`${url}/risk`);
    const queries = await b.page.evaluate(() => (globalThis as unknown as { AssuranceGraph: { queries: Record<string, string> } }).AssuranceGraph.queries);
    const schema = buildSchema();
    expect(Object.keys(queries).sort()).toEqual(['lineage', 'risk']);
    for (const [name, query] of Object.entries(queries)) expect([name, validate(schema, parse(query)).map((e) => e.message)]).toEqual([name, []]);
  });

  async function drawn(): Promise<Drawn> {
    return current().page.evaluate(() => {
      interface El {
        id(): string;
        classes(): string[];
        style(name: string): string;
        data(name: string): string;
      }
      interface Cy {
        nodes(): { map<T>(f: (e: El) => T): T[] };
        edges(): { map<T>(f: (e: El) => T): T[] };
      }
      const cy = (globalThis as unknown as { agCy: Cy }).agCy;
      return {
        nodes: cy.nodes().map((n) => ({ id: n.id(), classes: n.classes(), color: n.data('color') })),
        edges: cy.edges().map((e) => ({
          id: e.id(),
          source: e.data('source'),
          target: e.data('target'),
          classes: e.classes(),
          lineStyle: e.style('line-style'),
          lineColor: e.style('line-color'),
        })),
      };
    });
  }

  it('draws the seeded paths: nodes colored by label, mitigated steps dashed green, the control on its step', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk`);
    await page.locator('#headers').fill(JSON.stringify({ 'x-api-key': KEYS.analyst }));
    await page.locator('#from').fill(T);
    await page.locator('#to').fill(D);
    await page.locator('#run-risk').click();
    expect(await settled(page)).toBeNull();
    const g = await drawn();
    const pathNodes = g.nodes.filter((n) => n.classes.includes('path-node'));
    const pathEdges = g.edges.filter((e) => e.classes.includes('path-edge'));
    expect(pathNodes.map((n) => n.id).sort()).toEqual([C, D, T].sort());
    expect(pathEdges).toHaveLength(3);
    // Colors by label.
    const color = (id: string) => pathNodes.find((n) => n.id === id)?.color;
    expect(new Set([color(T), color(C), color(D)]).size).toBe(3);
    // Edges are drawn the way risk flows: T→C, C→D (HAS_COMPONENT crossed backward), T→D.
    const byEnds = (s: string, d: string) => pathEdges.find((e) => e.source === s && e.target === d);
    const tc = byEnds(T, C);
    const cd = byEnds(C, D);
    const td = byEnds(T, D);
    expect(tc?.classes).toContain('unmitigated');
    expect(tc?.lineStyle).toBe('solid');
    for (const e of [cd, td]) {
      expect(e?.classes).toContain('mitigated');
      expect(e?.lineStyle).toBe('dashed');
    }
    expect(cd?.lineColor).not.toBe(tc?.lineColor);
    // The control is drawn on its step (D), linked to it.
    const controls = g.nodes.filter((n) => n.classes.includes('control'));
    expect(controls.map((n) => n.id)).toEqual([`ctl:${D}:${K}`]);
    expect(g.edges.filter((e) => e.classes.includes('control-edge')).map((e) => [e.source, e.target])).toEqual([[`ctl:${D}:${K}`, D]]);
    await expect(page.locator('#summary').innerText()).resolves.toMatch(/2 of 2 path\(s\): 3 nodes, 3 edges, 2 mitigated step\(s\), 1 control\(s\) shown/);
    await expect(page.locator('#message').isHidden()).resolves.toBe(true);
    await b.screenshot('risk-paths');

    // Clicking a node shows its properties and provenance, and the controls at that step.
    await page.evaluate((id) => {
      (globalThis as unknown as { agCy: { getElementById(i: string): { emit(e: string): void } } }).agCy.getElementById(id).emit('tap');
    }, D);
    const details = page.locator('#details');
    await details.getByText('Provenance').waitFor();
    const text = await details.innerText();
    expect(text).toContain('Seeded Phone');
    expect(text).toContain('risk.test.ts');
    expect(text).toMatch(/assertedBy\s+risk-test/);
    expect(text).toMatch(/Seeded secure boot .*effectiveness 0\.8 \(MITIGATES_EDGE\)/);
    await b.screenshot('risk-node-details');
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it("shows empty results and API errors as messages, using the caller's headers", async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?from=${encodeURIComponent(T)}&to=${encodeURIComponent(U)}`);
    expect(await settled(page)).toEqual({ kind: 'empty', text: expect.stringContaining(`No risk path from ${T} to ${U}`) });
    await b.screenshot('risk-empty');

    // The viewer key lacks the analyst role: the API's refusal is shown, not a blank canvas.
    await page.locator('#headers').fill(JSON.stringify({ 'x-api-key': KEYS.viewer }));
    await page.locator('#to').fill(D);
    await page.locator('#run-risk').click();
    expect(await settled(page)).toEqual({ kind: 'error', text: expect.stringMatching(/FORBIDDEN/) });
    await expect(page.evaluate(() => (globalThis as unknown as { agCy: { elements(): { length: number } } }).agCy.elements().length)).resolves.toBe(0);

    // An unknown id is reported by the API as NOT_FOUND.
    await page.locator('#headers').fill('');
    await page.locator('#from').fill(`${prefix}missing`);
    await page.locator('#run-risk').click();
    expect(await settled(page)).toEqual({ kind: 'error', text: expect.stringMatching(/NOT_FOUND/) });
    await b.screenshot('risk-error');
    expect(externalRequests(b.requests)).toEqual([]);
  });

  it("draws a certification lineage as a DAG with each certification's validity on the chosen date", async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?cert=${encodeURIComponent(CERT_ROOT)}&asOf=2026-06-01`);
    expect(await settled(page)).toBeNull();
    const g = await drawn();
    expect(g.nodes.map((n) => n.id).sort()).toEqual([CERT_BASIS, CERT_NEXT, CERT_ROOT].sort());
    expect(g.edges.map((e) => [e.source, e.target, e.classes.includes('supersedes') ? 'SUPERSEDES' : 'BASED_ON']).sort()).toEqual(
      [
        [CERT_NEXT, CERT_ROOT, 'SUPERSEDES'],
        [CERT_ROOT, CERT_BASIS, 'BASED_ON'],
      ].sort(),
    );
    // On 2026-06-01 the renewal is not yet issued; the root and its basis hold.
    const valid = (id: string) => g.nodes.find((n) => n.id === id)?.classes.includes('cert-ok');
    expect([valid(CERT_BASIS), valid(CERT_ROOT), valid(CERT_NEXT)]).toEqual([true, true, false]);
    // A DAG: the basis is drawn above what rests on it, the renewal below what it replaces.
    const y = await page.evaluate(
      (ids) =>
        ids.map((id) => (globalThis as unknown as { agCy: { getElementById(i: string): { position(): { y: number } } } }).agCy.getElementById(id).position().y),
      [CERT_BASIS, CERT_ROOT, CERT_NEXT],
    );
    expect(y[0]).toBeLessThan(y[1] ?? 0);
    expect(y[1]).toBeLessThan(y[2] ?? 0);
    await expect(page.locator('#summary').innerText()).resolves.toContain(`${CERT_ROOT} holds on 2026-06-01`);
    await b.screenshot('risk-lineage');
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
