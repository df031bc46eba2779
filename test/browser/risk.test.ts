/**
 * The risk view in real headless Chromium, over a path seeded here with the store's
 * upsertNodes/mergeRelationships (ids unique to this run, removed afterwards):
 *
 *   threat T --TARGETS--> component C <--HAS_COMPONENT-- device D <--TARGETS-- T
 *   D --IMPLEMENTS--> control K --MITIGATES--> T
 *
 * riskPaths(T → D) gives T→D and T→C→D: 3 nodes, 3 edges, and the two edges entering D are
 * mitigated steps (K stands at D); the edge T→C is not.
 *
 * The seed is loaded too (freshSeed): the pickers search it by name, the readability check draws
 * its largest riskPaths answer, and the export and what-if checks use the documented examples.
 * One browser and one server serve the whole file (the machine is small); each test starts from
 * a fresh page load with no stored headers.
 */
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import type { Page } from 'playwright-core';
import type { Label, RelationshipType } from '../../src/domain/model';
import { buildSchema } from '../../src/graphql/schema';
import { mergeRelationships, upsertNodes } from '../../src/store/graphStore';
import { recordStatusChanges } from '../../src/store/statusHistoryStore';
import { FIXTURE_TIMEOUT_MS, cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { freshSeed } from '../helpers/seed';
import { externalRequests, openBrowser, SLOW_MACHINE, type TestBrowser } from './browser';

interface DrawnEdge {
  id: string;
  source: string;
  target: string;
  classes: string[];
  lineStyle: string;
  lineColor: string;
}

/** The few browser globals the page functions below use (the project compiles without the DOM lib). */
interface W {
  document: { activeElement: { id: string } | null };
  sessionStorage: { clear(): void };
  location: { href: string };
  getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string };
  DOMParser: new () => { parseFromString(text: string, type: string): { querySelector(s: string): { textContent: string } | null } };
}

/** An element as the page functions below see it. */
interface El {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  innerText?: string;
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
    await freshSeed(t.db);
    opened = await openBrowser();
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
        // The root was suspended for two months in 2026 (its status history).
        await recordStatusChanges(tx, [
          { certificationId: CERT_ROOT, status: 'SUSPENDED', effectiveFrom: '2026-03-01', reason: 'under review', source: 'test' },
          { certificationId: CERT_ROOT, status: 'ACTIVE', effectiveFrom: '2026-05-01', reason: 'reinstated', source: 'test' },
        ]);
      },
      { timeoutMs: FIXTURE_TIMEOUT_MS },
    );
  }, 180000);
  afterAll(async () => {
    await opened?.close();
    await cleanup(t.db, prefix);
    await t.close();
  });
  beforeEach(async () => {
    // A fresh page state: no headers kept from the previous test, nothing recorded yet.
    const b = current();
    await b.page.setViewportSize({ width: 1400, height: 860 });
    await b.page.goto(`${url}/risk`);
    await b.page.evaluate(() => (globalThis as unknown as W).sessionStorage.clear());
    b.requests.length = 0;
    b.errors.length = 0;
  });

  it('sends operations that are valid against the schema', async () => {
    const b = current();
    await b.page.goto(`${url}/risk`);
    const queries = await b.page.evaluate(() => (globalThis as unknown as { AssuranceGraph: { queries: Record<string, string> } }).AssuranceGraph.queries);
    const schema = buildSchema();
    expect(Object.keys(queries).sort()).toEqual(['lineage', 'risk', 'search', 'whatif']);
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

  it('draws the seeded paths: nodes coloured and shaped by label, mitigated steps dashed blue, the control on its step', async () => {
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

  // ---- pickers ---------------------------------------------------------------------------

  /** Types into a picker and waits for its search answer. */
  async function typeIn(page: Page, id: string, text: string): Promise<void> {
    const input = page.locator(`#${id}`);
    await input.click();
    await input.fill('');
    await input.pressSequentially(text, { delay: 20 });
    await page.locator('body[data-search="done"]').waitFor({ state: 'attached' });
    await page.locator(`#${id}-list`).waitFor({ state: 'visible' });
  }

  async function options(page: Page, id: string): Promise<{ id: string; text: string }[]> {
    return page
      .locator(`#${id}-list [role="option"]`)
      .evaluateAll((els: El[]) => els.map((e) => ({ id: e.getAttribute('data-id') ?? '', text: e.innerText ?? '' })));
  }

  it('picks the source and target by name with the keyboard or the mouse (ARIA combobox), and still accepts ids', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk`);
    const from = page.locator('#from');
    await expect(from.getAttribute('role')).resolves.toBe('combobox');
    await expect(from.getAttribute('aria-expanded')).resolves.toBe('false');

    await typeIn(page, 'from', 'firmware');
    await expect(from.getAttribute('aria-expanded')).resolves.toBe('true');
    const found = await options(page, 'from');
    // Only threats and vulnerabilities are offered, each with name, kind and id.
    expect(found.map((o) => o.id)).toContain('threat:firmware-tampering');
    for (const o of found) expect(o.id).toMatch(/^(threat:|CVE-)/);
    const option = found.find((o) => o.id === 'threat:firmware-tampering');
    expect(option?.text).toMatch(/Threat/);
    expect(option?.text).toContain('threat:firmware-tampering');
    await b.screenshot('risk-picker-open');
    // Arrow keys move the active option (aria-activedescendant), Enter chooses it.
    const index = found.findIndex((o) => o.id === 'threat:firmware-tampering');
    for (let i = 0; i <= index; i++) await from.press('ArrowDown');
    const active = await from.getAttribute('aria-activedescendant');
    await expect(page.locator(`#${active ?? 'none'}`).getAttribute('data-id')).resolves.toBe('threat:firmware-tampering');
    await expect(page.locator(`#${active ?? 'none'}`).getAttribute('aria-selected')).resolves.toBe('true');
    await from.press('Enter');
    await expect(from.inputValue()).resolves.toBe('threat:firmware-tampering');
    await expect(from.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(page.locator('#from-picked').innerText()).resolves.toMatch(/Firmware tampering.*\(Threat\)/i);
    // Enter chose the option: it did not submit the form.
    await expect(page.locator('body').getAttribute('data-state')).resolves.toBeNull();

    // The target picker offers devices, fleets, certifications and components, never a threat;
    // Escape closes the list and keeps the text.
    await typeIn(page, 'to', 'iphone 15');
    const targets = await options(page, 'to');
    expect(targets.length).toBeGreaterThan(0);
    for (const o of targets) expect(o.id).toMatch(/^(device|deployment|cert|component):/);
    await page.locator('#to').press('Escape');
    await expect(page.locator('#to-list').isHidden()).resolves.toBe(true);
    await expect(page.locator('#to').inputValue()).resolves.toBe('iphone 15');
    // The mouse chooses too.
    await typeIn(page, 'to', 'iphone 15');
    await page.locator('#to-list [role="option"][data-id="device:iphone-15"]').click();
    await expect(page.locator('#to').inputValue()).resolves.toBe('device:iphone-15');
    await page.locator('#run-risk').click();
    expect(await settled(page)).toBeNull();
    await expect(page.locator('#summary').innerText()).resolves.toMatch(/path\(s\)/);
    expect(new URL(page.url()).searchParams.get('to')).toBe('device:iphone-15');

    // An id typed as it is still works, and the certification picker finds certifications only.
    await typeIn(page, 'cert', 'nato');
    const certs = await options(page, 'cert');
    expect(certs.map((o) => o.id)).toContain('cert:nato-clearance-2024');
    for (const o of certs) expect(o.id).toMatch(/^cert:/);
    await page.locator('#cert').press('Escape');
    await page.locator('#cert').fill(CERT_ROOT);
    await page.locator('#asOf').fill('2026-06-01');
    await page.locator('#run-lineage').click();
    expect(await settled(page)).toBeNull();
    await expect(page.locator('#summary').innerText()).resolves.toContain(`${CERT_ROOT} holds on 2026-06-01`);
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  // ---- readability -------------------------------------------------------------------------

  it("keeps node labels legible and apart at the default zoom on a 1400×900 window with the seed's largest answer", async () => {
    const b = current();
    const { page } = b;
    await page.setViewportSize({ width: 1400, height: 900 });
    // The seed's largest riskPaths answer: kernel privilege escalation to every device (40 paths, 20 nodes).
    await page.goto(`${url}/risk?from=threat%3Akernel-privilege-escalation&maxHops=8`);
    expect(await settled(page)).toBeNull();
    const measured = await page.evaluate(() => {
      interface BB {
        x1: number;
        y1: number;
        x2: number;
        y2: number;
      }
      interface N {
        id(): string;
        hasClass(c: string): boolean;
        style(n: string): string;
        renderedBoundingBox(o: Record<string, boolean>): BB;
      }
      const cy = (globalThis as unknown as { agCy: { zoom(): number; nodes(): { map<T>(f: (n: N) => T): T[] } } }).agCy;
      return {
        zoom: cy.zoom(),
        nodes: cy.nodes().map((n) => ({
          id: n.id(),
          path: n.hasClass('path-node'),
          font: parseFloat(n.style('font-size')),
          label: n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false }),
        })),
      };
    });
    const pathNodes = measured.nodes.filter((n) => n.path);
    expect(pathNodes.length).toBe(20);
    // Rendered label text is at least 10 px high.
    expect(Math.min(...measured.nodes.map((n) => n.font * measured.zoom))).toBeGreaterThanOrEqual(10);
    // No two labels overlap.
    const overlaps: string[] = [];
    for (let i = 0; i < measured.nodes.length; i++) {
      for (let j = i + 1; j < measured.nodes.length; j++) {
        const a = measured.nodes[i]?.label;
        const c = measured.nodes[j]?.label;
        if (!a || !c) continue;
        const w = Math.min(a.x2, c.x2) - Math.max(a.x1, c.x1);
        const h = Math.min(a.y2, c.y2) - Math.max(a.y1, c.y1);
        if (w > 1 && h > 1) overlaps.push(`${measured.nodes[i]?.id} × ${measured.nodes[j]?.id}`);
      }
    }
    await b.screenshot('risk-largest-answer-1400x900');
    expect(overlaps).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  // ---- keyboard ----------------------------------------------------------------------------

  it('can be used with the keyboard alone, with a visible focus', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?from=${encodeURIComponent(T)}&to=${encodeURIComponent(D)}`);
    expect(await settled(page)).toBeNull();
    // Tab reaches the graph; the focus ring is drawn.
    await page.locator('#export-svg').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => (globalThis as unknown as W).document.activeElement?.id)).resolves.toBe('cy');
    const outline = await page.locator('#cy').evaluate((el) => {
      const st = (globalThis as unknown as W).getComputedStyle(el);
      return `${st.outlineStyle} ${st.outlineWidth}`;
    });
    expect(outline).toBe('solid 3px');
    // Arrow keys walk the nodes left to right; the details follow.
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('#details').getAttribute('data-selected')).resolves.toBe(T);
    await page.keyboard.press('ArrowRight');
    const second = await page.locator('#details').getAttribute('data-selected');
    expect([C, D]).toContain(second);
    expect(new URL(page.url()).searchParams.get('selected')).toBe(second);
    await b.screenshot('risk-keyboard-focus');
    // The path list: Tab to a path, Enter selects it (and the URL says so).
    await page.locator('#paths li').first().focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('#paths li').first().getAttribute('aria-selected')).resolves.toBe('true');
    expect(new URL(page.url()).searchParams.get('path')).toBe('0');
    const focusRing = await page
      .locator('#paths li')
      .first()
      .evaluate((el) => (globalThis as unknown as W).getComputedStyle(el).outlineStyle);
    expect(focusRing).toBe('solid');
    expect(b.errors).toEqual([]);
  });

  // ---- shareable -----------------------------------------------------------------------------

  it('restores the whole view from its link: question, chosen path and selected node', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk`);
    await page.locator('#from').fill(T);
    await page.locator('#to').fill(D);
    await page.locator('#maxHops').fill('4');
    await page.locator('#includeMitigated').uncheck();
    await page.locator('#includeMitigated').check();
    await page.locator('#run-risk').click();
    expect(await settled(page)).toBeNull();
    await page.locator('#paths li[data-path="1"]').click();
    await page.evaluate((id) => {
      (globalThis as unknown as { agCy: { getElementById(i: string): { emit(e: string): void } } }).agCy.getElementById(id).emit('tap');
    }, C);
    const link = page.url();
    const q = new URL(link).searchParams;
    expect(Object.fromEntries(q.entries())).toEqual({ from: T, to: D, maxHops: '4', path: '1', selected: C });

    const other = await b.context.newPage();
    try {
      await other.goto(link);
      expect(await settled(other)).toBeNull();
      await expect(other.locator('#from').inputValue()).resolves.toBe(T);
      await expect(other.locator('#maxHops').inputValue()).resolves.toBe('4');
      await expect(other.locator('#paths li[data-path="1"]').getAttribute('aria-selected')).resolves.toBe('true');
      await expect(other.locator('#details').getAttribute('data-selected')).resolves.toBe(C);
      expect(other.url()).toBe(link);
    } finally {
      await other.close();
    }
  });

  // ---- export --------------------------------------------------------------------------------

  async function save(page: Page, button: string): Promise<{ name: string; body: Buffer }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#${button}`).click()]);
    const file = await download.path();
    return { name: download.suggestedFilename(), body: readFileSync(file) };
  }

  it('exports what is on screen: the GraphQL answer as JSON, one CSV row per path step, the picture as PNG and SVG', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?from=threat%3Afirmware-tampering&to=device%3Aiphone-15&maxHops=5`);
    expect(await settled(page)).toBeNull();

    const json = await save(page, 'export-json');
    expect(json.name).toBe('risk-paths-threat_firmware-tampering-device_iphone-15.json');
    const answer = JSON.parse(json.body.toString('utf8')) as { riskPaths: { paths: { score: number; path: { nodes: { id: string }[] } }[] } };
    // The same answer the API gives to the same operation.
    const queries = await page.evaluate(() => (globalThis as unknown as { AssuranceGraph: { queries: Record<string, string> } }).AssuranceGraph.queries);
    const direct = await t.run(
      queries.risk ?? '',
      { from: 'threat:firmware-tampering', to: 'device:iphone-15', maxHops: 5, includeMitigated: true, first: 100 },
      null,
    );
    expect(direct.errors).toBeUndefined();
    expect(answer).toEqual(direct.data);
    const paths = answer.riskPaths.paths;
    expect(paths.length).toBeGreaterThan(1);

    const csv = (await save(page, 'export-csv')).body.toString('utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('path,score,baseScore,residualFactor,mitigated,blocked,target,position,nodeId,nodeKind,nodeName,enteredBy,direction,controls');
    expect(lines.length - 1).toBe(paths.reduce((n, p) => n + p.path.nodes.length, 0));
    expect(lines[1]).toMatch(new RegExp(`^1,${paths[0]?.score},.*,0,threat:firmware-tampering,Threat,`));

    const png = await save(page, 'export-png');
    expect(png.name.endsWith('.png')).toBe(true);
    expect(png.body.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.body.length).toBeGreaterThan(5000);

    const svg = (await save(page, 'export-svg')).body.toString('utf8');
    expect(svg).toMatch(/^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const drawnIds = (await drawn()).nodes.map((n) => n.id);
    for (const id of drawnIds) expect(svg).toContain(`data-id="${id}"`);
    expect((svg.match(/<g class="edge"/g) ?? []).length).toBe((await drawn()).edges.length);
    // The SVG is well-formed: Chromium parses it without an error.
    const parseError = await page.evaluate(
      (text) => new (globalThis as unknown as W).DOMParser().parseFromString(text, 'image/svg+xml').querySelector('parsererror')?.textContent ?? null,
      svg,
    );
    expect(parseError).toBeNull();
    await b.screenshot('risk-export');
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  // ---- lineage timeline ----------------------------------------------------------------------

  it('draws the lineage as a timeline whose as-of line can be dragged or moved with the keyboard, re-evaluating validity', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?cert=${encodeURIComponent(CERT_ROOT)}&asOf=2026-06-01`);
    expect(await settled(page)).toBeNull();
    const rows = async () =>
      page.locator('#timeline .tl-row').evaluateAll((els: El[]) =>
        els.map((e) => ({
          id: e.getAttribute('data-id'),
          holds: e.getAttribute('data-holds'),
          bars: Array.from(e.querySelectorAll('.tl-bar')).map((r) => [r.getAttribute('data-status'), r.getAttribute('data-from'), r.getAttribute('data-to')]),
        })),
      );
    const before = await rows();
    expect(before.map((r) => r.id).sort()).toEqual([CERT_BASIS, CERT_NEXT, CERT_ROOT].sort());
    const row = (rs: typeof before, id: string) => rs.find((r) => r.id === id);
    // Its status history splits the root's bar: suspended from March to April 2026.
    expect(row(before, CERT_ROOT)?.bars).toEqual([
      ['ACTIVE', '2025-01-01', '2026-02-28'],
      ['SUSPENDED', '2026-03-01', '2026-04-30'],
      ['ACTIVE', '2026-05-01', '2030-12-31'],
    ]);
    expect(row(before, CERT_BASIS)?.bars).toEqual([['ACTIVE', '2024-01-01', '2030-12-31']]);
    expect(row(before, CERT_NEXT)?.holds).toBe('false');
    expect(row(before, CERT_ROOT)?.holds).toBe('true');
    // Bars run from issue to expiry: the renewal's bar starts right of the root's.
    const x = (id: string) => page.locator(`.tl-row[data-id="${id}"] .tl-bar`).first().boundingBox();
    expect((await x(CERT_NEXT))?.x ?? 0).toBeGreaterThan((await x(CERT_ROOT))?.x ?? 0);
    await b.screenshot('risk-lineage-timeline');

    // Drag the as-of line to the middle of 2028: the renewal now holds and the root is superseded.
    const handle = page.locator('#asof-handle');
    const hb = await handle.boundingBox();
    const tick = await page.locator('#timeline text', { hasText: /^2028$/ }).boundingBox();
    if (!hb || !tick) throw new Error('timeline not drawn');
    await page.mouse.move(hb.x + hb.width / 2, hb.y + 40);
    await page.mouse.down();
    await page.mouse.move(tick.x + 40, hb.y + 40, { steps: 8 });
    await page.mouse.up();
    await b.screenshot('risk-lineage-dragging');
    await page.waitForFunction(() => (globalThis as unknown as W).location.href.includes('asOf=2028-'));
    expect(await settled(page)).toBeNull();
    const after = await rows();
    expect(row(after, CERT_NEXT)?.holds).toBe('true');
    expect(row(after, CERT_ROOT)?.holds).toBe('false');
    await expect(page.locator('#asOf').inputValue()).resolves.toMatch(/^2028-/);
    await expect(page.locator('#summary').innerText()).resolves.toMatch(new RegExp(`${CERT_ROOT} does not hold on 2028-`));
    await b.screenshot('risk-lineage-dragged');

    // Keyboard: Home jumps to the start of the axis (before everything was issued), then re-evaluates.
    await page.locator('#asof-handle').focus();
    await page.keyboard.press('Home');
    await page.waitForFunction(() => (globalThis as unknown as W).location.href.endsWith('asOf=2024-01-01'));
    expect(await settled(page)).toBeNull();
    expect(row(await rows(), CERT_ROOT)?.holds).toBe('false');
    await expect(page.locator('#asof-handle').getAttribute('aria-valuetext')).resolves.toBe('2024-01-01');
    // An arrow key moves one day.
    await page.locator('#asof-handle').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => (globalThis as unknown as W).location.href.endsWith('asOf=2024-01-02'));
    expect(await settled(page)).toBeNull();
    expect(row(await rows(), CERT_BASIS)?.holds).toBe('true');

    // Into the suspension: the root does not hold while suspended, and says why.
    await page.goto(`${url}/risk?cert=${encodeURIComponent(CERT_ROOT)}&asOf=2026-05-20`);
    expect(await settled(page)).toBeNull();
    expect(row(await rows(), CERT_ROOT)?.holds).toBe('true');
    await page.locator('#asof-handle').focus();
    await page.keyboard.press('PageDown'); // 30 days back: 2026-04-20
    await page.waitForFunction(() => (globalThis as unknown as W).location.href.endsWith('asOf=2026-04-20'));
    expect(await settled(page)).toBeNull();
    expect(row(await rows(), CERT_ROOT)?.holds).toBe('false');
    await expect(page.locator('#summary').innerText()).resolves.toContain(`${CERT_ROOT} does not hold on 2026-04-20`);
    await page.evaluate((id) => {
      (globalThis as unknown as { agCy: { getElementById(i: string): { emit(e: string): void } } }).agCy.getElementById(id).emit('tap');
    }, CERT_ROOT);
    const text = await page.locator('#details').innerText();
    expect(text).toContain('from 2026-03-01: SUSPENDED (under review)');
    expect(text).toContain('from 2026-05-01: ACTIVE (reinstated)');
    await b.screenshot('risk-lineage-suspended');
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  // ---- what-if -------------------------------------------------------------------------------

  interface PathIds {
    score: number;
    path: { nodes: { id: string }[] };
  }
  interface WhatIfAnswer {
    riskPaths: {
      paths: PathIds[];
      whatIf: {
        before: { paths: PathIds[] };
        appeared: PathIds[];
        disappeared: PathIds[];
        lostMitigation: { before: PathIds; after: PathIds }[];
        gainedMitigation: { before: PathIds; after: PathIds }[];
        scoreChanged: { before: PathIds; after: PathIds }[];
      };
    };
    scopeDrift?: { whatIf: { appeared: { finding: { reason: string } }[]; resolved: { finding: { reason: string } }[] } };
  }

  it('fails a ticked control and draws before and after, with what changed highlighted', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?from=threat%3Afirmware-tampering&to=device%3Aiphone-15&maxHops=5`);
    expect(await settled(page)).toBeNull();
    // The controls standing on the drawn paths are offered as tick boxes.
    const box = page.locator('#fail-list input[value="control:secure-boot-verification"]');
    await expect(box.isChecked()).resolves.toBe(false);
    await page.locator('#fail-list label[data-control="control:secure-boot-verification"]').click();
    expect(await settled(page)).toBeNull();
    expect(new URL(page.url()).searchParams.get('fail')).toBe('control:secure-boot-verification');

    // The page shows what the API says changed.
    const queries = await page.evaluate(() => (globalThis as unknown as { AssuranceGraph: { queries: Record<string, string> } }).AssuranceGraph.queries);
    const direct = await t.run<WhatIfAnswer>(
      queries.whatif ?? '',
      {
        from: 'threat:firmware-tampering',
        to: 'device:iphone-15',
        maxHops: 5,
        includeMitigated: true,
        first: 100,
        assume: { failControls: ['control:secure-boot-verification'] },
        fleet: null,
        withDrift: false,
      },
      null,
    );
    expect(direct.errors).toBeUndefined();
    const w = direct.data?.riskPaths.whatIf;
    if (!w) throw new Error('no whatIf');
    const changed = w.lostMitigation.length + w.gainedMitigation.length + w.scoreChanged.length;
    expect(w.lostMitigation.length + w.scoreChanged.length).toBeGreaterThan(0);
    const listed = await page.locator('#paths li').evaluateAll((els: El[]) => els.map((e) => [e.getAttribute('data-change'), e.innerText ?? '']));
    expect(listed.filter(([c]) => c === 'changed').length).toBeGreaterThan(0);
    expect(listed.filter(([c]) => c === 'changed').length).toBeLessThanOrEqual(changed);
    expect(listed.filter(([c]) => c === 'removed').length).toBe(w.disappeared.length);
    for (const [c, text] of listed) if (c === 'changed') expect(text).toMatch(/^▲ was [\d.]+: /);
    const summary = page.locator('#summary');
    await expect(summary.getAttribute('data-before-paths')).resolves.toBe(String(w.before.paths.length));
    await expect(summary.innerText()).resolves.toMatch(/^After the assumption/);
    // In the drawing: the steps whose mitigation was lost are outlined.
    const g = await drawn();
    expect(g.edges.filter((e) => e.classes.includes('diff-changed')).length).toBeGreaterThan(0);
    // The failed control still stands on its step, drawn hollow (failed), no longer mitigating.
    const failedControls = g.nodes.filter((n) => n.id.endsWith(':control:secure-boot-verification'));
    expect(failedControls.length).toBeGreaterThan(0);
    for (const n of failedControls) expect(n.classes).toContain('failed');
    await expect(box.isChecked()).resolves.toBe(true);
    await b.screenshot('risk-whatif-after');

    // Before: the plain answer, the toggle says so.
    await page.locator('#show-before').click();
    await expect(page.locator('#show-before').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(summary.innerText()).resolves.toMatch(/^Before the assumption/);
    expect((await drawn()).edges.filter((e) => e.classes.includes('diff-changed'))).toEqual([]);
    await b.screenshot('risk-whatif-before');

    // The JSON export is the whole answer, the part without the assumption included.
    const json = JSON.parse((await save(page, 'export-json')).body.toString('utf8')) as WhatIfAnswer;
    expect(json.riskPaths.whatIf.before.paths.length).toBe(w.before.paths.length);

    // The link carries the assumption: opened elsewhere, it draws the same what-if.
    const other = await b.context.newPage();
    try {
      await other.goto(page.url());
      expect(await settled(other)).toBeNull();
      await expect(other.locator('#fail-list input[value="control:secure-boot-verification"]').isChecked()).resolves.toBe(true);
      await expect(other.locator('#summary').getAttribute('data-before-paths')).resolves.toBe(String(w.before.paths.length));
    } finally {
      await other.close();
    }

    // Unticking draws the plain answer again.
    await page.locator('#fail-list label[data-control="control:secure-boot-verification"]').click();
    expect(await settled(page)).toBeNull();
    expect(new URL(page.url()).searchParams.get('fail')).toBeNull();
    await expect(page.locator('#whatif-view').isHidden()).resolves.toBe(true);
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it('moves a fleet to another OS release chosen by name and shows the drift findings that appear', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/risk?from=threat%3Afirmware-tampering&to=device%3Aiphone-15&maxHops=5`);
    expect(await settled(page)).toBeNull();
    await typeIn(page, 'fleet', 'staff');
    await page.locator('#fleet-list [role="option"][data-id="deployment:mod-staff-iphone-15"]').click();
    await typeIn(page, 'release', 'iOS 18');
    const releases = await options(page, 'release');
    // only OS releases are offered: the seed's, and this file's own fixture release (its name may match the text too)
    for (const o of releases) expect(o.id === C || /^component:(ios|ipados)-/.test(o.id)).toBe(true);
    expect(releases.map((o) => o.id)).toContain('component:ios-18.0');
    await page.locator('#release-list [role="option"][data-id="component:ios-18.0"]').click();
    await page.locator('#driftAsOf').fill('2025-06-01');
    await page.locator('#run-whatif').click();
    expect(await settled(page)).toBeNull();
    const q = new URL(page.url()).searchParams;
    expect([q.get('fleet'), q.get('release'), q.get('asOf')]).toEqual(['deployment:mod-staff-iphone-15', 'component:ios-18.0', '2025-06-01']);
    const drift = page.locator('#drift');
    await expect(drift.innerText()).resolves.toContain('Scope of the moved fleet (as of 2025-06-01)');
    await expect(drift.innerText()).resolves.toMatch(/Before: .* runs iOS 17\.4, in scope/);
    await expect(drift.innerText()).resolves.toContain('After: runs iOS 18.0, not in scope');
    await expect(drift.locator('li[data-change="added"]').allInnerTexts()).resolves.toEqual(
      expect.arrayContaining([expect.stringMatching(/^▲ appears: OS_NEWER_THAN_SCOPE/)]),
    );
    await b.screenshot('risk-whatif-fleet');
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
